"""Complaints about a product linked to the review of that product (or its marketing).

A user who handles complaints or reviews links a complaint they can see to a review they can see, by the
review's reference; each side's page lists the other (only what the viewer may see). Links are audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xiaobao.core.errors import field_error
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.review.models import ComplaintReviewLink, Review

VIEW_REVIEW = "review.view_review"
VIEW_COMPLAINT = "complaints.view_complaint"
# Any of these, with both view permissions: the people who work on complaints or on reviews.
LINK_PERMS = ("complaints.handle_complaint", "review.conduct_review", "review.submit_review")


def can_link(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.has_perm(VIEW_REVIEW)
        and user.has_perm(VIEW_COMPLAINT)
        and any(user.has_perm(p) for p in LINK_PERMS)
    )


def _complaints_visible_to(user: Any) -> Any:
    from xiaobao.complaints.models import Complaint

    return Complaint.objects.visible_to(user)


def linked_reviews(*, user: Any, complaint: Any) -> list[Review]:
    """The reviews linked to the complaint that the user may see, with their approvals."""
    if not user.is_authenticated or not user.has_perm(VIEW_REVIEW):
        return []
    return list(
        Review.objects.visible_to(user)
        .filter(complaint_links__complaint_id=complaint.pk)
        .select_related("product_kind")
        .prefetch_related("approvals")
        .order_by("-created_at", "-id")
        .distinct()
    )


def linked_complaints(*, user: Any, review: Review) -> list[Any]:
    """The complaints linked to the review that the user may see."""
    if not user.is_authenticated or not user.has_perm(VIEW_COMPLAINT):
        return []
    return list(
        _complaints_visible_to(user)
        .filter(review_links__review_id=review.pk)
        .select_related("cause", "org_unit")
        .order_by("-received_at", "-id")
        .distinct()
    )


def link_create(*, by: Any, complaint: Any, reference: str) -> ComplaintReviewLink:
    """Link the complaint to the review with this reference. Both must be visible to `by`: a review they
    cannot see is "not found" (its existence is not revealed)."""
    if not can_link(by):
        raise PermissionDenied(_("You may not link complaints and reviews."))
    if not _complaints_visible_to(by).filter(pk=complaint.pk).exists():
        raise PermissionDenied(_("You may not link complaints and reviews."))
    reference = (reference or "").strip()
    if not reference:
        raise field_error("reference", _("Enter the review's reference."), code="required")
    review = Review.objects.visible_to(by).filter(reference__iexact=reference[:40]).first()
    if review is None:
        raise field_error("reference", _("No review with this reference that you can see."), code="not_found")
    try:
        with transaction.atomic():
            link = ComplaintReviewLink.objects.create(complaint=complaint, review=review, linked_by=by)
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                obj=link,
                object_repr=f"{complaint.reference} → {review.reference}",
                changes={"complaint": complaint.reference, "review": review.reference},
            )
    except IntegrityError:
        raise field_error(
            "reference", _("The complaint is linked to this review already."), code="duplicate"
        ) from None
    return link


def link_delete(*, by: Any, link: ComplaintReviewLink) -> None:
    """Remove a link (made by mistake); the user must be allowed to link and see both sides."""
    if not can_link(by):
        raise PermissionDenied(_("You may not link complaints and reviews."))
    if not (
        _complaints_visible_to(by).filter(pk=link.complaint_id).exists()
        and Review.objects.visible_to(by).filter(pk=link.review_id).exists()
    ):
        raise PermissionDenied(_("You may not link complaints and reviews."))
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            obj=link,
            object_repr=f"{link.complaint.reference} → {link.review.reference}",
            changes={"complaint": link.complaint.reference, "review": link.review.reference},
        )
        link.delete()
