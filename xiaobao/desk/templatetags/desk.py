"""The desk's parts on the complaint list and the queue: the saved-views bar, and the bulk-action bar with
"save this view" (inside the list's results, so both carry the filters shown)."""

from __future__ import annotations

from typing import Any

from django import template

from xiaobao.desk.models import BulkAction, ViewScope
from xiaobao.desk.services import ACTION_PERMISSION, BULK_LIMIT, can_save_views, parse_filter

register = template.Library()


def _normalised(query: str) -> str:
    try:
        return parse_filter(query or "", prefix="")[0]
    except Exception:  # an invalid filter matches no view
        return "\x00"


@register.inclusion_tag("desk/_views_bar.html", takes_context=True)
def desk_views_bar(context: Any, scope: str) -> dict[str, Any]:
    """Links to the user's views of this page (own and shared with the unit); the one shown is marked."""
    from xiaobao.desk.selectors import saved_views

    request = context["request"]
    current = _normalised(context.get("query", ""))
    views = list(saved_views(user=request.user, scope=scope)[:30])
    return {"views": views, "current": current, "scope": scope, "user": request.user}


def bulk_actions(user: Any) -> list[tuple[str, str]]:
    """The bulk actions the user may take at all (each complaint is checked again)."""
    return [(a.value, str(a.label)) for a in BulkAction if user.has_perm(ACTION_PERMISSION[a])]


@register.simple_tag(takes_context=True)
def desk_can_bulk(context: Any) -> bool:
    return bool(bulk_actions(context["request"].user))


@register.inclusion_tag("desk/_list_tools.html", takes_context=True)
def desk_list_tools(context: Any, scope: str, matching: Any = None, capped: bool = False) -> dict[str, Any]:
    """The bulk form (the rows' checkboxes name it with form="bulk-form") and the "save this view" form."""
    from xiaobao.complaints.forms import handler_choices
    from xiaobao.desk.services import transfer_units

    request = context["request"]
    user = request.user
    actions = bulk_actions(user)
    units: list[Any] = []
    handlers: list[Any] = []
    if any(a == BulkAction.ASSIGN for a, _l in actions):
        handlers = [(group, options) for group, options in handler_choices(user) if isinstance(options, list)]
    if any(a == BulkAction.TRANSFER for a, _l in actions):
        units = list(transfer_units(user).only("code", "name", "depth", "path").order_by("path"))
    return {
        "scope": scope,
        "query": context.get("query", ""),
        "actions": actions,
        "handlers": handlers,
        "units": units,
        "matching": matching,
        "capped": capped,
        "limit": BULK_LIMIT,
        "too_many": capped or (matching or 0) > BULK_LIMIT,
        "queue": scope == ViewScope.QUEUE,
        "csrf_token": context.get("csrf_token"),
        "perms_ok": bool(actions),
        "can_save": can_save_views(user),
    }
