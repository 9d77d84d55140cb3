"""The figures of the statistics dashboard, the regulator reports and the board report — one definition each.

Scope: complaints whose responsible unit lies in the analysed unit's subtree (the unit must be in the user's
scope), received (day of receipt, `receipt_date`) in the period — the list's scoping
(`casework.scoping.subtree_visible`: `visible_to(user)` narrowed to the subtree), not a rule of its own.
The complaint list filtered with a figure's `drill` parameters shows exactly the complaints counted (tests
reconcile the two).

Definitions (docs/architecture.md "Statistics" repeats them for users):
- received: every complaint received in the period, whatever its state now.
- regulator_forwarded: forwarded by a regulator (NFRA or a local office, PBoC); "other referral" is not one.
- on_time_rate: decision clocks met / (met + breached) — breached counts open complaints already overdue.
- avg_days, p90_days: calendar days from receipt to the decision notice, over decided complaints.
- extension_rate: complaints whose decision deadline was extended (approved) / received.
- withdrawal_rate, review_rate, repeat_rate, secondary_rate: share of received.
- at_fault_rate: at fault / complaints with a liability determined.
- satisfaction: mean follow-up score (1–5) over the complaints rated.
- redress_paid: sum of redress amounts with a payment date.
- per_10k_customers, per_1k_outlets: received in the period ÷ the unit's retail customers × 10,000 (outlets ×
  1,000), from the institution tree's yearly figures for the period's year (the unit's own figure, else the
  sum over the highest units with a figure in its subtree). Not annualised, and labelled so: a month's figure
  is about a twelfth of a year's (the page shows the customers and outlets it divided by).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xiaobao.analytics.periods import Period
from xiaobao.casework.scoping import may_see_subtree, subtree_visible, unit_subtree_q
from xiaobao.complaints.choices import ClockState, CodeDimension, Liability, Source, Status
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.core.models import OrgUnit, OrgUnitYearFigure
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import subtree_q

VIEW_PERM = "complaints.view_complaint"
DIMENSIONS = ("business_type", "cause", "channel", "source", "unit", "status")
DIMENSION_LABELS: dict[str, str | Promise] = {
    "business_type": _("Business type"),
    "cause": _("Cause"),
    "channel": _("Channel"),
    "source": _("Source"),
    "unit": _("Unit"),
    "status": _("Status"),
}


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent | days | amount | rate | score
    value: float | None
    previous: float | None = None
    year_ago: float | None = None
    drill: dict[str, str] | None = None

    @property
    def pop_change(self) -> float | None:
        return _change(self.value, self.previous)

    @property
    def yoy_change(self) -> float | None:
        return _change(self.value, self.year_ago)


@dataclass
class Slice:
    code: str
    label: str
    count: int
    share: float = 0.0
    drill: dict[str, str] | None = field(default=None)


def _change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before


def _ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or not den:
        return None
    return float(num) / float(den)


# --- scope ------------------------------------------------------------------------------------------------


def analysed_unit(*, user: Any, code: str | None) -> OrgUnit:
    """The unit whose subtree is analysed: the given code (in scope, else 404) or the user's scope root."""
    if not user.has_perm(VIEW_PERM):
        raise PermissionDenied
    units = OrgUnit.objects.visible_to(user)
    if code:
        unit = units.filter(code=code).first()
        if unit is None:
            raise Http404
        return unit
    unit = units.order_by("path").first()
    if unit is None:
        raise Http404
    return unit


def may_analyse(user: Any, unit: OrgUnit) -> bool:
    return may_see_subtree(user, unit, permission=VIEW_PERM)


def unit_q(unit: OrgUnit, prefix: str = "") -> Q:
    """Complaints (reached through `prefix`) whose responsible unit lies in the unit's subtree."""
    return unit_subtree_q(unit, f"{prefix}org_unit")


def visible_complaints(*, user: Any, unit: OrgUnit) -> QuerySet[Complaint]:
    """The complaints of the unit's subtree as the user's complaint list shows them (the shared scoping:
    `Complaint.objects.visible_to(user)` narrowed to the subtree, `casework.scoping.subtree_visible`)."""
    return subtree_visible(Complaint.objects.all(), user=user, unit=unit, permission=VIEW_PERM)


def scoped_complaints(*, user: Any, unit: OrgUnit, period: Period) -> QuerySet[Complaint]:
    """Complaints of the unit's subtree received in the period (the unit must be in the user's scope)."""
    qs = visible_complaints(user=user, unit=unit)
    return qs.filter(receipt_date__gte=period.start, receipt_date__lte=period.end).order_by()


def drill_params(scope: OrgUnit, period: Period, **extra: str) -> dict[str, str]:
    """The complaint-list GET parameters that select exactly the complaints a figure or slice counts."""
    params = {
        "unit": scope.code,
        "received_from": period.start.isoformat(),
        "received_to": period.end.isoformat(),
    }
    params.update(extra)
    return params


# --- headline ---------------------------------------------------------------------------------------------
#
# Each period is counted by its own queries: a range on the day of receipt is an index range scan (the
# covering index `complaint_stats`), where one query over several disjoint ranges would scan between them.


def _in(period: Period, field: str = "receipt_date") -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


# Forwarded by a regulator: also the complaint list's `forwarded` filter and the regulator report grids.
REGULATOR_SOURCES = (Source.NFRA_TRANSFER, Source.PBOC_TRANSFER)

COUNTS = {
    "received": Count("pk"),
    "forwarded": Count("pk", filter=Q(source__in=REGULATOR_SOURCES)),
    "withdrawn": Count("pk", filter=Q(status=Status.WITHDRAWN)),
    "repeat": Count("pk", filter=Q(is_repeat=True)),
    "secondary": Count("pk", filter=Q(is_secondary=True)),
    "extended": Count("pk", filter=Q(is_extended=True)),
    "reviewed": Count("pk", filter=Q(review_requested_on__isnull=False)),
    "at_fault": Count("pk", filter=Q(liability=Liability.AT_FAULT)),
    "determined": Count("pk", filter=~Q(liability=Liability.UNDETERMINED)),
    "major": Count("pk", filter=Q(is_major=True)),
    "met": Count("pk", filter=Q(decision_state=ClockState.MET)),
    "breached": Count("pk", filter=Q(decision_state=ClockState.BREACHED)),
    "rated": Count("satisfaction"),
    "score": Sum("satisfaction"),
    "redress": Sum("redress_amount", filter=Q(redress_paid_at__isnull=False)),
}


def _counts(scope: QuerySet[Complaint], period: Period) -> dict[str, Any]:
    """Everything countable on the complaint row, in one scan of the covering index."""
    return scope.filter(_in(period)).order_by().aggregate(**COUNTS)


def _histogram(scope: QuerySet[Complaint], period: Period) -> list[tuple[int, int]]:
    """Decided complaints by calendar days from receipt to the decision notice."""
    days = ExpressionWrapper(F("decided_on") - F("receipt_date"), output_field=DurationField())
    rows = (
        scope.filter(_in(period), decided_on__isnull=False)
        .order_by()
        .annotate(d=days)
        .values_list("d")
        .annotate(n=Count("pk"))
        .values_list("d", "n")
    )
    return [(_days(d), n) for d, n in rows]


def _days(value: Any) -> int:
    return value.days if isinstance(value, dt.timedelta) else int(value or 0)


def _mean_p90(histogram: Iterable[tuple[int, int]]) -> tuple[float | None, float | None]:
    rows = sorted(histogram)
    total = sum(n for _, n in rows)
    if not total:
        return None, None
    mean = sum(d * n for d, n in rows) / total
    target, seen = 0.9 * total, 0
    for d, n in rows:
        seen += n
        if seen >= target:
            return mean, float(d)
    return mean, float(rows[-1][0])


def denominators(unit: OrgUnit, year: int) -> tuple[int | None, int | None]:
    """(retail customers, outlets) of the unit for the year: its own figure, else the sum over the highest
    units in its subtree that have one; a unit without a figure for the year uses its latest earlier one."""
    figures = (
        OrgUnitYearFigure.objects.filter(
            unit__in=OrgUnit.objects.filter(subtree_q(unit.path)), year__lte=year
        )
        .order_by("unit__path", "-year")
        .values_list("unit__path", "retail_customers", "outlets")
    )
    latest: dict[str, tuple[int, int]] = {}
    for path, c, o in figures:
        latest.setdefault(path, (c, o))
    if not latest:
        return None, None
    taken: list[str] = []
    customers = outlets = 0
    for path in sorted(latest):
        if any(path.startswith(t) for t in taken):
            continue
        taken.append(path)
        customers += latest[path][0]
        outlets += latest[path][1]
    return customers or None, outlets or None


def _measures(
    counts: dict[str, Any], histogram: list[tuple[int, int]], denominators_: tuple[int | None, int | None]
) -> dict[str, float | None]:
    met, breached = counts.get("met", 0), counts.get("breached", 0)
    mean, p90 = _mean_p90(histogram)
    customers, outlets = denominators_
    received = counts.get("received", 0)
    return {
        "received": received,
        "regulator_forwarded": counts.get("forwarded", 0),
        "on_time_rate": _ratio(met, met + breached),
        "avg_days": mean,
        "p90_days": p90,
        "extension_rate": _ratio(counts.get("extended"), received),
        "withdrawal_rate": _ratio(counts.get("withdrawn"), received),
        "review_rate": _ratio(counts.get("reviewed"), received),
        "repeat_rate": _ratio(counts.get("repeat"), received),
        "secondary_rate": _ratio(counts.get("secondary"), received),
        "at_fault_rate": _ratio(counts.get("at_fault"), counts.get("determined")),
        "satisfaction": _ratio(counts.get("score"), counts.get("rated")),
        "redress_paid": float(counts.get("redress") or Decimal(0)),
        "major": counts.get("major", 0),
        "per_10k_customers": _ratio(received * 10_000, customers) if customers else None,
        "per_1k_outlets": _ratio(received * 1_000, outlets) if outlets else None,
    }


def measures(*, user: Any, unit: OrgUnit, periods: list[Period]) -> list[dict[str, float | None]]:
    """Every headline measure for each period (same order): two aggregate queries per distinct period."""
    allowed = may_analyse(user, unit)
    scope = visible_complaints(user=user, unit=unit)
    done: dict[tuple[dt.date, dt.date], dict[str, float | None]] = {}
    for p in periods:
        key = (p.start, p.end)
        if key not in done:
            counts = _counts(scope, p) if allowed else {}
            histogram = _histogram(scope, p) if allowed else []
            done[key] = _measures(counts, histogram, denominators(unit, p.end.year))
    return [done[(p.start, p.end)] for p in periods]


HEADLINE: list[tuple[str, str | Promise, str, dict[str, str]]] = [
    # key, label, kind, drill-down filter (besides unit and period)
    ("received", _("Complaints received"), "count", {}),
    ("regulator_forwarded", _("Forwarded by regulators"), "count", {"forwarded": "true"}),
    ("on_time_rate", _("Decided on time"), "percent", {"clock_state": ClockState.MET}),
    ("avg_days", _("Average handling days"), "days", {}),
    ("p90_days", _("90th percentile handling days"), "days", {}),
    ("extension_rate", _("Extension rate"), "percent", {"extended": "true"}),
    ("withdrawal_rate", _("Withdrawal rate"), "percent", {"status": Status.WITHDRAWN}),
    ("satisfaction", _("Satisfaction (1–5)"), "score", {"rated": "true"}),
    ("repeat_rate", _("Repeat complaints"), "percent", {"repeat": "true"}),
    ("secondary_rate", _("Secondary complaints"), "percent", {"secondary": "true"}),
    ("review_rate", _("Review requests"), "percent", {"reviewed": "true"}),
    ("at_fault_rate", _("At fault"), "percent", {"liability": Liability.AT_FAULT}),
    ("redress_paid", _("Redress paid (yuan)"), "amount", {"redress_paid": "true"}),
    ("major", _("Major complaints"), "count", {"major": "true"}),
    # received in the period ÷ the year's customers or outlets: a month's is about a twelfth of a year's
    ("per_10k_customers", _("Per 10,000 retail customers in the period (not annualised)"), "rate", {}),
    ("per_1k_outlets", _("Per 1,000 outlets in the period (not annualised)"), "rate", {}),
]


def headline(*, user: Any, unit: OrgUnit, period: Period) -> list[Figure]:
    """Every headline figure with the previous period and the same period a year before."""
    now, before, year_ago = measures(
        user=user, unit=unit, periods=[period, period.previous(), period.year_ago()]
    )
    return [
        Figure(
            key=key,
            label=label,
            kind=kind,
            value=now[key],
            previous=before[key],
            year_ago=year_ago[key],
            drill=drill_params(unit, period, **extra),
        )
        for key, label, kind, extra in HEADLINE
    ]


# --- breakdowns -------------------------------------------------------------------------------------------


def _top_codes(dimension: str) -> dict[int, ComplaintCode]:
    """Each code of the dimension → its top-level ancestor (breakdowns roll sub-codes up)."""
    codes = {c.pk: c for c in ComplaintCode.objects.filter(dimension=dimension)}

    def top(c: ComplaintCode) -> ComplaintCode:
        seen = 0
        while c.parent_id is not None and c.parent_id in codes and seen < 10:
            c, seen = codes[c.parent_id], seen + 1
        return c

    return {pk: top(c) for pk, c in codes.items()}


def _slices(
    rows: dict[tuple[str, str], int], unit: OrgUnit, period: Period, param: str | None
) -> list[Slice]:
    total = sum(rows.values()) or 1
    out = [
        Slice(
            code=code,
            label=label,
            count=n,
            share=n / total,
            drill=drill_params(unit, period, **{param: code}) if param and code else None,
        )
        for (code, label), n in rows.items()
    ]
    return sorted(out, key=lambda s: (-s.count, s.code))


FIELD_OF = {
    "business_type": "business_type_id",
    "cause": "cause_id",
    "channel": "channel_id",
    "source": "source",
    "status": "status",
    "unit": "org_unit_id",
    "day": "receipt_date",
}


def grouped_counts(qs: QuerySet[Complaint], fields: list[str]) -> dict[str, dict[Any, int]]:
    """Complaint counts by each of several (non-null) columns: {field: {value: count}}.

    On PostgreSQL one scan with GROUPING SETS (the dashboard's five breakdowns and its series in one pass of
    the covering index); elsewhere one GROUP BY per column. The queryset's WHERE is reused as it is.
    """
    if not fields:
        return {}
    if connection.vendor != "postgresql" or len(fields) == 1:
        return {
            f: dict(qs.order_by().values_list(f).annotate(n=Count("pk")).values_list(f, "n")) for f in fields
        }
    try:
        sql, params = qs.order_by().values_list("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing (`.none()`: no permission to see complaints)
        return {f: {} for f in fields}
    head, sep, rest = sql.partition(" FROM ")
    if not sep or not head.startswith("SELECT "):  # pragma: no cover - Django always writes this shape
        return grouped_counts(qs, fields[:1]) | grouped_counts(qs, fields[1:])
    table = connection.ops.quote_name(Complaint._meta.db_table)
    columns = {f.attname: str(f.column) for f in Complaint._meta.concrete_fields}
    cols = [f"{table}.{connection.ops.quote_name(columns[f])}" for f in fields]
    # Only quoted column names of the model and Django's own compiled WHERE (values stay parameters).
    sets = ", ".join(f"({c})" for c in cols)
    query = f"SELECT {', '.join(cols)}, COUNT(*) FROM {rest} GROUP BY GROUPING SETS ({sets})"  # noqa: S608
    out: dict[str, dict[Any, int]] = {f: {} for f in fields}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for row in cursor.fetchall():
            *values, n = row
            for f, value in zip(fields, values, strict=True):
                if value is not None:
                    out[f][value] = n
                    break
    return out


def breakdown(
    *, user: Any, unit: OrgUnit, period: Period, dimension: str, counts: dict[Any, int] | None = None
) -> list[Slice]:
    """Counts by one dimension (codes rolled up to their top level; units to the unit's direct children).
    `counts` ({column value: count}) when the caller has them already (see `grouped_counts`)."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    if counts is None:
        qs = scoped_complaints(user=user, unit=unit, period=period)
        counts = grouped_counts(qs, [FIELD_OF[dimension]])[FIELD_OF[dimension]]
    rows: dict[tuple[str, str], int] = defaultdict(int)
    if dimension in (CodeDimension.BUSINESS_TYPE, CodeDimension.CAUSE, CodeDimension.CHANNEL):
        top = _top_codes(dimension)
        for pk, n in counts.items():
            code = top[pk]
            rows[(code.code, code.name)] += n
        return _slices(rows, unit, period, dimension)
    if dimension in ("source", "status"):
        labels = dict(Source.choices if dimension == "source" else Status.choices)
        for value, n in counts.items():
            rows[(value, str(labels.get(value, value)))] += n
        return _slices(rows, unit, period, dimension)
    return _unit_slices(counts, unit, period)


def breakdowns(
    *, user: Any, unit: OrgUnit, period: Period, dimensions: Iterable[str]
) -> dict[str, list[Slice]]:
    """Several breakdowns of one period from one scan (`grouped_counts`)."""
    dims = list(dimensions)
    qs = scoped_complaints(user=user, unit=unit, period=period)
    raw = grouped_counts(qs, [FIELD_OF[d] for d in dims])
    return {
        d: breakdown(user=user, unit=unit, period=period, dimension=d, counts=raw[FIELD_OF[d]]) for d in dims
    }


def _unit_slices(counts: dict[Any, int], unit: OrgUnit, period: Period) -> list[Slice]:
    depth = len(unit.path) + PATH_SEGMENT
    units = {pk: path for pk, path in OrgUnit.objects.filter(subtree_q(unit.path)).values_list("pk", "path")}
    children = {
        path: (code, name)
        for path, code, name in OrgUnit.objects.filter(
            subtree_q(unit.path), depth=unit.depth + 1
        ).values_list("path", "code", "name")
    }
    rows: dict[tuple[str, str], int] = defaultdict(int)
    own = 0
    for pk, n in counts.items():
        path = units.get(pk, "")
        child = children.get(path[:depth])
        if child is None:
            own += n
        else:
            rows[child] += n
    slices = _slices(rows, unit, period, "unit")
    if own:
        slices.append(Slice(code=unit.code, label=f"{unit.name}（{_('own')}）", count=own))
    total = sum(s.count for s in slices) or 1
    for s in slices:
        s.share = s.count / total
    return slices


# --- time series ------------------------------------------------------------------------------------------


def volume_series(
    *, user: Any, unit: OrgUnit, period: Period, grain: str, per_day: dict[Any, int] | None = None
) -> list[tuple[Period, int]]:
    """Complaints received per day, week or month of the period (every bucket present, zeros included), up to
    today: days to come are not drawn as zeros."""
    if per_day is None:
        qs = scoped_complaints(user=user, unit=unit, period=period)
        per_day = grouped_counts(qs, ["receipt_date"])["receipt_date"]
    buckets: dict[Period, int] = {}
    day, last = period.start, min(period.end, timezone.localdate())
    while day <= last:
        bucket = Period.containing(grain, day)
        buckets[bucket] = buckets.get(bucket, 0) + per_day.get(day, 0)
        day += dt.timedelta(days=1)
    return list(buckets.items())


def default_grain(period: Period) -> str:
    if period.days <= 62:
        return "day"
    if period.days <= 190:
        return "week"
    return "month"


# --- the whole dashboard ----------------------------------------------------------------------------------


@dataclass
class Dashboard:
    unit: OrgUnit
    period: Period
    grain: str
    figures: list[Figure]
    breakdowns: dict[str, list[Slice]]
    series: list[tuple[Period, int]]
    until: dt.date | None = None  # today, when the period is not over yet (figures to date)
    denominators: tuple[int | None, int | None] = (None, None)  # (retail customers, outlets) of its year

    @property
    def received(self) -> int:
        return int(self.figures[0].value or 0)


CHART_DIMENSIONS = ("business_type", "cause", "channel", "source", "unit")


def dashboard(*, user: Any, unit: OrgUnit, period: Period, grain: str | None = None) -> Dashboard:
    grain, today = grain or default_grain(period), timezone.localdate()
    qs = scoped_complaints(user=user, unit=unit, period=period)
    raw = grouped_counts(qs, [FIELD_OF[d] for d in (*CHART_DIMENSIONS, "day")])
    return Dashboard(
        unit=unit,
        period=period,
        grain=grain,
        figures=headline(user=user, unit=unit, period=period),
        breakdowns={
            d: breakdown(user=user, unit=unit, period=period, dimension=d, counts=raw[FIELD_OF[d]])
            for d in CHART_DIMENSIONS
        },
        series=volume_series(user=user, unit=unit, period=period, grain=grain, per_day=raw["receipt_date"]),
        until=today if period.end >= today else None,
        denominators=denominators(unit, period.end.year),
    )
