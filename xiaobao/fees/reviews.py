"""The fee catalogue's side of the fee review (收费审查): a fee change opens a `review.Review` of kind
fee_change; the review app concludes it and tells this app through its `review_concluded` signal.

Everything this app knows about the review app is in this file."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

FEE_CHANGE = "fee_change"
PASSED = ("passed", "passed_with_changes")
# The review's product kind by fee category (a fee review still names one; "other" when none fits).
PRODUCT_KIND_BY_CATEGORY = {
    "account": "deposit",
    "transfer": "payment",
    "card": "payment",
    "ebanking": "payment",
    "credit": "personal_loan",
}


def _product_kind(category: str) -> str:
    """The review's product kind (a code of the review app's table) for a fee category; "other" when the
    mapped one is not active."""
    from xiaobao.review.models import ProductKind

    code = PRODUCT_KIND_BY_CATEGORY.get(category, "other")
    return code if ProductKind.objects.filter(code=code, active=True).exists() else "other"


def review_description(version: Any, note: str = "") -> str:
    """What the reviewer reads: the item, the fee in force, the proposed fee and why."""
    item = version.item
    current = item.versions.filter(status__in=("published", "superseded")).order_by("-effective_from").first()
    lines = [
        _("Fee item: %(code)s %(name)s (%(unit)s)")
        % {"code": item.code, "name": item.name, "unit": item.org_unit.name},
        _("Current fee: %(fee)s") % {"fee": current.fee if current else "—"},
        _("Proposed fee: %(fee)s") % {"fee": version.fee},
        _("Pricing basis: %(basis)s %(doc)s")
        % {"basis": version.get_basis_display(), "doc": version.basis_document},
        _("Discounts and waivers: %(d)s") % {"d": version.discounts or "—"},
        _("Effective from: %(day)s") % {"day": version.effective_from.isoformat()},
    ]
    if version.reason:
        lines.append(_("Reason for the change: %(r)s") % {"r": version.reason})
    if note:
        lines.append(note)
    return "\n".join(lines)


def open_fee_review(*, actor: Any, version: Any, note: str = "") -> Any:
    """Open and submit the fee review of a change in the actor's name, through the review app's service
    (a fee review needs no document; its unit is the submitter's, as for every review)."""
    from xiaobao.review.services import review_create

    item = version.item
    data = {
        "title": _("Fee change: %(name)s (%(code)s)") % {"name": item.name, "code": item.code},
        "kind": FEE_CHANGE,
        "product_kind": _product_kind(item.category),
        "product_name": item.name,
        "planned_launch": version.effective_from,
        "description": review_description(version, note),
    }
    return review_create(actor=actor, data=data, submit=True)


def is_withdrawn(review: Any) -> bool:
    return bool(review is not None and review.status == "withdrawn")


def is_passed_fee_review(review: Any) -> bool:
    return bool(review is not None and review.kind == FEE_CHANGE and review.status in PASSED)


def passed_fee_reviews(user: Any) -> QuerySet[Any]:
    """Fee reviews that passed, visible to the user: what a change may be published under."""
    from xiaobao.review.models import Review

    return (
        Review.objects.visible_to(user)
        .filter(kind=FEE_CHANGE, status__in=PASSED)
        .order_by("-concluded_at", "-pk")
    )


def review_url(review: Any) -> str:
    """The review's page, when the review app has one ("" otherwise)."""
    try:
        return reverse("review:detail", args=[review.pk])
    except NoReverseMatch:
        return ""
