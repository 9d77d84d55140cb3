"""Formatting of statistics: values by kind, and changes written as regulators do ("−11.32%")."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

MINUS = "\u2212"


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{100 * float(value):.2f}%"
    if kind == "amount":
        return f"¥{float(value):,.2f}"
    if kind in ("days", "score"):
        return f"{float(value):.1f}"
    return f"{float(value):.2f}"


def format_change(change: float | None) -> str:
    if change is None:
        return "—"
    text = f"{abs(100 * change):.2f}%"
    if round(100 * change, 2) == 0:
        return "0.00%"
    return ("+" if change > 0 else MINUS) + text


@register.filter
def stat_value(figure: Any) -> str:
    return format_value(figure.value, figure.kind)


@register.filter
def stat(value: Any, kind: str) -> str:
    return format_value(value, kind)


@register.filter
def change(value: float | None) -> str:
    return format_change(value)


# Figures where a rise is good news (shown green); for every other figure a rise is shown red.
RISE_IS_GOOD = {"on_time_rate", "satisfaction"}


@register.filter
def change_class(value: float | None, key: str = "") -> str:
    if value is None or round(100 * value, 2) == 0:
        return "flat"
    worse = value > 0 if key not in RISE_IS_GOOD else value < 0
    return "up worse" if worse and value > 0 else "down worse" if worse else "up" if value > 0 else "down"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""


@register.filter
def index(sequence: Any, i: int) -> Any:
    return get_item(sequence, i)
