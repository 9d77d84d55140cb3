"""The monthly statistics table (Excel): a summary sheet and one sheet per JR/T 0169 dimension × units.

With a template, the bank's own layout is filled instead (see `xiaobao.reports.placeholders`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from xiaobao.analytics.stats import scoped_complaints
from xiaobao.complaints.choices import CodeDimension
from xiaobao.complaints.models import Complaint
from xiaobao.reports.builders import BuildContext, institution_name
from xiaobao.reports.builders.template import fill_template
from xiaobao.reports.builders.xlsx import (
    BOLD,
    BORDER,
    INT,
    PERCENT,
    SUBTOTAL_FILL,
    TOTAL_FILL,
    header_row,
    new_book,
    put,
    save,
    title_block,
    widths,
)
from xiaobao.reports.grid import Grid, Row, code_grid, on_time_rate, summary_grid

DIMENSIONS = (CodeDimension.CHANNEL, CodeDimension.BUSINESS_TYPE, CodeDimension.CAUSE)


def sheet_titles() -> dict[str, str]:
    return {
        "summary": _("Totals"),
        CodeDimension.CHANNEL: _("By channel"),
        CodeDimension.BUSINESS_TYPE: _("By business type"),
        CodeDimension.CAUSE: _("By cause"),
    }


def _info(ctx: BuildContext) -> list[str]:
    p = ctx.period
    return [
        _("Institution: %(name)s") % {"name": institution_name()},
        _("Unit: %(name)s (%(code)s)") % {"name": ctx.unit.name, "code": ctx.unit.code},
        _("Period: %(label)s (%(start)s to %(end)s), by day of receipt")
        % {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()},
        _("Generated on %(date)s") % {"date": timezone.localdate().isoformat()},
    ]


def _column_headers(ws: Worksheet, row: int, grid: Grid, first: list[str]) -> None:
    header_row(ws, row, [*first, *[c.label for c in grid.columns], _("Total")])
    header_row(ws, row + 1, [*[""] * len(first), *[c.code for c in grid.columns], ""])


def _style_for(row: Row) -> dict:
    if row.kind == "total":
        return {"font": BOLD, "fill": TOTAL_FILL}
    if row.kind in ("subtotal", "group"):
        return {"font": BOLD, "fill": SUBTOTAL_FILL} if row.kind == "subtotal" else {"font": BOLD}
    return {}


def _numbers(ws: Worksheet, r: int, start_col: int, grid: Grid, row: Row) -> None:
    style = _style_for(row)
    for i, col in enumerate(grid.columns):
        value = row.counts.get(col.key, 0) if row.has_numbers else None
        put(ws, r, start_col + i, value, fmt=INT, border=BORDER, **style)
    put(
        ws,
        r,
        start_col + len(grid.columns),
        row.total if row.has_numbers else None,
        fmt=INT,
        border=BORDER,
        **style,
    )


def write_grid(ws: Worksheet, grid: Grid, ctx: BuildContext, title: str) -> None:
    r = title_block(ws, _("Monthly complaint statistics — %(sheet)s") % {"sheet": title}, _info(ctx))
    _column_headers(ws, r, grid, [_("Code"), _("Name")])
    r += 2
    ws.freeze_panes = ws.cell(row=r, column=3)
    for row in grid.rows:
        style = _style_for(row)
        put(ws, r, 1, row.code, border=BORDER, **style)
        put(ws, r, 2, row.label, border=BORDER, alignment=Alignment(indent=row.level * 2), **style)
        _numbers(ws, r, 3, grid, row)
        r += 1
    widths(ws, [10, 34, *[14] * (len(grid.columns) + 1)])


def write_summary(ws: Worksheet, grid: Grid, ctx: BuildContext) -> None:
    ws.title = sheet_titles()["summary"]
    r = title_block(ws, _("Monthly complaint statistics — summary"), _info(ctx))
    _column_headers(ws, r, grid, [_("Item")])
    r += 2
    for row in grid.rows:
        style = _style_for(row)
        put(ws, r, 1, row.label, border=BORDER, alignment=Alignment(indent=row.level * 2), **style)
        _numbers(ws, r, 2, grid, row)
        r += 1
    put(ws, r, 1, _("On-time rate (met ÷ met and late)"), border=BORDER, font=BOLD)
    for i, col in enumerate(grid.columns):
        put(ws, r, 2 + i, on_time_rate(grid, col.key), fmt=PERCENT, border=BORDER)
    put(ws, r, 2 + len(grid.columns), on_time_rate(grid), fmt=PERCENT, border=BORDER, font=BOLD)
    widths(ws, [36, *[14] * (len(grid.columns) + 1)])


def grids(qs: QuerySet[Complaint], ctx: BuildContext) -> tuple[Grid, list[Grid]]:
    steps = len(DIMENSIONS) + 2
    ctx.progress(0, steps, _("Counting by source"))
    summary = summary_grid(qs, ctx.unit)
    out = []
    for i, dimension in enumerate(DIMENSIONS, start=1):
        ctx.progress(i, steps, _("Counting by %(dimension)s") % {"dimension": sheet_titles()[dimension]})
        out.append(code_grid(qs, ctx.unit, dimension))
    ctx.progress(steps - 1, steps, _("Writing the workbook"))
    return summary, out


def build(ctx: BuildContext) -> bytes:
    qs = scoped_complaints(user=ctx.user, unit=ctx.unit, period=ctx.period)
    if ctx.template is not None:
        return fill_template(ctx, qs)
    summary, dimension_grids = grids(qs, ctx)
    wb = new_book()
    write_summary(wb.active, summary, ctx)
    titles = sheet_titles()
    for grid in dimension_grids:
        title = titles[grid.dimension]
        write_grid(wb.create_sheet(title[:31]), grid, ctx, title)
    return save(wb)
