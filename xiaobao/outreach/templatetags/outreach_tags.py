from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def outreach_panel(context: template.Context, complaint: Any) -> Any:
    """The notices panel of a complaint for the requesting user (None: not shown)."""
    from xiaobao.outreach.selectors import complaint_panel

    request = context.get("request")
    if request is None or complaint is None:
        return None
    return complaint_panel(request.user, complaint)
