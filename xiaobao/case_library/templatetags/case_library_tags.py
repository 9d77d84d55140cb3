"""The case library's block on a complaint's page (declared in `Module.panels`)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def complaint_case_block(context: template.Context, complaint: Any) -> dict[str, Any] | None:
    """For a closed complaint: the entry made from it (when the user can see it), or whether the user may
    add it to the library; None when there is nothing to show."""
    from xiaobao.case_library import selectors
    from xiaobao.case_library.models import MANAGE, VIEW
    from xiaobao.case_library.services import CLOSED_STATUSES

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm(VIEW):
        return None
    if getattr(complaint, "status", "") not in CLOSED_STATUSES:
        return None
    entry = selectors.entry_for_complaint(user, complaint)
    can_add = entry is None and user.has_perm(MANAGE)
    if entry is None and not can_add:
        return None
    return {"entry": entry, "can_add": can_add, "proposed": bool(getattr(complaint, "case_library", False))}
