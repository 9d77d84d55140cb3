"""Read side of the consumer portal: what a consumer sees of a complaint (status words, dates, the decision
once notified — nothing else), the staff page's submissions and lookup figures (scoped), and the block on a
complaint's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from xiaobao.complaints.choices import Status
from xiaobao.complaints.models import Complaint
from xiaobao.core.models import AuditEvent
from xiaobao.core.scoping import ALL, user_scope
from xiaobao.portal.models import VIEW, ConsumerRating, PortalReviewRequest, PortalSettings, PortalSubmission
from xiaobao.portal.services import can_request_review, notified_on, review_until

# the consumer's words for the complaint's status (the JSON answer carries the status code itself)
CONSUMER_STATUS: dict[str, Any] = {
    Status.REGISTERED: pgettext_lazy("consumer status", "Received"),
    Status.ASSIGNED: pgettext_lazy("consumer status", "Received, handler being assigned"),
    Status.IN_PROGRESS: pgettext_lazy("consumer status", "Being handled"),
    Status.PAUSED: pgettext_lazy("consumer status", "Being handled (appraisal or mediation under way)"),
    Status.DRAFTED: pgettext_lazy("consumer status", "Being handled"),
    Status.PENDING_APPROVAL: pgettext_lazy("consumer status", "Being handled"),
    Status.DECIDED: pgettext_lazy("consumer status", "Decided: the decision has been sent to you"),
    Status.FOLLOWED_UP: pgettext_lazy("consumer status", "Decided: the decision has been sent to you"),
    Status.CLOSED: pgettext_lazy("consumer status", "Closed"),
    Status.ARCHIVED: pgettext_lazy("consumer status", "Closed"),
    Status.UNDER_REVIEW: pgettext_lazy("consumer status", "Under review"),
    Status.WITHDRAWN: pgettext_lazy("consumer status", "Withdrawn"),
    Status.DECLINED: pgettext_lazy("consumer status", "Not accepted"),
    Status.MERGED: pgettext_lazy("consumer status", "Handled together with an earlier complaint"),
}


@dataclass(frozen=True)
class ConsumerView:
    """What a consumer who proved the reference and the phone digits sees."""

    reference: str
    status: str
    status_words: str
    received_on: dt.date
    due_date: dt.date | None
    decided_on: dt.date | None
    decision: str  # only once the decision was notified
    can_review: bool
    review_until: dt.date | None
    review_requested: bool
    can_rate: bool
    rating: ConsumerRating | None

    def public(self) -> dict[str, Any]:
        """The JSON answer: exactly these five keys (programs outside the repository read them)."""
        return {
            "reference": self.reference,
            "status": self.status,
            "received_on": self.received_on.isoformat(),
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
        }


def consumer_view(complaint: Complaint, s: PortalSettings) -> ConsumerView:
    notified = complaint.notified_at is not None
    rating = ConsumerRating.objects.filter(complaint=complaint).first()
    requested = (
        complaint.status == Status.UNDER_REVIEW
        or PortalReviewRequest.objects.filter(complaint=complaint).exists()
    )
    return ConsumerView(
        reference=complaint.reference,
        status=complaint.status,
        status_words=str(CONSUMER_STATUS.get(complaint.status, complaint.get_status_display())),
        received_on=complaint.receipt_date,
        due_date=complaint.decision_due,
        decided_on=notified_on(complaint),
        decision=complaint.decision_result if notified else "",
        can_review=not requested and can_request_review(complaint, s),
        review_until=review_until(complaint, s),
        review_requested=requested,
        can_rate=notified and rating is None,
        rating=rating,
    )


# --- staff -------------------------------------------------------------------------------------------------


def submissions(user: Any) -> QuerySet[PortalSubmission]:
    """Portal submissions whose complaint the user may see, newest first."""
    if not user.has_perm(VIEW):
        return PortalSubmission.objects.none()
    return (
        PortalSubmission.objects.filter(complaint__in=Complaint.objects.visible_to(user))
        .select_related("complaint", "complaint__org_unit", "complaint__business_type")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class Figures:
    days: int
    submissions: int
    lookups: int | None  # None: the user sees only lookups that found a complaint of theirs
    found: int
    mismatches: int | None
    throttled: int | None
    ratings: int
    average: float | None
    reviews: int


def figures(user: Any, *, days: int = 30, now: dt.datetime | None = None) -> Figures:
    """The last `days` days: submissions, lookups by outcome, ratings and review requests, for what the user
    sees. Failed and throttled lookups name no complaint: only a user who sees every unit gets them."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    visible = Complaint.objects.visible_to(user)
    lookups = AuditEvent.objects.filter(object_type="portal.lookup", at__gte=since)
    everything = user_scope(user) == ALL
    if not everything:
        ids = visible.annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        lookups = lookups.filter(object_id__in=ids)
    counts = lookups.aggregate(
        n=Count("id"),
        found=Count("id", filter=Q(changes__outcome="found")),
        mismatch=Count("id", filter=Q(changes__outcome="mismatch")),
        throttled=Count("id", filter=Q(changes__outcome="throttled")),
    )
    ratings = list(
        ConsumerRating.objects.filter(complaint__in=visible, created_at__gte=since).values_list(
            "score", flat=True
        )
    )
    return Figures(
        days=days,
        submissions=submissions(user).filter(created_at__gte=since).count(),
        lookups=counts["n"] if everything else None,
        found=counts["found"],
        mismatches=counts["mismatch"] if everything else None,
        throttled=counts["throttled"] if everything else None,
        ratings=len(ratings),
        average=round(sum(ratings) / len(ratings), 1) if ratings else None,
        reviews=PortalReviewRequest.objects.filter(complaint__in=visible, created_at__gte=since).count(),
    )


@dataclass(frozen=True)
class ComplaintBlock:
    submission: PortalSubmission | None
    rating: ConsumerRating | None
    reviews: list[PortalReviewRequest]


def complaint_block(complaint: Complaint) -> ComplaintBlock | None:
    """The portal's part of a complaint's page (already visible to the user): where it came from, the
    consumer's rating, review requests sent on the portal; None when the portal has nothing on it."""
    submission = PortalSubmission.objects.filter(complaint=complaint).first()
    rating = ConsumerRating.objects.filter(complaint=complaint).first()
    reviews = list(PortalReviewRequest.objects.filter(complaint=complaint))
    if submission is None and rating is None and not reviews:
        return None
    return ComplaintBlock(submission, rating, reviews)
