from typing import Any

from django import template

from xiaobao.portal.selectors import ComplaintBlock, complaint_block

register = template.Library()


@register.simple_tag
def complaint_portal_block(complaint: Any) -> ComplaintBlock | None:
    """The portal's part of a complaint's page (the page already checked the user may see it)."""
    return complaint_block(complaint)
