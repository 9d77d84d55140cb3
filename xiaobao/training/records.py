"""A person's training record: the sessions attended and the hours of a year against the person's target,
the hours of every year, and the exams taken with their results (read from `exams.Attempt`); Excel exports
of one record and of the register with each person's hours.

Hours are counted by the session's day (`Attendance.date`) in the calendar year. The target is the nearest
plan up the tree with a target for the person's layer (`targets.target_hours_for`, the rule coverage uses).
Exams are the attempts of the person's linked account; a person without an account has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from xiaobao.core.exports import xlsx_book_bytes
from xiaobao.training.models import Attendance, StaffMember, TrainingPlan
from xiaobao.training.targets import describe, target_hours_for, target_table  # noqa: F401  (re-exported)

ZERO = Decimal("0")


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@dataclass
class SessionLine:
    date: dt.date
    title: str
    topic: str
    kind: str
    unit: str
    trainer: str
    mode: str
    hours: Decimal
    method: str
    session_id: int


@dataclass
class ExamLine:
    exam_id: int
    title: str
    kind: str
    kind_label: str
    date: dt.datetime | None
    attempts: int
    best_score: Decimal | None
    passed: bool | None
    in_progress: bool


@dataclass
class YearLine:
    year: int
    sessions: int
    hours: Decimal


@dataclass
class TrainingRecord:
    staff: StaffMember
    year: int
    target: Decimal | None
    plan: TrainingPlan | None
    hours: Decimal
    sessions: list[SessionLine] = field(default_factory=list)
    years: list[YearLine] = field(default_factory=list)
    exams: list[ExamLine] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.hours >= self.target

    @property
    def remaining(self) -> Decimal | None:
        return None if self.target is None else max(self.target - self.hours, ZERO)

    @property
    def percent(self) -> int | None:
        """Hours as a share of the target (capped at 100) for the progress bar."""
        if self.target is None:
            return None
        if self.target <= 0:
            return 100
        return min(100, int(self.hours * 100 / self.target))

    @property
    def exams_passed(self) -> int:
        return sum(1 for e in self.exams if e.passed)


def _exams(user_id: int | None, year: int) -> list[ExamLine]:
    if user_id is None:
        return []
    from xiaobao.exams.models import Attempt

    start, end = year_range(year)
    tz = timezone.get_default_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    attempts = (
        Attempt.objects.filter(user_id=user_id, started_at__gte=since, started_at__lt=until)
        .select_related("exam")
        .order_by("started_at", "pk")
    )
    by_exam: dict[int, ExamLine] = {}
    for a in attempts:
        line = by_exam.get(a.exam_id)
        if line is None:
            line = by_exam[a.exam_id] = ExamLine(
                exam_id=a.exam_id,
                title=a.exam.title,
                kind=a.exam.kind,
                kind_label=str(a.exam.get_kind_display()),
                date=None,
                attempts=0,
                best_score=None,
                passed=None,
                in_progress=False,
            )
        line.attempts += 1
        if a.status != "submitted":
            line.in_progress = True
            line.date = line.date or a.started_at
            continue
        line.date = a.submitted_at or a.started_at
        if a.score is not None and (line.best_score is None or a.score > line.best_score):
            line.best_score = a.score
        if a.passed is not None:
            line.passed = bool(line.passed) or a.passed
    return sorted(by_exam.values(), key=lambda e: (e.date or timezone.now(), e.exam_id), reverse=True)


def _trainer(session: Any) -> str:
    """The trainer's name; an external expert is said so (an internal trainer without a name: nothing)."""
    if session.trainer_kind == "external":
        return " ".join(p for p in (str(session.get_trainer_kind_display()), session.trainer_name) if p)
    return str(session.trainer_name)


def training_record(staff: StaffMember, year: int) -> TrainingRecord:
    """The person's record of `year` (sessions, hours, target) with the hours of every year and the exams."""
    start, end = year_range(year)
    attendances = (
        Attendance.objects.filter(staff=staff, date__gte=start, date__lte=end)
        .select_related("session", "session__org_unit")
        .order_by("date", "session_id")
    )
    sessions = [
        SessionLine(
            date=a.date,
            title=a.session.title,
            topic=a.session.topic,
            kind=str(a.session.get_kind_display()),
            unit=a.session.org_unit.name,
            trainer=_trainer(a.session),
            mode=str(a.session.get_mode_display()),
            hours=a.hours,
            method=str(a.get_method_display()),
            session_id=a.session_id,
        )
        for a in attendances
    ]
    years = [
        YearLine(year=row["date__year"], sessions=row["n"], hours=row["h"] or ZERO)
        for row in Attendance.objects.filter(staff=staff)
        .values("date__year")
        .annotate(n=Count("pk"), h=Sum("hours"))
        .order_by("-date__year")
    ]
    target = describe(staff, year)
    return TrainingRecord(
        staff=staff,
        year=year,
        target=target["hours"],
        plan=target["plan"],
        hours=sum((s.hours for s in sessions), ZERO),
        sessions=sessions,
        years=years,
        exams=_exams(staff.user_id, year),
    )


def hours_by_staff(staff_ids: Iterable[int] | QuerySet[Any] | None, year: int) -> dict[int, Decimal]:
    """{staff id: attended hours in `year`} of the given people (ids, or a queryset of their ids used as a
    subquery; all people when None), one grouped query."""
    start, end = year_range(year)
    qs = Attendance.objects.filter(date__gte=start, date__lte=end)
    if isinstance(staff_ids, QuerySet):
        qs = qs.filter(staff_id__in=staff_ids)
    elif staff_ids is not None:
        qs = qs.filter(staff_id__in=list(staff_ids))
    return {
        sid: hours or ZERO
        for sid, hours in qs.values("staff_id").annotate(h=Sum("hours")).values_list("staff_id", "h")
    }


def annotate_year(people: list[StaffMember], year: int) -> list[StaffMember]:
    """Give each person of a page `.hours` and `.target` of the year (two queries for the page)."""
    hours = hours_by_staff([p.pk for p in people], year)
    table = target_table(year)
    for p in people:
        p.hours = hours.get(p.pk, ZERO)  # type: ignore[attr-defined]
        p.target = table.for_unit(p.org_unit.path, p.layer_id)  # type: ignore[attr-defined]
        p.met = None if p.target is None else p.hours >= p.target  # type: ignore[attr-defined]
    return people


def layer_counts(qs: QuerySet[StaffMember]) -> list[dict[str, Any]]:
    """People of the (filtered) register per layer: all and active."""
    rows = (
        qs.order_by()
        .values("layer__code", "layer__name", "layer__sort_order")
        .annotate(n=Count("pk"), active_n=Count("pk", filter=Q(active=True)))
        .order_by("layer__sort_order", "layer__code")
    )
    return [
        {"code": r["layer__code"], "name": r["layer__name"], "n": r["n"], "active": r["active_n"]}
        for r in rows
    ]


# --- Excel ----------------------------------------------------------------------------------------------


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def record_workbook(record: TrainingRecord) -> bytes:
    """One person's record: a summary sheet, the year's sessions, the hours of every year, the exams."""
    s = record.staff
    summary = [
        (_("Employee number"), s.employee_no),
        (pgettext("person", "Name"), s.name),
        (_("Unit"), f"{s.org_unit.name} ({s.org_unit.code})"),
        (_("Position layer"), s.layer.name),
        (_("Position"), s.position),
        (_("Hire date"), s.hire_date),
        (pgettext("staff", "Active"), _yes_no(s.active)),
        (_("Year"), record.year),
        (_("Hours attended"), float(record.hours)),
        (_("Target hours"), float(record.target) if record.target is not None else ""),
        (_("Target met"), _yes_no(record.met)),
        (_("Plan"), record.plan.title if record.plan else ""),
    ]
    sessions = [
        (x.date, x.title, x.topic, x.kind, x.unit, x.trainer, x.mode, float(x.hours), x.method)
        for x in record.sessions
    ]
    years = [(y.year, y.sessions, float(y.hours)) for y in record.years]
    exams = [
        (
            e.title,
            e.kind_label,
            e.date,
            e.attempts,
            float(e.best_score) if e.best_score is not None else "",
            _("in progress") if e.in_progress and e.passed is None else _yes_no(e.passed),
        )
        for e in record.exams
    ]
    return xlsx_book_bytes(
        [
            (_("Record"), [_("Field"), pgettext("record sheet", "Value")], summary),
            (
                _("Sessions %(year)d") % {"year": record.year},
                [
                    _("Date"),
                    _("Session"),
                    _("Topic"),
                    _("Kind"),
                    _("Organising unit"),
                    _("Trainer"),
                    _("Mode"),
                    _("Hours"),
                    _("Signed by"),
                ],
                sessions,
            ),
            (_("Hours per year"), [_("Year"), _("Sessions"), _("Hours")], years),
            (
                _("Exams %(year)d") % {"year": record.year},
                [_("Exam"), _("Kind"), _("Date"), _("Attempts"), _("Best score (%)"), _("Passed")],
                exams,
            ),
        ]
    )


REGISTER_HEADERS = (
    gettext_lazy("Employee number"),
    pgettext_lazy("person", "Name"),
    gettext_lazy("Unit code"),
    gettext_lazy("Unit"),
    gettext_lazy("Position layer"),
    gettext_lazy("Position"),
    gettext_lazy("Hire date"),
    pgettext_lazy("staff", "Active"),
    pgettext_lazy("staff", "Account"),
    gettext_lazy("Hours %(year)d"),
    gettext_lazy("Target hours"),
    gettext_lazy("Target met"),
)


def register_rows(qs: QuerySet[StaffMember], year: int) -> Iterator[tuple[Any, ...]]:
    """The register as filtered, each person with the year's hours and target (a grouped query for the
    hours, the targets resolved in memory, the people read in chunks)."""
    hours = hours_by_staff(qs.order_by().values("pk"), year)
    table = target_table(year)
    people = qs.select_related("org_unit", "layer", "user").order_by("org_unit__path", "employee_no")
    for p in people.iterator(chunk_size=2000):
        h = hours.get(p.pk, ZERO)
        target = table.for_unit(p.org_unit.path, p.layer_id)
        yield (
            p.employee_no,
            p.name,
            p.org_unit.code,
            p.org_unit.name,
            p.layer.name,
            p.position,
            p.hire_date,
            _yes_no(p.active),
            p.user.username if p.user_id and p.user else "",
            float(h),
            float(target) if target is not None else "",
            _yes_no(None if target is None else h >= target),
        )


def register_workbook(qs: QuerySet[StaffMember], year: int) -> bytes:
    headers = [str(h) % {"year": year} if "%(year)d" in str(h) else str(h) for h in REGISTER_HEADERS]
    return xlsx_book_bytes([(_("Staff register"), headers, register_rows(qs, year))])
