"""The spike rule, pure: Poisson control limits over per-unit, per-category daily counts.

**The rule.** For each unit U at a configured level (`WARNING_SPIKE_LEVELS`, by unit kind: head office,
branch, sub-branch, outlet) and each top-level business type C, the count of day d is the number of
complaints received on d (day of receipt) by U *or any unit below it* — the same set the complaint list
shows for `unit=U&business_type=C&received_from=d&received_to=d`. Its baseline

    λ = mean daily count over the previous B days (B = `WARNING_SPIKE_BASELINE_DAYS`, default 28; day d
        itself excluded), counting only days of the same type as d (working day / day off, from the
        working-day calendar) when `WARNING_SPIKE_SAME_DAY_TYPE` is on — complaints arrive less on days off,
        so a Monday is compared with working days and a Sunday with days off —
    floored at λ_min (`WARNING_SPIKE_MIN_BASELINE`, default 0.5 a day, so a quiet unit is not alarmed by
        its second complaint)

and the day is a spike when

    count ≥ limit = max(min_count, k*),   k* = the smallest k with P(X ≥ k) ≤ α for X ~ Poisson(λ)

(α = `WARNING_SPIKE_ALPHA`, default 0.001: if complaints arrived at the baseline rate, a given unit and
category would cross its limit on at most one day in a thousand; min_count = `WARNING_SPIKE_MIN_COUNT`,
default 5).

**One warning per event, at the lowest level that explains it.** A spike at an outlet also raises its
sub-branch's and branch's counts. A unit's alarm is kept only when the rest of its subtree is unusual by
itself: the counts and baselines of the kept alarms below it (same category, same day) are subtracted, and
the remainder is tested against the limit of the remaining baseline. So five extra card complaints at one
outlet give one warning (the outlet's), while one extra at each of five outlets gives the branch's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings

SeriesKey = tuple[int, str]  # (unit id, category code)


@lru_cache(maxsize=8192)
def poisson_limit(lam: float, alpha: float) -> int:
    """The smallest k with P(X ≥ k) ≤ alpha for X ~ Poisson(lam).

    The upper tail is summed from far above the mean downwards, smallest terms first, so it is exact to
    double precision for any α the settings allow and any λ a bank produces (terms in log space: no
    underflow for large λ).
    """
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    if lam <= 0:
        return 1  # P(X ≥ 1) = 0
    top = int(lam + 12 * math.sqrt(lam) + 40)
    log_lam = math.log(lam)
    tail = 0.0
    for k in range(top, -1, -1):
        tail += math.exp(k * log_lam - lam - math.lgamma(k + 1))
        if tail > alpha:
            return k + 1
    return 0  # unreachable: the whole distribution sums to 1 > alpha


@dataclass(frozen=True)
class SpikeRule:
    alpha: float = 0.001
    min_count: int = 5
    baseline_days: int = 28
    min_baseline: float = 0.5
    same_day_type: bool = True
    levels: tuple[str, ...] = ("head_office", "branch", "sub_branch", "outlet")

    @classmethod
    def from_settings(cls) -> SpikeRule:
        return cls(
            alpha=float(settings.WARNING_SPIKE_ALPHA),
            min_count=int(settings.WARNING_SPIKE_MIN_COUNT),
            baseline_days=int(settings.WARNING_SPIKE_BASELINE_DAYS),
            min_baseline=float(settings.WARNING_SPIKE_MIN_BASELINE),
            same_day_type=bool(settings.WARNING_SPIKE_SAME_DAY_TYPE),
            levels=tuple(settings.WARNING_SPIKE_LEVELS),
        )

    def baseline(self, raw: float) -> float:
        return max(self.min_baseline, raw)

    def limit(self, lam: float) -> int:
        """The count from which a day is a spike, for a (floored) baseline λ."""
        return max(self.min_count, poisson_limit(round(lam, 6), self.alpha))

    def describe(self) -> str:
        kind = "of the same day type" if self.same_day_type else "(calendar days)"
        return (
            f"count >= max({self.min_count}, Poisson(λ) limit at α={self.alpha:g}); λ = mean of the "
            f"previous {self.baseline_days} days {kind}, floor {self.min_baseline:g}/day; levels "
            f"{', '.join(self.levels)}"
        )


# --- the unit tree --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    id: int
    path: str
    kind: str
    code: str
    name: str


class Tree:
    """The units and, for each unit, itself and its ancestors at the rule's levels (nearest first)."""

    def __init__(self, units: Iterable[Unit], levels: Sequence[str], segment: int = 8) -> None:
        self.units = {u.id: u for u in units}
        by_path = {u.path: u for u in self.units.values()}
        self._levels = set(levels)
        self._up: dict[int, tuple[int, ...]] = {}
        for u in self.units.values():
            chain = [by_path.get(u.path[:i]) for i in range(len(u.path), 0, -segment)]
            self._up[u.id] = tuple(a.id for a in chain if a is not None and a.kind in self._levels)

    def counted_in(self, unit_id: int) -> tuple[int, ...]:
        """The units whose counts include a complaint of `unit_id` (itself and ancestors, at the levels)."""
        return self._up.get(unit_id, ())

    def depth(self, unit_id: int) -> int:
        return len(self.units[unit_id].path)

    def is_below(self, unit_id: int, ancestor_id: int) -> bool:
        """Strictly below."""
        a, b = self.units[ancestor_id].path, self.units[unit_id].path
        return len(b) > len(a) and b.startswith(a)


# --- counts over a range of days ------------------------------------------------------------------------


class Cube:
    """Daily counts per series (unit at a level × category) over consecutive days, with prefix sums per day
    type so a baseline is O(1)."""

    def __init__(self, first: dt.date, last: dt.date, is_workday: Callable[[dt.date], bool]) -> None:
        self.first = first
        self.n = (last - first).days + 1
        self.work = [bool(is_workday(first + dt.timedelta(days=i))) for i in range(self.n)]
        self.counts: dict[SeriesKey, list[int]] = {}
        self._prefix: dict[SeriesKey, tuple[list[int], list[int]]] = {}
        self._type_prefix = self._cumulate([1 if w else 0 for w in self.work])

    @staticmethod
    def _cumulate(values: Sequence[int]) -> list[int]:
        out = [0]
        for v in values:
            out.append(out[-1] + v)
        return out

    def index(self, day: dt.date) -> int:
        return (day - self.first).days

    def day(self, i: int) -> dt.date:
        return self.first + dt.timedelta(days=i)

    def add(self, key: SeriesKey, day: dt.date, n: int) -> None:
        i = self.index(day)
        if 0 <= i < self.n:
            self.counts.setdefault(key, [0] * self.n)[i] += n
            self._prefix.pop(key, None)

    def fill(self, tree: Tree, rows: Iterable[tuple[int, str, dt.date, int]]) -> Cube:
        """Add (unit id, category, day, count) rows to every series that counts them."""
        for unit_id, category, day, n in rows:
            for counted in tree.counted_in(unit_id):
                self.add((counted, category), day, n)
        return self

    def _sums(self, key: SeriesKey) -> tuple[list[int], list[int]]:
        if key not in self._prefix:
            counts = self.counts[key]
            work = self._cumulate([c if w else 0 for c, w in zip(counts, self.work, strict=True)])
            total = self._cumulate(counts)
            self._prefix[key] = (total, work)
        return self._prefix[key]

    def totals(self, key: SeriesKey) -> list[int]:
        """Prefix sums of the series: totals(key)[j] = complaints on day indexes < j."""
        return self._sums(key)[0]

    def window(self, key: SeriesKey, i: int, rule: SpikeRule) -> tuple[int, int]:
        """(complaints, days) in the baseline window of day index i (the B days before it)."""
        lo = max(0, i - rule.baseline_days)
        total, work = self._sums(key)
        if not rule.same_day_type:
            return total[i] - total[lo], i - lo
        workdays = self._type_prefix[i] - self._type_prefix[lo]
        on_work = work[i] - work[lo]
        if self.work[i]:
            return on_work, workdays
        return (total[i] - total[lo]) - on_work, (i - lo) - workdays

    def raw_baseline(self, key: SeriesKey, i: int, rule: SpikeRule) -> float:
        complaints, days = self.window(key, i, rule)
        if days == 0 and rule.same_day_type:  # no day of this type in the window: use every day
            total, _work = self._sums(key)
            lo = max(0, i - rule.baseline_days)
            complaints, days = total[i] - total[lo], i - lo
        return complaints / days if days else 0.0


# --- evaluation with suppression ------------------------------------------------------------------------


@dataclass
class Alarm:
    unit_id: int
    category: str
    day: dt.date
    count: int
    baseline: float  # floored λ
    limit: int
    raw_baseline: float = 0.0
    explained_by: list[Alarm] = field(default_factory=list)


def evaluate(
    cube: Cube,
    tree: Tree,
    rule: SpikeRule,
    i: int,
    extra: dict[SeriesKey, int] | None = None,
) -> list[Alarm]:
    """The kept alarms of day index i (deepest units first), after suppression. `extra` adds counts to
    series for that day only (a synthetic spike in calibration)."""
    extra = extra or {}
    day = cube.day(i)
    raw: list[Alarm] = []
    keys = set(extra) | {k for k, counts in cube.counts.items() if counts[i] >= rule.min_count}
    for key in keys:
        count = (cube.counts[key][i] if key in cube.counts else 0) + extra.get(key, 0)
        if count < rule.min_count:
            continue
        lam_raw = cube.raw_baseline(key, i, rule) if key in cube.counts else 0.0
        lam = rule.baseline(lam_raw)
        limit = rule.limit(lam)
        if count >= limit:
            raw.append(Alarm(key[0], key[1], day, count, lam, limit, lam_raw))
    return suppress(raw, tree, rule)


def suppress(alarms: list[Alarm], tree: Tree, rule: SpikeRule) -> list[Alarm]:
    """Keep an alarm only when its subtree minus the kept alarms below it still crosses the limit."""
    kept: list[Alarm] = []
    for alarm in sorted(alarms, key=lambda a: (-tree.depth(a.unit_id), a.unit_id, a.category)):
        below = [k for k in kept if k.category == alarm.category and tree.is_below(k.unit_id, alarm.unit_id)]
        # only the topmost kept alarms below (a kept alarm under another kept one is counted in it)
        top = [k for k in below if not any(tree.is_below(k.unit_id, o.unit_id) for o in below)]
        if top:
            rest = alarm.count - sum(k.count for k in top)
            rest_lam = rule.baseline(alarm.raw_baseline - sum(k.raw_baseline for k in top))
            if rest < rule.limit(rest_lam):
                continue
            alarm.explained_by = top
        kept.append(alarm)
    return kept
