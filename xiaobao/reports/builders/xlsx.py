"""Excel helpers shared by the table builders: styles, safe cells, a title block, saving."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xiaobao.core.exports import safe_cell
from xiaobao.reports.builders import institution_name

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="E2EFDA")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
INT = "#,##0"
PERCENT = "0.0%"
DECIMAL = "#,##0.00"


def put(ws: Worksheet, row: int, col: int, value: Any, **style: Any) -> Any:
    """Write one cell (text neutralised against formulas) with optional font/fill/format/alignment."""
    cell = ws.cell(row=row, column=col, value=safe_cell(value))
    for key, val in style.items():
        if key == "fmt":
            cell.number_format = val
        else:
            setattr(cell, key, val)
    return cell


def title_block(ws: Worksheet, title: str, lines: list[str]) -> int:
    """Title in A1 and one info line per row below it; returns the next free row (after a blank one)."""
    put(ws, 1, 1, title, font=TITLE)
    for i, line in enumerate(lines, start=2):
        put(ws, i, 1, line)
    return len(lines) + 3


def header_row(ws: Worksheet, row: int, values: list[Any]) -> None:
    for col, value in enumerate(values, start=1):
        put(
            ws,
            row,
            col,
            value,
            font=BOLD,
            fill=HEADER_FILL,
            border=BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )


def widths(ws: Worksheet, sizes: list[int]) -> None:
    for i, size in enumerate(sizes, start=1):
        ws.column_dimensions[get_column_letter(i)].width = size


def new_book() -> Workbook:
    wb = Workbook()
    wb.properties.creator = institution_name()
    return wb


def save(wb: Workbook) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
