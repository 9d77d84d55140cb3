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
        .select_related(
            "org_unit",
            "handler",
            "opened_by",
            "rule",
            "verified_by",
            "complaint",
            "finding__inspection",
            "finding__item",
        )
        .prefetch_related("clocks__rule", "extensions__requested_by", "evidence")
        .filter(pk=pk)
        .first()
    )


def people_names(usernames: Any) -> dict[str, str]:
    """Login name → what the pages show for that person: the full name, or the login name without one."""
    from xiaobao.core.models import User

    names = {n for n in usernames if n}
    if not names:
        return {}
    rows = User.objects.filter(username__in=names).values_list("username", "full_name")
    return {username: full_name or username for username, full_name in rows}


def finding_label(finding: Any) -> str:
    """A finding as people know it: its inspection's reference and the checklist item's text (or the
    finding's own description when it came from no checklist item)."""
    text = finding.item.text if finding.item_id else finding.description
    text = " ".join(str(text).split())
    if len(text) > 60:
        text = text[:59] + "…"
    if finding.inspection_id:
        return f"{finding.inspection.reference} · {text}"
    return text


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


def home_panel(user: Any) -> dict[str, Any]:
    """The to-do card's part: the user's own open items (soonest due first) and, for verifiers, how many
    submitted items of others in their scope wait for verification."""
    from xiaobao.core.clock import localdate
    from xiaobao.rectification.choices import Status
    from xiaobao.rectification.workflow import VERIFY, WORKING

    if not user.has_perm("rectification.view_rectification"):
        return {}
    visible = Rectification.objects.visible_to(user)
    mine = list(
        visible.filter(handler_id=user.pk, status__in=[*WORKING, Status.SUBMITTED])
        .select_related("org_unit")
        .order_by("due_date", "id")[:10]
    )
    to_verify = 0
    if user.has_perm(VERIFY):
        to_verify = visible.filter(status=Status.SUBMITTED).exclude(handler_id=user.pk).count()
    if not mine and not to_verify:
        return {}
    return {"todo": True, "mine": mine, "to_verify": to_verify, "today": localdate()}
