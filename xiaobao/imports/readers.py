"""Reading an uploaded file: kind by content (xlsx zip magic, or text CSV in UTF-8, UTF-8 with BOM, UTF-16
with BOM or GB18030), then the header row and the data rows as lists of cell values.

Cells come back as `str`, or `datetime`/`date` from Excel date cells; whole-number floats from Excel become
their integer text ("3571115", not "3571115.0").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xiaobao.core.validators import check_zip_bounds
from xiaobao.core.vault.detect import redact

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
PREVIEW_ROWS = 8
MAX_DISTINCT = 300  # distinct values kept per column for the mapping screen
CELL_PREVIEW = 80

Cell = str | dt.date


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))


def _err(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def sniff(data: bytes) -> tuple[str, str]:
    """(kind, encoding): ("xlsx", "") or ("csv", encoding); ValidationError for anything else."""
    if not data:
        raise _err(_("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        check_zip_bounds(data)  # the central directory only: cheap enough for the web request
        return "xlsx", ""
    if data.startswith(OLE_MAGIC):
        raise _err(_("Old Excel files (.xls) cannot be read: save the file as .xlsx or CSV."))
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in data[:65536]:
        raise _err(_("Upload an Excel workbook (.xlsx) or a CSV text file."))
    else:
        encoding = ""
        for candidate in ("utf-8", "gb18030"):
            try:
                data.decode(candidate)
            except UnicodeDecodeError:
                continue
            encoding = candidate
            break
        if not encoding:
            raise _err(_("The text is neither UTF-8 nor GB18030: save the CSV file as UTF-8."))
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _err(_("The text is neither UTF-8 nor GB18030: save the CSV file as UTF-8.")) from exc
    return "csv", encoding


def _cell(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes, encoding: str) -> Iterator[list[Cell]]:
    text = data.decode(encoding)
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [c.strip() for c in row]


def _xlsx_rows(data: bytes) -> Iterator[list[Cell]]:
    from openpyxl import load_workbook

    check_zip_bounds(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is not a workbook, or a damaged one
        raise _err(_("The workbook cannot be read: save it again as .xlsx.")) from exc
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
    finally:
        wb.close()


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]  # data rows, each padded to the number of headers; row i is line i + 2


def read_table(data: bytes, kind: str, encoding: str) -> Table:
    """The header row and every non-blank data row; ValidationError when there are none or too many. Every
    row read counts against the limit, blank ones too (one row element far down a sheet makes the reader
    yield millions of empty rows from a file of a few KB)."""
    source = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data, encoding)
    try:
        header = next(source)
    except StopIteration as exc:
        raise _err(_("The file has no header row.")) from exc
    except csv.Error as exc:
        raise _err(_("The CSV file cannot be read: %(e)s") % {"e": exc}) from exc
    headers = [str(h).strip() for h in header]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise _err(_("The first row must hold the column names."))
    width, limit = len(headers), max_rows()
    rows: list[list[Cell]] = []
    try:
        for read, row in enumerate(source, start=1):
            if read > limit:
                raise _err(_("The file has more than %(n)d rows: split it.") % {"n": limit})
            if any(c for c in row):
                rows.append((row + [""] * (width - len(row)))[:width])
    except csv.Error as exc:
        raise _err(_("The CSV file cannot be read: %(e)s") % {"e": exc}) from exc
    if not rows:
        raise _err(_("The file has no data rows."))
    return Table(headers, rows)


def _shown(value: Cell) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else value
    text = redact(text)  # ID, phone and card numbers are never shown in clear
    return text if len(text) <= CELL_PREVIEW else text[: CELL_PREVIEW - 1] + "…"


def profile(table: Table) -> dict[str, Any]:
    """What the mapping screen shows: headers, the first rows, and each column's distinct values (for the
    value tables; columns with more than MAX_DISTINCT values, such as free text, keep none)."""
    distinct: list[Counter[str] | None] = [Counter() for _ in table.headers]
    for row in table.rows:
        for i, value in enumerate(row):
            counter = distinct[i]
            if counter is None:
                continue
            text = value.isoformat() if isinstance(value, dt.date) else " ".join(value.split())
            if text:
                counter[text[:100]] += 1
                if len(counter) > MAX_DISTINCT:
                    distinct[i] = None
    return {
        "headers": table.headers,
        "preview": [[_shown(c) for c in row] for row in table.rows[:PREVIEW_ROWS]],
        "rows": len(table.rows),
        "distinct": {
            h: dict(c.most_common()) for h, c in zip(table.headers, distinct, strict=True) if c is not None
        },
    }
