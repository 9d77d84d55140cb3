"""The education section for reports (`Module.report_sections`): the chapter "宣传教育" — the banks' sentence
("开展宣传活动 N 场，发放宣传资料 M 份，受众 K 人次…"), the audiences, and tables by unit, audience and venue
for the report's unit and period, computed as the requester (their scope) with `xiaobao.education.figures`
(approved activities only). None when the requester may not see education figures or the period holds no
approved activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.education.figures import EducationFigures, P, compute, may_see, percent_text, period_slice


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
    data: EducationFigures | None = None


def _n(v: int) -> str:
    return f"{v:,}"


def education_section(ctx: Any) -> ReportSection | None:
    if not may_see(ctx.user, ctx.unit):
        return None
    data = compute(user=ctx.user, unit=ctx.unit, slc=period_slice(ctx.period))
    t = data.total
    if not t.activities:
        return None
    top = sorted(t.segments, key=lambda s: -s[2])[:3]
    paragraphs = [
        data.sentence + pgettext(P, "."),
        _(
            "The largest audiences were %(list)s. %(staff)s staff took part; %(articles)s articles and "
            "%(videos)s videos were published online."
        )
        % {
            "list": "、".join(f"{label} {_n(n)}" for _k, label, n in top if n) or "—",
            "staff": _n(t.staff_involved),
            "articles": _n(t.online_articles),
            "videos": _n(t.videos),
        },
        pgettext(P, "Only approved activities are counted, each in the unit that held it."),
    ]
    units = SectionTable(
        title=pgettext(P, "Education activities by unit"),
        headers=[
            _("Unit"),
            pgettext(P, "Activities"),
            pgettext(P, "People reached"),
            pgettext(P, "Leaflets"),
            pgettext(P, "Online reads"),
            pgettext(P, "Outlets with an activity"),
        ],
        rows=[
            [
                r.name,
                _n(r.tally.activities),
                _n(r.tally.people_reached),
                _n(r.tally.leaflets),
                _n(r.tally.online_reads),
                percent_text(r.tally.coverage),
            ]
            for r in data.by_unit
        ],
        widths=[4.4, 2.0, 2.4, 2.2, 2.4, 2.6],
    )
    audiences = SectionTable(
        title=pgettext(P, "People reached by audience"),
        headers=[pgettext(P, "Audience"), pgettext(P, "People reached"), _("Share")],
        rows=[
            [label, _n(n), percent_text(n / t.people_reached if t.people_reached else None)]
            for _k, label, n in t.segments
        ],
        widths=[6.0, 3.2, 3.0],
    )
    venues = SectionTable(
        title=pgettext(P, "Activities by venue"),
        headers=[pgettext(P, "Venue type"), pgettext(P, "Activities"), pgettext(P, "People reached")],
        rows=[[r.name, _n(r.tally.activities), _n(r.tally.people_reached)] for r in data.by_venue],
        widths=[6.0, 3.2, 3.2],
    )
    return ReportSection(
        key="education",
        title=pgettext(P, "Education and publicity"),
        paragraphs=paragraphs,
        tables=[tb for tb in (units, audiences, venues) if tb.rows],
        data=data,
    )
