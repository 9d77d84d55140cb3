from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiaobao.core.selectors import admin_warnings


def home(request: HttpRequest) -> HttpResponse:
    """The user's desk: to-do items from every module (none yet) and administrator warnings."""
    todo: list[dict[str, str]] = []
    return render(request, "core/home.html", {"todo": todo, "warnings": admin_warnings(user=request.user)})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers (no authentication, no data)."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
