from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiaobao.complaints.notifications import unread_for
from xiaobao.complaints.selectors import approval_inbox, my_queue, unit_inbox
from xiaobao.complaints.views.common import with_due
from xiaobao.core.selectors import admin_warnings, health_status
from xiaobao.early_warning.selectors import home_panel

QUEUE_SIZE = 10
NOTIFICATIONS_SHOWN = 5


def _complaint_desk(user: Any) -> dict[str, Any]:
    """The user's complaint work: own queue by due date, units' inbox, approvals, unread notifications."""
    if not user.has_perm("complaints.view_complaint"):
        return {}
    desk: dict[str, Any] = {
        "queue": with_due(my_queue(user=user)[:QUEUE_SIZE]),
        "inbox_count": unit_inbox(user=user).count(),
        "unread": list(unread_for(user)[:NOTIFICATIONS_SHOWN]),
        "unread_count": unread_for(user).count(),
    }
    if user.has_perm("complaints.approve_complaint"):
        inbox = approval_inbox(user=user)
        desk["approvals_count"] = inbox["extensions"].count() + inbox["decisions"].count()
    return desk


def home(request: HttpRequest) -> HttpResponse:
    """The user's desk: to-do items from every module and administrator warnings."""
    desk = _complaint_desk(request.user)
    todo = any(desk.get(k) for k in ("queue", "inbox_count", "unread", "approvals_count"))
    return render(
        request,
        "core/home.html",
        {
            "todo": todo,
            "desk": desk,
            "warnings": admin_warnings(user=request.user),
            "early_warnings": home_panel(user=request.user),
        },
    )


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers (no authentication, no data)."""
    status, body = health_status()
    return JsonResponse(body, status=status)
