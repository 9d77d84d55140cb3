"""Board report figures (Excel): the headline figures of the year or half-year with the change on the same
period a year before, and the largest business types and causes with theirs. Figures from analytics.stats.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xiaobao.analytics import stats
from xiaobao.reports.builders import BuildContext, institution_name
from xiaobao.reports.builders.figures import excel_value
from xiaobao.reports.builders.xlsx import (
    BORDER,
    PERCENT,
    header_row,
    new_book,
    put,
    save,
    title_block,
    widths,
)
from xiaobao.reports.sections import add_to_workbook, module_sections

TOP = 10


def build(ctx: BuildContext) -> bytes:
    kw = {"user": ctx.user, "unit": ctx.unit}
    ctx.progress(0, 3, _("Computing the headline figures"))
    figures = stats.headline(period=ctx.period, **kw)
    ctx.progress(1, 3, _("Computing the distributions"))
    year_ago = ctx.period.year_ago()
    tables: dict[str, list[tuple[str, str, int, int]]] = {}
    dims = ("business_type", "cause")
    current = stats.breakdowns(period=ctx.period, dimensions=dims, **kw)
    last_year = stats.breakdowns(period=year_ago, dimensions=dims, **kw)
    for dimension in dims:
        earlier = {s.code: s.count for s in last_year[dimension]}
        rows = current[dimension][:TOP]
        tables[dimension] = [(s.code, s.label, s.count, earlier.get(s.code, 0)) for s in rows]
    ctx.progress(2, 3, _("Writing the workbook"))
    wb = new_book()
    ws = wb.active
    ws.title = _("Board figures")
    r = title_block(
        ws,
        _("%(institution)s: complaint figures for the board, %(period)s")
        % {"institution": institution_name(), "period": ctx.period.label},
        [
            _("Unit: %(name)s (%(code)s)") % {"name": ctx.unit.name, "code": ctx.unit.code},
            _("Period: %(start)s to %(end)s; compared with %(ya_start)s to %(ya_end)s.")
            % {
                "start": ctx.period.start.isoformat(),
                "end": ctx.period.end.isoformat(),
                "ya_start": year_ago.start.isoformat(),
                "ya_end": year_ago.end.isoformat(),
            },
        ],
    )
    header_row(ws, r, [_("Figure"), _("This period"), _("Same period last year"), _("Year on year")])
    r += 1
    for f in figures:
        put(ws, r, 1, str(f.label), border=BORDER)
        for col, value in ((2, f.value), (3, f.year_ago)):
            v, fmt = excel_value(f.kind, value)
            put(ws, r, col, v, fmt=fmt, border=BORDER)
        put(ws, r, 4, f.yoy_change, fmt=PERCENT, border=BORDER)
        r += 1
    for dimension, title in (("business_type", _("Largest business types")), ("cause", _("Largest causes"))):
        r += 1
        put(ws, r, 1, title)
        header_row(ws, r + 1, [_("Name"), _("This period"), _("Same period last year"), _("Year on year")])
        r += 2
        for code, label, now, before in tables[dimension]:
            put(ws, r, 1, f"{code} {label}", border=BORDER)
            put(ws, r, 2, now, fmt="#,##0", border=BORDER)
            put(ws, r, 3, before, fmt="#,##0", border=BORDER)
            put(ws, r, 4, (now - before) / before if before else None, fmt=PERCENT, border=BORDER)
            r += 1
    widths(ws, [40, 16, 20, 14])
    info = [
        _("Unit: %(name)s (%(code)s)") % {"name": ctx.unit.name, "code": ctx.unit.code},
        _("Period: %(label)s (%(start)s to %(end)s)")
        % {
            "label": ctx.period.label,
            "start": ctx.period.start.isoformat(),
            "end": ctx.period.end.isoformat(),
        },
    ]
    add_to_workbook(wb, module_sections(ctx), info=info)  # a sheet per module section (review, …)
    return save(wb)
