"""The review figures (消保审查): one definition each, for the statistics page, the register's Excel export,
the report section and the module registry (`figures`). Banks report them as "审查 N 项，提出意见 M 条，采纳率
X%".

Scope: `Review.objects.visible_to(user)` narrowed to the analysed unit's subtree (a range on the materialised
path of the submitting unit); a unit outside the user's scope, or a user without `review.view_review`, gets
empty figures. The period is a closed range of days (local dates, Asia/Shanghai).

Definitions (the drill-down links open the register filtered to exactly the reviews counted):
- received: reviews submitted in the period (`submitted_on`), whatever became of them.
- reviewed (N): reviews concluded in the period (the local date of `concluded_at`) — passed, passed after
  changes or rejected; a withdrawn review is not concluded and not counted.
- opinions (M): the opinions issued to the submitter on those N reviews (drafts the reviewer never issued
  are not counted), split must-change / suggestion and by category.
- adoption: every answered opinion counts once as adopted, partly adopted or not adopted (reported
  separately); adoption rate = (adopted + partly adopted) ÷ answered opinions. Unanswered opinions (a review
  rejected before the submitter answered) are outside the rate.
- on time: of the N reviews with a due date, those concluded on or before it; the due date is the one on the
  review row, which already carries the clock's pauses while the submitter answers and granted extensions.
- average days: mean working days from submission to conclusion over the N reviews (counted like the clock:
  from the day after submission, on the working-day calendar; the time the submitter spent answering is
  included — it is the time the business waited); the calendar-day mean is given beside it.
- approvals issued / withdrawn: approvals whose `issued_at` / `withdrawn_at` falls in the period, on reviews
  the user sees in the subtree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy

from xiaobao.analytics.periods import Period
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import subtree_q, unit_in_scope
from xiaobao.core.workdays import get_calendar
from xiaobao.review.choices import Conclusion, OpinionCategory, OpinionResponse, OpinionSeverity, ReviewKind
from xiaobao.review.models import Approval, Review, ReviewOpinion

VIEW_PERM = "review.view_review"
LIST_URL = "review:list"


@dataclass
class Figure:
    key: str
    label: str | Promise
    kind: str  # count | percent | days
    value: float | None
    url: str = ""  # the register behind the figure, filtered to what it counts


@dataclass
class Tally:
    """The counts behind every figure, for the whole subtree or one slice of it (a kind, a unit)."""

    received: int = 0
    concluded: int = 0
    passed: int = 0
    passed_with_changes: int = 0
    rejected: int = 0
    with_due: int = 0
    on_time: int = 0
    timed: int = 0  # concluded reviews with a submission date (the days' denominator)
    working_days: int = 0
    calendar_days: int = 0
    opinions: int = 0
    must_change: int = 0
    suggestion: int = 0
    adopted: int = 0
    partly_adopted: int = 0
    not_adopted: int = 0

    COUNTS = (
        "received",
        "concluded",
        "passed",
        "passed_with_changes",
        "rejected",
        "with_due",
        "on_time",
        "timed",
        "working_days",
        "calendar_days",
        "opinions",
        "must_change",
        "suggestion",
        "adopted",
        "partly_adopted",
        "not_adopted",
    )

    def add(self, other: Tally) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def answered(self) -> int:
        return self.adopted + self.partly_adopted + self.not_adopted

    @property
    def unanswered(self) -> int:
        return self.opinions - self.answered

    @property
    def adoption_rate(self) -> float | None:
        return ratio(self.adopted + self.partly_adopted, self.answered)

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.with_due)

    @property
    def average_working_days(self) -> float | None:
        return ratio(self.working_days, self.timed)

    @property
    def average_calendar_days(self) -> float | None:
        return ratio(self.calendar_days, self.timed)

    @property
    def opinions_per_review(self) -> float | None:
        return ratio(self.opinions, self.concluded)


@dataclass
class Row:
    key: str  # kind / unit code / category
    name: str
    tally: Tally = field(default_factory=Tally)
    urls: dict[str, str] = field(default_factory=dict)


@dataclass
class ReviewFigures:
    unit: OrgUnit
    period: Period
    figures: list[Figure]
    total: Tally
    by_kind: list[Row]
    by_unit: list[Row]
    by_category: list[Row]
    approvals_issued: int
    approvals_withdrawn: int
    urls: dict[str, str]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def sentence(self) -> str:
        return banks_sentence(self.total)


def ratio(num: float | int | None, den: float | int | None) -> float | None:
    if num is None or not den:
        return None
    return float(num) / float(den)


def percent_text(value: float | None) -> str:
    """A rate as banks write it in the sentence: one decimal at most ("96.2%", "100%"); "—" without data."""
    if value is None:
        return "—"
    text = f"{100 * value:.1f}".removesuffix(".0")
    return f"{text}%"


def banks_sentence(total: Tally) -> str:
    """ "审查 N 项，提出意见 M 条，采纳率 X%" in the active language."""
    return gettext("Reviewed %(n)s items, gave %(m)s opinions, adoption rate %(rate)s") % {
        "n": f"{total.concluded:,}",
        "m": f"{total.opinions:,}",
        "rate": percent_text(total.adoption_rate),
    }


# --- scope ------------------------------------------------------------------------------------------------


def may_see(user: Any, unit: OrgUnit) -> bool:
    return bool(user.has_perm(VIEW_PERM)) and unit_in_scope(user, unit)


def reviews_in(*, user: Any, unit: OrgUnit) -> QuerySet[Review]:
    """The reviews of the unit's subtree (by submitting unit) as the user's register shows them."""
    if not may_see(user, unit):
        return Review.objects.none()
    qs = Review.objects.visible_to(user)
    if unit.parent_id is not None:  # the root's subtree is everything
        qs = qs.in_subtree(unit)
    return qs.order_by()  # type: ignore[no-any-return]


def day_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[start of the first day, start of the day after the last) in the local time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def concluded_q(period: Period, prefix: str = "") -> Q:
    start, end = day_bounds(period)
    return ~Q(**{f"{prefix}conclusion": ""}) & Q(
        **{f"{prefix}concluded_at__gte": start, f"{prefix}concluded_at__lt": end}
    )


def received_q(period: Period) -> Q:
    return Q(submitted_on__gte=period.start, submitted_on__lte=period.end)


# --- working days -----------------------------------------------------------------------------------------


class WorkingDays:
    """Working days after `start` up to and including `end`, from one prefix count over the dates asked."""

    def __init__(self, pairs: Iterable[tuple[dt.date, dt.date]]) -> None:
        pairs = list(pairs)
        self.first = min((a for a, _b in pairs), default=None)
        last = max((b for _a, b in pairs), default=None)
        self.prefix: list[int] = []
        if self.first is not None and last is not None and last >= self.first:
            cal = get_calendar()
            n = 0
            for i in range((last - self.first).days + 1):
                n += cal.is_workday(self.first + dt.timedelta(days=i))
                self.prefix.append(n)

    def between(self, start: dt.date, end: dt.date) -> int:
        if self.first is None or end <= start:
            return 0
        return self.prefix[(end - self.first).days] - self.prefix[(start - self.first).days]


# --- computing --------------------------------------------------------------------------------------------


def _child_key(unit: OrgUnit, path_field: str = "org_unit__path") -> Any:
    """The path of the analysed unit's direct child a row lies under (the unit's own rows: its own path)."""
    return Substr(path_field, 1, len(unit.path) + PATH_SEGMENT)


def _children(unit: OrgUnit) -> dict[str, tuple[str, str]]:
    rows = OrgUnit.objects.filter(subtree_q(unit.path), depth=unit.depth + 1).values_list(
        "path", "code", "name"
    )
    out = {path: (code, name) for path, code, name in rows}
    out[unit.path] = (unit.code, unit.name + "（" + pgettext("review figures", "own") + "）")
    return out


def _count_opinions(t: Tally, severity: str, response: str, n: int) -> None:
    t.opinions += n
    if severity == OpinionSeverity.MUST_CHANGE:
        t.must_change += n
    else:
        t.suggestion += n
    if response == OpinionResponse.ADOPTED:
        t.adopted += n
    elif response == OpinionResponse.PARTLY_ADOPTED:
        t.partly_adopted += n
    elif response == OpinionResponse.NOT_ADOPTED:
        t.not_adopted += n


def _count_review(
    t: Tally, conclusion: str, submitted: dt.date | None, end: dt.date, due: dt.date | None, days: WorkingDays
) -> None:
    t.concluded += 1
    if conclusion == Conclusion.PASS:
        t.passed += 1
    elif conclusion == Conclusion.PASS_WITH_CHANGES:
        t.passed_with_changes += 1
    elif conclusion == Conclusion.REJECT:
        t.rejected += 1
    if due is not None:
        t.with_due += 1
        t.on_time += end <= due
    if submitted is not None:
        t.timed += 1
        t.working_days += days.between(submitted, end)
        t.calendar_days += max((end - submitted).days, 0)


@dataclass
class _Tallies:
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_child: dict[str, Tally] = field(default_factory=dict)
    by_category: dict[str, Tally] = field(default_factory=dict)

    def kind(self, key: str) -> Tally:
        return self.by_kind.setdefault(key, Tally())

    def child(self, key: str) -> Tally:
        return self.by_child.setdefault(key, Tally())


def tallies(
    *, reviews: QuerySet[Review], unit: OrgUnit, period: Period | None
) -> tuple[_Tallies, QuerySet[Review]]:
    """Tallies by kind, by the unit's direct children and by opinion category. `reviews` are the rows in
    scope; with a period, the concluded ones are those concluded in it and `received` counts submissions in
    it; without (the export's filtered register), every concluded row counts and `received` counts the
    submitted rows. Three scans: reviews received, reviews concluded, their opinions (grouped in SQL)."""
    out = _Tallies()
    reviews = reviews.order_by()
    child = _child_key(unit)
    received = reviews.filter(received_q(period)) if period else reviews.exclude(submitted_on=None)
    for kind, path, n in (
        received.annotate(child=child)
        .values("kind", "child")
        .annotate(n=Count("pk"))
        .values_list("kind", "child", "n")
    ):
        out.kind(kind).received += n
        out.child(path).received += n
    concluded = reviews.filter(concluded_q(period)) if period else reviews.exclude(conclusion="")
    rows = [
        (kind, path, conclusion, submitted, timezone.localdate(at), due)
        for kind, path, conclusion, submitted, at, due in concluded.annotate(child=child).values_list(
            "kind", "child", "conclusion", "submitted_on", "concluded_at", "due_date"
        )
        if at is not None
    ]
    days = WorkingDays((sub, end) for *_kp, _c, sub, end, _due in rows if sub is not None)
    for kind, path, conclusion, submitted, end, due in rows:
        for t in (out.kind(kind), out.child(path)):
            _count_review(t, conclusion, submitted, end, due, days)
    opinions = (
        ReviewOpinion.objects.filter(review__in=concluded.values("pk"), issued=True)
        .order_by()
        .annotate(child=_child_key(unit, "review__org_unit__path"))
        .values("review__kind", "child", "category", "severity", "response")
        .annotate(n=Count("pk"))
        .values_list("review__kind", "child", "category", "severity", "response", "n")
    )
    for kind, path, category, severity, response, n in opinions:
        for t in (out.kind(kind), out.child(path), out.by_category.setdefault(category, Tally())):
            _count_opinions(t, severity, response, n)
    return out, concluded


def approval_counts(*, reviews: QuerySet[Review], period: Period) -> tuple[int, int]:
    """Approvals issued and withdrawn in the period on the given reviews."""
    start, end = day_bounds(period)
    counts = Approval.objects.filter(review__in=reviews.values("pk")).aggregate(
        issued=Count("pk", filter=Q(issued_at__gte=start, issued_at__lt=end)),
        withdrawn=Count("pk", filter=Q(withdrawn_at__gte=start, withdrawn_at__lt=end)),
    )
    return int(counts["issued"] or 0), int(counts["withdrawn"] or 0)


def compute(*, user: Any, unit: OrgUnit, period: Period) -> ReviewFigures:
    """Every review figure of the unit's subtree over the period: headline, by kind, by the unit's direct
    children, opinions by category."""
    reviews = reviews_in(user=user, unit=unit)
    t, _concluded = tallies(reviews=reviews, unit=unit, period=period)
    issued, withdrawn = approval_counts(reviews=reviews, period=period)
    total = Tally()
    for tally in t.by_kind.values():
        total.add(tally)
    urls = register_urls(unit=unit, period=period)
    by_kind = [
        Row(
            key=str(value),
            name=str(label),
            tally=t.by_kind[value],
            urls=register_urls(unit=unit, period=period, kind=value),
        )
        for value, label in ReviewKind.choices
        if value in t.by_kind
    ]
    names = _children(unit)
    by_unit = []
    for path, tally in t.by_child.items():
        code, name = names.get(path, ("", path))
        by_unit.append(
            Row(key=code, name=name, tally=tally, urls=register_urls(unit=None, code=code, period=period))
        )
    by_unit.sort(key=lambda r: (r.key == unit.code, r.key))
    by_category = [
        Row(key=str(value), name=str(label), tally=t.by_category[value])
        for value, label in OpinionCategory.choices
        if value in t.by_category
    ]
    return ReviewFigures(
        unit=unit,
        period=period,
        figures=headline(total, issued, withdrawn, urls),
        total=total,
        by_kind=by_kind,
        by_unit=by_unit,
        by_category=by_category,
        approvals_issued=issued,
        approvals_withdrawn=withdrawn,
        urls=urls,
    )


HEADLINE: list[tuple[str, str | Promise, str, str]] = [
    # key, label, kind, the register link behind it (ReviewFigures.urls key)
    ("received", pgettext_lazy("review figures", "Review requests received"), "count", "received"),
    ("concluded", pgettext_lazy("review figures", "Reviews concluded"), "count", "concluded"),
    ("opinions", pgettext_lazy("review figures", "Opinions given"), "count", "concluded"),
    ("must_change", pgettext_lazy("review figures", "of which must change"), "count", "concluded"),
    ("adoption_rate", pgettext_lazy("review figures", "Adoption rate"), "percent", "concluded"),
    ("on_time_rate", pgettext_lazy("review figures", "Reviews on time"), "percent", "concluded"),
    (
        "average_working_days",
        pgettext_lazy("review figures", "Average working days to conclusion"),
        "days",
        "concluded",
    ),
    ("rejected", pgettext_lazy("review figures", "Reviews rejected"), "count", "rejected"),
    ("adopted", pgettext_lazy("review figures", "Opinions adopted"), "count", "concluded"),
    ("partly_adopted", pgettext_lazy("review figures", "Opinions partly adopted"), "count", "concluded"),
    ("not_adopted", pgettext_lazy("review figures", "Opinions not adopted"), "count", "concluded"),
    ("approvals_issued", pgettext_lazy("review figures", "Approvals issued"), "count", ""),
    ("approvals_withdrawn", pgettext_lazy("review figures", "Approvals withdrawn"), "count", ""),
]


def headline(total: Tally, issued: int, withdrawn: int, urls: dict[str, str]) -> list[Figure]:
    values: dict[str, float | None] = {
        "received": total.received,
        "concluded": total.concluded,
        "opinions": total.opinions,
        "must_change": total.must_change,
        "adoption_rate": total.adoption_rate,
        "adopted": total.adopted,
        "partly_adopted": total.partly_adopted,
        "not_adopted": total.not_adopted,
        "on_time_rate": total.on_time_rate,
        "average_working_days": total.average_working_days,
        "rejected": total.rejected,
        "approvals_issued": issued,
        "approvals_withdrawn": withdrawn,
    }
    return [
        Figure(key=key, label=label, kind=kind, value=values[key], url=urls.get(link, "") if link else "")
        for key, label, kind, link in HEADLINE
    ]


# --- drill-down -------------------------------------------------------------------------------------------

# The register's filter parameters (review/filtersets.py): unit code (with sub-units), kind, status,
# submitted_from/_to (submission date), concluded_from/_to (date of the conclusion).


def _url(params: dict[str, str]) -> str:
    try:
        base = reverse(LIST_URL)
    except NoReverseMatch:  # pragma: no cover - the register's URLs are part of this app
        return ""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value:
            query[key] = value
    return f"{base}?{query.urlencode()}"


def register_urls(*, unit: OrgUnit | None, period: Period, kind: str = "", code: str = "") -> dict[str, str]:
    """The register filtered to the reviews received, concluded and rejected in the period."""
    base = {"unit": code or (unit.code if unit else ""), "kind": kind}
    if not base["unit"]:
        return {}
    concluded = {**base, "concluded_from": period.start.isoformat(), "concluded_to": period.end.isoformat()}
    return {
        "received": _url(
            {**base, "submitted_from": period.start.isoformat(), "submitted_to": period.end.isoformat()}
        ),
        "concluded": _url(concluded),
        "rejected": _url({**concluded, "status": "rejected"}),
    }


# --- what the registry calls ------------------------------------------------------------------------------


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the headline figures of the user's scope (or `unit`) from start to end."""
    if unit is None:
        unit = OrgUnit.objects.visible_to(user).order_by("path").first()
        if unit is None:
            return []
    return compute(user=user, unit=unit, period=Period(start, end)).figures
