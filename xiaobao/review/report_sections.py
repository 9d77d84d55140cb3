"""The review section for reports (`Module.report_sections`): a heading, the banks' sentence ("审查 N 项，
提出意见 M 条，采纳率 X%") with a paragraph of the figures, and tables — the headline against the previous
period, by kind of review, opinions by category — for the report's period, computed as the requester
(their scope) with `xiaobao.review.figures`.

`review_section(ctx)` takes the reports app's `BuildContext` (user, unit, period) and returns a
`ReportSection` (plain data: any report kind can lay it out — `xiaobao.reports.sections` writes every
module's sections into the Word report and the workbooks), or None when the requester may not see reviews or
the period holds nothing to report. Units and kinds by name, no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.analytics.templatetags.statistics import format_change, format_value
from xiaobao.review.figures import ReviewFigures, Tally, compute, percent_text
from xiaobao.review.stats import relative_change


@dataclass
class SectionTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # cm, for Word


@dataclass
class ReportSection:
    key: str
    title: str
    paragraphs: list[str]
    tables: list[SectionTable] = field(default_factory=list)
    data: ReviewFigures | None = None  # the figures behind it (for a builder that wants more)


VIEW_PERM = "review.view_review"


def _count(n: int) -> str:
    return f"{n:,}"


def paragraph(t: Tally, *, issued: int, withdrawn: int) -> str:
    if not t.concluded:
        return _("No review was concluded in this period.")
    return _(
        "%(n)s reviews were concluded in the period (%(passed)s passed, %(changes)s passed after changes, "
        "%(rejected)s rejected), with %(m)s opinions (%(must)s must change, %(sugg)s suggestions). Of the "
        "%(answered)s opinions answered, %(adopted)s were adopted, %(partly)s partly adopted and %(not)s not "
        "adopted: an adoption rate of %(rate)s. %(on_time)s of the reviews were concluded by their due date; "
        "a review took %(days)s working days on average from submission to conclusion. Approvals issued: "
        "%(issued)s; withdrawn: %(withdrawn)s."
    ) % {
        "n": _count(t.concluded),
        "passed": _count(t.passed),
        "changes": _count(t.passed_with_changes),
        "rejected": _count(t.rejected),
        "m": _count(t.opinions),
        "must": _count(t.must_change),
        "sugg": _count(t.suggestion),
        "answered": _count(t.answered),
        "adopted": _count(t.adopted),
        "partly": _count(t.partly_adopted),
        "not": _count(t.not_adopted),
        "rate": percent_text(t.adoption_rate),
        "on_time": percent_text(t.on_time_rate),
        "days": format_value(t.average_working_days, "days"),
        "issued": _count(issued),
        "withdrawn": _count(withdrawn),
    }


def review_section(ctx: Any) -> ReportSection | None:
    """The section for the report's unit and period, with the change on the previous period; None without
    `review.view_review` or when no review was concluded and no approval issued or withdrawn in the period."""
    if not ctx.user.has_perm(VIEW_PERM):
        return None
    now = compute(user=ctx.user, unit=ctx.unit, period=ctx.period)
    if not (now.total.concluded or now.approvals_issued or now.approvals_withdrawn):
        return None
    before = compute(user=ctx.user, unit=ctx.unit, period=ctx.period.previous())
    paragraphs = [
        now.sentence + pgettext("review figures", "."),
        paragraph(now.total, issued=now.approvals_issued, withdrawn=now.approvals_withdrawn),
    ]
    headline = SectionTable(
        title=pgettext("review figures", "Review figures"),
        headers=[
            _("Figure"),
            _("This period"),
            pgettext("review figures", "Previous period"),
            _("Period on period"),
        ],
        rows=[
            [
                str(f.label),
                format_value(f.value, f.kind),
                format_value(before.figure(f.key).value, f.kind),
                format_change(relative_change(f.value, before.figure(f.key).value)),
            ]
            for f in now.figures
        ],
        widths=[6.0, 3.2, 3.2, 3.2],
    )
    kinds = SectionTable(
        title=pgettext("review figures", "Reviews by kind"),
        headers=[
            pgettext("review figures", "Kind of review"),
            pgettext("review figures", "Concluded"),
            pgettext("review figures", "Opinions"),
            pgettext("review figures", "Adoption rate"),
            pgettext("review figures", "On time"),
            pgettext("review figures", "Average working days"),
        ],
        rows=[
            [
                r.name,
                _count(r.tally.concluded),
                _count(r.tally.opinions),
                percent_text(r.tally.adoption_rate),
                percent_text(r.tally.on_time_rate),
                format_value(r.tally.average_working_days, "days"),
            ]
            for r in now.by_kind
            if r.tally.concluded
        ],
        widths=[4.2, 2.2, 2.2, 2.6, 2.4, 2.8],
    )
    categories = SectionTable(
        title=pgettext("review figures", "Opinions by category"),
        headers=[
            pgettext("review figures", "Category"),
            pgettext("review figures", "Opinions"),
            pgettext("review figures", "Must change"),
            pgettext("review figures", "Adopted"),
            pgettext("review figures", "Partly adopted"),
            pgettext("review figures", "Not adopted"),
            pgettext("review figures", "Adoption rate"),
        ],
        rows=[
            [
                r.name,
                _count(r.tally.opinions),
                _count(r.tally.must_change),
                _count(r.tally.adopted),
                _count(r.tally.partly_adopted),
                _count(r.tally.not_adopted),
                percent_text(r.tally.adoption_rate),
            ]
            for r in now.by_category
        ],
        widths=[3.6, 2.0, 2.0, 2.0, 2.2, 2.2, 2.4],
    )
    return ReportSection(
        key="review",
        title=pgettext("review figures", "Consumer-protection review"),
        paragraphs=paragraphs,
        tables=[t for t in (headline, kinds, categories) if t.rows],
        data=now,
    )
