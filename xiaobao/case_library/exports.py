"""A selection of entries for training: Word (A4, the institution's name, one case per section) and Excel.
Entries hold no personal data; the source complaint is never named."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _

from xiaobao.case_library.models import CaseEntry
from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_bytes


def _meta(e: CaseEntry) -> str:
    parts = [
        _("Year: %(y)s") % {"y": e.year},
        _("Unit: %(u)s") % {"u": e.org_unit.name},
    ]
    if e.business_type:
        parts.append(_("Business type: %(b)s") % {"b": e.business_type.name})
    if e.cause:
        parts.append(_("Cause: %(c)s") % {"c": e.cause.name})
    if e.tags:
        parts.append(_("Tags: %(t)s") % {"t": "、".join(e.tags)})
    return "　".join(parts)


def entries_docx(entries: Sequence[CaseEntry]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from xiaobao.reports.builders import institution_name
    from xiaobao.reports.builders.quarterly import _a4, _fonts

    inst = institution_name()
    doc = Document()
    _a4(doc)
    _fonts(doc)
    title = _("Typical complaint cases for training")
    doc.core_properties.title = title
    doc.core_properties.author = inst
    p = doc.add_paragraph(inst, style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(title, style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(
        _("%(n)d cases · produced %(date)s · anonymised: no personal data")
        % {"n": len(entries), "date": localdate().isoformat()}
    )
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, e in enumerate(entries, 1):
        doc.add_heading(_("Case %(n)d: %(title)s") % {"n": i, "title": e.title}, level=1)
        doc.add_paragraph(_meta(e))
        for heading, text in (
            (_("Facts"), e.facts),
            (_("Handling"), e.handling),
            (_("Outcome"), e.outcome),
            (_("Lessons and risk points"), e.lessons),
        ):
            if text:
                doc.add_heading(heading, level=2)
                for line in text.splitlines():
                    if line.strip():
                        doc.add_paragraph(line.strip())
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def entries_xlsx(entries: Sequence[CaseEntry]) -> bytes:
    headers = [
        _("No."),
        _("Title"),
        _("Year"),
        _("Unit"),
        _("Business type"),
        _("Cause"),
        _("Tags"),
        _("Facts"),
        _("Handling"),
        _("Outcome"),
        _("Lessons and risk points"),
    ]
    rows: list[list[Any]] = [
        [
            i,
            e.title,
            e.year,
            e.org_unit.name,
            e.business_type.name if e.business_type else "",
            e.cause.name if e.cause else "",
            "、".join(e.tags),
            e.facts,
            e.handling,
            e.outcome,
            e.lessons,
        ]
        for i, e in enumerate(entries, 1)
    ]
    return xlsx_bytes(_("Typical cases"), headers, rows)
