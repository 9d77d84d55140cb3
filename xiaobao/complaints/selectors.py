"""Read side of complaints: every function takes the acting user and goes through `visible_to(user)` (or,
for work queues, `workable_by(user)`: without complaints the user's unit is only asked to assist on)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from xiaobao.complaints.choices import Status
from xiaobao.complaints.filtersets import ORDERINGS, apply_filters
from xiaobao.complaints.models import Clock, Complaint, Extension


def _with_decision_provisional(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    decision = Clock.objects.filter(
        complaint=OuterRef("pk"), name="decision"
    ).order_by()  # no join via ordering
    # the rule's unit says how late a decision met after its due date was (decided_on is the clock's met_on)
    return qs.annotate(
        decision_provisional=Subquery(decision.values("provisional")[:1]),
        decision_unit=Subquery(decision.values("rule__unit")[:1]),
    )


LIST_RELATED = ("org_unit", "handler", "channel", "business_type", "cause", "complainant")


def complaint_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Complaint]:
    filters = filters or {}
    qs = apply_filters(Complaint.objects.visible_to(user), filters, user)
    qs = _with_decision_provisional(qs).select_related(*LIST_RELATED)
    ordering = ORDERINGS.get(filters.get("ordering") or "-received", ORDERINGS["-received"])
    return qs.order_by(*ordering)


class IdsFirst:
    """A complaint list for a paginator: a page reads the ids of its rows first — the filters, the order and
    the slice on the complaint table alone — and then those rows with their related objects by id.

    Why: a filter the planner misjudges (four `ILIKE`s and a bigram match estimated at one row, or a prefix
    on a code) made it join the code, unit, user and consumer tables in nested loops under the sort — 2.9 s
    for a page of 50 at 1M where the ids alone take milliseconds. And when the count says the list is short
    (at most SHORT_LIST rows) every id is read in order without LIMIT: with a LIMIT the planner walks the
    receipt-time index newest first hoping to meet matches soon, and for a rare filter it walks the whole
    table (2.3 s for two code filters matching nothing at 1M)."""

    SHORT_LIST = 10_000
    ordered = True  # the paginator's check: the list has an ORDER BY

    def __init__(self, qs: QuerySet[Complaint], count: int | None = None) -> None:
        self.qs = qs
        self.counted = count

    def capped_count(self, cap: int) -> int:
        """Rows up to cap + 1 (CappedPaginator)."""
        n = self.qs.order_by()[: cap + 1].count()
        self.counted = n if n <= cap else None
        return n

    def __getitem__(self, index: slice) -> list[Complaint]:
        if self.counted == 0:
            return []
        ids_in_order = self.qs.values_list("pk", flat=True)
        if self.counted is not None and self.counted <= self.SHORT_LIST:
            ids = list(ids_in_order)[index]
        else:
            ids = list(ids_in_order[index])
        rows = _with_decision_provisional(Complaint.objects.filter(pk__in=ids)).select_related(*LIST_RELATED)
        by_id = {c.pk: c for c in rows}
        return [by_id[pk] for pk in ids]


SEARCH_COUNT_CAP = 1000  # a text search counts its matches up to this ("more than 1,000")
LIST_COUNT_CAP = 10_000  # any other list counts up to this ("more than 10,000"): the dashboard counts

# A text search shown newest first looks in the last day, week, month, year before all time: the first window
# that already holds more than the counted cap of matches holds every match the pages can show.
SEARCH_WINDOWS_DAYS = (1, 7, 31, 366)


def newest_search_window(
    qs: QuerySet[Complaint], filters: dict[str, Any], cap: int, now: dt.datetime | None = None
) -> QuerySet[Complaint]:
    """`qs` narrowed to the most recent window of receipt times with more than `cap` matches.

    Only for a text search in the default newest-first order, where it changes nothing the user sees: the
    pages stop at cap + 1 rows (CappedPaginator), and those are the newest cap + 1 matches, all inside the
    window. What it saves: a common word matches a fifth of all complaints, and sorting every match to show
    the newest 50 read hundreds of thousands of rows (7.7 s at 1M); a week of them is a few thousand. Each
    probe reads at most cap + 1 matches; a rare word falls through to the whole table, which it can afford."""
    if not filters.get("q") or (filters.get("ordering") or "-received") != "-received":
        return qs
    now = now or timezone.now()
    for days in SEARCH_WINDOWS_DAYS:
        window = qs.filter(received_at__gte=now - dt.timedelta(days=days))
        if list(window.order_by().values_list("pk", flat=True)[cap : cap + 1]):
            return window
    return qs


def my_queue(*, user: Any) -> QuerySet[Complaint]:
    """The handler's open complaints, most urgent first (decision due date)."""
    qs = Complaint.objects.workable_by(user).filter(handler=user, status__in=Status.open_statuses())
    return (
        _with_decision_provisional(qs)
        .select_related("org_unit", "channel", "business_type", "cause", "complainant")
        .order_by(F("decision_due").asc(nulls_last=True))
    )


def unit_inbox(*, user: Any) -> QuerySet[Complaint]:
    """Complaints waiting for someone in the user's scope to accept (no handler yet)."""
    qs = Complaint.objects.workable_by(user).filter(
        status__in=[Status.REGISTERED, Status.ASSIGNED], handler__isnull=True
    )
    return (
        _with_decision_provisional(qs)
        .select_related("org_unit", "pending_unit")
        .order_by(F("decision_due").asc(nulls_last=True))
    )


def approval_inbox(*, user: Any) -> dict[str, QuerySet]:
    """What waits for an approver: extensions and decisions, within the user's scope."""
    visible = Complaint.objects.workable_by(user)  # not a complaint the user's unit only assists on
    return {
        "extensions": Extension.objects.filter(state=Extension.State.PENDING, complaint__in=visible)
        .select_related("complaint", "requested_by")
        .order_by("created_at"),
        "decisions": _with_decision_provisional(visible.filter(status=Status.PENDING_APPROVAL))
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
            "consumer",
            "merged_into",
            "review_unit",
            "decision_approved_by",
            "redress_approved_by",
        )
        .prefetch_related(
            "clocks", "clocks__rule", "staff_named", "extensions", "assistances__unit", "attachments"
        )
        .filter(pk=pk)
        .first()
    )


# --- read by other modules (the early-warning scan): system readers, no acting user ----------------------


def open_statuses() -> list[str]:
    """The statuses of complaints still being worked on (the workflow's "open" group)."""
    return sorted(Status.open_statuses())


def decisions_due(*, first: dt.date, last: dt.date) -> list[tuple[int, str, int, dt.date]]:
    """Open complaints whose decision clock is running and due in [first, last]:
    (complaint id, reference, responsible unit id, due date)."""
    from xiaobao.casework.choices import ClockState

    return list(
        Clock.objects.filter(
            name="decision",
            state=ClockState.RUNNING,
            due_date__gte=first,
            due_date__lte=last,
            complaint__status__in=Status.open_statuses(),
        ).values_list("complaint_id", "complaint__reference", "complaint__org_unit_id", "due_date")
    )
