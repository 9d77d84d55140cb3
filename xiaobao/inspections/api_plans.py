"""Inspection plans API: /api/v1/inspections/plans (list, create), /{id} (detail), /{id}/draw, /{id}/publish,
/{id}/close. Units, checklists and inspectors are named by code and username; errors in the one shape."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError
from xiaobao.core.models import OrgUnit
from xiaobao.inspections.choices import PlanKind
from xiaobao.inspections.models import ChecklistTemplate, InspectionPlan
from xiaobao.inspections.plan_selectors import (
    PlanFilter,
    plan_actions,
    plan_get,
    plan_list,
    plan_tasks,
    sample_rows,
    sample_summary,
)
from xiaobao.inspections.plans import PLAN, VIEW, PlanInput, plan_close, plan_create, plan_draw, plan_publish

router = Router(tags=["inspection plans"])


class PlanIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    kind: PlanKind
    template: str = Field(
        ..., max_length=40, description="Checklist family code (its current version is used)"
    )
    period_start: dt.date
    period_end: dt.date
    inspecting_unit: str = Field("", max_length=32, description="Unit code (default: your own unit)")
    scope_unit: str = Field(..., max_length=32, description="Code of the unit whose outlets are inspected")
    outlet_count: int = Field(..., ge=1, le=100_000)
    exclude_recent_days: int = Field(0, ge=0, le=10_000, description="0: leave nobody out")
    risk_weighted: bool = False


class VersionIn(Schema):
    version: int | None = Field(None, ge=1, le=2**31, description="The plan's version you saw (409 if stale)")


class DrawIn(VersionIn):
    seed: int | None = Field(None, ge=0, lt=2**63, description="Redraw with this seed (default: a new one)")


class PublishIn(VersionIn):
    inspectors: list[str] = Field(
        ..., max_length=200, description="Usernames, assigned round-robin in this order"
    )
    due_working_days: int | None = Field(
        None, ge=1, le=250, description="Due this many working days after publication (default: period end)"
    )


class PlanOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    version: int
    template: str = Field(..., description="Checklist family code")
    template_version: int
    period_start: dt.date
    period_end: dt.date
    inspecting_unit: str
    scope_unit: str
    outlet_count: int
    exclude_recent_days: int
    risk_weighted: bool
    seed: int

    @staticmethod
    def resolve_template(obj: Any) -> str:
        return obj["template"] if isinstance(obj, dict) else obj.template.code

    @staticmethod
    def resolve_template_version(obj: Any) -> int:
        return obj["template_version"] if isinstance(obj, dict) else obj.template.version

    @staticmethod
    def resolve_inspecting_unit(obj: Any) -> str:
        return obj["inspecting_unit"] if isinstance(obj, dict) else obj.inspecting_unit.code

    @staticmethod
    def resolve_scope_unit(obj: Any) -> str:
        return obj["scope_unit"] if isinstance(obj, dict) else obj.scope_unit.code


class PickOut(Schema):
    rank: int
    outlet: str = Field(..., description="Outlet code")
    outlet_name: str
    reason: str = Field(..., description="overdue (not inspected for a year), risk (weighted draw), random")
    reason_label: str
    last_inspected: dt.date | None
    complaints: int = Field(..., description="Complaints in the 12 months before the draw")
    customers: int | None = Field(..., description="Customers from the unit's yearly figures (null: unknown)")
    rate: float = Field(
        ..., description="Complaints per 10,000 customers (the count when customers are unknown)"
    )
    weight: float


class PlanSampleOut(Schema):
    as_of: dt.date
    drawn_at: dt.datetime
    drawn_by: str
    eligible: int
    excluded: int
    candidates: int
    replays: bool = Field(..., description="The stored seed and inputs give exactly this sample")
    picks: list[PickOut]


class TaskOut(Schema):
    id: int
    reference: str
    outlet: str
    inspector: str | None
    status: str
    due_date: dt.date | None
    percent: float | None
    stars: int | None


class PlanDetailOut(PlanOut):
    sample: PlanSampleOut | None
    tasks: list[TaskOut]
    allowed_actions: list[str]


class PlanListFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    kind: PlanKind | None = None
    status: str = Field("", pattern="^(|draft|published|closed)$")
    unit: str = Field("", max_length=32)


def plan_out(p: InspectionPlan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "status": p.status,
        "version": p.version,
        "template": p.template.code,
        "template_version": p.template.version,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "inspecting_unit": p.inspecting_unit.code,
        "scope_unit": p.scope_unit.code,
        "outlet_count": p.outlet_count,
        "exclude_recent_days": p.exclude_recent_days,
        "risk_weighted": p.risk_weighted,
        "seed": p.seed,
    }


def detail_out(p: InspectionPlan, user: Any) -> dict[str, Any]:
    summary = sample_summary(p)
    sample = None
    if summary:
        picks = [{**r.__dict__, "outlet": r.code, "outlet_name": r.name} for r in sample_rows(p)]
        sample = {**summary, "picks": picks}
    tasks = [
        {
            "id": t.pk,
            "reference": t.reference,
            "outlet": t.org_unit.code,
            "inspector": t.handler.username if t.handler else None,
            "status": t.status,
            "due_date": t.due_date,
            "percent": float(t.percent) if t.percent is not None else None,
            "stars": t.stars,
        }
        for t in plan_tasks(user=user, plan=p)
    ]
    return {**plan_out(p), "sample": sample, "tasks": tasks, "allowed_actions": plan_actions(user, p)}


def _visible(request: HttpRequest, plan_id: int) -> InspectionPlan:
    require_perm(request.user, VIEW)
    plan = plan_get(user=request.user, pk=plan_id)
    if plan is None:
        get_visible(InspectionPlan.objects.none(), pk=plan_id)  # raises the shared 404
    return plan  # type: ignore[return-value]


def _for_action(request: HttpRequest, plan_id: int) -> InspectionPlan:
    plan = _visible(request, plan_id)
    require_perm(request.user, PLAN)
    return plan


def _unit(user: Any, code: str, field: str) -> OrgUnit:
    unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise DomainError(_("Unknown unit."), fields={field: [_("No unit with this code in your scope.")]})
    return unit


def _template(code: str) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(code=code, is_current=True).first()
    if template is None:
        raise DomainError(_("Unknown checklist."), fields={"template": [_("No checklist with this code.")]})
    return template


@router.get("/inspections/plans", response=list[PlanOut], summary="Inspection plans in your scope, by period")
@paginate(LimitOffsetPagination)
def plans(request: HttpRequest, filters: Query[PlanListFilter]):
    require_perm(request.user, VIEW)
    form = PlanFilter({k: v for k, v in filters.dict().items() if v not in (None, "")})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return plan_list(user=request.user, filters=form.cleaned_data)


@router.post("/inspections/plans", response={201: PlanDetailOut}, summary="Create a draft plan")
def plan_new(request: HttpRequest, payload: PlanIn):
    require_perm(request.user, PLAN)
    user: Any = request.user
    inspecting = _unit(user, payload.inspecting_unit, "inspecting_unit") if payload.inspecting_unit else None
    if inspecting is None and user.org_unit is None:
        raise DomainError(
            _("Name the inspecting unit."), fields={"inspecting_unit": [_("This field is required.")]}
        )
    data = PlanInput(
        name=payload.name,
        kind=payload.kind,
        template=_template(payload.template),
        period_start=payload.period_start,
        period_end=payload.period_end,
        inspecting_unit=inspecting or user.org_unit,
        scope_unit=_unit(user, payload.scope_unit, "scope_unit"),
        outlet_count=payload.outlet_count,
        exclude_recent_days=payload.exclude_recent_days,
        risk_weighted=payload.risk_weighted,
    )
    plan = plan_create(actor=user, data=data)
    return Status(201, detail_out(plan, user))


@router.get(
    "/inspections/plans/{plan_id}", response=PlanDetailOut, summary="One plan: sample, tasks, actions"
)
def plan_detail(request: HttpRequest, plan_id: int):
    return detail_out(_visible(request, plan_id), request.user)


@router.post(
    "/inspections/plans/{plan_id}/draw", response=PlanDetailOut, summary="Draw (or redraw) the sample"
)
def plan_draw_api(request: HttpRequest, plan_id: int, payload: DrawIn):
    plan = _for_action(request, plan_id)
    plan = plan_draw(actor=request.user, plan=plan, seed=payload.seed, expected_version=payload.version)
    return detail_out(plan, request.user)


@router.post(
    "/inspections/plans/{plan_id}/publish",
    response=PlanDetailOut,
    summary="Publish: one inspection task per sampled outlet, inspectors round-robin",
)
def plan_publish_api(request: HttpRequest, plan_id: int, payload: PublishIn):
    plan = _for_action(request, plan_id)
    plan = plan_publish(
        actor=request.user,
        plan=plan,
        inspectors=payload.inspectors,
        due_working_days=payload.due_working_days,
        expected_version=payload.version,
    )
    return detail_out(plan, request.user)


@router.post(
    "/inspections/plans/{plan_id}/close",
    response=PlanDetailOut,
    summary="Close a published plan (its unstarted tasks are cancelled)",
)
def plan_close_api(request: HttpRequest, plan_id: int, payload: VersionIn):
    plan = _for_action(request, plan_id)
    plan = plan_close(actor=request.user, plan=plan, expected_version=payload.version)
    return detail_out(plan, request.user)
