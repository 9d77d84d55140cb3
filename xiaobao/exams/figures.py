"""Exam figures (考试): one definition each, for the statistics page's training-and-exams section, its Excel
export, the report section (all three built in `xiaobao.training.figures`) and the module registry
(`figures`); and the home panel "exams open to me now".

Scope: the user needs `exams.view_exams` and the analysed unit in their scope. Two sides, like training's
sessions and attendance:

- organised: exams set by units of the subtree (`Exam.org_unit`, `Exam.objects.visible_to`) that open in the
  period (the local date of `opens_at`), drafts left out — exams and contests (K in "考试 K 场"), practice
  papers counted apart;
- candidates: the people of the subtree at exams and contests of any organiser (a head-office exam's
  candidates in a branch are the branch's) opening in the period: invited = candidate rows by the
  candidate's unit; examined = candidates with a submitted attempt (by the unit they stood in when they
  started, `Attempt.org_unit`, and their layer then, `Attempt.layer`); passed = examined with a passed
  attempt (several attempts allowed: a candidate passes once); pass rate = passed ÷ examined; average score
  = mean of each examined candidate's best score. Practice attempts are outside every rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from xiaobao.analytics.periods import Period
from xiaobao.casework.scoping import may_see_subtree, subtree_visible, unit_subtree_q
from xiaobao.core import clock
from xiaobao.core.models import OrgUnit
from xiaobao.exams.choices import AttemptStatus, ExamKind, ExamStatus
from xiaobao.exams.models import Attempt, Exam, ExamCandidate

VIEW_PERM = "exams.view_exams"
TAKE_PERM = "exams.take_exam"
GRADED_KINDS = (ExamKind.EXAM, ExamKind.CONTEST)  # the kinds with a pass rate (practice is not an exam)
HOME_EXAMS = 5  # exams listed on the home panel


def ratio(num: float | int | Decimal | None, den: float | int | Decimal | None) -> float | None:
    if num is None or not den:
        return None
    return float(num) / float(den)


@dataclass
class ExamCounts:
    """The exam counts of the whole subtree or one slice of it (a child unit, a layer)."""

    exams: int = 0  # exams and contests organised
    contests: int = 0  # of which contests
    practice: int = 0  # practice papers organised
    candidates: int = 0  # invited
    examined: int = 0  # candidates with a submitted attempt
    attempts: int = 0  # submitted attempts
    passed: int = 0
    best_score_sum: float = 0.0  # sum of each examined candidate's best score (percent)

    COUNTS = (
        "exams",
        "contests",
        "practice",
        "candidates",
        "examined",
        "attempts",
        "passed",
        "best_score_sum",
    )

    def add(self, other: ExamCounts) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def pass_rate(self) -> float | None:
        return ratio(self.passed, self.examined)

    @property
    def participation_rate(self) -> float | None:
        """Examined ÷ invited (None without invited candidates)."""
        return ratio(self.examined, self.candidates)

    @property
    def average_score(self) -> float | None:
        """The mean best score in percent (0..100)."""
        return ratio(self.best_score_sum, self.examined)


@dataclass
class ExamTallies:
    by_child: dict[str, ExamCounts] = field(default_factory=dict)  # key: the child's path (own: the unit's)
    by_layer: dict[int | None, ExamCounts] = field(default_factory=dict)  # key: layer id (None: no layer)

    def child(self, key: str) -> ExamCounts:
        return self.by_child.setdefault(key, ExamCounts())

    def layer(self, key: int | None) -> ExamCounts:
        return self.by_layer.setdefault(key, ExamCounts())

    def total(self) -> ExamCounts:
        out = ExamCounts()
        for counts in self.by_child.values():
            out.add(counts)
        return out


# --- scope ------------------------------------------------------------------------------------------------


def may_see(user: Any, unit: OrgUnit) -> bool:
    return may_see_subtree(user, unit, permission=VIEW_PERM)


def day_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[start of the first day, start of the day after the last) in the local time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def opening_in(period: Period, prefix: str = "") -> Q:
    """Exams (not drafts) whose window opens in the period."""
    start, end = day_bounds(period)
    return Q(**{f"{prefix}opens_at__gte": start, f"{prefix}opens_at__lt": end}) & ~Q(
        **{f"{prefix}status": ExamStatus.DRAFT}
    )


def exams_organised(*, user: Any, unit: OrgUnit, period: Period) -> QuerySet[Exam]:
    """The exams, contests and practice papers set by the subtree that open in the period."""
    return subtree_visible(Exam.objects.filter(opening_in(period)), user=user, unit=unit).order_by()


# --- computing --------------------------------------------------------------------------------------------


def exam_tallies(*, user: Any, unit: OrgUnit, period: Period, child_of: Mapping[int, str]) -> ExamTallies:
    """Exam counts by the unit's direct children (`child_of`: unit id → the child's path, every unit of the
    subtree) and by position layer. Three grouped queries: exams organised, candidates invited, and the
    submitted attempts (one row per examined candidate and exam)."""
    out = ExamTallies()
    if not may_see(user, unit):
        return out
    organised = (
        exams_organised(user=user, unit=unit, period=period)
        .values("org_unit_id", "kind")
        .annotate(n=Count("pk"))
        .values_list("org_unit_id", "kind", "n")
    )
    for unit_id, kind, n in organised:
        counts = out.child(child_of[unit_id])
        if kind == ExamKind.PRACTICE:
            counts.practice += n
        else:
            counts.exams += n
            counts.contests += n if kind == ExamKind.CONTEST else 0
    graded = Q(exam__kind__in=GRADED_KINDS) & opening_in(period, "exam__")
    invited = (
        ExamCandidate.objects.filter(graded, unit_subtree_q(unit, "user__org_unit"))
        .order_by()
        .values("user__org_unit_id", "user__staff_member__layer")
        .annotate(n=Count("pk"))
        .values_list("user__org_unit_id", "user__staff_member__layer", "n")
    )
    for unit_id, layer, n in invited:
        if unit_id not in child_of:  # an account without a unit (head office's view: no subtree filter)
            continue
        out.child(child_of[unit_id]).candidates += n
        out.layer(layer).candidates += n
    _count_attempts(out, unit=unit, graded=graded, child_of=child_of)
    return out


def _count_attempts(out: ExamTallies, *, unit: OrgUnit, graded: Q, child_of: Mapping[int, str]) -> None:
    """Examined, passed, attempts and best scores: one row per (exam, candidate) from SQL, the candidate
    counted under the unit and layer of their latest attempt."""
    rows = (
        Attempt.objects.filter(graded, unit_subtree_q(unit), status=AttemptStatus.SUBMITTED)
        .order_by("exam_id", "user_id", "number")
        .values_list("exam_id", "user_id", "org_unit_id", "layer_id", "passed", "score")
    )
    best: dict[tuple[int, int], list[Any]] = {}  # (exam, user) → [child, layer, passed, best score, attempts]
    for exam_id, user_id, unit_id, layer, passed, score in rows.iterator(chunk_size=5000):
        path = child_of[unit_id]
        seen = best.get((exam_id, user_id))
        value = float(score) if score is not None else 0.0
        if seen is None:
            best[(exam_id, user_id)] = [path, layer, bool(passed), value, 1]
        else:
            seen[0], seen[1] = path, layer  # the latest attempt's unit and layer
            seen[2] = seen[2] or bool(passed)
            seen[3] = max(seen[3], value)
            seen[4] += 1
    for path, layer, passed, score, attempts in best.values():
        for counts in (out.child(path), out.layer(layer)):
            counts.examined += 1
            counts.passed += passed
            counts.best_score_sum += score
            counts.attempts += attempts


# --- what the registry calls ------------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: Any
    kind: str  # count | percent | score
    value: float | None
    url: str = ""


HEADLINE: list[tuple[str, Any, str]] = [
    ("exams", pgettext_lazy("training figures", "Exams held"), "count"),
    ("contests", pgettext_lazy("training figures", "of which contests"), "count"),
    ("practice", pgettext_lazy("training figures", "Practice papers"), "count"),
    ("candidates", pgettext_lazy("training figures", "Candidates invited"), "count"),
    ("examined", pgettext_lazy("training figures", "Candidates examined"), "count"),
    ("attempts", pgettext_lazy("training figures", "Attempts submitted"), "count"),
    ("passed", pgettext_lazy("training figures", "Candidates passed"), "count"),
    ("pass_rate", pgettext_lazy("training figures", "Pass rate"), "percent"),
    ("participation_rate", pgettext_lazy("training figures", "Participation rate"), "percent"),
    ("average_score", pgettext_lazy("training figures", "Average best score"), "score"),
]


def headline(total: ExamCounts) -> list[Figure]:
    return [
        Figure(key=key, label=label, kind=kind, value=getattr(total, key)) for key, label, kind in HEADLINE
    ]


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """The registry's `figures`: the exam figures of the user's scope (or `unit`) from start to end."""
    from xiaobao.training.figures import ChildOf

    if unit is None:
        unit = OrgUnit.objects.visible_to(user).order_by("path").first()
        if unit is None:
            return []
    tallies = exam_tallies(user=user, unit=unit, period=Period(start, end), child_of=ChildOf(unit))
    return headline(tallies.total())


# --- home panel -------------------------------------------------------------------------------------------


@dataclass
class OpenExam:
    exam: Exam
    in_progress: Any  # the open attempt (resume) or None
    attempts_left: int
    closes_at: dt.datetime


def open_exams(user: Any, *, now: dt.datetime | None = None) -> list[OpenExam]:
    """The published exams the user is a candidate of whose window is open now and that they can still
    start or resume, closing soonest first (two queries)."""
    if not user.has_perm(TAKE_PERM):
        return []
    now = now or clock.now()
    exams = list(
        Exam.objects.filter(
            candidates__user=user, status=ExamStatus.PUBLISHED, opens_at__lte=now, closes_at__gt=now
        ).order_by("closes_at", "pk")
    )
    if not exams:
        return []
    attempts: dict[int, list[Attempt]] = {}
    for a in Attempt.objects.filter(user=user, exam__in=exams).order_by("number"):
        attempts.setdefault(a.exam_id, []).append(a)
    out = []
    for exam in exams:
        mine = attempts.get(exam.pk, [])
        live = next((a for a in mine if a.status == AttemptStatus.IN_PROGRESS and a.ends_at > now), None)
        left = max(exam.attempts_allowed - len(mine), 0)
        if live is None and left == 0:
            continue  # every attempt used: nothing to do here any more
        out.append(OpenExam(exam=exam, in_progress=live, attempts_left=left, closes_at=exam.closes_at))
    return out


def home_panel(user: Any) -> dict[str, Any]:
    """Everyone's home panel (learners too): the exams open to the user now, in the to-do card."""
    found = open_exams(user)
    if not found:
        return {}
    return {
        "todo": True,
        "exams": found[:HOME_EXAMS],
        "total": len(found),
        "more": max(len(found) - HOME_EXAMS, 0),
        "now": clock.now(),
    }
