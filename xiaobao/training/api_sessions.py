"""Training API: /api/v1/training/plans (list, a new plan with targets and courses, one plan),
/api/v1/training/sessions (list with filters, a new session, one session, a change),
/api/v1/training/sessions/{id}/attendance (list, add a person by employee number, remove a row) and
/api/v1/training/coverage (by layer or by unit, for a unit and year).

Reading needs `training.view_training`, changing `training.manage_training`, both within the caller's subtree
(plans of the units above are readable). The same services as the pages: field errors answer 422 with the
field's messages, refusals 403, objects outside the subtree 404."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import require_perm
from xiaobao.core.clock import localdate
from xiaobao.core.models import OrgUnit
from xiaobao.training import selectors
from xiaobao.training import services as svc
from xiaobao.training.coverage import CoverageRow, coverage, coverage_total
from xiaobao.training.models import MANAGE, VIEW, Attendance, TrainingPlan, TrainingSession

router = Router(tags=["training"])
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_ID = 2**31 - 1


class TrainingCourseIn(Schema):
    title: str = Field(..., max_length=200)
    layer: str | None = Field(None, max_length=30, description="Position layer code; none: everyone")
    topic: str = Field("", max_length=200)
    hours: Decimal = Field(Decimal("2.0"), description="Planned hours of the course")
    planned_month: int | None = Field(None, ge=1, le=12)


class TrainingPlanIn(Schema):
    year: int = Field(..., ge=MIN_YEAR, le=MAX_YEAR)
    org_unit: str = Field(..., max_length=32, description="Code of the plan's unit, in your subtree")
    title: str = Field(..., max_length=200)
    notes: str = Field("", max_length=5000)
    targets: dict[str, Decimal | None] = Field(
        default_factory=dict,
        description='Target hours per position layer code, e.g. {"front_line": 12}; null: no target',
    )
    courses: list[TrainingCourseIn] = Field(default_factory=list, max_length=200)


class TrainingCourseOut(Schema):
    id: int
    title: str
    layer: str | None
    topic: str
    hours: Decimal
    planned_month: int | None


class TrainingPlanOut(Schema):
    id: int
    year: int
    org_unit: str
    org_unit_name: str
    title: str
    notes: str
    targets: dict[str, Decimal] = Field(..., description="Target hours per position layer code")
    courses: list[TrainingCourseOut]


class TrainingPlanFilter(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)
    unit: str = Field("", max_length=32, description="Unit code: plans of the unit and below it")


class TrainingSessionIn(Schema):
    title: str = Field(..., max_length=200)
    topic: str = Field("", max_length=200)
    kind: str = Field("lecture", description="lecture, case_study, role_play, exam_instead, contest or other")
    org_unit: str = Field(..., max_length=32, description="Code of the organising unit, in your subtree")
    date: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    hours: Decimal = Field(..., description="Hours credited to each person (0.5 to 24)")
    trainer_kind: str = Field("internal", description="internal or external")
    trainer_name: str = Field("", max_length=100, description="Required for an external expert")
    mode: str = Field("onsite", description="onsite or online")
    venue: str = Field("", max_length=200)
    layers: list[str] = Field(default_factory=list, max_length=20, description="Position layer codes")
    description: str = Field("", max_length=5000)
    plan: int | None = Field(None, ge=1, le=MAX_ID, description="Id of a plan of the session's year")
    course: int | None = Field(None, ge=1, le=MAX_ID, description="Id of a course of that plan")


class TrainingSessionPatch(Schema):
    title: str | None = Field(None, max_length=200)
    topic: str | None = Field(None, max_length=200)
    kind: str | None = None
    org_unit: str | None = Field(None, max_length=32)
    date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    hours: Decimal | None = None
    trainer_kind: str | None = None
    trainer_name: str | None = Field(None, max_length=100)
    mode: str | None = None
    venue: str | None = Field(None, max_length=200)
    layers: list[str] | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=5000)
    plan: int | None = Field(None, ge=1, le=MAX_ID)
    course: int | None = Field(None, ge=1, le=MAX_ID)
    signin_open: bool | None = Field(None, description="Open or close the QR sign-in")


class TrainingMaterialOut(Schema):
    id: int
    name: str
    size: int


class TrainingSessionOut(Schema):
    id: int
    title: str
    topic: str
    kind: str
    org_unit: str
    org_unit_name: str
    date: dt.date
    start_time: dt.time | None
    end_time: dt.time | None
    hours: Decimal
    trainer_kind: str
    trainer_name: str
    mode: str
    venue: str
    layers: list[str]
    description: str
    plan: int | None
    course: int | None
    signin_open: bool
    attendance_count: int
    materials: list[TrainingMaterialOut]


class TrainingSessionListOut(Schema):
    id: int
    title: str
    kind: str
    org_unit: str
    date: dt.date
    hours: Decimal
    trainer_kind: str
    mode: str
    plan: int | None
    attendance_count: int


class TrainingSessionFilter(Schema):
    q: str = Field("", max_length=100)
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)
    month: int | None = Field(None, ge=1, le=12)
    unit: str = Field("", max_length=32, description="Unit code: sessions of the unit and below it")
    kind: str = Field("", max_length=20)
    mode: str = Field("", max_length=10)
    when: str = Field("", description="upcoming (today and later) or past")


class TrainingAttendanceIn(Schema):
    employee_no: str = Field(..., min_length=1, max_length=30)
    hours: Decimal | None = Field(None, description="Hours credited; default: the session's")


class TrainingAttendanceOut(Schema):
    id: int
    employee_no: str
    name: str
    org_unit: str
    layer: str
    hours: Decimal
    method: str = Field(..., description="qr, import, manual or exam")
    signed_at: dt.datetime


class TrainingCoverageRowOut(Schema):
    key: str = Field(..., description="The layer's code or the unit's code")
    label: str
    people: int = Field(..., description="Active staff with a target for the year")
    covered: int = Field(..., description="Of those, reaching their target hours")
    share: float | None = Field(..., description="covered / people (0..1), null without people")
    hours: Decimal
    person_times: int


class TrainingCoverageOut(Schema):
    year: int
    unit: str
    by: str
    rows: list[TrainingCoverageRowOut]
    total: TrainingCoverageRowOut


class TrainingCoverageQuery(Schema):
    unit: str = Field("", max_length=32, description="Unit code (default: the top of your subtree)")
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="Default: this year")
    by: str = Field("layer", pattern="^(layer|unit)$", description="layer, or unit (the unit's children)")


# --- shaping ------------------------------------------------------------------------------------------------


def plan_out(plan: TrainingPlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "year": plan.year,
        "org_unit": plan.org_unit.code,
        "org_unit_name": plan.org_unit.name,
        "title": plan.title,
        "notes": plan.notes,
        "targets": {t.layer.code: t.target_hours for t in plan.targets.all()},
        "courses": [
            {
                "id": c.pk,
                "title": c.title,
                "layer": c.layer.code if c.layer else None,
                "topic": c.topic,
                "hours": c.hours,
                "planned_month": c.planned_month,
            }
            for c in plan.courses.all()
        ],
    }


def session_out(session: TrainingSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "title": session.title,
        "topic": session.topic,
        "kind": session.kind,
        "org_unit": session.org_unit.code,
        "org_unit_name": session.org_unit.name,
        "date": session.date,
        "start_time": session.start_time,
        "end_time": session.end_time,
        "hours": session.hours,
        "trainer_kind": session.trainer_kind,
        "trainer_name": session.trainer_name,
        "mode": session.mode,
        "venue": session.venue,
        "layers": [layer.code for layer in session.layers.all()],
        "description": session.description,
        "plan": session.plan_id,
        "course": session.course_id,
        "signin_open": session.signin_open,
        "attendance_count": session.attendances.count(),
        "materials": [{"id": m.pk, "name": m.name, "size": m.size} for m in session.materials.all()],
    }


def attendance_out(row: Attendance) -> dict[str, Any]:
    return {
        "id": row.pk,
        "employee_no": row.staff.employee_no,
        "name": row.staff.name,
        "org_unit": row.staff.org_unit.code,
        "layer": row.staff.layer.code,
        "hours": row.hours,
        "method": row.method,
        "signed_at": row.signed_at,
    }


def coverage_row_out(row: CoverageRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "people": row.people,
        "covered": row.covered,
        "share": row.share,
        "hours": row.hours,
        "person_times": row.person_times,
    }


def _plan(request: HttpRequest, plan_id: int) -> TrainingPlan:
    require_perm(request.user, VIEW)
    plan = selectors.plan_detail(request.user, plan_id)
    if plan is None:
        raise Http404
    return plan


def _session(request: HttpRequest, session_id: int) -> TrainingSession:
    require_perm(request.user, VIEW)
    session = selectors.session_detail(request.user, session_id)
    if session is None:
        raise Http404
    return session


def _unit_in_view(request: HttpRequest, code: str) -> OrgUnit:
    unit = OrgUnit.objects.visible_to(request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


# --- plans --------------------------------------------------------------------------------------------------


@router.get("/training/plans", response=list[TrainingPlanOut], summary="Training plans in your view")
@paginate(LimitOffsetPagination)
def plan_list(request: HttpRequest, filters: Query[TrainingPlanFilter]):
    require_perm(request.user, VIEW)
    unit = _unit_in_view(request, filters.unit) if filters.unit else None
    return [plan_out(p) for p in selectors.plans(request.user, year=filters.year, unit=unit)]


@router.post(
    "/training/plans",
    response={201: TrainingPlanOut},
    summary="A unit's plan of a year, with target hours per position layer and its courses",
)
def plan_create(request: HttpRequest, payload: TrainingPlanIn):
    require_perm(request.user, MANAGE)
    data = payload.dict()
    plan = svc.plan_create(actor=request.user, data=data)
    return Status(201, plan_out(selectors.plan_detail(request.user, plan.pk) or plan))


@router.get("/training/plans/{plan_id}", response=TrainingPlanOut, summary="A plan with targets and courses")
def plan_get(request: HttpRequest, plan_id: int):
    return plan_out(_plan(request, plan_id))


# --- sessions -----------------------------------------------------------------------------------------------


@router.get("/training/sessions", response=list[TrainingSessionListOut], summary="Sessions in your view")
@paginate(LimitOffsetPagination)
def session_list(request: HttpRequest, filters: Query[TrainingSessionFilter]):
    require_perm(request.user, VIEW)
    data: dict[str, Any] = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    if "unit" in data:
        data["unit"] = _unit_in_view(request, data["unit"])
    qs = selectors.filter_sessions(selectors.sessions(request.user), data)
    return [
        {
            "id": s.pk,
            "title": s.title,
            "kind": s.kind,
            "org_unit": s.org_unit.code,
            "date": s.date,
            "hours": s.hours,
            "trainer_kind": s.trainer_kind,
            "mode": s.mode,
            "plan": s.plan_id,
            "attendance_count": s.attendance_count,  # type: ignore[attr-defined]  # annotated
        }
        for s in qs
    ]


@router.post("/training/sessions", response={201: TrainingSessionOut}, summary="Record a session")
def session_create(request: HttpRequest, payload: TrainingSessionIn):
    require_perm(request.user, MANAGE)
    session = svc.session_create(actor=request.user, data=payload.dict())
    return Status(201, session_out(selectors.session_detail(request.user, session.pk) or session))


@router.get("/training/sessions/{session_id}", response=TrainingSessionOut, summary="A session")
def session_get(request: HttpRequest, session_id: int):
    return session_out(_session(request, session_id))


@router.patch(
    "/training/sessions/{session_id}",
    response=TrainingSessionOut,
    summary="Change a session (the given fields); its attendance follows the date and the hours",
)
def session_patch(request: HttpRequest, session_id: int, payload: TrainingSessionPatch):
    require_perm(request.user, MANAGE)
    session = _session(request, session_id)
    data = payload.dict(exclude_unset=True)
    signin_open = data.pop("signin_open", None)
    with transaction.atomic():
        if data:
            session = svc.session_update(actor=request.user, session=session, data=data)
        if signin_open is not None:
            session = svc.session_signin_open(actor=request.user, session=session, open=signin_open)
    return session_out(selectors.session_detail(request.user, session.pk) or session)


# --- attendance ---------------------------------------------------------------------------------------------


@router.get(
    "/training/sessions/{session_id}/attendance",
    response=list[TrainingAttendanceOut],
    summary="The people recorded at a session",
)
def attendance_list(request: HttpRequest, session_id: int):
    session = _session(request, session_id)
    return [attendance_out(a) for a in selectors.attendance_of(session)]


@router.post(
    "/training/sessions/{session_id}/attendance",
    response={200: TrainingAttendanceOut, 201: TrainingAttendanceOut},
    summary="Record a person (employee number) at the session: 201, or 200 when recorded already",
)
def attendance_add(request: HttpRequest, session_id: int, payload: TrainingAttendanceIn):
    require_perm(request.user, MANAGE)
    session = _session(request, session_id)
    row, created = svc.attendance_add(
        actor=request.user, session=session, employee_no=payload.employee_no, hours=payload.hours
    )
    row = selectors.attendance_of(session).get(pk=row.pk)
    return Status(201 if created else 200, attendance_out(row))


@router.delete(
    "/training/sessions/{session_id}/attendance/{attendance_id}",
    response={204: None},
    summary="Remove a person from the session's attendance",
)
def attendance_delete(request: HttpRequest, session_id: int, attendance_id: int):
    require_perm(request.user, MANAGE)
    session = _session(request, session_id)
    row = (
        selectors.attendance_of(session).filter(pk=attendance_id).first() if attendance_id <= MAX_ID else None
    )
    if row is None:
        raise Http404
    svc.attendance_remove(actor=request.user, attendance=row)
    return Status(204, None)


# --- coverage -----------------------------------------------------------------------------------------------


@router.get(
    "/training/coverage",
    response=TrainingCoverageOut,
    summary="Coverage of a unit's subtree in a year, by position layer or by unit",
)
def coverage_get(request: HttpRequest, query: Query[TrainingCoverageQuery]):
    require_perm(request.user, VIEW)
    unit = _unit_in_view(request, query.unit) if query.unit else selectors.root_unit(request.user)
    if unit is None:
        raise Http404
    year = query.year or localdate().year
    rows = coverage(user=request.user, unit=unit, year=year, by=query.by)
    return {
        "year": year,
        "unit": unit.code,
        "by": query.by,
        "rows": [coverage_row_out(r) for r in rows],
        "total": coverage_row_out(coverage_total(rows)),
    }
