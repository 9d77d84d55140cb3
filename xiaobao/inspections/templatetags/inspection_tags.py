"""Small template filters for the inspection pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def make_range(n: int) -> range:
    """0 … n-1 (score buttons: `max_score|add:1|make_range`)."""
    return range(int(n))


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """mapping[key], or an empty list."""
    return (mapping or {}).get(key, [])
