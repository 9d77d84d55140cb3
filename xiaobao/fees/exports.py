"""Excel workbooks of the fee catalogue: the staff export (every version, with status and review) and the
public one (only what was disclosed). Each sheet prints on A4 landscape, one page wide, its header row
repeated, under the configured institution's name."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from xiaobao.fees.choices import DISCLOSED
from xiaobao.fees.models import FeeItem, FeeVersion
from xiaobao.fees.selectors import PublicGroup, PublicRow
from xiaobao.reports.builders import institution_name
from xiaobao.reports.builders.xlsx import (
    BORDER,
    DECIMAL,
    header_row,
    new_book,
    put,
    save,
    title_block,
    widths,
)

WRAP = Alignment(wrap_text=True, vertical="top")


def _print_setup(ws: Worksheet, header: int) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.print_title_rows = f"{header}:{header}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"
    ws.freeze_panes = ws.cell(row=header + 1, column=1)


def _sheet(
    wb: Any, title: str, heading: str, lines: list[str], headers: Sequence[str], sizes: list[int]
) -> tuple[Worksheet, int]:
    ws = wb.create_sheet(title[:31])
    row = title_block(ws, heading, lines)
    header_row(ws, row, list(headers))
    widths(ws, sizes)
    _print_setup(ws, row)
    return ws, row + 1


def _write(ws: Worksheet, row: int, values: Iterable[Any]) -> None:
    for col, value in enumerate(values, start=1):
        cell = put(ws, row, col, value, border=BORDER, alignment=WRAP)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, decimal.Decimal):
            cell.number_format = DECIMAL


def _fee_cells(item: FeeItem, v: FeeVersion) -> list[Any]:
    return [
        item.get_category_display(),
        item.code,
        item.name,
        v.fee,
        v.amount,
        v.amount_unit,
        f"{v.get_basis_display()} {v.basis_document}".strip(),
        v.discounts,
        v.effective_from,
    ]


FEE_HEADERS = (
    gettext_lazy("Category"),
    gettext_lazy("Code"),
    gettext_lazy("Service"),
    gettext_lazy("Fee"),
    gettext_lazy("Amount (yuan)"),
    pgettext_lazy("fee", "Per"),
    gettext_lazy("Pricing basis"),
    gettext_lazy("Discounts and waivers"),
    gettext_lazy("Effective from"),
)
FEE_SIZES = [12, 10, 22, 30, 10, 8, 30, 30, 12]


def _headers(*names: Any) -> list[str]:
    return [str(n) for n in names]


def catalogue_workbook(items: list[FeeItem], *, today: dt.date, internal: bool = True) -> bytes:
    """Staff export: the fees in force on `today` (with the unit and any pending change) and every version."""
    institution = institution_name()
    wb = new_book()
    wb.remove(wb.active)
    lines = [_("As of %(day)s") % {"day": today.isoformat()}]
    ws, row = _sheet(
        wb,
        _("Fees in force"),
        _("%(institution)s: fee catalogue") % {"institution": institution},
        lines,
        _headers(*FEE_HEADERS, _("Unit"), _("Pending change")),
        [*FEE_SIZES, 16, 18],
    )
    for item in items:
        versions = list(item.versions.all())
        now = next((v for v in versions if v.in_force_on(today)), None)
        pending = next((v for v in versions if v.pending), None)
        change = f"v{pending.number} {pending.get_status_display()} {pending.fee}" if pending else ""
        cells = (
            _fee_cells(item, now)
            if now
            else [item.get_category_display(), item.code, item.name, "—"] + [""] * 5
        )
        _write(ws, row, [*cells, item.org_unit.name, change])
        row += 1
    ws, row = _sheet(
        wb,
        pgettext("fee", "History"),
        _("%(institution)s: fee versions") % {"institution": institution},
        lines,
        _headers(*FEE_HEADERS, _("Effective to"), _("Version"), _("Status"), _("Fee review"), _("Unit")),
        [*FEE_SIZES, 12, 7, 10, 16, 16],
    )
    for item in items:
        for v in sorted(item.versions.all(), key=lambda v: v.number):
            review = v.review.reference if v.review_id and v.review else ""
            cells = [
                *_fee_cells(item, v),
                v.effective_to,
                v.number,
                v.get_status_display(),
                review,
                item.org_unit.name,
            ]
            _write(ws, row, cells)
            row += 1
    return save(wb)


def public_workbook(
    *,
    unit_name: str,
    today: dt.date,
    in_force: list[PublicGroup],
    upcoming: list[PublicRow],
    history: list[PublicGroup],
) -> bytes:
    """The public export: what the public page shows — the fees in force, the announced changes, the past
    versions; never a draft, an in-review or a rejected version (they are not in the lists given)."""
    institution = institution_name()
    wb = new_book()
    wb.remove(wb.active)
    lines = [_("Fees in force on %(day)s") % {"day": today.isoformat()}]
    if unit_name:
        lines.append(_("Applies at: %(unit)s") % {"unit": unit_name})
    ws, row = _sheet(
        wb,
        _("Fees in force"),
        _("%(institution)s: fee disclosure") % {"institution": institution},
        lines,
        _headers(*FEE_HEADERS),
        FEE_SIZES,
    )
    for group in in_force:
        for r in group.rows:
            _check_disclosed(r.version)
            _write(ws, row, _fee_cells(r.item, r.version))
            row += 1
    if upcoming:
        ws, row = _sheet(
            wb,
            _("Announced changes"),
            _("%(institution)s: announced fee changes") % {"institution": institution},
            lines,
            _headers(*FEE_HEADERS),
            FEE_SIZES,
        )
        for r in upcoming:
            _check_disclosed(r.version)
            _write(ws, row, _fee_cells(r.item, r.version))
            row += 1
    ws, row = _sheet(
        wb,
        _("Past versions"),
        _("%(institution)s: past fees") % {"institution": institution},
        lines,
        _headers(*FEE_HEADERS, _("Effective to")),
        [*FEE_SIZES, 12],
    )
    for group in history:
        for r in group.rows:
            _check_disclosed(r.version)
            _write(ws, row, [*_fee_cells(r.item, r.version), r.version.effective_to])
            row += 1
    return save(wb)


def _check_disclosed(version: FeeVersion) -> None:
    if version.status not in DISCLOSED:  # a programming error, never a customer's view of a draft
        raise ValueError(f"fee version {version.pk} is not disclosed")
