"""Reads for the acting user: inspection lists and details, findings, checklists, the home panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from xiaobao.core.clock import localdate
from xiaobao.inspections.choices import Status
from xiaobao.inspections.filtersets import apply_filters
from xiaobao.inspections.models import Inspection

OPEN = (Status.PLANNED, Status.IN_PROGRESS)
DUE_SOON_DAYS = 14


def inspection_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Inspection]:
    qs = Inspection.objects.visible_to(user).select_related("org_unit", "handler", "template", "plan")
    return apply_filters(qs, filters or {}, user).order_by("-created_at", "-id")


def home_panel(user: Any) -> dict[str, Any]:
    """The user's own open inspection tasks due within two weeks (or overdue), soonest first."""
    if not user.has_perm("inspections.view_inspection"):
        return {}
    today = localdate()
    qs = (
        Inspection.objects.visible_to(user)
        .filter(handler_id=user.pk, status__in=OPEN, due_date__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .select_related("org_unit", "template")
        .order_by("due_date", "id")
    )
    return {"tasks": list(qs[:10]), "today": today}
