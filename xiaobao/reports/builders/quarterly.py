"""The quarterly complaint analysis report (Word): figures and changes, distributions with charts, hot spots,
regulator-forwarded complaints, on-time performance, typical cases (no personal data), rectification, and a
conclusions section for a person to finish. Real Word headings and styles, so it stays editable.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from xiaobao.analytics import stats
from xiaobao.complaints.choices import Liability, Status
from xiaobao.reports.builders import BuildContext, institution_name
from xiaobao.reports.builders.charts import bar_chart
from xiaobao.reports.builders.figures import by_key, change_phrase, fmt_change, fmt_value
from xiaobao.reports.privacy import scrub
from xiaobao.reports.sections import add_to_docx, module_sections

TOP = 10
CASES = 10
STEPS = 6
CLOSED = (Status.CLOSED, Status.ARCHIVED)


@dataclass
class Data:
    figures: dict[str, Any]
    breakdowns: dict[str, list[Any]]
    previous: dict[str, list[Any]]
    cases: list[Any]
    rectification: dict[str, int]


def quarter_label(period: Any) -> str:
    if period.grain == "quarter":
        q = (period.start.month - 1) // 3 + 1
        return _("Q%(quarter)s %(year)s") % {"quarter": q, "year": period.start.year}
    return period.label


def collect(ctx: BuildContext) -> Data:
    kw = {"user": ctx.user, "unit": ctx.unit}
    ctx.progress(0, STEPS, _("Computing the headline figures"))
    figures = by_key(stats.headline(period=ctx.period, **kw))
    ctx.progress(1, STEPS, _("Computing the distributions"))
    dims = ("business_type", "cause", "channel", "source", "unit")
    breakdowns = stats.breakdowns(period=ctx.period, dimensions=dims, **kw)
    previous = stats.breakdowns(period=ctx.period.previous(), dimensions=("cause", "unit"), **kw)
    ctx.progress(2, STEPS, _("Selecting typical cases"))
    qs = stats.scoped_complaints(period=ctx.period, **kw)
    cases = list(
        qs.filter(Q(case_library=True) | Q(is_major=True))
        .select_related("business_type", "cause", "complainant", "consumer", "org_unit")
        .order_by("-case_library", "-is_major", "receipt_date", "pk")[:CASES]
    )
    rectification = qs.aggregate(
        closed=Count("pk", filter=Q(status__in=CLOSED)),
        closed_root_cause=Count("pk", filter=Q(status__in=CLOSED) & ~Q(root_cause="")),
        at_fault=Count("pk", filter=Q(liability=Liability.AT_FAULT)),
        at_fault_redress=Count("pk", filter=Q(liability=Liability.AT_FAULT, redress_amount__gt=0)),
        redress_paid=Count("pk", filter=Q(redress_paid_at__isnull=False)),
    )
    return Data(figures, breakdowns, previous, cases, rectification)


# --- document helpers -------------------------------------------------------------------------------------


def _fonts(doc: Any) -> None:
    """Body in 宋体, headings in 黑体 for East-Asian text (Word substitutes where they are missing)."""
    for name, east in [("Normal", "宋体"), ("Title", "黑体"), ("Heading 1", "黑体"), ("Heading 2", "黑体")]:
        style = doc.styles[name]
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), east)
    doc.styles["Normal"].font.size = Pt(11)


def _table(doc: Any, headers: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> Any:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    if widths:
        table.autofit = False
        for column, w in zip(table.columns, widths, strict=True):
            column.width = Cm(w)  # the grid (LibreOffice reads it) …
        for row in table.rows:  # … and every cell (Word reads these)
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Cm(w)
    doc.add_paragraph()
    return table


def _picture(doc: Any, png: bytes) -> None:
    doc.add_picture(BytesIO(png), width=Cm(15))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _title_page(doc: Any, ctx: BuildContext) -> None:
    for _i in range(4):
        doc.add_paragraph()
    p = doc.add_paragraph(institution_name(), style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(_("Complaint analysis report"), style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (
        _("Unit: %(name)s (%(code)s)") % {"name": ctx.unit.name, "code": ctx.unit.code},
        _("Quarter: %(quarter)s (%(start)s to %(end)s)")
        % {"quarter": quarter_label(ctx.period), "start": ctx.period.start, "end": ctx.period.end},
        _("Prepared on %(date)s") % {"date": timezone.localdate().isoformat()},
    ):
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


# --- sections ---------------------------------------------------------------------------------------------

OVERVIEW_KEYS = (
    "received",
    "regulator_forwarded",
    "major",
    "repeat_rate",
    "secondary_rate",
    "withdrawal_rate",
    "review_rate",
    "at_fault_rate",
    "satisfaction",
    "redress_paid",
    "per_10k_customers",
    "per_1k_outlets",
)
ON_TIME_KEYS = ("on_time_rate", "avg_days", "p90_days", "extension_rate")


def _figure_rows(data: Data, keys: tuple[str, ...]) -> list[list[str]]:
    rows = []
    for key in keys:
        f = data.figures.get(key)
        if f is None:
            continue
        rows.append(
            [
                str(f.label),
                fmt_value(f.kind, f.value),
                fmt_value(f.kind, f.previous),
                fmt_value(f.kind, f.year_ago),
                fmt_change(f.pop_change),
                fmt_change(f.yoy_change),
            ]
        )
    return rows


def _figure_headers() -> list[str]:
    return [
        _("Figure"),
        _("This quarter"),
        _("Previous quarter"),
        _("Same quarter last year"),
        _("Quarter on quarter"),
        _("Year on year"),
    ]


def _overview(doc: Any, data: Data) -> None:
    doc.add_heading(_("Overview"), level=1)
    received = data.figures["received"]
    doc.add_paragraph(
        _(
            "%(n)s complaints were received this quarter, %(qoq)s on the previous quarter and %(yoy)s on "
            "the same quarter last year."
        )
        % {
            "n": fmt_value("count", received.value),
            "qoq": change_phrase(received.pop_change),
            "yoy": change_phrase(received.yoy_change),
        }
    )
    _table(doc, _figure_headers(), _figure_rows(data, OVERVIEW_KEYS))


def _slice_rows(slices: list[Any], limit: int = TOP) -> list[list[str]]:
    return [[s.code, s.label, f"{s.count:,}", f"{s.share * 100:.1f}%"] for s in slices[:limit]]


def _distribution(doc: Any, data: Data) -> None:
    doc.add_heading(_("Distribution"), level=1)
    titles = {
        "business_type": _("By business type"),
        "cause": _("By cause"),
        "channel": _("By channel"),
    }
    for dimension, title in titles.items():
        slices = data.breakdowns[dimension]
        doc.add_heading(title, level=2)
        top = slices[:TOP]
        _picture(doc, bar_chart([s.label for s in top], [s.count for s in top], title))
        _table(doc, [_("Code"), _("Name"), _("Complaints"), _("Share")], _slice_rows(slices))


def _hot_spots(doc: Any, data: Data) -> None:
    doc.add_heading(_("Top causes and hot spots"), level=1)
    before = {s.code: s.count for s in data.previous["cause"]}
    doc.add_heading(_("Top causes"), level=2)
    rows = [
        [s.code, s.label, f"{s.count:,}", f"{s.share * 100:.1f}%", f"{s.count - before.get(s.code, 0):+,}"]
        for s in data.breakdowns["cause"][:5]
    ]
    _table(doc, [_("Code"), _("Cause"), _("Complaints"), _("Share"), _("Change on previous quarter")], rows)
    units = data.breakdowns["unit"]
    doc.add_heading(_("Units with the most complaints"), level=2)
    _table(doc, [_("Code"), _("Unit"), _("Complaints"), _("Share")], _slice_rows(units, 5))
    doc.add_heading(_("Units with the biggest increases"), level=2)
    prev_units = {s.code: s.count for s in data.previous["unit"]}
    rises = sorted(
        ((s, s.count - prev_units.get(s.code, 0)) for s in units), key=lambda x: (-x[1], x[0].code)
    )
    rows = [
        [s.code, s.label, f"{prev_units.get(s.code, 0):,}", f"{s.count:,}", f"{d:+,}"]
        for s, d in rises
        if d > 0
    ]
    if rows:
        _table(doc, [_("Code"), _("Unit"), _("Previous quarter"), _("This quarter"), _("Increase")], rows[:5])
    else:
        doc.add_paragraph(_("No unit received more complaints than in the previous quarter."))


def _forwarded(doc: Any, data: Data) -> None:
    doc.add_heading(_("Complaints forwarded by regulators"), level=1)
    f, received = data.figures["regulator_forwarded"], data.figures["received"]
    share = (f.value or 0) / received.value if received.value else None
    doc.add_paragraph(
        _(
            "%(n)s complaints were forwarded by regulators (%(share)s of all received), %(qoq)s on the "
            "previous quarter and %(yoy)s year on year."
        )
        % {
            "n": fmt_value("count", f.value),
            "share": fmt_value("percent", share),
            "qoq": change_phrase(f.pop_change),
            "yoy": change_phrase(f.yoy_change),
        }
    )
    rows = [[s.label, f"{s.count:,}", f"{s.share * 100:.1f}%"] for s in data.breakdowns["source"]]
    _table(doc, [_("Source"), _("Complaints"), _("Share")], rows)  # names: the codes are internal


def _on_time(doc: Any, data: Data) -> None:
    doc.add_heading(_("On-time performance"), level=1)
    doc.add_paragraph(
        _(
            "On time means the decision notice went out by the due date (NFRA 2020 Art 21); the rate is "
            "decisions on time divided by decisions on time plus late or overdue ones."
        )
    )
    _table(doc, _figure_headers(), _figure_rows(data, ON_TIME_KEYS))


def _cases(doc: Any, data: Data) -> None:
    doc.add_heading(_("Typical cases"), level=1)
    if not data.cases:
        doc.add_paragraph(_("No complaint of this quarter is in the case library or marked major."))
        return
    rows = []
    for c in data.cases:
        names = [c.complainant.name, c.consumer.name if c.consumer else ""]
        flags = [str(_("case library")) if c.case_library else "", str(_("major")) if c.is_major else ""]
        rows.append(
            [
                c.reference,
                f"{c.business_type.code} {c.business_type.name}",
                f"{c.cause.code} {c.cause.name}",
                "、".join(x for x in flags if x),
                scrub(c.description, names),
            ]
        )
    headers = [_("Reference"), _("Business type"), _("Cause"), _("Why"), _("Case summary")]
    _table(doc, headers, rows, widths=[3.6, 2.8, 2.8, 1.6, 6.2])


def _rectification(doc: Any, data: Data) -> None:
    doc.add_heading(_("Rectification"), level=1)
    r = data.rectification
    rows = [
        [_("Closed complaints"), f"{r['closed']:,}"],
        [_("of which with a root cause recorded"), f"{r['closed_root_cause']:,}"],
        [_("At-fault complaints"), f"{r['at_fault']:,}"],
        [_("of which with redress recorded"), f"{r['at_fault_redress']:,}"],
        [_("Complaints with redress paid"), f"{r['redress_paid']:,}"],
    ]
    _table(doc, [_("Item"), _("Complaints")], rows)


def _conclusions(doc: Any) -> None:
    doc.add_heading(_("Conclusions and next steps"), level=1)
    for text in (
        _("[To be completed: the main problems this quarter and their causes.]"),
        _("[To be completed: rectification measures, owners and deadlines.]"),
        _("[To be completed: early-warning points and plans for the next quarter.]"),
    ):
        doc.add_paragraph().add_run(text).italic = True


def _a4(doc: Any) -> None:
    """A4 portrait (python-docx's default template is US Letter), 2 cm side margins: 17 cm of text."""
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(25)


def build(ctx: BuildContext) -> bytes:
    data = collect(ctx)
    ctx.progress(3, STEPS, _("Drawing the charts"))
    doc = Document()
    _a4(doc)
    _fonts(doc)
    doc.core_properties.title = _("Complaint analysis report")
    doc.core_properties.author = institution_name()
    doc.core_properties.comments = ""
    _title_page(doc, ctx)
    _overview(doc, data)
    _distribution(doc, data)
    ctx.progress(4, STEPS, _("Writing the report"))
    _hot_spots(doc, data)
    _forwarded(doc, data)
    _on_time(doc, data)
    _cases(doc, data)
    _rectification(doc, data)
    add_to_docx(doc, module_sections(ctx))  # the modules' chapters (consumer-protection review, …)
    _conclusions(doc)
    ctx.progress(5, STEPS, _("Saving"))
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
