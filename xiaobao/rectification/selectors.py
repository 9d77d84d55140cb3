"""Read side of rectification: every function takes the acting user and goes through `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xiaobao.rectification.filtersets import ORDERINGS, apply_filters
from xiaobao.rectification.models import Rectification

LIST_RELATED = ("org_unit", "handler")


def rectification_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Rectification]:
    filters = filters or {}
    qs = apply_filters(Rectification.objects.visible_to(user), filters, user).select_related(*LIST_RELATED)
    ordering = ORDERINGS.get(filters.get("ordering") or "", None)
    if ordering is None:
        ordering = ORDERINGS["due"] if filters.get("overdue") else ORDERINGS["-opened"]
    return qs.order_by(*ordering)


def rectification_detail(*, user: Any, pk: int) -> Rectification | None:
    return (
        Rectification.objects.visible_to(user)
        .select_related("org_unit", "handler", "opened_by", "rule", "verified_by", "complaint", "finding")
        .prefetch_related("clocks__rule", "extensions__requested_by", "evidence")
        .filter(pk=pk)
        .first()
    )


def rectifications_of_complaint(*, user: Any, complaint: Any) -> list[Rectification]:
    """The root-cause rectification items of a complaint that the user may see (complaint page)."""
    return list(
        Rectification.objects.visible_to(user)
        .filter(complaint=complaint)
        .select_related("org_unit", "handler")
        .order_by("opened_on", "id")
    )


def rectifications_of_finding(*, user: Any, finding: Any) -> list[Rectification]:
    return list(
        Rectification.objects.visible_to(user)
        .filter(finding=finding)
        .select_related("handler")
        .order_by("id")
    )
