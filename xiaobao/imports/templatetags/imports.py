"""Template helpers of the import pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ choices|get_item:table.dimension }}`: a dict entry by a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None
