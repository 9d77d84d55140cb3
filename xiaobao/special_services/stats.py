"""The statistics page's special-group services section (`Module.stats_section`) and the Excel workbooks:
the figures (by unit, reason, service, outcome, special group) and the home-services list (the person
masked). Every sheet prints on A4 under the configured institution's name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.worksheet.worksheet import Worksheet

from xiaobao.analytics.periods import Period
from xiaobao.core.models import OrgUnit
from xiaobao.reports.builders import institution_name
from xiaobao.reports.builders.xlsx import BORDER, header_row, new_book, put, save, title_block, widths
from xiaobao.special_services.figures import P, Row, SpecialFigures, compute, count_tables, may_see
from xiaobao.special_services.models import HomeService


def _chart(rows: list[Any], value: Any, link: Any) -> dict[str, list[Any]]:
    return {
        "labels": [r.name for r in rows],
        "values": [value(r) for r in rows],
        "links": [link(r) for r in rows],
    }


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    if not may_see(user, unit):
        return None
    data = compute(user=user, unit=unit, period=period)
    export = QueryDict(mutable=True)
    export.update({"unit": unit.code, "period": period.label})
    return {
        "data": data,
        "sentence": data.sentence,
        "charts": {
            "by_unit": _chart(data.by_unit, lambda r: r.tally.services, lambda r: r.urls.get("drill", "")),
            "by_reason": _chart(data.by_reason, lambda r: r.count, lambda r: r.url),
        },
        "export_query": export.urlencode(),
        "tables": count_tables(data),
    }


# --- Excel --------------------------------------------------------------------------------------------------


def _print_setup(ws: Worksheet, header: int, *, landscape: bool = True) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header}:{header}"
    ws.oddFooter.center.text = "&P / &N"


def _sheet(
    wb: Any, title: str, lines: list[str], headers: Sequence[str], sizes: list[int]
) -> tuple[Worksheet, int]:
    ws = wb.create_sheet(title[:31])
    row = title_block(ws, f"{institution_name()} {title}", lines)
    header_row(ws, row, [str(h) for h in headers])
    widths(ws, sizes)
    _print_setup(ws, row)
    return ws, row + 1


def _rows(ws: Worksheet, start: int, rows: Iterable[Sequence[Any]]) -> None:
    for r, values in enumerate(rows, start=start):
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value, border=BORDER)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"


def _unit_cells(r: Row, complaints: bool) -> list[Any]:
    t = r.tally
    out: list[Any] = [
        r.name,
        t.outlets,
        t.outlets_checked,
        t.outlets_equipped,
        None if t.equipped_share is None else round(t.equipped_share, 4),
        t.services,
        t.people,
    ]
    return [*out, t.complaints] if complaints else out


def figures_workbook(data: SpecialFigures) -> bytes:
    wb = new_book()
    wb.remove(wb.active)
    lines = [
        f"{_('Unit')}: {data.unit.name}",
        f"{_('Period')}: {data.period.start} – {data.period.end}",
        data.sentence,
    ]
    head = [
        _("Unit"),
        pgettext(P, "Outlets"),
        pgettext(P, "Outlets checked"),
        pgettext(P, "Fully equipped outlets"),
        pgettext(P, "Equipped share"),
        pgettext(P, "Home services"),
        pgettext(P, "People served at home"),
    ]
    if data.complaints_shown:
        head.append(pgettext(P, "Complaints from special groups"))
    ws, r = _sheet(
        wb, pgettext(P, "Special-group services by unit"), lines, head, [24, 10, 10, 12, 10, 10, 12, 14]
    )
    total = Row(key="", name=_("Total"), tally=data.total)
    _rows(ws, r, [_unit_cells(x, data.complaints_shown) for x in [*data.by_unit, total]])
    for title, rows in (
        (pgettext(P, "Home services by reason"), data.by_reason),
        (pgettext(P, "Home services by kind"), data.by_service),
        (pgettext(P, "Home services by outcome"), data.by_outcome),
    ):
        ws, r = _sheet(wb, title, lines, [pgettext(P, "Item"), pgettext(P, "Home services")], [24, 12])
        _rows(ws, r, [[x.name, x.count] for x in rows])
    if data.complaints_shown:
        ws, r = _sheet(
            wb,
            pgettext(P, "Complaints by special group"),
            lines,
            [pgettext(P, "Special group"), pgettext(P, "Complaints")],
            [24, 12],
        )
        _rows(ws, r, [[x.name, x.count] for x in data.by_group])
    return save(wb)


def home_services_workbook(services: Iterable[HomeService], *, lines: list[str]) -> bytes:
    """The list as filtered: the person by masked name (no phone, no ID number), names not codes."""
    wb = new_book()
    wb.remove(wb.active)
    head = [
        _("Date"),
        _("Unit"),
        pgettext(P, "Person served"),
        _("Reason"),
        pgettext(P, "Service"),
        pgettext(P, "Place"),
        pgettext(P, "Staff involved"),
        pgettext(P, "Outcome"),
        _("Notes"),
    ]
    ws, r = _sheet(wb, pgettext(P, "Home services"), lines, head, [12, 20, 12, 12, 14, 10, 8, 10, 40])
    _rows(
        ws,
        r,
        (
            [
                s.served_on,
                s.org_unit.name,
                s.consumer.masked_name,
                s.reason.name,
                s.service.name,
                s.get_place_display(),
                s.staff_involved,
                s.get_outcome_display(),
                s.notes,
            ]
            for s in services
        ),
    )
    return save(wb)
