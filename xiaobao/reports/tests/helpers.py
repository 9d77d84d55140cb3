"""Reading generated workbooks back in tests."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook


def read_xlsx(content: bytes) -> Any:
    return load_workbook(BytesIO(content))


def grid_table(ws: Any, first: str | None = None) -> tuple[list[str], list[list[Any]]]:
    """(column unit codes + "TOTAL", data rows) of a grid sheet: the header row starts with `first`
    (“Code” on dimension sheets, “Item” on the summary), unit codes are in the row below it."""
    first = first or _("Code")
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == first)
    offset = 2 if first == _("Code") else 1
    codes = [c for c in rows[start + 1][offset:]]
    codes[-1] = "TOTAL"
    return codes, [list(r) for r in rows[start + 2 :]]


def build_file(kind: str, user: Any, unit: Any, text: str, template: Any = None) -> bytes:
    from xiaobao.analytics.periods import Period
    from xiaobao.reports.builders import BuildContext, build

    return build(kind, BuildContext(user=user, unit=unit, period=Period.parse(text), template=template))
