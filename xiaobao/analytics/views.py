"""The statistics dashboard and its Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaobao.analytics import stats
from xiaobao.analytics.exports import dashboard_workbook
from xiaobao.analytics.forms import DashboardForm, quick_periods
from xiaobao.casework import registry
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import subtree_q
from xiaobao.core.services.audit import audit_record

UNIT_CHOICES_LIMIT = 300


def drill_url(params: dict[str, str] | None) -> str:
    if not params:
        return ""
    query = QueryDict(mutable=True)
    query.update(params)
    return f"{reverse('complaints:list')}?{query.urlencode()}"


def _bound(request: AuthedRequest) -> tuple[DashboardForm, stats.Dashboard | None]:
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return form, None
    unit = stats.analysed_unit(user=request.user, code=form.cleaned_data.get("unit") or None)
    board = stats.dashboard(
        user=request.user,
        unit=unit,
        period=form.cleaned_data["period"],
        grain=form.cleaned_data.get("grain") or None,
    )
    return form, board


def _charts(board: stats.Dashboard) -> dict[str, Any]:
    """What the ECharts script draws: labels, values and the list URL behind every segment."""
    charts: dict[str, Any] = {
        "volume": {
            "labels": [p.label if p.grain == "month" else f"{p.start:%m-%d}" for p, _n in board.series],
            "values": [n for _p, n in board.series],
            "links": [drill_url(stats.drill_params(board.unit, p)) for p, _n in board.series],
        }
    }
    for dim, slices in board.breakdowns.items():
        charts[dim] = {
            "labels": [s.label for s in slices],
            "values": [s.count for s in slices],
            "links": [drill_url(s.drill) for s in slices],
        }
    return charts


def _module_sections(user: Any, board: stats.Dashboard) -> list[tuple[str, Any]]:
    """(template, section) of every module that declares a statistics section and has one for the user."""
    out = []
    for r in registry.modules():
        m = r.module
        if m.stats_section and m.stats_template:
            section = registry.resolve(m.stats_section)(user=user, unit=board.unit, period=board.period)
            if section is not None:
                out.append((m.stats_template, section))
    return out


def _unit_choices(user: Any) -> list[tuple[str, str]]:
    """The scope root and two levels below it, indented, for the unit picker."""
    root = OrgUnit.objects.visible_to(user).order_by("path").first()
    if root is None:
        return []
    units = (
        OrgUnit.objects.filter(subtree_q(root.path), depth__lte=root.depth + 2)
        .order_by("path")
        .values_list("code", "name", "depth")[:UNIT_CHOICES_LIMIT]
    )
    return [(code, "\u3000" * (depth - root.depth) + f"{name} ({code})") for code, name, depth in units]


@permission_required(stats.VIEW_PERM, raise_exception=True)
def dashboard_view(request: AuthedRequest) -> HttpResponse:
    """Figures, changes and charts for the user's subtree (or a unit in it) over a period."""
    form, board = _bound(request)
    context: dict[str, Any] = {
        "form": form,
        "board": board,
        "quick": quick_periods(),
        "units": _unit_choices(request.user),
        "dimension_labels": stats.DIMENSION_LABELS,
    }
    if board is not None:
        if board.unit.code not in {code for code, _label in context["units"]}:
            context["units"].append((board.unit.code, f"{board.unit.name} ({board.unit.code})"))
        context["charts"] = _charts(board)
        context["figure_links"] = {f.key: drill_url(f.drill) for f in board.figures}
        context["slice_links"] = {
            dim: [drill_url(s.drill) for s in slices] for dim, slices in board.breakdowns.items()
        }
        context["export_query"] = request.GET.urlencode()
        context["module_sections"] = _module_sections(request.user, board)
        if any(board.denominators):  # what the per-customer and per-outlet figures divide by
            context["denominators"] = [f"{n:,}" if n else "—" for n in board.denominators]
    return render(request, "analytics/dashboard.html", context, status=200 if board else 400)


@permission_required(stats.VIEW_PERM, raise_exception=True)
@permission_required("complaints.export_complaint", raise_exception=True)
def dashboard_export(request: AuthedRequest) -> HttpResponse:
    """Every table of the dashboard as one workbook (aggregates only, no personal data); audited."""
    form, board = _bound(request)
    if board is None:
        return render(
            request,
            "analytics/dashboard.html",
            {"form": form, "board": None, "quick": quick_periods(), "units": []},
            status=400,
        )
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="analytics.dashboard",
        object_repr=_("statistics export"),
        changes={"unit": board.unit.code, "period": board.period.label},
    )
    name = f"statistics-{board.unit.code}-{board.period.label.replace('..', '_')}.xlsx"
    return xlsx_file_response(name, dashboard_workbook(board))
