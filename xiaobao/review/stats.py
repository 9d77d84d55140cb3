"""The statistics page's review section (`Module.stats_section`): the banks' sentence
"审查 N 项，提出意见 M 条，采纳率 X%", the headline figures with their change on the previous period, tables
by kind of review, by the analysed unit's direct children and opinions by category, charts, and links to
the register filtered to what each figure counts. Definitions: `xiaobao.review.figures`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from xiaobao.analytics.periods import Period
from xiaobao.core.models import OrgUnit
from xiaobao.review.figures import Figure, ReviewFigures, compute, may_see

# Figures where a rise is good news (green) or bad news (red); the counts of work are neither (grey).
RISE_IS_GOOD = {"adoption_rate", "on_time_rate", "adopted"}
RISE_IS_BAD = {"not_adopted", "rejected", "average_working_days"}


# Not a card of their own: approvals withdrawn are in the note under the unit table (with those issued).
CARDS_LEFT_OUT = {"approvals_withdrawn"}


@dataclass
class Card:
    figure: Figure
    previous: float | None
    change: float | None  # relative change on the previous period (None: no base)

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def change_class(self) -> str:
        """The statistics page's classes: "up"/"down" green, "worse" red, anything else grey."""
        if self.change is None or round(100 * self.change, 2) == 0:
            return "flat"
        up = self.change > 0
        if self.key in RISE_IS_GOOD:
            return "up" if up else "down worse"
        if self.key in RISE_IS_BAD:
            return "up worse" if up else "down"
        return "neutral"


def relative_change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    """The section's data (None when the user may not see reviews of the unit)."""
    if not may_see(user, unit):
        return None
    data: ReviewFigures = compute(user=user, unit=unit, period=period)
    previous_period = period.previous()
    before = compute(user=user, unit=unit, period=previous_period)
    cards = [
        Card(
            figure=f,
            previous=before.figure(f.key).value,
            change=relative_change(f.value, before.figure(f.key).value),
        )
        for f in data.figures
        if f.key not in CARDS_LEFT_OUT
    ]
    concluded_kinds = [r for r in data.by_kind if r.tally.concluded]
    export = QueryDict(mutable=True)
    export.update(
        {
            "unit": unit.code,
            "concluded_from": period.start.isoformat(),
            "concluded_to": period.end.isoformat(),
        }
    )
    return {
        "data": data,
        "previous": before,
        "previous_period": previous_period,
        "cards": cards,
        "sentence": data.sentence,
        "previous_sentence": before.sentence,
        "charts": {
            "by_kind": {  # reviews concluded, kinds with none left out
                "labels": [r.name for r in concluded_kinds],
                "values": [r.tally.concluded for r in concluded_kinds],
                "links": [r.urls.get("concluded", "") for r in concluded_kinds],
            },
            "by_category": {
                "labels": [r.name for r in data.by_category],
                "values": [r.tally.opinions for r in data.by_category],
                "links": [data.urls.get("concluded", "") for _r in data.by_category],
            },
        },
        "export_query": export.urlencode(),
    }
