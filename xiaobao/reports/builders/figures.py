"""How the documents print the shared figures (analytics.stats.Figure) and changes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def fmt_value(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "amount":
        return f"{value:,.2f}"
    if kind in ("days", "score"):
        return f"{value:.1f}"
    return f"{value:.2f}"


def fmt_change(change: float | None) -> str:
    """+12.3% / −4.0% / — (no base to compare with)."""
    if change is None:
        return "—"
    return f"{change * 100:+.1f}%".replace("-", "−")


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
