"""The quarterly inspection report (Word, A4) for head office: completion and scores against the previous
quarter, scores by unit and by aspect (with a chart), the lowest-scoring outlets, the most frequent findings,
rectification on time and overdue items, and a conclusions section for a person to finish.

A report kind of the reports app (`inspections`): run from the reports page like the complaint reports, as
the requester (their scope), with the configured institution's name; unit names, never internal codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.db.models import Avg, Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

from xiaobao.inspections.choices import Severity, Status
from xiaobao.inspections.figures import InspectionFigures, compute, inspections_in
from xiaobao.inspections.models import Finding
from xiaobao.reports.builders import BuildContext, institution_name
from xiaobao.reports.builders.charts import bar_chart
from xiaobao.reports.builders.figures import fmt_change
from xiaobao.reports.builders.quarterly import _a4, _fonts, _picture, _table, quarter_label

STEPS = 5
LOWEST = 10
TOP_FINDINGS = 10


@dataclass
class Data:
    now: InspectionFigures
    before: InspectionFigures
    lowest: list[tuple[str, str, float, int]]  # outlet name, its parent's name, average %, inspections
    severity: dict[str, int]
    repeats: int
    frequent: list[tuple[str, int]]  # finding description (item), count


def collect(ctx: BuildContext) -> Data:
    ctx.progress(0, STEPS, _("Computing the inspection figures"))
    now = compute(user=ctx.user, unit=ctx.unit, period=ctx.period)
    before = compute(user=ctx.user, unit=ctx.unit, period=ctx.period.previous())
    ctx.progress(1, STEPS, _("Ranking the outlets"))
    done = inspections_in(user=ctx.user, unit=ctx.unit, period=ctx.period).filter(status=Status.SUBMITTED)
    lowest = [
        (name, parent or "", float(avg), n)
        for name, parent, avg, n in done.filter(percent__isnull=False)
        .values("org_unit_id")
        .annotate(avg=Avg("percent"), n=Count("pk"))
        .order_by("avg", "org_unit__path")
        .values_list("org_unit__name", "org_unit__parent__name", "avg", "n")[:LOWEST]
    ]
    findings = Finding.objects.filter(inspection__in=done.values("pk")).order_by()
    counts = findings.aggregate(
        repeats=Count("pk", filter=Q(is_repeat=True)),
        **{s: Count("pk", filter=Q(severity=s)) for s in Severity.values},
    )
    frequent = [  # the checklist item's text (a finding entered without an item: its description)
        (text or description or "—", n)
        for text, description, n in findings.values("item_code")
        .annotate(n=Count("pk"), text=Min("item__text"), description=Min("description"))
        .order_by("-n", "item_code")
        .values_list("text", "description", "n")[:TOP_FINDINGS]
    ]
    severity = {s: counts[s] for s in Severity.values}
    return Data(now, before, lowest, severity, counts["repeats"], frequent)


# --- sections ---------------------------------------------------------------------------------------------


def _fmt(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{100 * value:.1f}%"
    if kind == "score":
        return f"{value:.1f}%"
    return f"{value:.2f}"


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None or before == 0:
        return "—"
    return fmt_change((now - before) / before)


def _title_page(doc: Any, ctx: BuildContext) -> None:
    for _i in range(4):
        doc.add_paragraph()
    for text in (institution_name(), _("Quarterly service inspection report")):
        doc.add_paragraph(text, style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (
        _("Unit: %(name)s") % {"name": ctx.unit.name},
        _("Quarter: %(quarter)s (%(start)s to %(end)s)")
        % {"quarter": quarter_label(ctx.period), "start": ctx.period.start, "end": ctx.period.end},
        _("Prepared on %(date)s") % {"date": timezone.localdate().isoformat()},
    ):
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _overview(doc: Any, data: Data) -> None:
    doc.add_heading(_("Overview"), level=1)
    now, before = data.now, data.before
    doc.add_paragraph(
        _(
            "%(done)s of %(planned)s inspections due this quarter were done (%(rate)s); the average score "
            "was %(avg)s, with %(fpi)s findings per inspection. %(overdue)s rectification items are open "
            "past their deadline as of %(today)s."
        )
        % {
            "done": _fmt("count", now.total.done),
            "planned": _fmt("count", now.total.planned),
            "rate": _fmt("percent", now.total.completion),
            "avg": _fmt("score", now.total.average),
            "fpi": _fmt("ratio", now.total.findings_per_inspection),
            "overdue": _fmt("count", now.total.overdue),
            "today": now.today.isoformat(),
        }
    )
    rows = []
    for f in now.figures:
        b = before.figure(f.key)
        rows.append([str(f.label), _fmt(f.kind, f.value), _fmt(b.kind, b.value), _change(f.value, b.value)])
    _table(doc, [_("Figure"), _("This quarter"), _("Previous quarter"), _("Quarter on quarter")], rows)


def _by_unit(doc: Any, data: Data) -> None:
    doc.add_heading(_("Inspections and scores by unit"), level=1)
    if not data.now.by_unit:
        doc.add_paragraph(_("No inspection was due this quarter."))
        return
    before = {r.code: r for r in data.before.by_unit}
    rows = []
    for r in data.now.by_unit:
        b = before.get(r.code)
        rows.append(
            [
                r.name,
                f"{r.done:,} / {r.planned:,}",
                _fmt("percent", r.completion),
                _fmt("score", r.average),
                _fmt("score", b.average if b else None),
                _fmt("ratio", r.findings_per_inspection),
            ]
        )
    headers = [
        _("Unit"),
        _("Done / planned"),
        _("Done of planned"),
        _("Average score"),
        _("Previous quarter"),
        _("Findings per inspection"),
    ]
    _table(doc, headers, rows, widths=[4.6, 2.6, 2.4, 2.4, 2.4, 2.6])


def _by_aspect(doc: Any, data: Data) -> None:
    doc.add_heading(_("Scores by aspect"), level=1)
    aspects = data.now.by_aspect
    if not aspects:
        doc.add_paragraph(_("No inspection was submitted this quarter."))
        return
    before = {(a.checklist, a.code): a.average for a in data.before.by_aspect}
    for checklist in dict.fromkeys(a.checklist for a in aspects):
        mine = [a for a in aspects if a.checklist == checklist]
        doc.add_heading(checklist, level=2)
        title = _("Average score by aspect (%)")
        values = [round(a.average or 0, 1) for a in mine]  # drawn with one decimal
        _picture(doc, bar_chart([a.name for a in mine], values, title))  # type: ignore[arg-type]
        rows = [
            [
                a.name,
                f"{a.inspections:,}",
                _fmt("score", a.average),
                _fmt("score", before.get((checklist, a.code))),
            ]
            for a in mine
        ]
        _table(doc, [_("Aspect"), _("Inspections"), _("Average score"), _("Previous quarter")], rows)


def _lowest(doc: Any, data: Data) -> None:
    doc.add_heading(_("Outlets with the lowest scores"), level=1)
    if not data.lowest:
        doc.add_paragraph(_("No inspection was submitted this quarter."))
        return
    rows = [[name, parent, _fmt("score", avg), f"{n:,}"] for name, parent, avg, n in data.lowest]
    _table(doc, [_("Outlet"), _("Belongs to"), _("Average score"), _("Inspections")], rows)


def _findings(doc: Any, data: Data) -> None:
    doc.add_heading(_("Findings"), level=1)
    labels = severity_labels()
    rows = [[labels[s], f"{n:,}"] for s, n in data.severity.items()]
    rows.append([_("of which repeat findings"), f"{data.repeats:,}"])
    _table(doc, [_("Severity"), _("Findings")], rows)
    if data.frequent:
        doc.add_heading(_("Most frequent findings"), level=2)
        _table(doc, [_("Checklist item"), _("Findings")], [[t, f"{n:,}"] for t, n in data.frequent])


def severity_labels() -> dict[str, str]:
    """Finding severities in their own context ("Minor" alone is a minor, a child, elsewhere)."""
    return {
        Severity.MINOR: pgettext("finding severity", "Minor"),
        Severity.MAJOR: pgettext("finding severity", "Major"),
        Severity.CRITICAL: pgettext("finding severity", "Critical"),
    }


def _rectification(doc: Any, data: Data) -> None:
    doc.add_heading(_("Rectification of findings"), level=1)
    t = data.now.total
    doc.add_paragraph(
        _(
            "On time means the item was verified by its due date (extensions granted included); the rate is "
            "taken over the items opened this quarter and verified so far."
        )
    )
    rows = [
        [r.name, f"{r.verified:,}", f"{r.on_time:,}", _fmt("percent", r.on_time_rate), f"{r.overdue:,}"]
        for r in data.now.by_unit
    ]
    rows.append(
        [_("Total"), f"{t.verified:,}", f"{t.on_time:,}", _fmt("percent", t.on_time_rate), f"{t.overdue:,}"]
    )
    headers = [_("Unit"), _("Verified"), _("On time"), _("Rectification on time"), _("Overdue open items")]
    _table(doc, headers, rows)


def _conclusions(doc: Any) -> None:
    doc.add_heading(_("Conclusions and next steps"), level=1)
    for text in (
        _("[To be completed: the main service problems found this quarter and their causes.]"),
        _("[To be completed: rectification measures, owners and deadlines.]"),
        _("[To be completed: the inspection plan for the next quarter.]"),
    ):
        doc.add_paragraph().add_run(text).italic = True


def build(ctx: BuildContext) -> bytes:
    data = collect(ctx)
    ctx.progress(2, STEPS, _("Drawing the charts"))
    doc = Document()
    _a4(doc)
    _fonts(doc)
    doc.core_properties.title = _("Quarterly service inspection report")
    doc.core_properties.author = institution_name()
    doc.core_properties.comments = ""
    _title_page(doc, ctx)
    _overview(doc, data)
    _by_unit(doc, data)
    _by_aspect(doc, data)
    ctx.progress(3, STEPS, _("Writing the report"))
    _lowest(doc, data)
    _findings(doc, data)
    _rectification(doc, data)
    _conclusions(doc)
    ctx.progress(4, STEPS, _("Saving"))
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
