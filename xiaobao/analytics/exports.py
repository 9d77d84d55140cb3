"""The dashboard as a workbook: headline figures with their changes, every breakdown, the volume series."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xiaobao.analytics import stats
from xiaobao.analytics.templatetags.statistics import format_change
from xiaobao.core.exports import xlsx_book_bytes


def _figure_rows(board: stats.Dashboard) -> list[list[Any]]:
    return [
        [
            str(f.label),
            f.value,
            f.previous,
            format_change(f.pop_change),
            f.year_ago,
            format_change(f.yoy_change),
        ]
        for f in board.figures
    ]


def dashboard_workbook(board: stats.Dashboard) -> bytes:
    head = [
        _("Figure"),
        board.period.label,
        board.period.previous().label,
        _("Period on period"),
        board.period.year_ago().label,
        _("Year on year"),
    ]
    sheets: list[tuple[str, list[str], list[list[Any]]]] = [
        (_("Headline"), head, _figure_rows(board)),
    ]
    for dim, slices in board.breakdowns.items():
        sheets.append(
            (
                str(stats.DIMENSION_LABELS[dim]),
                [_("Code"), str(stats.DIMENSION_LABELS[dim]), _("Complaints"), _("Share")],
                [[s.code, s.label, s.count, round(s.share, 4)] for s in slices]
                + [["", _("Total"), sum(s.count for s in slices), 1 if slices else 0]],
            )
        )
    sheets.append(
        (
            _("Volume"),
            [_("Period"), _("From"), _("To"), _("Complaints")],
            [[p.label, p.start, p.end, n] for p, n in board.series],
        )
    )
    return xlsx_book_bytes(sheets)
