"""How the documents print the shared figures (analytics.stats.Figure) and changes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xiaobao.analytics.templatetags.statistics import format_change, format_value


def fmt_value(kind: str, value: float | None) -> str:
    """As the dashboard prints it (one formatting for screen and documents)."""
    return format_value(value, kind)


def fmt_change(change: float | None) -> str:
    """+12.30% / −4.00% / — (no base to compare with), as the dashboard prints it."""
    return format_change(change)


def change_phrase(change: float | None) -> str:
    if change is None:
        return _("no comparable figure")
    if change > 0:
        return _("up %(pct)s") % {"pct": f"{change * 100:.1f}%"}
    if change < 0:
        return _("down %(pct)s") % {"pct": f"{-change * 100:.1f}%"}
    return _("unchanged")


def by_key(figures: list[Any]) -> dict[str, Any]:
    return {f.key: f for f in figures}


def excel_value(kind: str, value: float | None) -> tuple[Any, str]:
    """(cell value, number format) for a figure in a workbook."""
    if value is None:
        return None, "General"
    if kind == "count":
        return int(value), "#,##0"
    if kind == "percent":
        return value, "0.0%"
    if kind == "amount":
        return value, "#,##0.00"
    return round(value, 2), "0.00"
