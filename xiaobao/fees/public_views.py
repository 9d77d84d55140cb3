"""Public fee disclosure (收费公示), no login: the fees in force today for the institution or, with
`?unit=<code>`, at a branch or outlet (its own fees and those of every unit above it), the changes announced
ahead of their date, the past versions, and an Excel copy. `?screen=1` is the banking hall screen: large
type, scrolling by itself and reloading every few minutes, without any script.

Only disclosed versions (published or superseded) are read; names are shown, never internal ids."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_file_response
from xiaobao.fees.exports import public_workbook
from xiaobao.fees.selectors import public_history, public_in_force, public_unit, public_units, public_upcoming
from xiaobao.reports.builders import institution_name

SCREEN_SECONDS_PER_ROW = 3  # how long the hall screen takes per table row while scrolling
SCREEN_MIN_SECONDS = 40
PAUSE_SECONDS = 8  # at the top and at the bottom


def _common(request: HttpRequest) -> dict[str, Any]:
    code = request.GET.get("unit", "")[:32]
    unit = public_unit(code)
    return {
        "institution": institution_name(),
        "unit": unit,
        "unit_code": unit.code if unit else "",
        "unknown_unit": bool(code) and unit is None,
        "units": list(public_units().only("code", "name", "path")),
        "today": localdate(),
    }


@require_GET
@cache_control(max_age=60, public=True)
def public_list(request: HttpRequest) -> HttpResponse:
    context = _common(request)
    today, unit = context["today"], context["unit"]
    groups = public_in_force(unit, today)
    upcoming = public_upcoming(unit, today)
    screen = request.GET.get("screen") == "1"
    rows = sum(len(g.rows) + 1 for g in groups) + len(upcoming)
    scroll = max(SCREEN_MIN_SECONDS, rows * SCREEN_SECONDS_PER_ROW)
    context.update(
        groups=groups,
        upcoming=upcoming,
        screen=screen,
        scroll_seconds=scroll,
        refresh_seconds=scroll + 2 * PAUSE_SECONDS,
        count=sum(len(g.rows) for g in groups),
    )
    template = "fees/public/screen.html" if screen else "fees/public/list.html"
    return render(request, template, context)


@require_GET
@cache_control(max_age=60, public=True)
def public_history_view(request: HttpRequest) -> HttpResponse:
    context = _common(request)
    context["groups"] = public_history(context["unit"], context["today"])
    return render(request, "fees/public/history.html", context)


@require_GET
def public_export(request: HttpRequest) -> HttpResponse:
    context = _common(request)
    today, unit = context["today"], context["unit"]
    content = public_workbook(
        unit_name=unit.name if unit else "",
        today=today,
        in_force=public_in_force(unit, today),
        upcoming=public_upcoming(unit, today),
        history=public_history(unit, today),
    )
    suffix = f"-{unit.code}" if unit else ""
    return xlsx_file_response(f"fees{suffix}-{today:%Y%m%d}.xlsx", content)
