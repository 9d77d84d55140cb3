"""Modules' report sections: what each module declares in `Module.report_sections` (dotted paths, read
through the registry — reports imports no module), for a report's period and scope, and the writers that lay
them into the Word report and the Excel workbooks.

A section callable takes the report's `BuildContext` (requester, unit, period) and returns None when it has
nothing for this report — or the requester may not see the module's data — else an object with `title`,
`paragraphs` (strings) and `tables`, each with `title`, `headers`, `rows` (strings) and optionally `widths`
(cm, for Word). The callables compute as the requester, so the requester's scope holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from openpyxl.styles import Alignment

from xiaobao.casework.registry import modules, resolve
from xiaobao.reports.builders import BuildContext

SHEET_TITLE_MAX = 31  # Excel's limit


class SectionTable(Protocol):
    title: str
    headers: list[str]
    rows: list[list[str]]


class ReportSection(Protocol):
    title: str
    paragraphs: list[str]
    tables: Sequence[SectionTable]


def module_sections(ctx: BuildContext) -> list[ReportSection]:
    """Every module's sections for this report, in module order; the ones with nothing are left out."""
    out = []
    for registered in modules():
        for path in registered.module.report_sections:
            section = resolve(path)(ctx)
            if section is not None:
                out.append(section)
    return out


def add_to_docx(doc: Any, sections: Sequence[ReportSection], *, level: int = 1) -> None:
    """Each section as a chapter of a python-docx document: its heading, its paragraphs, each table under a
    heading one level down (the reports' table style)."""
    from xiaobao.reports.builders.quarterly import _table

    for section in sections:
        doc.add_heading(section.title, level=level)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        for table in section.tables:
            doc.add_heading(table.title, level=level + 1)
            _table(doc, table.headers, table.rows, widths=getattr(table, "widths", None))


def add_to_workbook(wb: Any, sections: Sequence[ReportSection], *, info: Sequence[str] = ()) -> None:
    """Each section on a sheet of its own: its title and `info` lines (unit, period), its paragraphs, each
    table under its title."""
    from xiaobao.reports.builders.xlsx import BOLD, BORDER, header_row, put, title_block, widths

    for section in sections:
        ws = wb.create_sheet(section.title[:SHEET_TITLE_MAX])
        r = title_block(ws, section.title, list(info))
        for text in section.paragraphs:
            put(ws, r, 1, text, alignment=Alignment(wrap_text=True, vertical="top"))
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=6)
            ws.row_dimensions[r].height = 15 * max(1, len(text) // 50 + 1)
            r += 1
        most = 1
        for table in section.tables:
            r += 1
            put(ws, r, 1, table.title, font=BOLD)
            header_row(ws, r + 1, table.headers)
            r += 2
            for row in table.rows:
                for col, value in enumerate(row, start=1):
                    put(ws, r, col, value, border=BORDER)
                r += 1
            most = max(most, len(table.headers))
        widths(ws, [28, *[16] * max(most - 1, 5)])
