"""The special-group services chapter for reports (`Module.report_sections`): the sentence, a paragraph of
the figures and tables by unit and by reason, computed as the requester (their scope)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.special_services.figures import P, compute, may_see, percent_text


@dataclass
class SectionTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class ReportSection:
    key: str
    title: str
    paragraphs: list[str]
    tables: list[SectionTable] = field(default_factory=list)


def special_services_section(ctx: Any) -> ReportSection | None:
    if not may_see(ctx.user, ctx.unit):
        return None
    data = compute(user=ctx.user, unit=ctx.unit, period=ctx.period)
    t = data.total
    # outlets exist in every unit: the chapter needs a register kept, a home service or a complaint to report
    if not (t.outlets_checked or t.services or t.complaints):
        return None
    headers = [
        _("Unit"),
        pgettext(P, "Outlets"),
        pgettext(P, "Fully equipped outlets"),
        pgettext(P, "Equipped share"),
        pgettext(P, "Home services"),
        pgettext(P, "People served at home"),
    ]
    if data.complaints_shown:
        headers.append(pgettext(P, "Complaints from special groups"))
    rows = []
    for r in data.by_unit:
        cells = [
            r.name,
            f"{r.tally.outlets:,}",
            f"{r.tally.outlets_equipped:,}",
            percent_text(r.tally.equipped_share),
            f"{r.tally.services:,}",
            f"{r.tally.people:,}",
        ]
        if data.complaints_shown:
            cells.append(f"{r.tally.complaints:,}")
        rows.append(cells)
    return ReportSection(
        key="special_services",
        title=pgettext(P, "Elder-friendly and special-group services"),
        paragraphs=[data.sentence + _(".")],
        tables=[
            SectionTable(pgettext(P, "By unit"), headers, rows),
            SectionTable(
                pgettext(P, "Home services by reason"),
                [_("Reason"), pgettext(P, "Home services")],
                [[r.name, f"{r.count:,}"] for r in data.by_reason],
            ),
        ],
    )
