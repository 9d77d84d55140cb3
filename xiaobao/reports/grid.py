"""The monthly statistics grid: counts by one JR/T 0169 dimension × the analysed unit's direct children.

One aggregate query per dimension: GROUP BY the code and the child-unit prefix of the responsible unit's
materialised path (`Substr(org_unit__path, 1, len(unit.path) + 8)`), over the same complaints the dashboard
counts (`analytics.stats.scoped_complaints`), so totals reconcile with it. Rows follow the code table (top
codes, their sub-codes indented, a subtotal per top code); columns are the children, the unit's own
complaints and the total.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from xiaobao.analytics.stats import REGULATOR_SOURCES
from xiaobao.complaints.choices import ClockState, Source
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT

TOTAL = "total"


@dataclass(frozen=True)
class Column:
    key: str  # a child's path, or the unit's own path for its own complaints
    code: str
    label: str


@dataclass
class Row:
    kind: str  # code | group | unspecified | subtotal | total | other
    code: str
    label: str
    level: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def has_numbers(self) -> bool:
        return self.kind != "group"


@dataclass
class Grid:
    dimension: str
    columns: list[Column]
    rows: list[Row]

    @property
    def total_row(self) -> Row:
        return next(r for r in self.rows if r.kind == "total")

    @property
    def total(self) -> int:
        return self.total_row.total

    def row(self, code: str) -> Row:
        return next(r for r in self.rows if r.code == code)


def columns_for(unit: OrgUnit, used: set[str]) -> list[Column]:
    """The unit's direct children (active ones, and closed ones that have complaints), then its own."""
    children = OrgUnit.objects.filter(parent=unit).order_by("sort_order", "code")
    cols = [Column(c.path, c.code, c.name) for c in children if c.is_active or c.path in used]
    cols.append(Column(unit.path, unit.code, _("%(name)s (own)") % {"name": unit.name}))
    return cols


def _child_prefix(unit: OrgUnit) -> Substr:
    return Substr("org_unit__path", 1, len(unit.path) + PATH_SEGMENT)


def counts_by_child(qs: QuerySet[Complaint], unit: OrgUnit, field_name: str) -> dict[tuple[str, Any], int]:
    """{(child path, value of `field_name`): n} in one GROUP BY query."""
    rows = (
        qs.order_by()
        .annotate(col=_child_prefix(unit))
        .values_list("col", field_name)
        .annotate(n=Count("pk"))
        .values_list("col", field_name, "n")
    )
    return {(col, value): n for col, value, n in rows}


def _code_rows(dimension: str, by_code: dict[int, dict[str, int]]) -> list[Row]:
    codes = list(ComplaintCode.objects.filter(dimension=dimension).order_by("sort_order", "code"))
    children: dict[int | None, list[ComplaintCode]] = defaultdict(list)
    for c in codes:
        children[c.parent_id].append(c)
    seen: set[int] = set()

    def subtree_used(code: ComplaintCode) -> bool:
        return bool(by_code.get(code.pk)) or any(subtree_used(k) for k in children[code.pk])

    def visit(code: ComplaintCode, level: int) -> tuple[list[Row], Counter[str]]:
        seen.add(code.pk)
        own = Counter(by_code.get(code.pk, {}))
        kids = [k for k in children[code.pk] if k.is_active or subtree_used(k)]
        if not kids:
            return [Row("code", code.code, code.name, level, dict(own))], own
        rows = [Row("group", code.code, code.name, level)]
        sums = Counter(own)
        for kid in kids:
            kid_rows, kid_sums = visit(kid, level + 1)
            rows += kid_rows
            sums.update(kid_sums)
        if own:
            label = _("%(name)s (not subdivided)") % {"name": code.name}
            rows.append(Row("unspecified", code.code, label, level + 1, dict(own)))
        label = _("Subtotal: %(name)s") % {"name": code.name}
        rows.append(Row("subtotal", code.code, label, level, dict(sums)))
        return rows, sums

    rows: list[Row] = []
    grand: Counter[str] = Counter()
    for top in children[None]:
        if top.is_active or subtree_used(top):
            top_rows, sums = visit(top, 0)
            rows += top_rows
            grand.update(sums)
    strays: Counter[str] = Counter()  # codes of another dimension or orphaned parents: counted, never lost
    for pk, counts in by_code.items():
        if pk not in seen:
            strays.update(counts)
    if strays:
        rows.append(Row("other", "", _("Other codes"), 0, dict(strays)))
        grand.update(strays)
    rows.append(Row("total", "", _("Total"), 0, dict(grand)))
    return rows


def code_grid(qs: QuerySet[Complaint], unit: OrgUnit, dimension: str) -> Grid:
    """The grid of one code dimension (channel, business_type or cause)."""
    raw = counts_by_child(qs, unit, f"{dimension}_id")
    by_code: dict[int, dict[str, int]] = defaultdict(dict)
    for (col, code_id), n in raw.items():
        by_code[code_id][col] = by_code[code_id].get(col, 0) + n
    return Grid(dimension, columns_for(unit, {col for col, _ in raw}), _code_rows(dimension, by_code))


def summary_grid(qs: QuerySet[Complaint], unit: OrgUnit) -> Grid:
    """Received by source (direct / each regulator), and decisions on time / late, per column."""
    by_source = counts_by_child(qs, unit, "source")
    # the decision clock's outcome as the dashboard counts it: from the complaint row (covering index)
    by_state: dict[str, dict[str, int]] = defaultdict(dict)
    for (col, state), n in counts_by_child(qs, unit, "decision_state").items():
        if state in (ClockState.MET, ClockState.BREACHED):
            by_state[state][col] = n
    rows: list[Row] = []
    forwarded: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for value, label in Source.choices:
        counts = {col: n for (col, src), n in by_source.items() if src == value}
        rows.append(Row("code", value, str(label), 1, counts))
        total.update(counts)
        if value in REGULATOR_SOURCES:  # "other referral" is not a regulator
            forwarded.update(counts)
    rows.append(Row("subtotal", "forwarded", _("Forwarded by regulators"), 0, dict(forwarded)))
    rows.append(Row("total", "", _("Total received"), 0, dict(total)))
    rows.append(Row("code", "decided_on_time", _("Decided on time"), 0, by_state.get(ClockState.MET, {})))
    rows.append(
        Row("code", "decided_late", _("Decided late or overdue"), 0, by_state.get(ClockState.BREACHED, {}))
    )
    used = {col for col, _ in by_source}
    return Grid("summary", columns_for(unit, used), rows)


def on_time_rate(grid: Grid, key: str | None = None) -> float | None:
    """Met / (met + breached) of a summary grid: the dashboard's on-time definition, per column or overall."""
    met_row, late_row = grid.row("decided_on_time"), grid.row("decided_late")
    met = met_row.counts.get(key, 0) if key else met_row.total
    late = late_row.counts.get(key, 0) if key else late_row.total
    return met / (met + late) if met + late else None
