"""The campaign summary (Word, A4): drafted from the data of one edition for the requester's scope — the
institution's name, the campaign and year, its days and theme, the headline figures in the banks' sentence,
people by audience segment, by venue, the topics taught most, a table per unit of the next level, the
largest activities as highlights, and the outlets that reported nothing. Chinese text in 宋体/黑体 (the
eastAsia font of the styles, as the quarterly report sets it). Approved activities only; names, not codes;
no personal data (activities carry none).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH

from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.scoping import subtree_q
from xiaobao.education.figures import P, Slice, approved, compute, percent_text
from xiaobao.education.models import Activity, CampaignEdition
from xiaobao.reports.builders import institution_name
from xiaobao.reports.builders.quarterly import _a4, _fonts, _table

HIGHLIGHTS = 5
TOP_TOPICS = 5
SILENT_LISTED = 60


def silent_outlets(unit: OrgUnit, edition: CampaignEdition) -> list[OrgUnit]:
    """Active outlets of the unit's subtree with no activity row in the edition (any status)."""
    reported = Activity.objects.filter(edition_id=edition.pk).values("org_unit_id")
    return list(
        OrgUnit.objects.filter(subtree_q(unit.path), kind=OrgUnitKind.OUTLET, is_active=True)
        .exclude(pk__in=reported)
        .order_by("path")
    )


def _n(value: int) -> str:
    return f"{value:,}"


def build(*, user: Any, unit: OrgUnit, edition: CampaignEdition) -> bytes:
    slc = Slice(edition=edition)
    data = compute(user=user, unit=unit, slc=slc)
    t = data.total
    doc = Document()
    _a4(doc)
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
    _fonts(doc)
    title = _("%(edition)s: campaign summary") % {"edition": str(edition)}
    doc.core_properties.title = title
    doc.core_properties.author = institution_name()
    p = doc.add_paragraph(institution_name(), style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(title, style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (
        _("Unit: %(name)s") % {"name": unit.name},
        _("Campaign days: %(start)s to %(end)s; reports due by %(due)s")
        % {
            "start": edition.starts_on.isoformat(),
            "end": edition.ends_on.isoformat(),
            "due": edition.report_by,
        },
        _("Drafted from the approved activities on %(date)s") % {"date": timezone.localdate().isoformat()},
    ):
        p = doc.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading(pgettext(P, "1. Overview"), level=1)
    if edition.theme:
        doc.add_paragraph(_("Theme: %(theme)s") % {"theme": edition.theme})
    doc.add_paragraph(data.sentence + pgettext(P, "."))
    doc.add_paragraph(
        _(
            "%(staff)s staff took part; %(articles)s articles and %(videos)s videos were published online. "
            "Figures count approved activities only, each in the unit that held it."
        )
        % {"staff": _n(t.staff_involved), "articles": _n(t.online_articles), "videos": _n(t.videos)}
    )

    doc.add_heading(pgettext(P, "2. Audiences"), level=1)
    rows = [
        [label, _n(n), percent_text(n / t.people_reached if t.people_reached else None)]
        for _key, label, n in t.segments
    ]
    _table(doc, [pgettext(P, "Audience"), pgettext(P, "People reached"), _("Share")], rows, [6.0, 3.5, 3.0])

    doc.add_heading(pgettext(P, "3. Where and what"), level=1)
    venue_rows = [[r.name, _n(r.tally.activities), _n(r.tally.people_reached)] for r in data.by_venue]
    if venue_rows:
        _table(
            doc,
            [pgettext(P, "Venue type"), pgettext(P, "Activities"), pgettext(P, "People reached")],
            venue_rows,
            [6.0, 3.5, 3.5],
        )
    topic_rows = [
        [r.name, _n(r.tally.activities), _n(r.tally.people_reached)] for r in data.by_topic[:TOP_TOPICS]
    ]
    if topic_rows:
        doc.add_paragraph(pgettext(P, "The topics taught most:"))
        _table(
            doc,
            [pgettext(P, "Topic"), pgettext(P, "Activities"), pgettext(P, "People reached")],
            topic_rows,
            [6.0, 3.5, 3.5],
        )
    if not (venue_rows or topic_rows):
        doc.add_paragraph(pgettext(P, "No approved activity yet."))

    doc.add_heading(pgettext(P, "4. By unit"), level=1)
    unit_rows = [
        [
            r.name,
            _n(r.tally.activities),
            _n(r.tally.people_reached),
            _n(r.tally.leaflets),
            _n(r.tally.online_reads),
            f"{r.tally.outlets_covered}/{r.tally.outlets_total}",
        ]
        for r in data.by_unit
    ]
    unit_rows.append(
        [
            _("Total"),
            _n(t.activities),
            _n(t.people_reached),
            _n(t.leaflets),
            _n(t.online_reads),
            f"{t.outlets_covered}/{t.outlets_total}",
        ]
    )
    _table(
        doc,
        [
            _("Unit"),
            pgettext(P, "Activities"),
            pgettext(P, "People reached"),
            pgettext(P, "Leaflets"),
            pgettext(P, "Online reads"),
            pgettext(P, "Outlets covered"),
        ],
        unit_rows,
        [4.6, 2.2, 2.6, 2.4, 2.6, 2.6],
    )

    doc.add_heading(pgettext(P, "5. Highlights"), level=1)
    largest = list(
        approved(user, unit, slc)
        .select_related("org_unit", "venue")
        .order_by("-people_reached", "held_on", "pk")[:HIGHLIGHTS]
    )
    if largest:
        for a in largest:
            doc.add_paragraph(
                _(
                    "%(day)s, %(unit)s: %(title)s (%(venue)s%(place)s) — %(people)s people reached, "
                    "%(leaflets)s leaflets."
                )
                % {
                    "day": a.held_on.isoformat(),
                    "unit": a.org_unit.name,
                    "title": a.title,
                    "venue": a.venue.name,
                    "place": f"，{a.place}" if a.place else "",
                    "people": _n(a.people_reached),
                    "leaflets": _n(a.leaflets),
                },
                style="List Bullet",
            )
    else:
        doc.add_paragraph(pgettext(P, "No approved activity yet."))

    doc.add_heading(pgettext(P, "6. Outlets that have not reported"), level=1)
    silent = silent_outlets(unit, edition)
    if silent:
        doc.add_paragraph(
            _("%(n)s of %(total)s outlets reported no activity for this campaign:")
            % {"n": _n(len(silent)), "total": _n(t.outlets_total)}
        )
        names = "、".join(u.name for u in silent[:SILENT_LISTED])
        if len(silent) > SILENT_LISTED:
            names += _(" and %(n)s more") % {"n": len(silent) - SILENT_LISTED}
        doc.add_paragraph(names)
    else:
        doc.add_paragraph(pgettext(P, "Every outlet reported at least one activity."))
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
