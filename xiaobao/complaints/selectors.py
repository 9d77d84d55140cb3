"""Read side of complaints: every function takes the acting user and goes through `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery

from xiaobao.complaints.choices import Status
from xiaobao.complaints.filtersets import ORDERINGS, apply_filters
from xiaobao.complaints.models import Clock, Complaint, Extension


def _with_decision_due(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    decision = Clock.objects.filter(
        complaint=OuterRef("pk"), name="decision"
    ).order_by()  # no join via ordering
    return qs.annotate(
        decision_due=Subquery(decision.values("due_date")[:1]),
        decision_provisional=Subquery(decision.values("provisional")[:1]),
    )


def complaint_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Complaint]:
    filters = filters or {}
    qs = apply_filters(Complaint.objects.visible_to(user), filters, user)
    qs = _with_decision_due(qs).select_related(
        "org_unit", "handler", "channel", "business_type", "cause", "complainant"
    )
    ordering = ORDERINGS.get(filters.get("ordering") or "-received", ORDERINGS["-received"])
    return qs.order_by(*ordering)


def my_queue(*, user: Any) -> QuerySet[Complaint]:
    """The handler's open complaints, most urgent first (decision due date)."""
    qs = Complaint.objects.visible_to(user).filter(handler=user, status__in=Status.open_statuses())
    return (
        _with_decision_due(qs)
        .select_related("org_unit", "channel", "business_type", "cause", "complainant")
        .order_by(F("decision_due").asc(nulls_last=True))
    )


def unit_inbox(*, user: Any) -> QuerySet[Complaint]:
    """Complaints waiting for someone in the user's scope to accept (no handler yet)."""
    qs = Complaint.objects.visible_to(user).filter(
        status__in=[Status.REGISTERED, Status.ASSIGNED], handler__isnull=True
    )
    return (
        _with_decision_due(qs)
        .select_related("org_unit", "pending_unit")
        .order_by(F("decision_due").asc(nulls_last=True))
    )


def approval_inbox(*, user: Any) -> dict[str, QuerySet]:
    """What waits for an approver: extensions and decisions, within the user's scope."""
    visible = Complaint.objects.visible_to(user)
    return {
        "extensions": Extension.objects.filter(state=Extension.State.PENDING, complaint__in=visible)
        .select_related("complaint", "requested_by")
        .order_by("created_at"),
        "decisions": _with_decision_due(visible.filter(status=Status.PENDING_APPROVAL))
        .select_related("org_unit", "handler")
        .order_by(F("decision_due").asc(nulls_last=True)),
    }


def complaint_detail(*, user: Any, pk: int) -> Complaint | None:
    return (
        Complaint.objects.visible_to(user)
        .select_related(
            "org_unit",
            "pending_unit",
            "handler",
            "registered_by",
            "registering_unit",
            "channel",
            "business_type",
            "cause",
            "complainant",
            "merged_into",
            "review_unit",
            "decision_approved_by",
            "redress_approved_by",
        )
        .prefetch_related("clocks", "clocks__rule", "staff_named", "extensions", "assistances", "attachments")
        .filter(pk=pk)
        .first()
    )
