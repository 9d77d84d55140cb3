"""The statistics page's training-and-exams section (`Module.stats_section`): the banks' sentence
"开展培训 N 场、覆盖 M 人次、考试 K 场、通过率 X%", the headline figures with their change on the previous
period, tables by the analysed unit's direct children (each a drill-down to the statistics page for that
unit), by position layer and sessions by kind, charts, and the section's Excel export. Definitions:
`xiaobao.training.figures`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.analytics.periods import Period
from xiaobao.core.exports import xlsx_book_bytes
from xiaobao.core.models import OrgUnit
from xiaobao.training.figures import Figure, Row, TrainingFigures, compute, may_see

# Every figure here is work done or a result reached: a rise is good news (green), a fall bad (red); the
# register's headcount and the invitations are neither (grey).
NEUTRAL = {"headcount", "candidates"}


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
        if self.key in NEUTRAL:
            return "neutral"
        return "up" if self.change > 0 else "down worse"


def relative_change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before


def _chart(rows: list[Row], value: Any, link: str) -> dict[str, list[Any]]:
    return {
        "labels": [r.name for r in rows],
        "values": [value(r) for r in rows],
        "links": [r.urls.get(link, "") for r in rows],
    }


def stats_section(*, user: Any, unit: OrgUnit, period: Period) -> dict[str, Any] | None:
    """The section's data (None when the user may not see training figures of the unit)."""
    if not may_see(user, unit):
        return None
    memo: dict[Any, Any] = {}
    data = compute(user=user, unit=unit, period=period, memo=memo)
    previous_period = period.previous()
    before = compute(user=user, unit=unit, period=previous_period, memo=memo)
    cards = [
        Card(
            figure=f,
            previous=before.figure(f.key).value,
            change=relative_change(f.value, before.figure(f.key).value),
        )
        for f in data.figures
    ]
    export = QueryDict(mutable=True)
    export.update({"unit": unit.code, "period": period.label})
    layers_with_target = [r for r in data.by_layer if r.tally.coverage_people]
    return {
        "data": data,
        "previous_period": previous_period,
        "cards": cards,
        "sentence": data.sentence,
        "previous_sentence": before.sentence,
        "charts": {
            "by_unit": _chart(data.by_unit, lambda r: r.tally.person_times, "drill"),
            "by_layer": _chart(
                layers_with_target, lambda r: round(100 * (r.tally.coverage or 0), 1), "coverage"
            ),
        },
        "export_query": export.urlencode(),
    }


# --- the Excel export ---------------------------------------------------------------------------------------


def _n(value: Any, digits: int = 1) -> Any:
    return None if value is None else round(float(value), digits)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _tally_cells(r: Row) -> list[Any]:
    t = r.tally
    return [
        t.sessions,
        _n(t.session_hours),
        t.external_sessions,
        t.headcount,
        t.trained,
        t.person_times,
        _n(t.attended_hours),
        _n(t.hours_per_person, 2),
        t.coverage_people,
        t.covered,
        _rate(t.coverage),
        t.exam.exams,
        t.exam.candidates,
        t.exam.examined,
        t.exam.passed,
        _rate(t.exam.pass_rate),
        _n(t.exam.average_score),
    ]


def _tally_head() -> list[str]:
    p = "training figures"
    return [
        pgettext(p, "Sessions"),
        pgettext(p, "Session hours"),
        pgettext(p, "External experts"),
        pgettext(p, "Staff"),
        pgettext(p, "People trained"),
        pgettext(p, "Person-times"),
        pgettext(p, "Hours attended"),
        pgettext(p, "Hours per person trained"),
        pgettext(p, "People with a target"),
        pgettext(p, "Reached the target"),
        pgettext(p, "Coverage"),
        pgettext(p, "Exams held"),
        pgettext(p, "Candidates invited"),
        pgettext(p, "Examined"),
        pgettext(p, "Passed"),
        pgettext(p, "Pass rate"),
        pgettext(p, "Average best score"),
    ]


def figures_workbook(data: TrainingFigures) -> bytes:
    """Four sheets: the headline (with the unit, period and coverage year), the unit's direct children (with
    a total row), the position layers, sessions by kind. Aggregates only, no personal data."""
    p = "training figures"
    head = [
        [
            str(f.label),
            _rate(f.value) if f.kind == "percent" else _n(f.value, 2) if f.kind != "count" else f.value,
        ]
        for f in data.figures
    ]
    head += [
        [_("Unit"), f"{data.unit.name} ({data.unit.code})"],
        [_("Period"), f"{data.period.start} – {data.period.end}"],
        [pgettext(p, "Coverage year"), data.year],
        [pgettext(p, "In words"), data.sentence],
    ]
    total = Row(key="", name=_("Total"), tally=data.total)
    kinds = [[k.name, k.sessions, _n(k.hours), k.external, k.online, k.person_times] for k in data.by_kind]
    return xlsx_book_bytes(
        [
            (pgettext(p, "Training and exam figures"), [_("Figure"), data.period.label], head),
            (
                pgettext(p, "By unit"),
                [_("Code"), _("Unit"), *_tally_head()],
                [[r.key, r.name, *_tally_cells(r)] for r in [*data.by_unit, total]],
            ),
            (
                pgettext(p, "By position layer"),
                [_("Code"), pgettext(p, "Position layer"), *_tally_head()],
                [[r.key, r.name, *_tally_cells(r)] for r in data.by_layer],
            ),
            (
                pgettext(p, "Sessions by kind"),
                [
                    pgettext(p, "Kind of session"),
                    pgettext(p, "Sessions"),
                    pgettext(p, "Session hours"),
                    pgettext(p, "External experts"),
                    pgettext(p, "Online"),
                    pgettext(p, "Attendance"),
                ],
                kinds,
            ),
        ]
    )
