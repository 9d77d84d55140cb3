"""The statistics page's governance section (`Module.stats_section`): the sentence
"召开领导小组会议 N 次，研究议题 M 项，督办事项 K 项、按期完成率 X%", and per direct child of the
analysed unit: meetings held in the period,
action items still open and overdue today, items due in the period and the share closed on time — each count a
drill-down to the action-item list filtered to that unit (and the statistics page for the child), and the
units (departments aside) without a current liaison.

Definitions are `xiaobao.governance.figures` (the same tally, grouped by child in one pass per table).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from xiaobao.analytics.periods import Period
from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q, unit_in_scope
from xiaobao.governance.choices import Source, Status
from xiaobao.governance.figures import Tally, compute, sentence
from xiaobao.governance.models import ActionItem, Meeting
from xiaobao.governance.services import units_without_liaison
from xiaobao.governance.workflow import VIEW, WORKFLOW

SECTION_ANCHOR = "governance-figures"
OPEN = WORKFLOW.group("open")


@dataclass
class UnitRow:
    key: str
    name: str
    meetings: int = 0
    open: int = 0
    overdue: int = 0
    due: int = 0
    on_time: int = 0
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def _url(name: str, params: dict[str, str], anchor: str = "") -> str:
    query = QueryDict(mutable=True)
    for k, v in params.items():
        if v:
            query[k] = v
    return f"{reverse(name)}?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


def may_see(user: Any, unit: OrgUnit) -> bool:
    return bool(user.has_perm(VIEW) and unit_in_scope(user, unit))


def by_unit(user: Any, unit: OrgUnit, period: Period) -> list[UnitRow]:
    """One row per active direct child of `unit` (the unit itself first when it has work of its own):
    four queries whatever the number of children."""
    today = localdate()
    children = list(
        OrgUnit.objects.visible_to(user)
        .filter(parent=unit, is_active=True)
        .only("id", "code", "name", "path")
        .order_by("path")
    )
    rows = {c.path: UnitRow(c.code, c.name) for c in children}
    own = UnitRow(unit.code, unit.name)

    def row_for(path: str) -> UnitRow:
        for p, r in rows.items():
            if path.startswith(p):
                return r
        return own

    scope = subtree_q(unit.path, "body__org_unit__path")
    for path in (
        Meeting.objects.visible_to(user)
        .filter(scope, held_on__range=(period.start, period.end))
        .values_list("body__org_unit__path", flat=True)
    ):
        row_for(path).meetings += 1
    items = ActionItem.objects.visible_to(user).filter(subtree_q(unit.path, "org_unit__path"))
    for path, source, status, due_on, due_date, state in items.filter(
        Q(status__in=OPEN)
        | Q(source=Source.MEETING, due_on__range=(period.start, period.end), status=Status.CLOSED)
    ).values_list("org_unit__path", "source", "status", "due_on", "due_date", "clock_state"):
        r = row_for(path)
        if status in OPEN:
            r.open += 1
            r.overdue += bool(due_date and due_date < today)
        if source != Source.MEETING or not (period.start <= due_on <= period.end):
            continue
        if status == Status.CLOSED:
            r.due += 1
            r.on_time += state == "met"
        elif due_on < today:
            r.due += 1
    out = ([own] if (own.meetings or own.open or own.due) else []) + list(rows.values())
    for r in out:
        drill = r.key != unit.code
        base = {"unit": r.key}
        r.urls = {
            "open": _url("governance:items", {**base, "view": "open"}),
            "overdue": _url("governance:items", {**base, "view": "overdue"}),
            "due": _url(
                "governance:items",
                {**base, "source": Source.MEETING, "due_from": f"{period.start}", "due_to": f"{period.end}"},
            ),
        }
        if drill:
            r.urls["drill"] = _url(
                "analytics:dashboard", {"unit": r.key, "period": period.label}, SECTION_ANCHOR
            )
    return out


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    """The section's data; None when the user may not see the governance registers of the unit."""
    if not may_see(user, unit):
        return None
    tally: Tally = compute(user, unit, period.start, period.end)
    rows = by_unit(user, unit, period)
    gaps = list(
        units_without_liaison(user, localdate())
        .filter(subtree_q(unit.path, "path"))
        .only("id", "code", "name", "path")[:50]
    )
    export = QueryDict(mutable=True)
    export.update({"unit": unit.code, "period": period.label})
    return {
        "unit": unit,
        "period": period,
        "tally": tally,
        "sentence": sentence(tally),
        "rows": rows,
        "total": UnitRow(
            "",
            "",
            meetings=sum(r.meetings for r in rows),
            open=sum(r.open for r in rows),
            overdue=sum(r.overdue for r in rows),
            due=sum(r.due for r in rows),
            on_time=sum(r.on_time for r in rows),
        ),
        "gaps": gaps,
        "export_query": export.urlencode(),
    }
