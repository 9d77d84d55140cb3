"""Staff register API: /api/v1/staff (list with filters, a new person), /api/v1/staff/{id} (read, change),
/api/v1/staff/{id}/record (the person's training record of a year) and /api/v1/me/training (the caller's own
record). The register needs `training.view_staff` (changes `training.manage_staff`) within the caller's
subtree; the own record needs `training.view_own_training`. Bulk loading goes through the import framework
(`POST /api/v1/imports` with the preset "员工名册")."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import require_perm
from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.training.forms_staff import MAX_YEAR, MIN_YEAR, StaffFilter, filter_staff, year_of
from xiaobao.training.models import MANAGE_STAFF, OWN_RECORD, VIEW_STAFF, StaffMember
from xiaobao.training.records import TrainingRecord, annotate_year, training_record
from xiaobao.training.staff import staff_create, staff_update

router = Router(tags=["training"])


class StaffUnitRef(Schema):
    code: str
    name: str


class StaffLayerRef(Schema):
    code: str
    name: str


class StaffOut(Schema):
    id: int
    employee_no: str
    name: str
    unit: StaffUnitRef
    layer: StaffLayerRef
    position: str
    hire_date: dt.date | None
    active: bool
    username: str | None = Field(..., description="The linked account, if any")


class StaffListOut(StaffOut):
    year: int
    hours: Decimal = Field(..., description="Hours attended in `year`")
    target_hours: Decimal | None = Field(
        ..., description="The person's target of `year` (none: no plan sets one)"
    )
    target_met: bool | None


class StaffIn(Schema):
    employee_no: str = Field(..., min_length=1, max_length=30)
    name: str = Field(..., min_length=1, max_length=60)
    unit: str = Field(..., max_length=32, description="Unit code, in your subtree")
    layer: str = Field(..., max_length=30, description="Position layer code, e.g. front_line")
    position: str = Field("", max_length=60)
    hire_date: dt.date | None = None
    active: bool = True
    username: str | None = Field(
        None,
        max_length=150,
        description="Account to link; omitted: the account whose username is the employee number, if any",
    )


class StaffPatch(Schema):
    employee_no: str | None = Field(None, min_length=1, max_length=30)
    name: str | None = Field(None, min_length=1, max_length=60)
    unit: str | None = Field(None, max_length=32)
    layer: str | None = Field(None, max_length=30)
    position: str | None = Field(None, max_length=60)
    hire_date: dt.date | None = None
    active: bool | None = None
    username: str | None = Field(None, max_length=150, description='"" unlinks the account')


class StaffListFilter(Schema):
    q: str = Field("", max_length=60, description="Employee number (prefix) or name")
    unit: str = Field("", max_length=32, description="Unit code: the unit and every unit below it")
    layer: str = Field("", max_length=30)
    active: str = Field("", description="1 active, 0 left, empty: all")
    linked: str = Field("", description="1 with an account, 0 without")
    year: int | None = Field(
        None, ge=MIN_YEAR, le=MAX_YEAR, description="Year of the hours (default: this year)"
    )


class YearQuery(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="Default: this year")


class NotInRegister(DomainError):
    status = 404


class RecordSessionOut(Schema):
    session_id: int
    date: dt.date
    title: str
    topic: str
    kind: str
    unit: str
    trainer: str
    mode: str
    hours: Decimal
    signed_by: str


class RecordExamOut(Schema):
    exam_id: int
    title: str
    kind: str
    date: dt.datetime | None
    attempts: int
    best_score: Decimal | None = Field(..., description="Percent")
    passed: bool | None
    in_progress: bool


class RecordYearOut(Schema):
    year: int
    sessions: int
    hours: Decimal


class RecordOut(Schema):
    staff: StaffOut
    year: int
    hours: Decimal
    target_hours: Decimal | None
    target_met: bool | None
    target_plan: str | None = Field(..., description="Title of the plan the target comes from")
    sessions: list[RecordSessionOut]
    years: list[RecordYearOut]
    exams: list[RecordExamOut]


def staff_out(s: StaffMember) -> dict[str, Any]:
    return {
        "id": s.pk,
        "employee_no": s.employee_no,
        "name": s.name,
        "unit": {"code": s.org_unit.code, "name": s.org_unit.name},
        "layer": {"code": s.layer.code, "name": s.layer.name},
        "position": s.position,
        "hire_date": s.hire_date,
        "active": s.active,
        "username": s.user.username if s.user_id and s.user else None,
    }


def record_out(r: TrainingRecord) -> dict[str, Any]:
    return {
        "staff": staff_out(r.staff),
        "year": r.year,
        "hours": r.hours,
        "target_hours": r.target,
        "target_met": r.met,
        "target_plan": r.plan.title if r.plan else None,
        "sessions": [
            {
                "session_id": x.session_id,
                "date": x.date,
                "title": x.title,
                "topic": x.topic,
                "kind": x.kind,
                "unit": x.unit,
                "trainer": x.trainer,
                "mode": x.mode,
                "hours": x.hours,
                "signed_by": x.method,
            }
            for x in r.sessions
        ],
        "years": [{"year": y.year, "sessions": y.sessions, "hours": y.hours} for y in r.years],
        "exams": [
            {
                "exam_id": e.exam_id,
                "title": e.title,
                "kind": e.kind,
                "date": e.date,
                "attempts": e.attempts,
                "best_score": e.best_score,
                "passed": e.passed,
                "in_progress": e.in_progress,
            }
            for e in r.exams
        ],
    }


def _visible(request: HttpRequest, staff_id: int) -> StaffMember:
    require_perm(request.user, VIEW_STAFF)
    staff = (
        StaffMember.objects.visible_to(request.user)
        .select_related("org_unit", "layer", "user")
        .filter(pk=staff_id)
        .first()
    )
    if staff is None:
        raise Http404
    return staff


def _data(payload: Schema, *, partial: bool) -> dict[str, Any]:
    raw = payload.dict(exclude_unset=partial)
    if "unit" in raw:
        raw["org_unit"] = raw.pop("unit")
    if partial:
        for key in ("employee_no", "name", "org_unit", "layer", "active"):
            if key in raw and raw[key] is None:
                raise DomainError(_("Invalid input."), fields={key: [_("This field cannot be empty.")]})
    return raw


@router.get("/staff", response=list[StaffListOut], summary="The staff register in your subtree")
@paginate(LimitOffsetPagination)
def staff_list(request: HttpRequest, filters: Query[StaffListFilter]):
    require_perm(request.user, VIEW_STAFF)
    form = StaffFilter({k: v for k, v in filters.dict().items() if v not in (None, "")})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    year = year_of(form.cleaned_data)
    qs = filter_staff(StaffMember.objects.visible_to(request.user), form.cleaned_data, request.user)
    return _PageWithHours(
        qs.select_related("org_unit", "layer", "user").order_by("org_unit__path", "employee_no"), year
    )


class _PageWithHours:
    """A queryset whose sliced page (what the paginator reads) carries each person's hours and target."""

    def __init__(self, qs: Any, year: int) -> None:
        self.qs, self.year = qs, year

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        people = annotate_year(list(self.qs[item]), self.year)
        return [
            {
                **staff_out(p),
                "year": self.year,
                "hours": p.hours,  # type: ignore[attr-defined]
                "target_hours": p.target,  # type: ignore[attr-defined]
                "target_met": p.met,  # type: ignore[attr-defined]
            }
            for p in people
        ]


@router.post("/staff", response={201: StaffOut}, summary="Add a person to the register")
def staff_post(request: HttpRequest, payload: StaffIn):
    require_perm(request.user, MANAGE_STAFF)
    data = _data(payload, partial=False)
    if data.get("username") is None:
        data.pop("username", None)
    with transaction.atomic():
        staff = staff_create(actor=request.user, data=data)
    return Status(201, staff_out(_visible(request, staff.pk)))


@router.get("/staff/{staff_id}", response=StaffOut, summary="One person of the register")
def staff_get(request: HttpRequest, staff_id: int):
    return staff_out(_visible(request, staff_id))


@router.patch("/staff/{staff_id}", response=StaffOut, summary="Change a person (only the fields given)")
def staff_patch(request: HttpRequest, staff_id: int, payload: StaffPatch):
    staff = _visible(request, staff_id)
    require_perm(request.user, MANAGE_STAFF)
    with transaction.atomic():
        staff_update(actor=request.user, staff=staff, data=_data(payload, partial=True))
    return staff_out(_visible(request, staff_id))


@router.get("/staff/{staff_id}/record", response=RecordOut, summary="A person's training record of a year")
def staff_record(request: HttpRequest, staff_id: int, query: Query[YearQuery]):
    staff = _visible(request, staff_id)
    return record_out(training_record(staff, query.year or localdate().year))


@router.get(
    "/me/training",
    response=RecordOut,
    summary="Your own training record of a year (404 when your account is linked to no one in the register)",
)
def my_training(request: HttpRequest, query: Query[YearQuery]):
    require_perm(request.user, OWN_RECORD)
    user: Any = request.user
    staff = StaffMember.objects.select_related("org_unit", "layer", "user").filter(user=user).first()
    if staff is None:
        raise NotInRegister(
            _("Your account is not linked to anyone in the staff register."), code="not_found"
        )
    return record_out(training_record(staff, query.year or localdate().year))
