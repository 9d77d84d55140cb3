"""Drawing a unit's quarterly sample of recorded sales: pure, no database.

1. The rule's product kinds (empty: all) pick the sales it samples.
2. Sales meeting a must-check condition (e.g. applicants aged 60 or more) are all taken (reason must_check).
3. The rest are drawn at random per product kind (the strata, in code order) with one `random.Random(seed)`:
   - a share: ⌈N_k × share / 100⌉ per kind, N_k all the kind's sales, less the kind's must-check ones;
   - a count: that many random items, spread over the kinds in proportion to what is left to draw
     (largest remainder, ties by kind code);
   then, while the sample holds fewer than `min_per_unit` items and sales are left, one more from the kind
   with the most sales left (ties by code).
4. Candidates are ordered by id before drawing, so the same sales, rule and seed give the same sample.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

RANDOM = "random"
MUST_CHECK = "must_check"
CONDITION_KEYS = ("applicant_age_gte", "applicant_age_lt", "product_kinds")


@dataclass(frozen=True)
class SaleRef:
    id: int
    product_kind: str
    applicant_age: int | None = None


@dataclass(frozen=True)
class RuleSpec:
    share_percent: Decimal | None = None
    count: int | None = None
    min_per_unit: int = 0
    product_kinds: tuple[str, ...] = ()
    must_check: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> RuleSpec:
        share = data.get("share_percent")
        return cls(
            share_percent=Decimal(str(share)) if share not in (None, "") else None,
            count=data.get("count"),
            min_per_unit=int(data.get("min_per_unit") or 0),
            product_kinds=tuple(data.get("product_kinds") or ()),
            must_check=tuple(normalise_conditions(data.get("must_check"))),
        )


@dataclass(frozen=True)
class Pick:
    sale_id: int
    stratum: str
    reason: str


def normalise_conditions(value: Any) -> list[dict[str, Any]]:
    """A condition dict or a list of them → a list (each dict: all its tests must hold; any dict will do)."""
    if not value:
        return []
    if isinstance(value, Mapping):
        return [dict(value)]
    return [dict(c) for c in value]


def condition_errors(value: Any) -> list[str]:
    """What is wrong with a must-check value (empty list: fine)."""
    if value in (None, "", [], {}):
        return []
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not all(isinstance(c, Mapping) and c for c in items):
        return ["must_check: a condition object or a list of them"]
    errors = []
    for c in items:
        for key, v in c.items():
            if key not in CONDITION_KEYS:
                errors.append(f"must_check: unknown test {key}")
            elif key.startswith("applicant_age") and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                errors.append(f"must_check: {key} needs a whole number of years")
            elif key == "product_kinds" and (
                not isinstance(v, list) or not all(isinstance(k, str) for k in v)
            ):
                errors.append("must_check: product_kinds needs a list of product kinds")
    return errors


def matches(sale: SaleRef, condition: Mapping[str, Any]) -> bool:
    age = sale.applicant_age
    if "applicant_age_gte" in condition and (age is None or age < int(condition["applicant_age_gte"])):
        return False
    if "applicant_age_lt" in condition and (age is None or age >= int(condition["applicant_age_lt"])):
        return False
    return not ("product_kinds" in condition and sale.product_kind not in condition["product_kinds"])


def is_must_check(sale: SaleRef, conditions: Iterable[Mapping[str, Any]]) -> bool:
    return any(matches(sale, c) for c in conditions)


def _proportional(total: int, sizes: Mapping[str, int]) -> dict[str, int]:
    """`total` spread over the keys in proportion to their sizes (largest remainder), never above a size."""
    whole = sum(sizes.values())
    if whole == 0 or total <= 0:
        return {k: 0 for k in sizes}
    total = min(total, whole)
    exact = {k: Decimal(total) * n / whole for k, n in sizes.items()}
    out = {k: int(v) for k, v in exact.items()}
    left = total - sum(out.values())
    for k in sorted(sizes, key=lambda k: (-(exact[k] - out[k]), k))[:left]:
        out[k] += 1
    return out


def quotas(rule: RuleSpec, population: Mapping[str, int], must: Mapping[str, int]) -> dict[str, int]:
    """Random items per product kind: `population` all sales per kind, `must` the must-check ones."""
    pool = {k: population[k] - must.get(k, 0) for k in population}
    if rule.share_percent is not None:
        share = rule.share_percent
        out = {
            k: min(pool[k], max(0, math.ceil(Decimal(population[k]) * share / 100) - must.get(k, 0)))
            for k in population
        }
    else:
        out = _proportional(int(rule.count or 0), pool)
    while sum(out.values()) + sum(must.values()) < rule.min_per_unit:
        left = {k: pool[k] - out[k] for k in pool if pool[k] > out[k]}
        if not left:
            break
        k = sorted(left, key=lambda k: (-left[k], k))[0]
        out[k] += 1
    return out


def draw(sales: Sequence[SaleRef], rule: RuleSpec, seed: int) -> list[Pick]:
    """The sample: must-check sales first (by id), then each kind's random draw, kinds in code order."""
    scope = [s for s in sales if not rule.product_kinds or s.product_kind in rule.product_kinds]
    scope.sort(key=lambda s: s.id)
    must = [s for s in scope if is_must_check(s, rule.must_check)]
    must_ids = {s.id for s in must}
    strata: dict[str, list[SaleRef]] = {}
    for s in scope:
        strata.setdefault(s.product_kind, [])
        if s.id not in must_ids:
            strata[s.product_kind].append(s)
    population = {k: 0 for k in strata}
    for s in scope:
        population[s.product_kind] += 1
    must_count: dict[str, int] = {}
    for s in must:
        must_count[s.product_kind] = must_count.get(s.product_kind, 0) + 1
    wanted = quotas(rule, population, must_count)
    rng = random.Random(seed)
    picks = [Pick(s.id, s.product_kind, MUST_CHECK) for s in must]
    for kind in sorted(strata):
        chosen = rng.sample(strata[kind], wanted.get(kind, 0))
        picks += [Pick(s.id, kind, RANDOM) for s in sorted(chosen, key=lambda s: s.id)]
    return picks
