"""Excel documents of the catalogue: the catalogue itself, the yearly 废改立 list and the coverage report
— A4 with the institution's name in the title, names not codes, repeated header rows, fitted to the
page width."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.core.exports import safe_cell
from xiaobao.policies.selectors import RegulationCoverage


def _sheet(
    wb: Any,
    title: str,
    heading: str,
    info: str,
    headers: Sequence[str],
    rows: list[list[Any]],
    widths: Sequence[int],
) -> Any:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last = get_column_letter(len(headers))
    ws.append([heading])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([info])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append([str(h) for h in headers])
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:3"
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    return ws


def _save(wb: Any) -> bytes:
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _book() -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def changes_xlsx(versions: Sequence[Any], year: int, counts: dict[str, int]) -> bytes:
    """The year's 废改立 list: one row per approved version."""
    wb = _book()
    heading = _("%(inst)s %(year)d policy enactments, revisions and repeals (制度废改立清单)") % {
        "inst": settings.INSTITUTION_NAME,
        "year": year,
    }
    info = _("Enacted %(e)d · revised %(r)d · repealed %(x)d · produced %(at)s") % {
        "e": counts.get("enact", 0),
        "r": counts.get("revise", 0),
        "x": counts.get("repeal", 0),
        "at": timezone.localtime().strftime("%Y-%m-%d"),
    }
    headers = [
        _("No."),
        _("Kind of change"),
        _("Catalogue number"),
        _("Policy"),
        _("Document number"),
        _("Unit"),
        _("Owner department"),
        _("Version"),
        _("Reason"),
        _("Approved on"),
        _("Effective date"),
    ]
    rows = [
        [
            i,
            v.get_kind_display(),
            v.policy.number,
            v.title,
            v.document_number or v.policy.document_number,
            v.policy.org_unit.name,
            v.policy.owner_department,
            v.number,
            v.reason,
            v.approved_on,
            v.effective_on,
        ]
        for i, v in enumerate(versions, 1)
    ]
    ws = _sheet(wb, str(year), heading, info, headers, rows, [6, 12, 12, 30, 20, 14, 16, 6, 40, 12, 12])
    for row in ws.iter_rows(min_row=4, min_col=10, max_col=11):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    return _save(wb)


def catalogue_xlsx(policies: Sequence[Any], filters: str, months: dict[str, int]) -> bytes:
    """The catalogue as filtered on the page: one row per policy, names not codes."""
    from xiaobao.policies.selectors import review_due_on

    wb = _book()
    heading = _("%(inst)s policy catalogue (制度目录)") % {"inst": settings.INSTITUTION_NAME}
    info = _("%(n)d policies · %(filters)s · produced %(at)s") % {
        "n": len(policies),
        "filters": filters or _("all policies you can see"),
        "at": timezone.localtime().strftime("%Y-%m-%d"),
    }
    headers = [
        _("No."),
        _("Catalogue number"),
        _("Title"),
        _("Document number"),
        _("Level"),
        _("Unit"),
        _("Owner department"),
        _("Status"),
        _("Effective date"),
        _("Version"),
        _("Higher rule it implements"),
        _("Last reviewed"),
        _("Next review"),
    ]
    rows = [
        [
            i,
            p.number,
            p.title,
            p.document_number,
            p.get_level_display(),
            p.org_unit.name,
            p.owner_department,
            p.get_status_display(),
            p.effective_on,
            f"v{p.current_version.number}" if p.current_version else "",
            "　".join(x for x in (str(p.regulation) if p.regulation else "", p.higher_rule) if x),
            p.last_reviewed_on,
            review_due_on(p, months),
        ]
        for i, p in enumerate(policies, 1)
    ]
    ws = _sheet(
        wb, _("Catalogue"), heading, info, headers, rows, [6, 14, 32, 20, 8, 14, 16, 12, 12, 6, 30, 12, 12]
    )
    for row in ws.iter_rows(min_row=4, min_col=9, max_col=13):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    return _save(wb)


def coverage_xlsx(report: list[RegulationCoverage]) -> bytes:
    """Every article: implemented by which clauses of which policies in force, or by none."""
    wb = _book()
    heading = _("%(inst)s coverage of regulations by internal policies") % {"inst": settings.INSTITUTION_NAME}
    total = sum(r.total for r in report)
    covered = sum(r.covered for r in report)
    info = _("%(c)d of %(t)d articles implemented · produced %(at)s") % {
        "c": covered,
        "t": total,
        "at": timezone.localtime().strftime("%Y-%m-%d"),
    }
    headers = [
        _("Regulation"),
        _("Article"),
        pgettext("policies", "Summary"),
        _("Implemented"),
        _("Policy clauses"),
        _("Unconfirmed"),
    ]
    rows = []
    for reg in report:
        for a in reg.articles:
            rows.append(
                [
                    f"《{reg.regulation.name}》",
                    a.article.number,
                    a.article.summary,
                    _("yes") if a.covered else _("no"),
                    "；".join(
                        " ".join((c.version.policy.number, c.version.title, c.number))
                        for c in (link.clause for link in a.clauses)
                    ),
                    _("yes") if a.article.unconfirmed else "",
                ]
            )
    _sheet(wb, pgettext("policies", "Coverage"), heading, info, headers, rows, [28, 14, 50, 8, 40, 8])
    uncovered = [
        [f"《{reg.regulation.name}》", a.article.number, a.article.summary]
        for reg in report
        for a in reg.uncovered
    ]
    _sheet(
        wb,
        _("Not implemented"),
        heading,
        _("Articles no policy in force implements"),
        [_("Regulation"), _("Article"), pgettext("policies", "Summary")],
        uncovered,
        [30, 16, 70],
    )
    return _save(wb)
