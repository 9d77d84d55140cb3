"""Governance figures for the reports and the annual summary (`Module.figures`, `Module.report_sections`):
"召开领导小组会议 N 次，研究议题 M 项，督办事项 K 项、按期完成率 X%".

Definitions, over what the user sees (`visible_to`) in the unit's subtree (a body's unit, an item's unit):
- meetings (N): meetings of the bodies held in the period (any kind of body; the leadership group's apart);
- topics (M): the topic lines of those meetings;
- action items (K): meetings' action items due in the period (cancelled ones left out);
- on time (X): of those, the share closed on or before their due date (items still open past it, or closed
  late, count against it; items due in the period and not yet due today count neither way);
- feedback received and answered: supervisors' feedback received in the period, and those whose item is
  closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q, unit_in_scope
from xiaobao.governance.choices import BodyKind, Source, Status
from xiaobao.governance.models import ActionItem, Feedback, Meeting


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent
    value: float | None
    url: str = ""


@dataclass
class Tally:
    meetings: int = 0
    group_meetings: int = 0
    topics: int = 0
    items: int = 0
    due: int = 0
    on_time: int = 0
    overdue_open: int = 0
    feedback: int = 0
    answered: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


def compute(user: Any, unit: OrgUnit | None, start: dt.date, end: dt.date) -> Tally:
    """The tally for the unit's subtree (None: the user's whole scope) from start to end (inclusive)."""
    t = Tally()
    if not user.has_perm("governance.view_governance"):
        return t
    if unit is not None and not unit_in_scope(user, unit):
        return t
    today = localdate()
    meetings = Meeting.objects.visible_to(user).filter(held_on__range=(start, end))
    items = ActionItem.objects.visible_to(user).filter(source=Source.MEETING, due_on__range=(start, end))
    feedback = Feedback.objects.visible_to(user).filter(received_on__range=(start, end))
    if unit is not None:
        meetings = meetings.filter(subtree_q(unit.path, "body__org_unit__path"))
        items = items.filter(subtree_q(unit.path, "org_unit__path"))
        feedback = feedback.filter(subtree_q(unit.path, "supervisor__org_unit__path"))
    for kind, topics in meetings.values_list("body__kind", "topics"):
        t.meetings += 1
        t.group_meetings += kind == BodyKind.LEADERSHIP_GROUP
        t.topics += sum(1 for line in topics.splitlines() if line.strip())
    for status, due_on, state in items.exclude(status=Status.CANCELLED).values_list(
        "status", "due_on", "clock_state"
    ):
        t.items += 1
        if status == Status.CLOSED:
            t.due += 1
            t.on_time += state == "met"
        elif due_on < today:
            t.due += 1
            t.overdue_open += 1
    for status in feedback.values_list("action_item__status", flat=True):
        t.feedback += 1
        t.answered += status == Status.CLOSED
    return t


def sentence(t: Tally) -> str:
    rate = "—" if t.on_time_rate is None else f"{t.on_time_rate:g}%"
    return _(
        "%(g)d leadership group meetings (%(m)d meetings in all) studied %(topics)d topics; "
        "%(k)d action items, "
        "%(rate)s completed on time"
    ) % {"g": t.group_meetings, "m": t.meetings, "topics": t.topics, "k": t.items, "rate": rate}


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the headline governance figures of the user's scope (or `unit`)."""
    t = compute(user, unit, start, end)
    items_url = reverse("governance:items")
    return [
        Figure(
            "meetings", gettext_lazy("Meetings held"), "count", t.meetings, reverse("governance:meetings")
        ),
        Figure("group_meetings", gettext_lazy("Leadership group meetings"), "count", t.group_meetings),
        Figure("topics", gettext_lazy("Topics studied"), "count", t.topics),
        Figure("action_items", gettext_lazy("Action items due"), "count", t.items, items_url),
        Figure("on_time_rate", gettext_lazy("Completed on time"), "percent", t.on_time_rate),
        Figure(
            "overdue_open",
            gettext_lazy("Overdue and still open"),
            "count",
            t.overdue_open,
            f"{items_url}?view=overdue",
        ),
        Figure(
            "feedback",
            gettext_lazy("Supervisor feedback received"),
            "count",
            t.feedback,
            reverse("governance:feedback"),
        ),
        Figure("feedback_answered", gettext_lazy("Supervisor feedback answered"), "count", t.answered),
    ]


@dataclass
class SectionTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class ReportSection:
    key: str
    title: str
    paragraphs: list[str]
    tables: list[SectionTable] = field(default_factory=list)


def governance_section(ctx: Any) -> ReportSection | None:
    """The "治理与督办" chapter for the report's unit and period; None when nothing happened or not
    visible."""
    start, end = ctx.period.start, ctx.period.end
    t = compute(ctx.user, ctx.unit, start, end)
    if not (t.meetings or t.items or t.feedback):
        return None
    rows = [
        [
            str(f.label),
            "—" if f.value is None else (f"{f.value:g}%" if f.kind == "percent" else f"{int(f.value):,}"),
        ]
        for f in figures(ctx.user, start, end, unit=ctx.unit)
    ]
    return ReportSection(
        key="governance",
        title=_("Governance and action items"),
        paragraphs=[sentence(t) + _(".")],
        tables=[
            SectionTable(
                title=_("Governance figures"),
                headers=[_("Figure"), _("This period")],
                rows=rows,
                widths=[8.0, 4.0],
            )
        ],
    )
