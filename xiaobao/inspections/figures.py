"""The inspection figures: one definition each, for the statistics page, its Excel export, the quarterly
inspection report and the module registry (`figures`).

Scope: what `visible_to(user)` shows of the analysed unit's subtree (a range on the materialised path); the
unit must be in the user's scope, else every figure is empty. The period is a closed range of days.

Definitions (the drill-down lists show exactly the rows counted):
- planned: inspections due in the period (due date), cancelled ones excepted.
- done: of those, the submitted ones; completion = done ÷ planned.
- average score: mean percentage of the submitted inspections due in the period (each inspection weighs
  the same); by aspect: the mean of each checklist section's percentage over the inspections that have it.
- findings per inspection: findings recorded on those submitted inspections ÷ their number.
- rectification on time: of the rectification items opened in the period and verified since, those whose
  deadline was met (clock state "met": verified by the due date, extensions granted included) ÷ all of them.
- overdue open: rectification items still open today whose due date has passed (a snapshot, not a period).
Every query groups by the analysed unit's direct children in SQL (a prefix of the path), so a figure is one
pass over its rows whatever the size of the tree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Substr
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xiaobao.analytics.periods import Period
from xiaobao.casework.choices import ClockState
from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import subtree_q, unit_in_scope
from xiaobao.inspections.choices import Status
from xiaobao.inspections.models import ChecklistTemplate, Finding, Inspection

VIEW_PERM = "inspections.view_inspection"
RECT_VIEW_PERM = "rectification.view_rectification"
OWN = "__own__"  # rows of the analysed unit itself (not of a child)


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent | score | ratio
    value: float | None
    url: str = ""  # the list behind the figure, filtered to what it counts


@dataclass
class UnitRow:
    code: str
    name: str
    planned: int = 0
    done: int = 0
    scored: int = 0
    score_sum: float = 0.0
    findings: int = 0
    verified: int = 0
    on_time: int = 0
    overdue: int = 0
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def completion(self) -> float | None:
        return _ratio(self.done, self.planned)

    @property
    def average(self) -> float | None:
        return _ratio(self.score_sum, self.scored)

    @property
    def findings_per_inspection(self) -> float | None:
        return _ratio(self.findings, self.done)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.verified)


@dataclass
class AspectRow:
    code: str
    name: str
    checklist: str
    inspections: int
    average: float | None


@dataclass
class InspectionFigures:
    unit: OrgUnit
    period: Period
    today: dt.date
    figures: list[Figure]
    by_unit: list[UnitRow]
    by_aspect: list[AspectRow]
    total: UnitRow

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or not den:
        return None
    return float(num) / float(den)


# --- scope ------------------------------------------------------------------------------------------------


def may_see(user: Any, unit: OrgUnit) -> bool:
    return bool(user.has_perm(VIEW_PERM)) and unit_in_scope(user, unit)


def inspections_in(*, user: Any, unit: OrgUnit, period: Period) -> QuerySet[Inspection]:
    """Inspections of the unit's subtree due in the period as the user sees them (cancelled included)."""
    if not may_see(user, unit):
        return Inspection.objects.none()
    qs = Inspection.objects.visible_to(user)
    if unit.parent_id is not None:  # the root's subtree is everything: no join to the units
        qs = qs.in_subtree(unit)
    return qs.filter(due_date__gte=period.start, due_date__lte=period.end).order_by()


def rectifications_in(*, user: Any, unit: OrgUnit) -> QuerySet[Any] | None:
    """Rectification items of the unit's subtree the user sees (None when that module is not installed)."""
    from django.apps import apps

    if not apps.is_installed("xiaobao.rectification"):
        return None
    model = apps.get_model("rectification", "Rectification")
    if not unit_in_scope(user, unit):
        return model.objects.none()  # type: ignore[no-any-return]
    qs = model.objects.visible_to(user)
    return (qs if unit.parent_id is None else qs.in_subtree(unit)).order_by()  # type: ignore[no-any-return]


def _open_statuses() -> list[str]:
    from xiaobao.rectification.workflow import WORKFLOW

    return list(WORKFLOW.group("open"))


def _child_key(unit: OrgUnit, prefix: str = "org_unit__path") -> Any:
    """The path of the analysed unit's child a row lies under (the unit's own rows: its own path)."""
    return Substr(prefix, 1, len(unit.path) + PATH_SEGMENT)


# --- the figures ------------------------------------------------------------------------------------------


def _findings_of_row() -> Any:
    """Findings of the inspection row: an index lookup per inspection (`inspection_id`), no second scan."""
    count = (
        Finding.objects.filter(inspection_id=OuterRef("pk"))
        .order_by()
        .values("inspection_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count), 0)


def _inspection_rows(qs: QuerySet[Inspection], unit: OrgUnit) -> list[tuple[Any, ...]]:
    """(child path, planned, done, scored, Σ percent, findings) by the unit's direct children: one scan."""
    done = Q(status=Status.SUBMITTED)
    return list(
        qs.annotate(child=_child_key(unit), nf=_findings_of_row())
        .values("child")
        .annotate(
            planned=Count("pk", filter=~Q(status=Status.CANCELLED)),
            done=Count("pk", filter=done),
            scored=Count("percent", filter=done),
            score_sum=Sum("percent", filter=done),
            finding_count=Sum("nf", filter=done),
        )
        .values_list("child", "planned", "done", "scored", "score_sum", "finding_count")
    )


def _rectification_rows(
    *, user: Any, unit: OrgUnit, period: Period, today: dt.date
) -> list[tuple[str, int, int, int]]:
    qs = rectifications_in(user=user, unit=unit)
    if qs is None:
        return []
    verified = Q(status="verified", opened_on__gte=period.start, opened_on__lte=period.end)
    overdue = Q(status__in=_open_statuses(), due_date__lt=today)
    return list(
        qs.filter(verified | overdue)
        .annotate(child=_child_key(unit))
        .values("child")
        .annotate(
            verified=Count("pk", filter=verified),
            on_time=Count("pk", filter=verified & Q(clock_state=ClockState.MET)),
            overdue=Count("pk", filter=overdue),
        )
        .values_list("child", "verified", "on_time", "overdue")
    )


def aspects(qs: QuerySet[Inspection]) -> list[AspectRow]:
    """Mean percentage of each checklist section (aspect) over the submitted inspections, per checklist
    family (the mystery-shopping checklist's six aspects apart from the on-site checklist's); versions of a
    checklist count together. Aggregated in SQL over the stored section scores, in the scan that selects the
    inspections (their own WHERE, compiled by Django), by checklist version; versions merged here."""
    try:
        sql, params = qs.filter(status=Status.SUBMITTED).values("pk").query.sql_with_params()
    except EmptyResultSet:  # none(): nothing the user may see
        return []
    _head, sep, rest = sql.partition(" FROM ")
    tables, where_sep, where = rest.partition(" WHERE ")
    if not sep or not where_sep:  # pragma: no cover - Django always writes this shape here
        raise ValueError(sql)
    table = connection.ops.quote_name(Inspection._meta.db_table)
    if connection.vendor == "postgresql":
        source = (
            f"CROSS JOIN LATERAL ROWS FROM (jsonb_to_recordset({table}.section_scores) "
            "AS (code text, name text, percent numeric)) WITH ORDINALITY AS e(code, name, percent, pos)"
        )
        code, name, pct, pos = "e.code", "e.name", "e.percent", "e.pos"
    else:  # SQLite: json_each
        source = f"CROSS JOIN json_each({table}.section_scores) AS e"
        code, name = "json_extract(e.value, '$.code')", "json_extract(e.value, '$.name')"
        pct, pos = "CAST(NULLIF(json_extract(e.value, '$.percent'), '') AS REAL)", "e.key"
    # Only quoted names, fixed JSON paths and Django's own compiled FROM/WHERE (values stay parameters).
    query = (
        f"SELECT {table}.template_id, {code}, MIN({name}), SUM({pct}), COUNT({pct}), MIN({pos}) "  # noqa: S608
        f"FROM {tables} {source} WHERE ({where}) AND {code} IS NOT NULL GROUP BY {table}.template_id, {code}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    families = {
        pk: (family, name)
        for pk, family, name in ChecklistTemplate.objects.filter(pk__in={r[0] for r in rows}).values_list(
            "pk", "code", "name"
        )
    }
    merged: dict[tuple[str, str], list[Any]] = {}
    for template_id, section, label, total, n, position in rows:
        family, checklist = families[template_id]
        m = merged.setdefault((family, str(section)), [checklist, str(label or section), 0.0, 0, position])
        m[2] += _as_float(total)
        m[3] += int(n)
        m[4] = min(m[4], position)
    return [
        AspectRow(code=key[1], name=m[1], checklist=m[0], inspections=m[3], average=_ratio(m[2], m[3]))
        for key, m in sorted(merged.items(), key=lambda kv: (kv[0][0], kv[1][4], kv[0][1]))
    ]


def _children(unit: OrgUnit) -> dict[str, tuple[str, str]]:
    """Path → (code, name) of the unit's direct children, and the unit's own path → itself."""
    rows = OrgUnit.objects.filter(subtree_q(unit.path), depth=unit.depth + 1).values_list(
        "path", "code", "name"
    )
    out = {path: (code, name) for path, code, name in rows}
    out[unit.path] = (unit.code, f"{unit.name}（{_('own')}）")
    return out


def _as_float(value: Any) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else 0.0


def compute(*, user: Any, unit: OrgUnit, period: Period, today: dt.date | None = None) -> InspectionFigures:
    """Every inspection figure of the unit's subtree over the period, by the unit's direct children."""
    today = today or localdate()
    qs = inspections_in(user=user, unit=unit, period=period)
    names = _children(unit)
    rows: dict[str, UnitRow] = {}

    def row(path: str) -> UnitRow:
        if path not in rows:
            code, name = names.get(path, ("", path))
            rows[path] = UnitRow(code=code, name=name)
        return rows[path]

    for child, planned, done, scored, score_sum, findings in _inspection_rows(qs, unit):
        r = row(child)
        r.planned, r.done, r.scored, r.score_sum = planned, done, scored, _as_float(score_sum)
        r.findings = int(findings or 0)
    if may_see(user, unit):
        for child, verified, on_time, overdue in _rectification_rows(
            user=user, unit=unit, period=period, today=today
        ):
            r = row(child)
            r.verified, r.on_time, r.overdue = verified, on_time, overdue
    total = UnitRow(code=unit.code, name=unit.name)
    for r in rows.values():
        for attr in ("planned", "done", "scored", "score_sum", "findings", "verified", "on_time", "overdue"):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
    by_unit = sorted(rows.values(), key=lambda r: (r.code == unit.code, r.code))
    for r in [*by_unit, total]:
        r.urls = _row_urls(r.code, period)
    return InspectionFigures(
        unit=unit,
        period=period,
        today=today,
        figures=_headline(total),
        by_unit=by_unit,
        by_aspect=aspects(qs),
        total=total,
    )


HEADLINE: list[tuple[str, str | Promise, str, str]] = [
    # key, label, kind, the list behind it (UnitRow.urls key)
    ("planned", _("Inspections planned"), "count", "planned"),
    ("done", _("Inspections done"), "count", "done"),
    ("completion", _("Done of planned"), "percent", "done"),
    ("average", _("Average score"), "score", "done"),
    ("findings_per_inspection", _("Findings per inspection"), "ratio", "done"),
    ("on_time_rate", _("Rectification on time"), "percent", "verified"),
    ("overdue", _("Overdue open rectification items"), "count", "overdue"),
]


def _headline(total: UnitRow) -> list[Figure]:
    values: dict[str, float | None] = {
        "planned": total.planned,
        "done": total.done,
        "completion": total.completion,
        "average": total.average,
        "findings_per_inspection": total.findings_per_inspection,
        "on_time_rate": total.on_time_rate,
        "overdue": total.overdue,
    }
    return [
        Figure(key=key, label=label, kind=kind, value=values[key], url=total.urls.get(link, ""))
        for key, label, kind, link in HEADLINE
    ]


# --- drill-down -------------------------------------------------------------------------------------------


def _url(name: str, params: dict[str, str]) -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:  # the list's module is not installed
        return ""
    query = QueryDict(mutable=True)
    query.update(params)
    return f"{base}?{query.urlencode()}"


def _row_urls(code: str, period: Period) -> dict[str, str]:
    """The inspection list (due in the period) and the rectification list behind a unit's figures."""
    if not code:
        return {}
    due = {"unit": code, "date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    return {
        "planned": _url("inspections:list", due),
        "done": _url("inspections:list", {**due, "status": Status.SUBMITTED}),
        "verified": _url(
            "rectification:list",
            {
                "unit": code,
                "status": "verified",
                "opened_from": period.start.isoformat(),
                "opened_to": period.end.isoformat(),
            },
        ),
        "overdue": _url("rectification:list", {"unit": code, "overdue": "true"}),
    }


# --- what the registry and the statistics page call -------------------------------------------------------


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the headline figures of the user's scope (or `unit`) from start to end."""
    if unit is None:
        unit = OrgUnit.objects.visible_to(user).order_by("path").first()
        if unit is None:
            return []
    return compute(user=user, unit=unit, period=Period(start, end)).figures


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    """The statistics page's inspection section (None when the user has no access to inspections)."""
    if not may_see(user, unit):
        return None
    data = compute(user=user, unit=unit, period=period)
    query = QueryDict(mutable=True)
    query.update({"unit": unit.code, "period": period.label})
    return {
        "data": data,
        "charts": {
            "by_unit": {
                "labels": [r.name for r in data.by_unit],
                "values": [round(r.average, 1) if r.average is not None else 0 for r in data.by_unit],
                "links": [r.urls.get("done", "") for r in data.by_unit],
            },
            "by_aspect": {
                "labels": [a.name for a in data.by_aspect],  # the table below names their checklists
                "values": [round(a.average, 1) if a.average is not None else 0 for a in data.by_aspect],
                "links": [data.total.urls.get("done", "") for _a in data.by_aspect],
            },
        },
        "export_query": query.urlencode(),
    }
