"""Statistics API: /api/v1/statistics — the dashboard's figures, breakdowns and volume series as JSON."""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from xiaobao.analytics import stats
from xiaobao.analytics.forms import DashboardForm
from xiaobao.analytics.views import drill_url
from xiaobao.core.errors import field_error

router = Router(tags=["statistics"])


class StatisticsQuery(Schema):
    period: str = ""
    unit: str = ""
    grain: str = ""


class PeriodOut(Schema):
    label: str
    start: str
    end: str


class FigureOut(Schema):
    key: str
    label: str
    kind: str
    value: float | None
    previous: float | None
    year_ago: float | None
    pop_change: float | None
    yoy_change: float | None
    list_url: str


class SliceOut(Schema):
    code: str
    label: str
    count: int
    share: float
    list_url: str


class SeriesPointOut(Schema):
    label: str
    start: str
    end: str
    count: int


class DashboardOut(Schema):
    unit: str
    unit_name: str
    period: PeriodOut
    previous: PeriodOut
    year_ago: PeriodOut
    grain: str
    figures: list[FigureOut]
    breakdowns: dict[str, list[SliceOut]]
    series: list[SeriesPointOut]


def _period(p: object) -> dict:
    return {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}  # type: ignore[attr-defined]


@router.get("/statistics/dashboard", response=DashboardOut)
def statistics_dashboard(request: HttpRequest, filters: Query[StatisticsQuery]):
    """Headline figures (with period-on-period and year-on-year changes), breakdowns by business type, cause,
    channel, source and unit, and the volume series, for a unit in the caller's scope (default: the scope's
    root) and a period (`2026-10`, `2026-Q3`, `2026-H1`, `2026`, `2026-10-01..2026-10-31`; default: the
    last full month). The volume series stops at today. Every figure and slice carries `list_url`, the
    complaint list filtered to what it counts."""
    form = DashboardForm(filters.dict())
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise field_error(field if field != "__all__" else "period", str(errors[0]))
    unit = stats.analysed_unit(user=request.user, code=form.cleaned_data.get("unit") or None)
    board = stats.dashboard(
        user=request.user,
        unit=unit,
        period=form.cleaned_data["period"],
        grain=form.cleaned_data.get("grain") or None,
    )
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "period": _period(board.period),
        "previous": _period(board.period.previous()),
        "year_ago": _period(board.period.year_ago()),
        "grain": board.grain,
        "figures": [
            {
                "key": f.key,
                "label": str(f.label),
                "kind": f.kind,
                "value": f.value,
                "previous": f.previous,
                "year_ago": f.year_ago,
                "pop_change": f.pop_change,
                "yoy_change": f.yoy_change,
                "list_url": drill_url(f.drill),
            }
            for f in board.figures
        ],
        "breakdowns": {
            dim: [
                {
                    "code": s.code,
                    "label": s.label,
                    "count": s.count,
                    "share": s.share,
                    "list_url": drill_url(s.drill),
                }
                for s in slices
            ]
            for dim, slices in board.breakdowns.items()
        },
        "series": [{**_period(p), "count": n} for p, n in board.series],
    }
