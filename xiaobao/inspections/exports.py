"""The inspection figures as a workbook: headline, by unit, by aspect (aggregates only, no personal data)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xiaobao.core.exports import xlsx_book_bytes
from xiaobao.inspections.figures import InspectionFigures, UnitRow


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _unit_row(r: UnitRow) -> list[Any]:
    return [
        r.code,
        r.name,
        r.planned,
        r.done,
        _round(r.completion),
        _round(r.average, 2),
        r.findings,
        _round(r.findings_per_inspection, 2),
        r.verified,
        r.on_time,
        _round(r.on_time_rate),
        r.overdue,
    ]


def figures_workbook(data: InspectionFigures) -> bytes:
    """Three sheets: the headline figures, the unit's direct children (with a total row), the aspects."""
    headline: list[list[Any]] = [
        [str(f.label), _round(f.value, 4) if f.kind != "count" else f.value] for f in data.figures
    ]
    headline += [
        [_("Unit"), f"{data.unit.name} ({data.unit.code})"],
        [_("Period"), f"{data.period.start} – {data.period.end}"],
        [_("Overdue counted on"), data.today.isoformat()],
    ]
    unit_head = [
        _("Code"),
        _("Unit"),
        _("Inspections planned"),
        _("Inspections done"),
        _("Done of planned"),
        _("Average score"),
        _("Findings"),
        _("Findings per inspection"),
        _("Rectification items verified"),
        _("of which on time"),
        _("Rectification on time"),
        _("Overdue open rectification items"),
    ]
    total = _unit_row(data.total)
    total[1] = _("Total")
    return xlsx_book_bytes(
        [
            (_("Inspection figures"), [_("Figure"), data.period.label], headline),
            (_("By unit"), unit_head, [*(_unit_row(r) for r in data.by_unit), total]),
            (
                _("By aspect"),
                [_("Checklist"), _("Code"), _("Aspect"), _("Inspections"), _("Average score")],
                [[a.checklist, a.code, a.name, a.inspections, _round(a.average, 2)] for a in data.by_aspect],
            ),
        ]
    )
