"""Filling a bank's uploaded Excel layout (a ReportTemplate) for one unit and period."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from xiaobao.complaints.models import Complaint
from xiaobao.core.validators import check_zip_bounds
from xiaobao.reports.builders import BuildContext
from xiaobao.reports.builders.xlsx import save
from xiaobao.reports.fill import TemplateError, count_index, fill_value, text_values
from xiaobao.reports.placeholders import scan_workbook


def open_template(template: Any) -> Any:
    """The template's workbook; a damaged or missing file is a TemplateError (the job fails with it)."""
    try:
        with template.file.open("rb") as fh:
            data = fh.read()
        check_zip_bounds(data)  # stored before the bound existed: checked again before unpacking
        return load_workbook(BytesIO(data))
    except Exception as exc:  # zip, XML or storage errors: all mean "this file cannot be used"
        raise TemplateError(
            _("The template “%(name)s” cannot be read as an Excel workbook.") % {"name": template.name}
        ) from exc


def fill_template(ctx: BuildContext, qs: QuerySet[Complaint]) -> bytes:
    ctx.progress(0, 3, _("Reading the template"))
    wb = open_template(ctx.template)
    found, errors = scan_workbook(wb)
    if errors:
        raise TemplateError(
            _("The template has invalid placeholders: %(errors)s") % {"errors": "; ".join(errors[:5])}
        )
    ctx.progress(1, 3, _("Counting"))
    index = count_index(qs, ctx.unit, [f.placeholder for f in found])
    texts = text_values(ctx.unit, ctx.period)
    ctx.progress(2, 3, _("Filling the template"))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "{{" in cell.value:
                    cell.value = fill_value(cell.value, index, texts)
    return save(wb)
