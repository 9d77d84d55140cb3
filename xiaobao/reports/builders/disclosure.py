"""The yearly public disclosure table (Excel): the year's complaint total, by business type and by region
(the analysed unit's branch-level children), as NFRA 2020 Art 26 asks institutions to disclose.

Figures come from `analytics.stats` (the dashboard's own definitions); a template replaces the layout.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from xiaobao.analytics import stats
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.reports.builders import BuildContext, institution_name
from xiaobao.reports.builders.template import fill_template
from xiaobao.reports.builders.xlsx import (
    BOLD,
    BORDER,
    INT,
    PERCENT,
    TOTAL_FILL,
    header_row,
    new_book,
    put,
    save,
    title_block,
    widths,
)


def build(ctx: BuildContext) -> bytes:
    kw = {"user": ctx.user, "unit": ctx.unit, "period": ctx.period}
    if ctx.template is not None:
        return fill_template(ctx, stats.scoped_complaints(**kw))
    ctx.progress(0, 3, _("Computing the year's figures"))
    ctx.progress(1, 3, _("Computing the distributions"))
    slices = stats.breakdowns(dimensions=("business_type", "unit"), **kw)
    business = slices["business_type"]
    regions = _regions(ctx.unit, slices["unit"])
    ctx.progress(2, 3, _("Writing the workbook"))
    total = sum(s.count for s in business)  # every complaint has a business type: the year's total
    year = ctx.period.start.year
    wb = new_book()
    ws = wb.active
    ws.title = _("Disclosure %(year)s") % {"year": year}
    r = title_block(
        ws,
        _("%(institution)s: consumer complaints in %(year)s")
        % {"institution": institution_name(), "year": year},
        [
            _("Unit: %(name)s (%(code)s)") % {"name": ctx.unit.name, "code": ctx.unit.code},
            _("Complaints received from %(start)s to %(end)s, by day of receipt.")
            % {"start": ctx.period.start.isoformat(), "end": ctx.period.end.isoformat()},
        ],
    )
    put(ws, r, 1, _("Complaints received in the year"), font=BOLD, border=BORDER)
    put(ws, r, 2, total, fmt=INT, font=BOLD, border=BORDER)
    r += 2
    r = _section(
        ws,
        r,
        _("By business type"),
        [_("Code"), _("Business type"), _("Complaints"), _("Share")],
        [(s.code, s.label, s.count, s.share) for s in business],
        total,
    )
    r += 1
    _section(
        ws,
        r,
        _("By region"),
        [_("Unit code"), _("Unit"), _("Complaints"), _("Share"), _("Region code")],
        regions,
        total,
    )
    widths(ws, [14, 36, 14, 10, 12])
    return save(wb)


def _regions(unit: OrgUnit, slices: list[Any]) -> list[tuple[str, str, int, float, str]]:
    """Rows by region: the branch-level children with their region code; the unit's own complaints and its
    departments' (head-office departments are not regions) together as the unit itself."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[s.code for s in slices])}
    rows, own = [], 0
    for s in slices:
        u = units.get(s.code)
        if u is None or u.pk == unit.pk or u.kind == OrgUnitKind.DEPARTMENT:
            own += s.count
        else:
            rows.append((s.code, s.label, s.count, s.share, u.region_code))
    if own:
        total = own + sum(r[2] for r in rows)
        label = _("%(name)s (own)") % {"name": unit.name}
        rows.append((unit.code, label, own, own / total, unit.region_code))
    return rows


def _section(ws, r: int, title: str, headers: list[str], rows: list[tuple], total: int) -> int:  # type: ignore[no-untyped-def]
    put(ws, r, 1, title, font=BOLD)
    header_row(ws, r + 1, headers)
    r += 2
    for values in rows:
        for col, value in enumerate(values, start=1):
            fmt = PERCENT if col == 4 else INT
            put(ws, r, col, value, fmt=fmt, border=BORDER)
        r += 1
    put(ws, r, 1, "", border=BORDER, fill=TOTAL_FILL)
    put(ws, r, 2, _("Total"), font=BOLD, border=BORDER, fill=TOTAL_FILL)
    put(ws, r, 3, sum(v[2] for v in rows), fmt=INT, font=BOLD, border=BORDER, fill=TOTAL_FILL)
    put(ws, r, 4, 1.0 if total else None, fmt=PERCENT, font=BOLD, border=BORDER, fill=TOTAL_FILL)
    return r + 1
