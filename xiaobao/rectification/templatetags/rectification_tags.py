"""Template tags other apps' pages use to show rectification items without importing this app in Python
(the complaint page lists the root-cause items of its complaint)."""

from __future__ import annotations

from typing import Any

from django import template

from xiaobao.rectification.selectors import rectifications_of_complaint, rectifications_of_finding

register = template.Library()


@register.simple_tag(takes_context=True)
def complaint_rectifications(context: Any, complaint: Any) -> list[Any]:
    """The complaint's root-cause rectification items the viewing user may see."""
    request = context.get("request")
    if request is None or complaint is None:
        return []
    return rectifications_of_complaint(user=request.user, complaint=complaint)


@register.simple_tag(takes_context=True)
def finding_rectifications(context: Any, finding: Any) -> list[Any]:
    """The finding's rectification items the viewing user may see."""
    request = context.get("request")
    if request is None or finding is None:
        return []
    return rectifications_of_finding(user=request.user, finding=finding)
