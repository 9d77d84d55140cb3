from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiaobao.casework import registry
from xiaobao.core.selectors import admin_warnings, health_status


def home_panels(user: Any) -> list[dict[str, Any]]:
    """Every module's home panel the user has (its declared callable gave something), in module order:
    {"template", "panel", "place"} — place "todo" goes inside the to-do card, "card" is a card of its own."""
    out = []
    for reg in registry.modules():
        m = reg.module
        if not (m.home_panel and m.home_template):
            continue
        panel = registry.resolve(m.home_panel)(user=user)
        if panel:
            out.append(
                {"template": m.home_template, "panel": panel, "place": m.home_place, "name": m.home_context}
            )
    return out


def _has_todo(panel: Any) -> bool:
    return bool(panel.get("todo") if isinstance(panel, dict) else getattr(panel, "todo", False))


def home(request: HttpRequest) -> HttpResponse:
    """The user's desk: to-do items from every module and administrator warnings."""
    panels = home_panels(request.user)
    todo = [p for p in panels if p["place"] == "todo"]
    context = {p["name"]: p["panel"] for p in panels if p["name"]}
    context.update(
        todo=any(_has_todo(p["panel"]) for p in todo),
        todo_panels=todo,
        card_panels=[p for p in panels if p["place"] != "todo"],
        warnings=admin_warnings(user=request.user),
    )
    return render(request, "core/home.html", context)


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers (no authentication, no data)."""
    status, body = health_status()
    return JsonResponse(body, status=status)
