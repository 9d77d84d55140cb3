"""Drawing the outlets an inspection plan visits: pure, reproducible from a stored seed, no database.

`draw_sample(candidates, count=…, seed=…, as_of=…)` returns the chosen outlets in the order they were
chosen, each with the reason it was chosen, plus the outlets left out because they were inspected recently.
The same seed and the same inputs always give the same sample: candidates are first put in a stable order
(their `key`, then id), and every random number comes from `random.Random(seed)`.

The rules, in order:
1. **Recently inspected outlets are left out**: last inspection within `exclude_recent_days` days before
   `as_of` (0 = none left out).
2. Without risk weighting, a plain random draw (every eligible outlet equally likely).
3. With risk weighting, **every outlet at least once a year**: outlets not inspected in the 365 days before
   `as_of` come first (never-inspected first, then the longest waiting; ties by the weighted draw below).
   The remaining places go to a **weighted draw without replacement** (Efraimidis–Spirakis: each outlet gets
   the key `u ** (1 / weight)`, u uniform from the seeded generator, and the largest keys win), where
   `weight = 1 + rate × risk_factor` and `rate` is complaints in the last 12 months per 10,000 customers.
   An outlet whose customer count is unknown (or zero) is counted as serving 10,000 customers, so its rate is
   its complaint count; its reason says the figure was missing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

YEAR_DAYS = 365
RATE_PER = 10_000  # complaints per this many customers
DEFAULT_RISK_FACTOR = 1.0


class Reason:
    """Why an outlet was chosen (stored codes; labels live with the views)."""

    OVERDUE = "overdue"  # not inspected in the past 365 days: every outlet at least once a year
    RISK = "risk"  # won a place in the weighted draw
    RANDOM = "random"  # won a place in the plain random draw


class SamplingError(ValueError):
    """The sample cannot be drawn as asked (`field` names the plan field to correct)."""

    def __init__(self, message: str, *, field: str, eligible: int) -> None:
        super().__init__(message)
        self.field = field
        self.eligible = eligible


@dataclass(frozen=True)
class Candidate:
    """An outlet that may be drawn."""

    id: int
    key: str  # stable order (the unit's code or path)
    last_inspected: dt.date | None = None
    complaints: int = 0  # complaints in the last 12 months
    customers: int | None = None  # customers served; None or 0 = unknown


@dataclass(frozen=True)
class Pick:
    outlet_id: int
    reason: str
    rank: int  # 1 = chosen first
    last_inspected: dt.date | None
    complaints: int
    customers: int | None
    rate: float  # complaints per 10,000 customers (the complaint count when customers are unknown)
    weight: float

    def as_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet_id,
            "reason": self.reason,
            "rank": self.rank,
            "last_inspected": self.last_inspected.isoformat() if self.last_inspected else None,
            "complaints": self.complaints,
            "customers": self.customers,
            "customers_known": bool(self.customers),
            "rate": round(self.rate, 4),
            "weight": round(self.weight, 4),
        }


@dataclass(frozen=True)
class Sample:
    picks: list[Pick]
    excluded: list[int] = field(default_factory=list)  # left out: inspected recently
    eligible: int = 0

    @property
    def outlet_ids(self) -> list[int]:
        return [p.outlet_id for p in self.picks]


def complaint_rate(complaints: int, customers: int | None) -> float:
    """Complaints per 10,000 customers; the complaint count itself when customers are unknown."""
    if not customers:
        return float(complaints)
    return complaints * RATE_PER / customers


def risk_weight(c: Candidate, factor: float) -> float:
    """1 + rate × factor (never below 1: an outlet without complaints can still be drawn)."""
    return 1.0 + max(0.0, complaint_rate(c.complaints, c.customers)) * max(0.0, factor)


def recently_inspected(c: Candidate, as_of: dt.date, days: int) -> bool:
    return days > 0 and c.last_inspected is not None and (as_of - c.last_inspected).days < days


def overdue(c: Candidate, as_of: dt.date) -> bool:
    """Not inspected in the past year (never inspected counts as overdue)."""
    return c.last_inspected is None or (as_of - c.last_inspected).days >= YEAR_DAYS


def weighted_order(
    rng: random.Random, pool: Sequence[Candidate], weights: dict[int, float]
) -> list[Candidate]:
    """The pool ordered by a weighted draw without replacement (largest Efraimidis–Spirakis key first).

    One random number per candidate in the pool's (stable) order, so the order depends only on the seed
    and the inputs.
    """
    keyed = [(rng.random() ** (1.0 / weights[c.id]), i, c) for i, c in enumerate(pool)]
    keyed.sort(key=lambda t: (-t[0], t[1]))
    return [c for _, _, c in keyed]


def draw_sample(
    candidates: Iterable[Candidate],
    *,
    count: int,
    seed: int,
    as_of: dt.date,
    exclude_recent_days: int = 0,
    risk_weighted: bool = False,
    risk_factor: float = DEFAULT_RISK_FACTOR,
) -> Sample:
    """Draw `count` outlets (see the module docstring); raises SamplingError when fewer are eligible."""
    if count < 1:
        raise SamplingError("count must be at least 1", field="outlet_count", eligible=0)
    ordered = sorted(candidates, key=lambda c: (c.key, c.id))
    excluded = [c.id for c in ordered if recently_inspected(c, as_of, exclude_recent_days)]
    left_out = set(excluded)
    pool = [c for c in ordered if c.id not in left_out]
    if count > len(pool):
        raise SamplingError(
            f"only {len(pool)} outlets are eligible", field="outlet_count", eligible=len(pool)
        )
    rng = random.Random(seed)
    weights = {c.id: (risk_weight(c, risk_factor) if risk_weighted else 1.0) for c in pool}
    chosen: list[tuple[Candidate, str]] = []
    if risk_weighted:
        late = weighted_order(rng, [c for c in pool if overdue(c, as_of)], weights)
        late.sort(key=lambda c: c.last_inspected or dt.date.min)  # stable: ties keep the weighted order
        chosen += [(c, Reason.OVERDUE) for c in late[:count]]
        rest = [c for c in pool if not overdue(c, as_of)]
        chosen += [(c, Reason.RISK) for c in weighted_order(rng, rest, weights)[: count - len(chosen)]]
    else:
        chosen += [(c, Reason.RANDOM) for c in rng.sample(pool, count)]
    picks = [
        Pick(
            outlet_id=c.id,
            reason=reason,
            rank=i,
            last_inspected=c.last_inspected,
            complaints=c.complaints,
            customers=c.customers or None,
            rate=complaint_rate(c.complaints, c.customers),
            weight=weights[c.id],
        )
        for i, (c, reason) in enumerate(chosen, start=1)
    ]
    return Sample(picks=picks, excluded=excluded, eligible=len(pool))
