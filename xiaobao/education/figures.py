"""Education figures (宣传教育): one definition each, for the summary API, the figures page, the statistics
page's section, the report section, the regulator table and the campaign summary.

**What counts.** Only **approved** activities count (status "approved"): a reported activity awaiting the
branch's approval, or one returned for correction, is not in any figure until it is approved. Each activity is
counted once, in the unit that held it (`Activity.org_unit`): a subtree's figure is the sum over the
activities held in the subtree, never a unit's total added to its parent's, so people reached are never
summed twice up the tree.

**Slices.** A slice is the analysed unit's subtree, narrowed by any of: a period (the activity's day,
`held_on`, inclusive), an edition (one year's run of a campaign) or a campaign (every edition of it). The
user must hold `education.view_education` and the unit must lie in their scope; otherwise every figure is 0.

**Figures.** activities; people reached (the activity's `people_reached`, which equals the sum of its
audience segments); people by segment; leaflets; online articles, reads, videos; media reports; staff
involved; outlets covered (distinct active-or-not outlets of the subtree with ≥1 approved activity in the
slice) against outlets total (active outlets of the subtree today) and their share. Venue and topic tables:
an activity with two topics is counted under each of them (the topic table is not additive).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy

from xiaobao.analytics.periods import Period
from xiaobao.casework.scoping import may_see_subtree, unit_subtree_q
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT, OrgUnitKind
from xiaobao.core.scoping import subtree_q
from xiaobao.education.models import SEGMENTS, Activity, Campaign, CampaignEdition

VIEW_PERM = "education.view_education"
APPROVED = "approved"
SECTION_ANCHOR = "education-figures"
P = "education figures"

# the summed columns of an activity (the API's keys where the API has them)
SUMS = (
    "people_reached",
    "leaflets",
    "online_articles",
    "online_reads",
    "videos",
    "media_reports",
    "staff_involved",
)
SEGMENT_LABELS: dict[str, Promise] = {
    "elderly": pgettext_lazy(P, "Elderly"),
    "students": pgettext_lazy(P, "Students"),
    "young": pgettext_lazy(P, "Young people"),
    "new_citizens": pgettext_lazy(P, "New citizens"),
    "rural": pgettext_lazy(P, "Rural residents"),
    "disabled": pgettext_lazy(P, "People with disabilities"),
    "other": pgettext_lazy(P, "Others"),
}


# --- the slice --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """What is counted besides the unit: a period (start..end inclusive), an edition, a campaign."""

    start: dt.date | None = None
    end: dt.date | None = None
    edition: CampaignEdition | None = None
    campaign: Campaign | None = None

    def filter(self, qs: QuerySet[Activity]) -> QuerySet[Activity]:
        if self.start is not None:
            qs = qs.filter(held_on__gte=self.start)
        if self.end is not None:
            qs = qs.filter(held_on__lte=self.end)
        if self.edition is not None:
            qs = qs.filter(edition_id=self.edition.pk)
        if self.campaign is not None:
            qs = qs.filter(edition__campaign_id=self.campaign.pk)
        return qs

    def params(self) -> dict[str, str]:
        """The activity list's filters for this slice (approved only)."""
        out = {"status": APPROVED}
        if self.edition is not None:
            out["edition"] = str(self.edition.pk)
        if self.campaign is not None:
            out["campaign"] = self.campaign.code
        if self.start is not None:
            out["from"] = self.start.isoformat()
        if self.end is not None:
            out["to"] = self.end.isoformat()
        return out

    @property
    def label(self) -> str:
        parts = []
        if self.edition is not None:
            parts.append(str(self.edition))
        elif self.campaign is not None:
            parts.append(self.campaign.name)
        if self.start is not None or self.end is not None:
            parts.append(f"{self.start or '…'} – {self.end or '…'}")
        return " · ".join(parts) or pgettext(P, "All time")


def may_see(user: Any, unit: OrgUnit) -> bool:
    return may_see_subtree(user, unit, permission=VIEW_PERM)


def root_unit(user: Any) -> OrgUnit | None:
    """The top of the user's scope (the head office for a user who sees everything)."""
    return OrgUnit.objects.visible_to(user).order_by("path").first()


def approved(user: Any, unit: OrgUnit, slc: Slice) -> QuerySet[Activity]:
    """The approved activities of the unit's subtree in the slice, as the user may see them (nothing when
    the unit is outside the user's scope or the user lacks the view permission)."""
    if not may_see(user, unit):
        return Activity.objects.none()
    qs = Activity.objects.filter(unit_subtree_q(unit), status=APPROVED)
    return slc.filter(qs).order_by()


def _aggregates() -> dict[str, Any]:
    out: dict[str, Any] = {"activities": Count("pk")}
    out.update({name: Sum(name) for name in SUMS})
    out.update({f"audience_{s}": Sum(f"audience_{s}") for s in SEGMENTS})
    return out


def outlets_total(unit: OrgUnit) -> int:
    return OrgUnit.objects.filter(subtree_q(unit.path), kind=OrgUnitKind.OUTLET, is_active=True).count()


def summary(
    user: Any,
    *,
    edition: CampaignEdition | None = None,
    campaign: Campaign | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit: OrgUnit | None = None,
) -> dict[str, Any]:
    """The headline figures over the approved activities the user can see in the unit's subtree (default:
    the user's whole scope) — exactly the `GET /api/v1/education/summary` shape. Two queries: one aggregate
    over the activities (status + day index), one count of the outlets."""
    unit = unit or root_unit(user)
    empty = {
        "activities": 0,
        "people_reached": 0,
        "leaflets": 0,
        "online_reads": 0,
        "media_reports": 0,
        "audience": dict.fromkeys(SEGMENTS, 0),
        "outlets_covered": 0,
        "outlets_total": 0,
    }
    if unit is None or not may_see(user, unit):
        return empty
    qs = approved(user, unit, Slice(start=start, end=end, edition=edition, campaign=campaign))
    agg = _aggregates()
    agg["outlets_covered"] = Count("org_unit_id", distinct=True, filter=Q(org_unit__kind=OrgUnitKind.OUTLET))
    row = qs.aggregate(**agg)
    return {
        "activities": row["activities"] or 0,
        "people_reached": row["people_reached"] or 0,
        "leaflets": row["leaflets"] or 0,
        "online_reads": row["online_reads"] or 0,
        "media_reports": row["media_reports"] or 0,
        "audience": {s: row[f"audience_{s}"] or 0 for s in SEGMENTS},
        "outlets_covered": row["outlets_covered"] or 0,
        "outlets_total": outlets_total(unit),
    }


# --- the tallies behind every table -----------------------------------------------------------------------


@dataclass
class Tally:
    activities: int = 0
    people_reached: int = 0
    leaflets: int = 0
    online_articles: int = 0
    online_reads: int = 0
    videos: int = 0
    media_reports: int = 0
    staff_involved: int = 0
    audience: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEGMENTS, 0))
    outlets_covered: int = 0
    outlets_total: int = 0

    def add_row(self, row: dict[str, Any]) -> None:
        self.activities += row["activities"] or 0
        for name in SUMS:
            setattr(self, name, getattr(self, name) + (row[name] or 0))
        for s in SEGMENTS:
            self.audience[s] += row[f"audience_{s}"] or 0

    def add(self, other: Tally) -> None:
        self.activities += other.activities
        for name in SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for s in SEGMENTS:
            self.audience[s] += other.audience[s]
        self.outlets_covered += other.outlets_covered
        self.outlets_total += other.outlets_total

    @property
    def coverage(self) -> float | None:
        """The share of outlets with at least one approved activity in the slice."""
        return None if not self.outlets_total else self.outlets_covered / self.outlets_total

    @property
    def segments(self) -> list[tuple[str, str, int]]:
        return [(s, str(SEGMENT_LABELS[s]), self.audience[s]) for s in SEGMENTS]


@dataclass
class Row:
    key: str  # unit / venue / topic code
    name: str
    tally: Tally = field(default_factory=Tally)
    urls: dict[str, str] = field(default_factory=dict)
    own: bool = False  # the analysed unit's own activities (not a child's subtree)


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent
    value: float | None
    url: str = ""


@dataclass
class EducationFigures:
    unit: OrgUnit
    slice: Slice
    total: Tally
    by_unit: list[Row]
    by_venue: list[Row]
    by_topic: list[Row]
    figures: list[Figure]
    urls: dict[str, str]
    parent: OrgUnit | None = None  # the unit above, when the user may see it (drill up)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def sentence(self) -> str:
        return banks_sentence(self.total)


def percent_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}".removesuffix(".0") + "%"


def banks_sentence(t: Tally) -> str:
    """ "开展宣传活动 N 场，发放宣传资料 M 份，受众 K 人次…" in the active language."""
    return gettext(
        "Held %(n)s education activities, handed out %(m)s leaflets and reached %(k)s people; "
        "%(reads)s online reads, %(media)s media reports; %(covered)s of %(outlets)s outlets (%(share)s) "
        "held at least one activity"
    ) % {
        "n": f"{t.activities:,}",
        "m": f"{t.leaflets:,}",
        "k": f"{t.people_reached:,}",
        "reads": f"{t.online_reads:,}",
        "media": f"{t.media_reports:,}",
        "covered": f"{t.outlets_covered:,}",
        "outlets": f"{t.outlets_total:,}",
        "share": percent_text(t.coverage),
    }


# --- links --------------------------------------------------------------------------------------------------


def _url(name: str, params: dict[str, str], anchor: str = "") -> str:
    try:
        base = reverse(name)
    except NoReverseMatch:  # the activity list is edu-activities' page; absent, no link
        return ""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value:
            query[key] = value
    return f"{base}?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


def activities_url(unit_code: str, slc: Slice, **extra: str) -> str:
    """The activity list filtered to exactly what a figure counts: unit (with its subtree), approved, the
    slice's edition/campaign and days, and a venue or topic."""
    return _url("education:activities", {"unit": unit_code, **slc.params(), **extra})


def figures_params(unit_code: str, slc: Slice, period: str = "") -> dict[str, str]:
    out = {"unit": unit_code, "period": period}
    if slc.edition is not None:
        out["edition"] = str(slc.edition.pk)
    elif slc.campaign is not None:
        out["campaign"] = slc.campaign.code
    return out


# --- computing --------------------------------------------------------------------------------------------


def _units(unit: OrgUnit) -> list[tuple[int, str, str, str, str, bool]]:
    return list(
        OrgUnit.objects.filter(subtree_q(unit.path))
        .order_by("path")
        .values_list("pk", "path", "code", "name", "kind", "is_active")
    )


def compute(
    *, user: Any, unit: OrgUnit, slc: Slice, period_label: str = "", breakdowns: bool = True
) -> EducationFigures:
    """Every figure of the unit's subtree in the slice: the total, by the unit's direct children (and its
    own activities), by venue, by topic (`breakdowns`; without them, two queries: the units and the
    activities grouped by unit). Never a query per activity."""
    shown = may_see(user, unit)
    units = _units(unit) if shown else []
    depth = len(unit.path) + PATH_SEGMENT
    child_of = {pk: path[:depth] for pk, path, *_ in units}
    names = {path: (code, name) for _pk, path, code, name, _k, _a in units if len(path) == depth}
    names[unit.path] = (unit.code, unit.name + "（" + pgettext(P, "own") + "）")
    departments = {p for _pk, p, _c, _n, k, _a in units if k == OrgUnitKind.DEPARTMENT}
    kind_of = {pk: kind for pk, _p, _c, _n, kind, _a in units}
    by_child: dict[str, Tally] = {}
    for _pk, _path, _c, _n, kind, active in units:
        if kind == OrgUnitKind.OUTLET and active:
            by_child.setdefault(child_of[_pk], Tally()).outlets_total += 1
    qs = approved(user, unit, slc)
    if shown:
        unit_rows: Any = qs.values("org_unit_id").annotate(**_aggregates())
        for row in unit_rows:
            t = by_child.setdefault(child_of[row["org_unit_id"]], Tally())
            t.add_row(row)
            if kind_of.get(row["org_unit_id"]) == OrgUnitKind.OUTLET:
                t.outlets_covered += 1
    total = Tally()
    for t in by_child.values():
        total.add(t)
    period = period_label
    by_unit = []
    for path, (code, name) in names.items():
        t = by_child.get(path, Tally())
        own = path == unit.path
        if not t.activities and (own or path in departments):
            continue  # the unit's own row, or a department, when it held nothing
        urls = {"activities": activities_url(code, slc)} if t.activities else {}
        if not own:
            urls["drill"] = _url("education:figures", figures_params(code, slc, period))
        by_unit.append(Row(key=code, name=name, tally=t, urls=urls, own=own))
    by_unit.sort(key=lambda r: (r.own, r.key))

    by_venue: list[Row] = []
    by_topic: list[Row] = []
    if shown and breakdowns:
        venue_rows: Any = qs.values("venue__code", "venue__name").annotate(**_aggregates())
        for row in sorted(venue_rows, key=lambda r: (-r["activities"], r["venue__code"])):
            t = Tally()
            t.add_row(row)
            code = row["venue__code"]
            by_venue.append(
                Row(
                    key=code,
                    name=row["venue__name"],
                    tally=t,
                    urls={"activities": activities_url(unit.code, slc, venue=code)},
                )
            )
        through = Activity.topics.through.objects.filter(activity_id__in=qs.values("pk")).order_by()
        grouped: Any = through.values("topic__code", "topic__name").annotate(
            n=Count("pk"), people=Sum("activity__people_reached")
        )
        for row in sorted(grouped, key=lambda r: (-r["n"], r["topic__code"])):
            t = Tally(activities=row["n"], people_reached=row["people"] or 0)
            by_topic.append(
                Row(
                    key=row["topic__code"],
                    name=row["topic__name"],
                    tally=t,
                    urls={"activities": activities_url(unit.code, slc, topic=row["topic__code"])},
                )
            )
    urls = {"activities": activities_url(unit.code, slc)}
    parent = None
    if unit.parent_id is not None and breakdowns:
        candidate = OrgUnit.objects.filter(pk=unit.parent_id).first()
        if candidate is not None and may_see(user, candidate):
            parent = candidate
            urls["up"] = _url("education:figures", figures_params(candidate.code, slc, period))
    return EducationFigures(
        unit=unit,
        slice=slc,
        total=total,
        by_unit=by_unit,
        by_venue=by_venue,
        by_topic=by_topic,
        figures=headline(total, urls),
        urls=urls,
        parent=parent,
    )


HEADLINE: list[tuple[str, Promise, str]] = [
    ("activities", pgettext_lazy(P, "Activities held"), "count"),
    ("people_reached", pgettext_lazy(P, "People reached"), "count"),
    ("leaflets", pgettext_lazy(P, "Leaflets handed out"), "count"),
    ("online_articles", pgettext_lazy(P, "Online articles"), "count"),
    ("online_reads", pgettext_lazy(P, "Online reads"), "count"),
    ("media_reports", pgettext_lazy(P, "Media reports"), "count"),
    ("staff_involved", pgettext_lazy(P, "Staff involved"), "count"),
    ("outlet_coverage", pgettext_lazy(P, "Outlets with an activity"), "percent"),
]


def headline(t: Tally, urls: dict[str, str]) -> list[Figure]:
    values: dict[str, float | None] = {name: getattr(t, name) for name in ("activities", *SUMS)}
    values["outlet_coverage"] = t.coverage
    link = urls.get("activities", "")
    return [
        Figure(key=key, label=label, kind=kind, value=values[key], url=link if kind == "count" else "")
        for key, label, kind in HEADLINE
    ]


# --- plan vs actual ---------------------------------------------------------------------------------------


@dataclass
class PlanRow:
    unit: OrgUnit
    target_activities: int
    target_people: int
    target_leaflets: int
    activities: int = 0
    people_reached: int = 0
    leaflets: int = 0
    url: str = ""

    @staticmethod
    def _pct(actual: int, target: int) -> float | None:
        return None if not target else actual / target

    @property
    def activities_pct(self) -> float | None:
        return self._pct(self.activities, self.target_activities)

    @property
    def people_pct(self) -> float | None:
        return self._pct(self.people_reached, self.target_people)

    @property
    def leaflets_pct(self) -> float | None:
        return self._pct(self.leaflets, self.target_leaflets)

    @property
    def met(self) -> bool:
        return all(p is None or p >= 1 for p in (self.activities_pct, self.people_pct, self.leaflets_pct))


class PlanTable(list[PlanRow]):
    """The rows, with their total (`.total`, a dict of the same figures) for the template."""

    @property
    def total(self) -> dict[str, Any]:
        return plan_total(self)


def plan_vs_actual(user: Any, edition: CampaignEdition) -> PlanTable:
    """Per target unit the user may see (its subtree in their scope): the edition's targets against the
    approved activities of the edition held in that unit's subtree. Two queries whatever the number of
    units (the targets; the activities grouped by unit, added up to the target units here)."""
    if not user.has_perm(VIEW_PERM):
        return PlanTable()
    targets = [
        t
        for t in edition.targets.select_related("org_unit").order_by("org_unit__path")
        if may_see(user, t.org_unit)
    ]
    if not targets:
        return PlanTable()
    rows = PlanTable(
        PlanRow(
            unit=t.org_unit,
            target_activities=t.activities,
            target_people=t.people_reached,
            target_leaflets=t.leaflets,
            url=activities_url(t.org_unit.code, Slice(edition=edition)),
        )
        for t in targets
    )
    grouped = (
        Activity.objects.filter(edition_id=edition.pk, status=APPROVED)
        .order_by()
        .values("org_unit__path")
        .annotate(n=Count("pk"), people=Sum("people_reached"), leaflets=Sum("leaflets"))
    )
    for g in grouped:
        for r in rows:  # a target unit's subtree (target units do not nest in practice; each is added up)
            if g["org_unit__path"].startswith(r.unit.path):
                r.activities += g["n"]
                r.people_reached += g["people"] or 0
                r.leaflets += g["leaflets"] or 0
    return rows


def plan_total(rows: list[PlanRow]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "target_activities": sum(r.target_activities for r in rows),
        "target_people": sum(r.target_people for r in rows),
        "target_leaflets": sum(r.target_leaflets for r in rows),
        "activities": sum(r.activities for r in rows),
        "people_reached": sum(r.people_reached for r in rows),
        "leaflets": sum(r.leaflets for r in rows),
    }
    for key, actual, target in (
        ("activities_pct", "activities", "target_activities"),
        ("people_pct", "people_reached", "target_people"),
        ("leaflets_pct", "leaflets", "target_leaflets"),
    ):
        out[key] = out[actual] / out[target] if out[target] else None
    return out


# --- what the registry calls --------------------------------------------------------------------------------


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the headline education figures of the user's scope (or `unit`)."""
    unit = unit or root_unit(user)
    if unit is None or not may_see(user, unit):
        return []
    return compute(user=user, unit=unit, slc=Slice(start=start, end=end)).figures


def period_slice(period: Period) -> Slice:
    return Slice(start=period.start, end=period.end)
