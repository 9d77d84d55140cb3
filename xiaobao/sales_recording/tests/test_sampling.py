"""The quarterly draw, pure (no database): reproducible, must-check sales always in, stratified by kind."""

from __future__ import annotations

from decimal import Decimal

from xiaobao.sales_recording.sampling import (
    MUST_CHECK,
    RANDOM,
    RuleSpec,
    SaleRef,
    condition_errors,
    draw,
    quotas,
)


def _sales() -> list[SaleRef]:
    # 40 wealth (ids 1–40), 10 insurance (41–50) of which 3 to applicants aged 60+, 5 agency (51–55)
    out = [SaleRef(i, "wealth", 30 + i % 20) for i in range(1, 41)]
    out += [SaleRef(i, "insurance", 65 if i in (41, 42, 43) else 40) for i in range(41, 51)]
    out += [SaleRef(i, "agency", None) for i in range(51, 56)]
    return out


SHARE_10 = RuleSpec(share_percent=Decimal("10"), min_per_unit=1, must_check=({"applicant_age_gte": 60},))


def test_the_same_seed_draws_the_same_sample_and_another_seed_another():
    # given the sales in a shuffled order
    sales = _sales()
    shuffled = list(reversed(sales))
    # when
    first, again, other = draw(sales, SHARE_10, 42), draw(shuffled, SHARE_10, 42), draw(sales, SHARE_10, 7)
    # then
    assert first == again
    assert [p.sale_id for p in first] != [p.sale_id for p in other]


def test_must_check_sales_are_always_in_whatever_the_seed():
    # given / when
    for seed in range(20):
        picks = draw(_sales(), SHARE_10, seed)
        # then every applicant aged 60+ is in, as must_check, and only they are
        must = {p.sale_id for p in picks if p.reason == MUST_CHECK}
        assert must == {41, 42, 43}


def test_each_product_kind_gets_its_share_rounded_up():
    # given 40 wealth, 10 insurance (3 must-check), 5 agency at 10%
    # when
    picks = draw(_sales(), SHARE_10, 1)
    # then wealth ⌈4⌉=4, insurance ⌈1⌉ less its 3 must-check = 0 random, agency ⌈0.5⌉=1
    random_by_kind: dict[str, int] = {}
    for p in picks:
        if p.reason == RANDOM:
            random_by_kind[p.stratum] = random_by_kind.get(p.stratum, 0) + 1
    assert random_by_kind == {"wealth": 4, "agency": 1}
    assert all(p.stratum == "wealth" for p in picks if 1 <= p.sale_id <= 40)


def test_a_count_is_spread_over_the_kinds_in_proportion():
    # given a count of 10 and no must-check rule
    rule = RuleSpec(count=10)
    # when
    wanted = quotas(rule, {"wealth": 40, "insurance": 10, "agency": 5}, {})
    # then 10 × 40/55 = 7.27, 10 × 10/55 = 1.82, 10 × 5/55 = 0.91 → 7, 2, 1 (largest remainders)
    assert wanted == {"wealth": 7, "insurance": 2, "agency": 1}


def test_min_per_unit_tops_up_a_small_quarter():
    # given two sales and a 10% rule with at least 2 checked
    rule = RuleSpec(share_percent=Decimal("10"), min_per_unit=2)
    sales = [SaleRef(1, "wealth"), SaleRef(2, "wealth")]
    # when
    picks = draw(sales, rule, 3)
    # then both are checked; never more than there are
    assert sorted(p.sale_id for p in picks) == [1, 2]
    assert len(draw(sales, RuleSpec(count=5), 3)) == 2


def test_the_rule_samples_only_its_product_kinds():
    # given an insurance-only rule at 30% with applicants aged 60+ always checked
    rule = RuleSpec(
        share_percent=Decimal("30"), product_kinds=("insurance",), must_check=({"applicant_age_gte": 60},)
    )
    # when
    picks = draw(_sales(), rule, 5)
    # then only insurance sales: the 3 aged 60+, and ⌈3⌉ − 3 = 0 more
    assert {p.stratum for p in picks} == {"insurance"}
    assert len(picks) == 3


def test_conditions_are_checked():
    assert condition_errors([{"applicant_age_gte": 60}]) == []
    assert condition_errors({"applicant_age_gte": 60, "product_kinds": ["insurance"]}) == []
    assert condition_errors([{"age": 60}]) == ["must_check: unknown test age"]
    assert condition_errors([{"applicant_age_gte": "60"}])
    assert condition_errors("x")
