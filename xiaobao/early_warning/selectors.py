"""Read side of early warnings: every function takes the acting user and goes through `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from xiaobao.complaints.models import Complaint
from xiaobao.early_warning.filtersets import apply_filters
from xiaobao.early_warning.models import EarlyWarning, WarningScanRun, WatchWord

HOME_PANEL_SIZE = 8


def warning_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[EarlyWarning]:
    qs = apply_filters(EarlyWarning.objects.visible_to(user), filters or {}, user)
    return qs.select_related("org_unit", "acknowledged_by").order_by("-created_at", "-id")


def warning_detail(*, user: Any, pk: int) -> EarlyWarning | None:
    return (
        EarlyWarning.objects.visible_to(user)
        .select_related("org_unit", "acknowledged_by")
        .filter(pk=pk)
        .first()
    )


@dataclass
class HomePanel:
    warnings: list[EarlyWarning]
    open_count: int


def home_panel(*, user: Any) -> HomePanel | None:
    """The open warnings of the user's scope, newest first (None for users who may not see warnings)."""
    if not user.has_perm("early_warning.view_earlywarning"):
        return None
    qs = EarlyWarning.objects.visible_to(user).open()
    return HomePanel(
        warnings=list(qs.select_related("org_unit").order_by("-created_at", "-id")[:HOME_PANEL_SIZE]),
        open_count=qs.count(),
    )


@dataclass
class LinkedComplaint:
    pk: int
    reference: str
    unit: str
    status: str


def warning_complaints(*, user: Any, warning: EarlyWarning) -> tuple[list[LinkedComplaint], int]:
    """The warning's complaints the user may see (reference, unit, status), and how many others there are."""
    ids = [int(i) for i in warning.complaint_ids or []]
    rows = (
        Complaint.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("org_unit")
        .order_by("received_at", "pk")
    )
    shown = [LinkedComplaint(c.pk, c.reference, c.org_unit.name, c.get_status_display()) for c in rows]
    return shown, len(ids) - len(shown)


def watch_word_list() -> QuerySet[WatchWord]:
    """The watch-word list (one list for the whole institution)."""
    return WatchWord.objects.all()


def last_scan() -> WarningScanRun | None:
    return WarningScanRun.objects.filter(finished_at__isnull=False).first()
