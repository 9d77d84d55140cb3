"""Plan pages: the year's calendar of plans, the plan form, one plan (sample with reasons, tasks, scores)
and its draw / publish / close buttons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.clock import localdate
from xiaobao.core.errors import Conflict
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors, bound_filter
from xiaobao.inspections.models import InspectionPlan
from xiaobao.inspections.plan_forms import DrawForm, PlanForm, PublishForm, VersionForm
from xiaobao.inspections.plan_selectors import (
    PlanFilter,
    plan_actions,
    plan_calendar,
    plan_form_choices,
    plan_get,
    plan_list,
    plan_tasks,
    sample_rows,
    sample_summary,
    task_complaints,
)
from xiaobao.inspections.plans import (
    PLAN,
    VIEW,
    PlanInput,
    next_period,
    plan_close,
    plan_create,
    plan_draw,
    plan_publish,
)


def _get(request: AuthedRequest, pk: int) -> InspectionPlan:
    plan = plan_get(user=request.user, pk=pk)
    if plan is None:
        raise Http404
    return plan


@permission_required(VIEW, raise_exception=True)
def plan_list_view(request: AuthedRequest) -> HttpResponse:
    """The year's plans month by month (a plan shows in every month its period touches), filtered."""
    form, filters = bound_filter(request, PlanFilter)
    year = int(filters.get("year") or localdate().year)
    plans = list(plan_list(user=request.user, filters={**filters, "year": year}))
    context = {
        "form": form,
        "year": year,
        "months": plan_calendar(plans, year),
        "plans": plans,
        "can_plan": request.user.has_perm(PLAN),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "inspections/plan_list.html#calendar" if request.htmx else "inspections/plan_list.html"
    return render(request, template, context, status=status)


def _initial(request: AuthedRequest) -> dict[str, Any]:
    unit = request.user.org_unit
    if unit is None:
        return {"exclude_recent_days": 0}
    start, end = next_period(unit=unit, today=localdate())
    return {"period_start": start, "period_end": end, "inspecting_unit": unit, "exclude_recent_days": 0}


@permission_required(PLAN, raise_exception=True)
def plan_create_view(request: AuthedRequest) -> HttpResponse:
    """The plan form; the period proposed is the unit's next one by its cadence."""
    choices = plan_form_choices(request.user)
    if request.method != "POST":
        form = PlanForm(initial=_initial(request), choices=choices)
        return render(request, "inspections/plan_form.html", {"form": form})
    form = PlanForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            plan = plan_create(actor=request.user, data=PlanInput(**form.cleaned_data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan created. Draw the sample next."))
            return redirect("inspections:plan_detail", pk=plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form}, status=400)


def _detail(request: AuthedRequest, plan: InspectionPlan, **forms: Any) -> dict[str, Any]:
    inspectors = plan_form_choices(request.user)["inspectors"]
    tasks = list(plan_tasks(user=request.user, plan=plan))
    complaints = task_complaints(user=request.user, tasks=tasks)
    for t in tasks:
        t.complaints_12m = None if complaints is None else complaints.get(t.org_unit_id, 0)  # type: ignore[attr-defined]
    return {
        "plan": plan,
        "picks": sample_rows(plan),
        "summary": sample_summary(plan),
        "tasks": tasks,
        "show_complaints": complaints is not None,
        "actions": plan_actions(request.user, plan),
        "draw_form": forms.get("draw_form") or DrawForm(initial={"version": plan.version}),
        "publish_form": forms.get("publish_form")
        or PublishForm(initial={"version": plan.version}, inspectors=inspectors),
        "close_form": forms.get("close_form") or VersionForm(initial={"version": plan.version}),
    }


@permission_required(VIEW, raise_exception=True)
def plan_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _get(request, pk)
    return render(request, "inspections/plan_detail.html", _detail(request, plan))


def _act(
    request: AuthedRequest, plan: InspectionPlan, form: Any, key: str, run: Any, done: str
) -> HttpResponse:
    """Run one plan action from a bound form; errors re-render the plan page with the form (400 / 409)."""
    status = 400
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        else:
            messages.success(request, done)
            return redirect("inspections:plan_detail", pk=plan.pk)
    plan = _get(request, plan.pk)
    return render(
        request, "inspections/plan_detail.html", _detail(request, plan, **{key: form}), status=status
    )


def _for_action(request: AuthedRequest, pk: int) -> InspectionPlan:
    plan = _get(request, pk)
    if not request.user.has_perm(PLAN):
        raise PermissionDenied
    return plan


@require_POST
@permission_required(VIEW, raise_exception=True)
def plan_draw_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)

    def run(data: dict[str, Any]) -> None:
        plan_draw(actor=request.user, plan=plan, seed=data.get("seed"), expected_version=data.get("version"))

    return _act(request, plan, DrawForm(request.POST), "draw_form", run, _("Sample drawn."))


@require_POST
@permission_required(VIEW, raise_exception=True)
def plan_publish_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)
    form = PublishForm(request.POST, inspectors=plan_form_choices(request.user)["inspectors"])

    def run(data: dict[str, Any]) -> None:
        valid = {u.username for u in data["inspectors"]}
        ordered = [n for n in request.POST.getlist("inspectors") if n in valid]  # the order chosen
        plan_publish(
            actor=request.user,
            plan=plan,
            inspectors=ordered,
            due_working_days=data.get("due_working_days"),
            expected_version=data.get("version"),
        )

    return _act(
        request, plan, form, "publish_form", run, _("Plan published: the inspection tasks are assigned.")
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def plan_close_view(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _for_action(request, pk)

    def run(data: dict[str, Any]) -> None:
        plan_close(actor=request.user, plan=plan, expected_version=data.get("version"))

    return _act(request, plan, VersionForm(request.POST), "close_form", run, _("Plan closed."))
