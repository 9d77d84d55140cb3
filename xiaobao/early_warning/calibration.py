"""Replay the spike rule over the stored history: its false-alarm rate, and its detection rate for synthetic
spikes injected in memory (`xiaobao warning_calibrate`).

On data without real incidents (the demo: `demo_load --complaints N` plants no spikes) every alarm is a false
alarm, so alarms / unit-days examined is the false-alarm rate. A unit-day is examined when the series (unit at
a configured level × top-level business type) had at least one complaint that day or in its baseline window.
Detection: k extra complaints are added (in memory only) to a random examined unit-day with no alarm, and
the trial counts as detected when the rule then warns about that category on that day at the unit or at one
of its ancestors (suppression may attribute it upwards). Nothing is written to the database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Min

from xiaobao.complaints.models import Complaint
from xiaobao.core.models import OrgUnit
from xiaobao.early_warning.rules import Alarm, Cube, SeriesKey, SpikeRule, Tree, evaluate
from xiaobao.early_warning.scan import _categories, spike_cube, spike_tree


@dataclass
class LevelFigures:
    examined: int = 0
    alarms: int = 0


@dataclass
class CalibrationReport:
    rule: SpikeRule
    first: dt.date | None = None
    last: dt.date | None = None
    complaints: int = 0
    examined: int = 0
    alarms: list[Alarm] = field(default_factory=list)
    by_level: dict[str, LevelFigures] = field(default_factory=lambda: defaultdict(LevelFigures))
    detection: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)  # (level, k) → (hit, n)
    unit_codes: dict[int, str] = field(default_factory=dict)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1 if self.first and self.last else 0

    @property
    def rate(self) -> float:
        return len(self.alarms) / self.examined if self.examined else 0.0


def _examined(cube: Cube, key: SeriesKey, i: int, baseline_days: int) -> bool:
    """At least one complaint on day i or in its baseline window."""
    total = cube.totals(key)
    return total[i + 1] - total[max(0, i - baseline_days)] > 0


def calibrate(
    *,
    days: int | None = None,
    rule: SpikeRule | None = None,
    ks: tuple[int, ...] = (3, 5, 8),
    trials: int = 200,
    seed: int = 20261123,
) -> CalibrationReport:
    """Replay the rule over the last `days` days of history (all of it by default)."""
    rule = rule or SpikeRule.from_settings()
    report = CalibrationReport(rule=rule)
    span = Complaint.objects.aggregate(first=Min("receipt_date"), last=Max("receipt_date"))
    if span["first"] is None:
        return report
    first = span["first"] + dt.timedelta(days=rule.baseline_days)  # a full baseline window before each day
    last = span["last"]
    if days:
        first = max(first, last - dt.timedelta(days=days - 1))
    if first > last:
        return report
    report.first, report.last = first, last
    top, _names, _members = _categories()
    tree = spike_tree(OrgUnit.objects.only("id", "path", "kind", "code", "name"), rule)
    report.unit_codes = {pk: u.code for pk, u in tree.units.items()}
    cube, report.complaints = spike_cube(first, last, tree, top, rule)
    candidates: dict[str, list[tuple[SeriesKey, int]]] = defaultdict(list)
    alarmed: set[tuple[SeriesKey, int]] = set()
    for i in range(cube.index(first), cube.n):
        for alarm in evaluate(cube, tree, rule, i):
            report.alarms.append(alarm)
            report.by_level[tree.units[alarm.unit_id].kind].alarms += 1
            alarmed.add(((alarm.unit_id, alarm.category), i))
        for key in cube.counts:
            if _examined(cube, key, i, rule.baseline_days):
                level = tree.units[key[0]].kind
                report.by_level[level].examined += 1
                report.examined += 1
                candidates[level].append((key, i))
    _detection(report, cube, tree, rule, candidates, alarmed, ks, trials, seed)
    return report


def _detection(
    report: CalibrationReport,
    cube: Cube,
    tree: Tree,
    rule: SpikeRule,
    candidates: dict[str, list[tuple[SeriesKey, int]]],
    alarmed: set[tuple[SeriesKey, int]],
    ks: tuple[int, ...],
    trials: int,
    seed: int,
) -> None:
    rng = random.Random(seed)
    for level in rule.levels:
        pool = [
            (key, i)
            for key, i in candidates.get(level, [])
            if not any(((a, key[1]), i) in alarmed for a in tree.counted_in(key[0]))
        ]
        sample = rng.sample(pool, min(trials, len(pool)))
        for k in ks:
            hits = 0
            for (unit_id, category), i in sample:
                chain = tree.counted_in(unit_id)
                extra = {(a, category): k for a in chain}
                alarms = evaluate(cube, tree, rule, i, extra)
                hits += any(a.category == category and a.unit_id in chain for a in alarms)
            report.detection[level, k] = (hits, len(sample))
