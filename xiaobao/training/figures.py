"""Training and exam figures (培训与考试): one definition each, for the statistics page's section
(`training.stats`), its Excel export, the report section (`training.report_sections`) and the module registry
(`figures`). Banks report them as "开展培训 N 场、覆盖 M 人次、考试 K 场、通过率 X%".

Scope: the user needs `training.view_training` and the analysed unit in their scope (exam figures also need
`exams.view_exams`, see `xiaobao.exams.figures`); a unit outside it gets empty figures. The period is a
closed range of days (local dates).

Definitions (each table splits them by the unit's direct children — the unit's own rows apart — and by
position layer; the drill-down links open the statistics page for a child unit, the sessions, coverage and
exam lists filtered to what is counted):
- sessions (N): training sessions organised by units of the subtree (`TrainingSession.org_unit`) held in the
  period; their hours (课时), those with an external trainer, those online; by kind of session.
- person-times (M): attendance rows of the subtree's people (by the person's unit and layer, at sessions of
  any organiser: a head-office session's attendees in a branch are the branch's) dated in the period; people
  trained = distinct people among them; hours attended = their credited hours; hours per person trained.
- staff: active people of the subtree in the staff register (today).
- coverage: `xiaobao.training.coverage` for the calendar year the period ends in (attendance of that year
  up to today): people with a target for their layer, those with at least the target hours, the share.
- exams (K), candidates, examined, passed, pass rate (X), average best score: `xiaobao.exams.figures`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy

from xiaobao.analytics.periods import Period
from xiaobao.analytics.stats import VIEW_PERM as STATS_PERM
from xiaobao.casework.scoping import may_see_subtree, subtree_visible, unit_subtree_q
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import subtree_q
from xiaobao.exams import figures as exam_figures
from xiaobao.exams.figures import ExamCounts, ratio
from xiaobao.training.choices import SessionKind, SessionMode, TrainerKind
from xiaobao.training.models import Attendance, PositionLayer, StaffMember, TrainingSession

VIEW_PERM = "training.view_training"
SECTION_ANCHOR = "training-figures"
ZERO = Decimal("0")


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent | hours | score
    value: float | None
    url: str = ""  # the list behind the figure, filtered to what it counts


@dataclass
class Tally:
    """The counts behind every figure, for the whole subtree or one slice of it (a child unit, a layer)."""

    sessions: int = 0
    session_hours: Decimal = ZERO
    external_sessions: int = 0
    online_sessions: int = 0
    headcount: int = 0
    trained: int = 0
    person_times: int = 0
    attended_hours: Decimal = ZERO
    coverage_people: int = 0
    covered: int = 0
    exam: ExamCounts = field(default_factory=ExamCounts)

    COUNTS = (
        "sessions",
        "session_hours",
        "external_sessions",
        "online_sessions",
        "headcount",
        "trained",
        "person_times",
        "attended_hours",
        "coverage_people",
        "covered",
    )

    def add(self, other: Tally) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.exam.add(other.exam)

    @property
    def coverage(self) -> float | None:
        return ratio(self.covered, self.coverage_people)

    @property
    def hours_per_person(self) -> float | None:
        """Hours attended per person trained."""
        return ratio(self.attended_hours, self.trained)

    @property
    def trained_share(self) -> float | None:
        """People trained in the period ÷ staff."""
        return ratio(self.trained, self.headcount)


@dataclass
class Row:
    key: str  # unit code / layer code / session kind
    name: str
    tally: Tally = field(default_factory=Tally)
    urls: dict[str, str] = field(default_factory=dict)


@dataclass
class KindRow:
    key: str
    name: str
    sessions: int = 0
    hours: Decimal = ZERO
    external: int = 0
    online: int = 0
    person_times: int = 0  # attendance at these sessions (every attendee)


@dataclass
class TrainingFigures:
    unit: OrgUnit
    period: Period
    year: int  # the coverage year
    figures: list[Figure]
    total: Tally
    by_unit: list[Row]
    by_layer: list[Row]
    by_kind: list[KindRow]
    exams_shown: bool  # the user may see exam figures
    urls: dict[str, str]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def sentence(self) -> str:
        return banks_sentence(self.total, exams=self.exams_shown)


def percent_text(value: float | None) -> str:
    """A rate as banks write it in the sentence: one decimal at most ("96.2%", "100%"); "—" without data."""
    if value is None:
        return "—"
    text = f"{100 * value:.1f}".removesuffix(".0")
    return f"{text}%"


def banks_sentence(total: Tally, *, exams: bool = True) -> str:
    """ "开展培训 N 场、覆盖 M 人次、考试 K 场、通过率 X%" in the active language (without the exam part for a
    user who may not see exams)."""
    training = gettext("Held %(n)s training sessions, covering %(m)s person-times") % {
        "n": f"{total.sessions:,}",
        "m": f"{total.person_times:,}",
    }
    if not exams:
        return training
    return gettext("%(training)s; %(k)s exams, pass rate %(rate)s") % {
        "training": training,
        "k": f"{total.exam.exams:,}",
        "rate": percent_text(total.exam.pass_rate),
    }


# --- scope ------------------------------------------------------------------------------------------------


def may_see(user: Any, unit: OrgUnit) -> bool:
    return may_see_subtree(user, unit, permission=VIEW_PERM)


class ChildOf(dict[int, str]):
    """Unit id → the path of the analysed unit's direct child it lies under (the unit's own id: its own
    path), for every unit of the subtree (one query). Rows are grouped by their unit's id in SQL — no join to
    the unit table, no substring per row — and the groups added up per child here."""

    def __init__(self, unit: OrgUnit) -> None:
        depth = len(unit.path) + PATH_SEGMENT
        rows = OrgUnit.objects.filter(subtree_q(unit.path)).values_list("pk", "path")
        super().__init__((pk, path[:depth]) for pk, path in rows)


def _children(unit: OrgUnit) -> dict[str, tuple[str, str]]:
    """path → (code, name) of the unit's direct children and the unit itself (named "…（本级）")."""
    rows = OrgUnit.objects.filter(subtree_q(unit.path), depth=unit.depth + 1).values_list(
        "path", "code", "name"
    )
    out = {path: (code, name) for path, code, name in rows}
    out[unit.path] = (unit.code, unit.name + "（" + pgettext("training figures", "own") + "）")
    return out


# --- computing --------------------------------------------------------------------------------------------


@dataclass
class _Tallies:
    by_child: dict[str, Tally] = field(default_factory=dict)
    by_layer: dict[int | None, Tally] = field(default_factory=dict)
    by_kind: dict[str, KindRow] = field(default_factory=dict)

    def child(self, key: str) -> Tally:
        return self.by_child.setdefault(key, Tally())

    def layer(self, key: int | None) -> Tally:
        return self.by_layer.setdefault(key, Tally())


def _count_sessions(out: _Tallies, *, user: Any, unit: OrgUnit, period: Period, child_of: ChildOf) -> None:
    """Sessions organised by the subtree in the period, by child and by kind; attendance at them by kind."""
    sessions = subtree_visible(
        TrainingSession.objects.filter(date__gte=period.start, date__lte=period.end), user=user, unit=unit
    ).order_by()
    grouped = (
        sessions.values("org_unit_id", "kind")
        .annotate(
            n=Count("pk"),
            hours=Sum("hours"),
            external=Count("pk", filter=Q(trainer_kind=TrainerKind.EXTERNAL)),
            online=Count("pk", filter=Q(mode=SessionMode.ONLINE)),
        )
        .values_list("org_unit_id", "kind", "n", "hours", "external", "online")
    )
    for unit_id, kind, n, hours, external, online in grouped:
        t = out.child(child_of[unit_id])
        k = out.by_kind.setdefault(kind, KindRow(key=kind, name=str(SessionKind(kind).label)))
        t.sessions += n
        t.session_hours += hours or ZERO
        t.external_sessions += external
        t.online_sessions += online
        k.sessions += n
        k.hours += hours or ZERO
        k.external += external
        k.online += online
    attended = (
        Attendance.objects.filter(session__in=sessions.values("pk"))
        .order_by()
        .values("session__kind")
        .annotate(n=Count("pk"))
        .values_list("session__kind", "n")
    )
    for kind, n in attended:
        if kind in out.by_kind:
            out.by_kind[kind].person_times += n


def _count_people(out: _Tallies, *, unit: OrgUnit, period: Period, child_of: ChildOf) -> None:
    """Staff (active, today) and their attendance in the period, by child and by layer."""
    staff = (
        StaffMember.objects.filter(unit_subtree_q(unit), active=True)
        .order_by()
        .values("org_unit_id", "layer_id")
        .annotate(n=Count("pk"))
        .values_list("org_unit_id", "layer_id", "n")
    )
    for unit_id, layer, n in staff:
        out.child(child_of[unit_id]).headcount += n
        out.layer(layer).headcount += n
    attendance = (
        Attendance.objects.filter(
            unit_subtree_q(unit, "staff__org_unit"), date__gte=period.start, date__lte=period.end
        )
        .order_by()
        .values("staff__org_unit_id", "staff__layer_id")
        .annotate(n=Count("pk"), people=Count("staff_id", distinct=True), hours=Sum("hours"))
        .values_list("staff__org_unit_id", "staff__layer_id", "n", "people", "hours")
    )
    for unit_id, layer, n, people, hours in attendance:
        for t in (out.child(child_of[unit_id]), out.layer(layer)):
            t.person_times += n
            t.trained += people  # each person lies in one (unit, layer) group: the sums stay distinct
            t.attended_hours += hours or ZERO


def _count_coverage(
    out: _Tallies,
    *,
    user: Any,
    unit: OrgUnit,
    year: int,
    names: dict[str, tuple[str, str]],
    layers: list[PositionLayer],
    memo: dict[Any, Any] | None = None,
) -> None:
    from xiaobao.training.coverage import coverage

    def rows(by: str) -> Any:  # a period and the one before it in the same year share the year's coverage
        key = (user.pk, unit.pk, year, by)
        if memo is None:
            return coverage(user=user, unit=unit, year=year, by=by)
        if key not in memo:
            memo[key] = coverage(user=user, unit=unit, year=year, by=by)
        return memo[key]

    path_of = {code: path for path, (code, _name) in names.items()}
    for row in rows("unit"):
        path = path_of.get(row.key)
        if path is not None:
            out.child(path).coverage_people += row.people
            out.child(path).covered += row.covered
    layer_ids = {layer.code: layer.pk for layer in layers}
    for row in rows("layer"):
        t = out.layer(layer_ids.get(row.key))
        t.coverage_people += row.people
        t.covered += row.covered


def _count_exams(out: _Tallies, *, user: Any, unit: OrgUnit, period: Period, child_of: ChildOf) -> bool:
    if not exam_figures.may_see(user, unit):
        return False
    exams = exam_figures.exam_tallies(user=user, unit=unit, period=period, child_of=child_of)
    for path, counts in exams.by_child.items():
        out.child(path).exam.add(counts)
    for layer, counts in exams.by_layer.items():
        out.layer(layer).exam.add(counts)
    return True


def compute(
    *, user: Any, unit: OrgUnit, period: Period, memo: dict[Any, Any] | None = None
) -> TrainingFigures:
    """Every training and exam figure of the unit's subtree over the period: headline, by the unit's direct
    children, by position layer, sessions by kind. About a dozen grouped queries, none per person. `memo`:
    a dict shared by the computations of one page (this period and the one before) keeps the coverage of a
    year computed once."""
    year = period.end.year
    out = _Tallies()
    exams_shown = False
    names = _children(unit)
    layers = list(PositionLayer.objects.order_by("sort_order", "code"))
    if may_see(user, unit):
        child_of = ChildOf(unit)
        _count_sessions(out, user=user, unit=unit, period=period, child_of=child_of)
        _count_people(out, unit=unit, period=period, child_of=child_of)
        _count_coverage(out, user=user, unit=unit, year=year, names=names, layers=layers, memo=memo)
        exams_shown = _count_exams(out, user=user, unit=unit, period=period, child_of=child_of)
    total = Tally()
    for tally in out.by_child.values():
        total.add(tally)
    urls = links(unit.code, period)
    by_unit = []
    for path, tally in out.by_child.items():
        code, name = names.get(path, ("", path))
        drill = links(code, period, drill=path != unit.path)
        by_unit.append(Row(key=code, name=name, tally=tally, urls=drill))
    by_unit.sort(key=lambda r: (r.key == unit.code, r.key))
    by_layer = [
        Row(
            key=layer.code,
            name=layer.name,
            tally=out.by_layer[layer.pk],
            urls=links(unit.code, period, layer=layer.code),
        )
        for layer in layers
        if layer.pk in out.by_layer
    ]
    if None in out.by_layer:  # examined candidates without a layer (no staff entry when they started)
        by_layer.append(Row(key="", name=pgettext("training figures", "No layer"), tally=out.by_layer[None]))
    by_kind = [out.by_kind[k] for k in SessionKind.values if k in out.by_kind]
    return TrainingFigures(
        unit=unit,
        period=period,
        year=year,
        figures=headline(total, urls, exams=exams_shown),
        total=total,
        by_unit=by_unit,
        by_layer=by_layer,
        by_kind=by_kind,
        exams_shown=exams_shown,
        urls=urls,
    )


HEADLINE: list[tuple[str, str | Promise, str, str]] = [
    # key, label, kind, the link behind it (TrainingFigures.urls key)
    ("sessions", pgettext_lazy("training figures", "Training sessions held"), "count", "sessions"),
    ("session_hours", pgettext_lazy("training figures", "Training hours delivered"), "hours", "sessions"),
    (
        "external_sessions",
        pgettext_lazy("training figures", "of which by external experts"),
        "count",
        "sessions",
    ),
    ("person_times", pgettext_lazy("training figures", "Person-times trained"), "count", "attendance"),
    ("trained", pgettext_lazy("training figures", "People trained"), "count", "attendance"),
    ("attended_hours", pgettext_lazy("training figures", "Hours attended"), "hours", "attendance"),
    ("hours_per_person", pgettext_lazy("training figures", "Hours per person trained"), "hours", ""),
    ("headcount", pgettext_lazy("training figures", "Staff in the register"), "count", "staff"),
    (
        "coverage",
        pgettext_lazy("training figures", "Coverage of the year's target hours"),
        "percent",
        "coverage",
    ),
]
EXAM_HEADLINE = ("exams", "examined", "passed", "pass_rate", "participation_rate", "average_score")


def headline(total: Tally, urls: dict[str, str], *, exams: bool = True) -> list[Figure]:
    values: dict[str, float | None] = {
        "sessions": total.sessions,
        "session_hours": float(total.session_hours),
        "external_sessions": total.external_sessions,
        "person_times": total.person_times,
        "trained": total.trained,
        "attended_hours": float(total.attended_hours),
        "hours_per_person": total.hours_per_person,
        "headcount": total.headcount,
        "coverage": total.coverage,
    }
    out = [
        Figure(key=key, label=label, kind=kind, value=values[key], url=urls.get(link, "") if link else "")
        for key, label, kind, link in HEADLINE
    ]
    if exams:
        by_key = {f.key: f for f in exam_figures.headline(total.exam)}
        for key in EXAM_HEADLINE:
            f = by_key[key]
            out.append(Figure(key=key, label=f.label, kind=f.kind, value=f.value, url=urls.get("exams", "")))
    return out


# --- drill-down -------------------------------------------------------------------------------------------

# The lists behind the figures, filtered to exactly what a figure counts, where their filters can say it:
# the sessions list (training/forms.py SessionFilter: unit with sub-units, year, month), the staff register
# (forms_staff.StaffFilter: unit, layer, active, year of the hours shown) and the coverage page (unit, year).
# The organisers' exam list filters by neither unit nor date: exam figures drill down by unit only.


def _url(name: str, params: dict[str, str], anchor: str = "") -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:  # pragma: no cover - the lists are part of this module
        return ""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value:
            query[key] = value
    return f"{base}?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


def _calendar(period: Period) -> dict[str, str] | None:
    """The period as the sessions list's year (and month) filter; None when it is not a calendar month or
    year (a quarter, a range): no list shows exactly those sessions then."""
    whole_year = period.start == dt.date(period.start.year, 1, 1) and period.end == dt.date(
        period.start.year, 12, 31
    )
    if whole_year:
        return {"year": str(period.start.year)}
    if period == Period.month(period.start.year, period.start.month):
        return {"year": str(period.start.year), "month": str(period.start.month)}
    return None


def links(code: str, period: Period, *, drill: bool = False, layer: str = "") -> dict[str, str]:
    """The lists filtered to the unit's subtree (and layer) and the period: sessions (a month or a year),
    people with their hours (a year), coverage of the year; `drill`: the statistics page for that unit (a
    child unit's row), at this section."""
    if not code:
        return {}
    calendar = _calendar(period)
    out = {
        "coverage": _url("training:coverage", {"unit": code, "year": str(period.end.year)}),
        "staff": _url(
            "training:staff_list", {"unit": code, "layer": layer, "active": "1", "year": str(period.end.year)}
        ),
    }
    if calendar is not None:
        out["sessions"] = _url("training:sessions", {"unit": code, **calendar})
    if calendar is not None and "month" not in calendar:
        out["attendance"] = out["staff"]  # the register shows each person's hours in the year
    if drill:
        out["drill"] = _url("analytics:dashboard", {"unit": code, "period": period.label}, SECTION_ANCHOR)
    return {k: v for k, v in out.items() if v}


# --- what the registry calls ------------------------------------------------------------------------------


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the headline training figures of the user's scope (or `unit`) from start to
    end (the exam figures are the exams module's: `xiaobao.exams.figures.figures`)."""
    if unit is None:
        unit = OrgUnit.objects.visible_to(user).order_by("path").first()
        if unit is None:
            return []
    data = compute(user=user, unit=unit, period=Period(start, end))
    return [f for f in data.figures if f.key not in EXAM_HEADLINE]


# --- home panel -------------------------------------------------------------------------------------------

HOME_SESSIONS = 5  # upcoming sessions listed on the home panel


def home_panel(user: Any) -> dict[str, Any]:
    """The organisers' home card (users who see training): the next sessions of their scope from today, and
    the coverage of the year so far for their scope by position layer (two queries and coverage's one)."""
    from xiaobao.core.clock import localdate
    from xiaobao.training.coverage import coverage, coverage_total

    if not user.has_perm(VIEW_PERM):
        return {}
    unit = OrgUnit.objects.visible_to(user).order_by("path").first()
    if unit is None:
        return {}
    today = localdate()
    upcoming = (
        TrainingSession.objects.visible_to(user)
        .filter(date__gte=today)
        .select_related("org_unit")
        .order_by("date", "start_time", "pk")
    )
    sessions = list(upcoming[: HOME_SESSIONS + 1])
    layers = coverage(user=user, unit=unit, year=today.year, by="layer")
    total = coverage_total(layers)
    return {
        "unit": unit,
        "today": today,
        "year": today.year,
        "sessions": sessions[:HOME_SESSIONS],
        "more_sessions": len(sessions) > HOME_SESSIONS,
        "coverage": total,
        "layers": [r for r in layers if r.people],
        "stats_url": _url(
            "analytics:dashboard", {"unit": unit.code, "period": str(today.year)}, SECTION_ANCHOR
        )
        if user.has_perm(STATS_PERM)
        else "",
    }
