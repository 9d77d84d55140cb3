"""Read side of education activities: every function takes the acting user and starts from
`Activity.objects.visible_to(user)` (the view permission, then the user's subtree)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xiaobao.education.filtersets import ORDERINGS, apply_filters, awaiting_approval
from xiaobao.education.models import Activity

LIST_RELATED = ("org_unit", "venue", "edition__campaign", "reported_by")


def activity_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Activity]:
    filters = filters or {}
    qs = apply_filters(Activity.objects.visible_to(user), filters, user)
    if filters.get("topic"):
        qs = qs.distinct()
    ordering = ORDERINGS.get(filters.get("ordering") or "", ORDERINGS["-held"])
    return qs.select_related(*LIST_RELATED).prefetch_related("topics").order_by(*ordering)


def activity_detail(*, user: Any, pk: int) -> Activity | None:
    return (
        Activity.objects.visible_to(user)
        .select_related("org_unit", "venue", "edition__campaign", "reported_by", "approved_by", "handler")
        .prefetch_related("topics", "photos")
        .filter(pk=pk)
        .first()
    )


def awaiting_count(user: Any) -> int:
    """How many activities in the user's scope wait for the user's approval."""
    return int(awaiting_approval(Activity.objects.visible_to(user), user).count())
