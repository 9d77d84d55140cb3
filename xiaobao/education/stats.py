"""The statistics page's education section (`Module.stats_section`): the banks' sentence "开展宣传活动 N 场，
发放宣传资料 M 份，受众 K 人次…", the headline figures with their change on the previous period, people by
segment, by venue, and a table by the analysed unit's direct children (each a drill-down to the statistics
page for that unit; each number a link to the activity list filtered to what it counts). Definitions:
`xiaobao.education.figures` (approved activities only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from xiaobao.analytics.periods import Period
from xiaobao.core.models import OrgUnit
from xiaobao.education.figures import SECTION_ANCHOR, Figure, Row, _url, compute, may_see, period_slice


@dataclass
class Card:
    figure: Figure
    previous: float | None
    change: float | None

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def change_class(self) -> str:
        if self.change is None or round(100 * self.change, 2) == 0:
            return "flat"
        return "up" if self.change > 0 else "down worse"


def relative_change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before


def chart(rows: list[Row], value: Any, link: str) -> dict[str, list[Any]]:
    return {
        "labels": [r.name for r in rows],
        "values": [value(r) for r in rows],
        "links": [r.urls.get(link, "") for r in rows],
    }


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    """The section's data (None when the user may not see education figures of the unit)."""
    if not may_see(user, unit):
        return None
    data = compute(
        user=user, unit=unit, slc=period_slice(period), period_label=period.label, breakdowns=False
    )
    # the drill-down of a child opens the statistics page for it, at this section
    for r in data.by_unit:
        if not r.own:
            r.urls["drill"] = _url(
                "analytics:dashboard", {"unit": r.key, "period": period.label}, SECTION_ANCHOR
            )
    previous_period = period.previous()
    before = compute(user=user, unit=unit, slc=period_slice(previous_period), breakdowns=False)
    cards = [
        Card(
            figure=f,
            previous=before.figure(f.key).value,
            change=relative_change(f.value, before.figure(f.key).value),
        )
        for f in data.figures
    ]
    figures_query = QueryDict(mutable=True)
    figures_query.update({"unit": unit.code, "period": period.label})
    segments = [(label, n) for _k, label, n in data.total.segments]
    return {
        "data": data,
        "previous_period": previous_period,
        "cards": cards,
        "sentence": data.sentence,
        "figures_url": _url("education:figures", {"unit": unit.code, "period": period.label}),
        "charts": {
            "by_unit": chart(data.by_unit, lambda r: r.tally.people_reached, "drill"),
            "by_segment": {
                "labels": [s[0] for s in segments],
                "values": [s[1] for s in segments],
                "links": ["" for _s in segments],
            },
        },
    }
