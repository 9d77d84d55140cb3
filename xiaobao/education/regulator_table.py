"""The campaign's summary table for the regulator (Excel): one row per unit of the next level below the
requester's scope root (for head office: each branch), the root's own activities, and a total — activities,
people reached and by segment, leaflets, online articles and reads, videos, media reports, outlets covered
and total with the share. Approved activities of the edition only (see `xiaobao.education.figures`).
The institution's name and the campaign in the title, names not codes, A4 landscape, fitted to one page wide.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.styles import Alignment
from openpyxl.worksheet.page import PageMargins

from xiaobao.core.models import OrgUnit
from xiaobao.education.figures import SEGMENT_LABELS, P, Slice, Tally, compute
from xiaobao.education.models import SEGMENTS, CampaignEdition
from xiaobao.reports.builders import institution_name
from xiaobao.reports.builders.xlsx import (
    BOLD,
    BORDER,
    INT,
    PERCENT,
    TITLE,
    TOTAL_FILL,
    header_row,
    new_book,
    put,
    save,
    widths,
)


def headers() -> list[str]:
    return [
        _("Unit"),
        pgettext(P, "Activities"),
        pgettext(P, "People reached"),
        *[str(SEGMENT_LABELS[s]) for s in SEGMENTS],
        pgettext(P, "Leaflets"),
        pgettext(P, "Online articles"),
        pgettext(P, "Online reads"),
        pgettext(P, "Videos"),
        pgettext(P, "Media reports"),
        pgettext(P, "Outlets covered"),
        pgettext(P, "Outlets"),
        pgettext(P, "Share of outlets"),
    ]


def cells(name: str, t: Tally) -> list[Any]:
    return [
        name,
        t.activities,
        t.people_reached,
        *[t.audience[s] for s in SEGMENTS],
        t.leaflets,
        t.online_articles,
        t.online_reads,
        t.videos,
        t.media_reports,
        t.outlets_covered,
        t.outlets_total,
        t.coverage,
    ]


def build(*, user: Any, unit: OrgUnit, edition: CampaignEdition) -> bytes:
    data = compute(user=user, unit=unit, slc=Slice(edition=edition))
    wb = new_book()
    ws = wb.active
    ws.title = pgettext(P, "Summary table")[:31]
    head = headers()
    last = len(head)
    title = _("%(institution)s — %(edition)s: summary of education activities") % {
        "institution": institution_name(),
        "edition": str(edition),
    }
    put(ws, 1, 1, title, font=TITLE, alignment=Alignment(horizontal="center"))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    info = _(
        "Campaign days %(start)s to %(end)s · unit: %(unit)s · approved activities · made on %(today)s"
    ) % {
        "start": edition.starts_on.isoformat(),
        "end": edition.ends_on.isoformat(),
        "unit": unit.name,
        "today": timezone.localdate().isoformat(),
    }
    put(ws, 2, 1, info)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    if edition.theme:
        put(ws, 3, 1, _("Theme: %(theme)s") % {"theme": edition.theme})
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=last)
    row = 5
    header_row(ws, row, head)
    ws.row_dimensions[row].height = 32
    for r in data.by_unit:
        row += 1
        for col, value in enumerate(cells(r.name, r.tally), start=1):
            fmt = PERCENT if col == last else INT if col > 1 else "General"
            put(ws, row, col, value, border=BORDER, fmt=fmt)
    row += 1
    for col, value in enumerate(cells(_("Total"), data.total), start=1):
        fmt = PERCENT if col == last else INT if col > 1 else "General"
        put(ws, row, col, value, border=BORDER, fmt=fmt, font=BOLD, fill=TOTAL_FILL)
    put(
        ws,
        row + 2,
        1,
        _(
            "Only approved activities are counted, each in the unit that held it. People reached = the sum "
            "of the audience segments. Outlets: active outlets of the unit; covered: with at least one "
            "activity."
        ),
    )
    widths(ws, [22] + [9] * (last - 1))
    ws.freeze_panes = ws.cell(row=6, column=2)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.print_title_rows = "5:5"
    ws.oddFooter.center.text = "&P / &N"
    return save(wb)
