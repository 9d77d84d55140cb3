"""The activity list as an Excel workbook: the rows the list shows (same filters, same scope), names not
codes, A4 landscape one page wide with the header row repeated, under the institution's name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from xiaobao.core.clock import localdate
from xiaobao.education.forms import SEGMENT_LABELS
from xiaobao.education.models import SEGMENTS, Activity
from xiaobao.reports.builders import institution_name
from xiaobao.reports.builders.xlsx import BORDER, header_row, new_book, put, save, title_block, widths

WRAP = Alignment(wrap_text=True, vertical="top")
MAX_ROWS = 50_000


def _print_setup(ws: Worksheet, header: int) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header}:{header}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"
    ws.freeze_panes = ws.cell(row=header + 1, column=1)


def headers() -> list[str]:
    return [
        _("Reference"),
        _("Held on"),
        _("Unit"),
        _("Campaign"),
        _("Title"),
        _("Venue type"),
        _("Place"),
        _("Topics"),
        *[str(SEGMENT_LABELS[s]) for s in SEGMENTS],
        _("People reached"),
        _("Staff involved"),
        _("Leaflets handed out"),
        _("Online articles"),
        _("Online reads"),
        _("Videos"),
        _("Media reports"),
        _("Photos"),
        _("Status"),
        _("Reported by"),
        _("Approved by"),
    ]


def row(a: Activity) -> list[Any]:
    photos = getattr(a, "n_photos", None)
    return [
        a.reference,
        a.held_on,
        a.org_unit.name,
        str(a.edition) if a.edition_id else "—",
        a.title,
        a.venue.name,
        a.place,
        "、".join(t.name for t in a.topics.all()),
        *[getattr(a, f"audience_{s}") for s in SEGMENTS],
        a.people_reached,
        a.staff_involved,
        a.leaflets,
        a.online_articles,
        a.online_reads,
        a.videos,
        a.media_reports,
        photos if photos is not None else a.photos.count(),
        a.get_status_display(),
        a.reported_by.full_name or a.reported_by.username,
        (a.approved_by.full_name or a.approved_by.username) if a.approved_by_id else "",  # type: ignore[union-attr]
    ]


def activities_xlsx(qs: Any, *, filters_text: str = "") -> bytes:
    from django.db.models import Count

    wb = new_book()
    wb.remove(wb.active)
    ws = wb.create_sheet(_("Education activities")[:31])
    lines = [
        institution_name(),
        _("Exported on %(day)s") % {"day": localdate().isoformat()},
        *([filters_text] if filters_text else []),
    ]
    start = title_block(ws, _("Education activities"), lines)
    heads = headers()
    header_row(ws, start, heads)
    widths(ws, [14, 11, 16, 22, 28, 12, 16, 24, *[8] * len(SEGMENTS), 9, 8, 9, 8, 9, 7, 8, 7, 10, 10, 10])
    _print_setup(ws, start)
    r = start + 1
    total = [0] * (len(SEGMENTS) + 7)
    for a in qs.select_related("approved_by").annotate(n_photos=Count("photos"))[:MAX_ROWS]:
        values = row(a)
        for col, value in enumerate(values, start=1):
            cell = put(ws, r, col, value, border=BORDER, alignment=WRAP)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        for i in range(len(total)):
            total[i] += values[8 + i]
        r += 1
    put(ws, r, 1, _("Total"), border=BORDER)
    for i, n in enumerate(total):
        put(ws, r, 9 + i, n, border=BORDER)
    return save(wb)
