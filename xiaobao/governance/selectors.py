"""Read side of the governance registers: every query starts from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q

from xiaobao.core.clock import localdate
from xiaobao.core.scoping import subtree_q
from xiaobao.governance.choices import Status
from xiaobao.governance.models import ActionItem, Body, Feedback, Liaison, Meeting, Member, Supervisor
from xiaobao.governance.workflow import VIEW, WORKFLOW

OPEN = WORKFLOW.group("open")


def bodies(user: Any) -> Any:
    return (
        Body.objects.visible_to(user)
        .select_related("org_unit")
        .annotate(
            n_members=Count("members", filter=Q(members__term_end__isnull=True), distinct=True),
            n_meetings=Count("meetings", distinct=True),
        )
        .order_by("org_unit__path", "kind", "name")
    )


def body_detail(user: Any, pk: int) -> Body | None:
    return Body.objects.visible_to(user).select_related("org_unit").filter(pk=pk).first()


def meetings(user: Any) -> Any:
    return (
        Meeting.objects.visible_to(user)
        .select_related("body", "body__org_unit")
        .annotate(n_items=Count("action_items"))
        .order_by("-held_on", "-id")
    )


def meeting_detail(user: Any, pk: int) -> Meeting | None:
    return (
        Meeting.objects.visible_to(user)
        .select_related("body", "body__org_unit", "created_by")
        .prefetch_related(Prefetch("attendance__member", queryset=Member.objects.select_related("user")))
        .filter(pk=pk)
        .first()
    )


def items(user: Any, filters: dict[str, Any] | None = None) -> Any:
    """Action items in the user's scope, filtered: view (open / mine / overdue / to_verify), status, source,
    body, unit (subtree), due_from / due_to (the due date given), q (reference or title)."""
    f = filters or {}
    qs = ActionItem.objects.visible_to(user).select_related(
        "org_unit", "handler", "meeting", "meeting__body", "feedback"
    )
    view = f.get("view") or ""
    if view == "open":
        qs = qs.filter(status__in=OPEN)
    elif view == "mine":
        qs = qs.filter(handler=user, status__in=OPEN)
    elif view == "overdue":
        qs = qs.filter(status__in=OPEN, due_date__lt=localdate())
    elif view == "to_verify":
        qs = qs.filter(status=Status.SUBMITTED).exclude(handler=user)
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("source"):
        qs = qs.filter(source=f["source"])
    if f.get("body"):
        qs = qs.filter(meeting__body_id=f["body"])
    if f.get("unit") is not None and f.get("unit") != "":
        unit = f["unit"]
        qs = qs.filter(subtree_q(unit.path, "org_unit__path"))
    if f.get("due_from"):
        qs = qs.filter(due_on__gte=f["due_from"])
    if f.get("due_to"):
        qs = qs.filter(due_on__lte=f["due_to"])
    if f.get("q"):
        qs = qs.filter(Q(reference__icontains=f["q"]) | Q(title__icontains=f["q"]))
    return qs.order_by("due_on", "id")


def item_detail(user: Any, pk: int) -> ActionItem | None:
    return (
        ActionItem.objects.visible_to(user)
        .select_related(
            "org_unit",
            "handler",
            "opened_by",
            "verified_by",
            "meeting",
            "meeting__body",
            "feedback",
            "feedback__supervisor",
            "rule",
        )
        .prefetch_related("clocks__rule", "evidence", "extensions__requested_by", "extensions__decided_by")
        .filter(pk=pk)
        .first()
    )


def liaisons(user: Any, *, current_only: bool = True, day: dt.date | None = None) -> Any:
    qs = Liaison.objects.visible_to(user).select_related("org_unit", "user")
    if current_only:
        day = day or localdate()
        qs = qs.filter(since__lte=day).filter(Q(until__isnull=True) | Q(until__gte=day))
    return qs


def supervisors(user: Any) -> Any:
    return (
        Supervisor.objects.visible_to(user)
        .select_related("org_unit")
        .annotate(
            n_feedback=Count("feedback", distinct=True),
            n_open=Count("feedback", filter=Q(feedback__action_item__status__in=OPEN), distinct=True),
        )
        .order_by("org_unit__path", "-term_start", "id")
    )


def feedback(user: Any) -> Any:
    return Feedback.objects.visible_to(user).select_related(
        "supervisor", "supervisor__org_unit", "action_item", "action_item__handler"
    )


def home_panel(user: Any) -> dict[str, Any] | None:
    """My open action items with their due dates, and how many wait for my verification (two queries)."""
    if not user.has_perm(VIEW):
        return None
    today = localdate()
    mine = list(
        ActionItem.objects.visible_to(user)
        .filter(handler=user, status__in=OPEN)
        .only("id", "reference", "title", "status", "due_date")
        .order_by("due_date", "id")[:6]
    )
    to_verify = (
        ActionItem.objects.visible_to(user).filter(status=Status.SUBMITTED).exclude(handler=user).count()
        if user.has_perm("governance.verify_actionitem")
        else 0
    )
    if not mine and not to_verify:
        return None
    return {"mine": mine, "to_verify": to_verify, "today": today, "todo": True}
