"""Training's read side: plans, sessions and attendance as the acting user may see them (`visible_to`), the
home page's figures, and the Excel export of a session's attendance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_bytes
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import ALL, subtree_q, user_scope
from xiaobao.training.choices import SignInMethod
from xiaobao.training.coverage import CoverageRow, coverage, coverage_total
from xiaobao.training.models import (
    Attendance,
    LayerTarget,
    PlanCourse,
    SessionMaterial,
    TrainingPlan,
    TrainingSession,
)


def root_unit(user: Any) -> OrgUnit | None:
    """The top of what the user sees: head office for a user who sees every unit, else their own unit."""
    scope = user_scope(user)
    if scope is None:
        return None
    if scope == ALL:
        return OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    return scope  # type: ignore[return-value]


# --- plans --------------------------------------------------------------------------------------------------


def plans(user: Any, *, year: int | None = None, unit: OrgUnit | None = None) -> QuerySet[TrainingPlan]:
    qs = (
        TrainingPlan.objects.visible_to(user)
        .select_related("org_unit")
        .prefetch_related(Prefetch("targets", queryset=LayerTarget.objects.select_related("layer")))
        .annotate(
            course_count=Count("courses", distinct=True),
            session_count=Count("sessions", distinct=True),
        )
    )
    if year:
        qs = qs.filter(year=year)
    if unit is not None:
        qs = qs.filter(subtree_q(unit.path, "org_unit__path"))
    return qs.order_by("-year", "org_unit__path")


def plan_detail(user: Any, pk: int) -> TrainingPlan | None:
    return (
        TrainingPlan.objects.visible_to(user)
        .select_related("org_unit", "created_by")
        .prefetch_related(
            Prefetch("targets", queryset=LayerTarget.objects.select_related("layer")),
            Prefetch(
                "courses", queryset=PlanCourse.objects.select_related("layer").order_by("planned_month", "pk")
            ),
        )
        .filter(pk=pk)
        .first()
    )


def plans_in_force(user: Any, year: int) -> list[TrainingPlan]:
    """The plans of the year that apply to the user's part of the tree: those of the units above the user's
    root unit and of the root unit itself (the nearest first), then those below it."""
    qs = list(plans(user, year=year))
    root = root_unit(user)
    if root is None:
        return qs
    above = [p for p in qs if root.path.startswith(p.org_unit.path)]
    below = [p for p in qs if p not in above]
    return sorted(above, key=lambda p: -len(p.org_unit.path)) + below


def plan_choices(user: Any) -> QuerySet[TrainingPlan]:
    return (
        TrainingPlan.objects.visible_to(user).select_related("org_unit").order_by("-year", "org_unit__path")
    )


# --- sessions -----------------------------------------------------------------------------------------------


def sessions(user: Any) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.visible_to(user)
        .select_related("org_unit", "plan", "course")
        .annotate(
            attendance_count=Count("attendances", distinct=True),
            attendance_hours=Sum("attendances__hours"),
        )
    )


def filter_sessions(qs: QuerySet[TrainingSession], filters: dict[str, Any]) -> QuerySet[TrainingSession]:
    if filters.get("q"):
        text = filters["q"]
        qs = qs.filter(Q(title__icontains=text) | Q(topic__icontains=text) | Q(trainer_name__icontains=text))
    if filters.get("year"):
        qs = qs.filter(date__year=filters["year"])
    if filters.get("month"):
        qs = qs.filter(date__month=filters["month"])
    if filters.get("unit") is not None:
        qs = qs.filter(subtree_q(filters["unit"].path, "org_unit__path"))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("mode"):
        qs = qs.filter(mode=filters["mode"])
    if filters.get("trainer_kind"):
        qs = qs.filter(trainer_kind=filters["trainer_kind"])
    if filters.get("plan") is not None:
        qs = qs.filter(plan=filters["plan"])
    when = filters.get("when")
    today = localdate()
    if when == "upcoming":
        qs = qs.filter(date__gte=today).order_by("date", "start_time", "pk")
    elif when == "past":
        qs = qs.filter(date__lt=today).order_by("-date", "-pk")
    else:
        qs = qs.order_by("-date", "-start_time", "-pk")
    return qs


def session_detail(user: Any, pk: int) -> TrainingSession | None:
    return (
        TrainingSession.objects.visible_to(user)
        .select_related("org_unit", "plan", "plan__org_unit", "course", "created_by")
        .prefetch_related(
            "layers",
            Prefetch(
                "materials", queryset=SessionMaterial.objects.select_related("uploaded_by").order_by("pk")
            ),
        )
        .filter(pk=pk)
        .first()
    )


def attendance_of(session: TrainingSession) -> QuerySet[Attendance]:
    return session.attendances.select_related(
        "staff", "staff__org_unit", "staff__layer", "recorded_by"
    ).order_by("staff__org_unit__path", "staff__employee_no")


@dataclass
class AttendanceSummary:
    people: int
    hours: Any
    by_method: dict[str, int]


def attendance_summary(session: TrainingSession) -> AttendanceSummary:
    rows = list(session.attendances.values("method").annotate(n=Count("id"), h=Sum("hours")))
    return AttendanceSummary(
        people=sum(r["n"] for r in rows),
        hours=sum((r["h"] for r in rows if r["h"] is not None), start=0),
        by_method={r["method"]: r["n"] for r in rows},
    )


def attendance_workbook(session: TrainingSession) -> bytes:
    methods = dict(SignInMethod.choices)
    rows = (
        (
            a.staff.employee_no,
            a.staff.name,
            a.staff.org_unit.name,
            a.staff.layer.name,
            float(a.hours),
            str(methods.get(a.method, a.method)),
            a.signed_at,
        )
        for a in attendance_of(session)
    )
    headers = [
        _("Employee number"),
        pgettext("person", "Name"),
        _("Unit"),
        _("Position layer"),
        _("Hours"),
        _("Signed by"),
        _("Signed at"),
    ]
    return xlsx_bytes(f"{session.date:%Y%m%d}", headers, rows)


# --- the home page ------------------------------------------------------------------------------------------


@dataclass
class Home:
    year: int
    unit: OrgUnit | None
    plans: list[TrainingPlan]
    upcoming: list[TrainingSession]
    recent: list[TrainingSession]
    coverage: list[CoverageRow]
    total: CoverageRow
    sessions_this_year: int
    person_times: int


def home(user: Any, *, today: dt.date | None = None) -> Home:
    today = today or localdate()
    unit = root_unit(user)
    base = sessions(user)
    rows = coverage(user=user, unit=unit, year=today.year) if unit is not None else []
    total = coverage_total(rows)
    year_sessions = TrainingSession.objects.visible_to(user).filter(date__year=today.year)
    return Home(
        year=today.year,
        unit=unit,
        plans=plans_in_force(user, today.year)[:6],
        upcoming=list(base.filter(date__gte=today).order_by("date", "start_time", "pk")[:8]),
        recent=list(base.filter(date__lt=today).order_by("-date", "-pk")[:8]),
        coverage=rows,
        total=total,
        sessions_this_year=year_sessions.count(),
        person_times=Attendance.objects.filter(session__in=year_sessions).count(),
    )
