"""The spike rule, pure: Poisson limits, baselines, and one warning per event (suppression)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from xiaobao.early_warning.rules import Cube, SpikeRule, Tree, Unit, evaluate, poisson_limit


def _sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), the plain way (for cross-checking)."""
    return 1.0 - sum(math.exp(-lam) * lam**j / math.factorial(j) for j in range(k))


@pytest.mark.parametrize(
    ("lam", "alpha", "limit"),
    [
        (0.5, 0.001, 5),  # P(X>=4)=0.00175, P(X>=5)=0.000172
        (1.0, 0.001, 6),  # P(X>=5)=0.00366, P(X>=6)=0.000594
        (1.3, 0.001, 7),  # P(X>=6)=0.00227, P(X>=7)=0.000437
        (2.5, 0.001, 10),
        (2.0, 0.001, 9),
        (10.0, 0.001, 22),  # tables: P(X<=20)=0.99841, P(X<=21)=0.99919
        (10.0, 0.05, 16),  # P(X<=15)=0.9513 ≥ 0.95, P(X<=14)=0.9165
        (0.5, 0.1, 2),
    ],
)
def test_poisson_limit_exact(lam, alpha, limit):
    # when / then: the smallest k with P(X >= k) <= alpha
    assert poisson_limit(lam, alpha) == limit
    assert _sf(limit, lam) <= alpha < _sf(limit - 1, lam)


def test_poisson_limit_large_baseline_is_stable():
    # given a head-office baseline of 400 a day: exp(-400) underflows in the plain formula
    limit = poisson_limit(400.0, 0.001)
    # then the limit is about mean + 3.1 standard deviations, as the normal approximation says
    assert 455 <= limit <= 465


def test_poisson_limit_edge_cases():
    assert poisson_limit(0.0, 0.001) == 1
    with pytest.raises(ValueError):
        poisson_limit(1.0, 0.0)


def test_rule_limit_has_a_floor_and_a_minimum():
    rule = SpikeRule(alpha=0.001, min_count=5, min_baseline=0.5)
    assert rule.baseline(0.0) == 0.5
    assert rule.limit(rule.baseline(0.0)) == 5
    assert rule.limit(0.1) == 5  # min_count wins over a tiny Poisson limit
    assert rule.limit(10.0) == 22


# --- a tiny tree: HO > B1 > S1 > O1, O2 ---------------------------------------------------------------

HO, B1, S1, O1, O2 = (
    Unit(1, "00000001", "head_office", "HO", "总行"),
    Unit(2, "0000000100000002", "branch", "B1", "分行"),
    Unit(3, "000000010000000200000003", "sub_branch", "S1", "支行"),
    Unit(4, "00000001000000020000000300000004", "outlet", "O1", "网点一"),
    Unit(5, "00000001000000020000000300000005", "outlet", "O2", "网点二"),
)
RULE = SpikeRule(alpha=0.001, min_count=5, baseline_days=28, min_baseline=0.5, same_day_type=False)
DAY0 = dt.date(2026, 2, 1)


def _cube(daily: dict[int, int], spike: dict[int, int], rule: SpikeRule = RULE) -> tuple[Cube, Tree, int]:
    """29 days: `daily` complaints per unit on each of the first 28, plus `spike` on the last day."""
    tree = Tree([HO, B1, S1, O1, O2], rule.levels)
    cube = Cube(DAY0, DAY0 + dt.timedelta(days=28), lambda d: d.weekday() < 5)
    rows = [(u, "B03", DAY0 + dt.timedelta(days=i), n) for i in range(28) for u, n in daily.items()]
    rows += [(u, "B03", DAY0 + dt.timedelta(days=28), n) for u, n in spike.items()]
    return cube.fill(tree, rows), tree, 28


def test_tree_counts_a_complaint_in_its_unit_and_ancestors_at_the_levels():
    tree = Tree([HO, B1, S1, O1, O2], ("branch", "outlet"))
    assert tree.counted_in(O1.id) == (O1.id, B1.id)
    assert tree.counted_in(S1.id) == (B1.id,)


def test_flat_data_raises_nothing():
    # given one complaint a day at each outlet, and the same on the day examined
    cube, tree, i = _cube({O1.id: 1, O2.id: 1}, {O1.id: 1, O2.id: 1})
    # then
    assert evaluate(cube, tree, RULE, i) == []


def test_spike_at_an_outlet_is_one_warning_at_the_outlet():
    # given a quiet outlet that suddenly gets 7 complaints
    cube, tree, i = _cube({O1.id: 0, O2.id: 1}, {O1.id: 7, O2.id: 1})
    # when
    alarms = evaluate(cube, tree, RULE, i)
    # then the outlet is warned; its sub-branch, branch and head office are explained by it
    assert [(a.unit_id, a.count, a.limit) for a in alarms] == [(O1.id, 7, 5)]
    assert alarms[0].baseline == 0.5


def test_spread_spike_is_warned_at_the_level_that_sees_it():
    # given 5 at each of two outlets: neither alone reaches its limit of 6 over a baseline of 1
    cube, tree, i = _cube({O1.id: 1, O2.id: 1}, {O1.id: 5, O2.id: 5})
    # when
    alarms = evaluate(cube, tree, RULE, i)
    # then the sub-branch (baseline 2, limit 9, count 10) is warned once; ancestors are explained by it
    assert [(a.unit_id, a.count, a.limit) for a in alarms] == [(S1.id, 10, 9)]


def test_parent_is_warned_too_when_the_rest_of_its_subtree_is_unusual():
    # given a spike at O1 and, separately, a spike at the sub-branch's own counter
    cube, tree, i = _cube({O1.id: 0, S1.id: 0}, {O1.id: 7, S1.id: 6})
    # when
    alarms = evaluate(cube, tree, RULE, i)
    # then both the outlet and the sub-branch (6 beyond the outlet's 7) are warned, nothing above them
    assert {(a.unit_id, a.count) for a in alarms} == {(O1.id, 7), (S1.id, 13)}
    sub = next(a for a in alarms if a.unit_id == S1.id)
    assert [b.unit_id for b in sub.explained_by] == [O1.id]


def test_same_day_type_baseline_compares_working_days_with_working_days():
    # given complaints only on working days (2 each), and the examined day is a working day
    rule = SpikeRule(same_day_type=True)
    tree = Tree([HO, B1, S1, O1, O2], rule.levels)
    monday = dt.date(2026, 2, 2)  # + 28 days is Monday 2 March
    cube = Cube(monday, monday + dt.timedelta(days=28), lambda d: d.weekday() < 5)
    days = [monday + dt.timedelta(days=k) for k in range(28)]
    rows = [(O1.id, "B03", d, 2) for d in days if d.weekday() < 5]
    cube.fill(tree, rows)
    # then the baseline is 2 a working day (not 2 x 20/28 a calendar day)
    assert cube.raw_baseline((O1.id, "B03"), 28, rule) == pytest.approx(2.0)
    assert cube.raw_baseline((O1.id, "B03"), 28, SpikeRule(same_day_type=False)) == pytest.approx(40 / 28)


def test_injected_counts_are_evaluated_without_touching_the_cube():
    cube, tree, i = _cube({O1.id: 1}, {O1.id: 1})
    extra = {(a, "B03"): 8 for a in tree.counted_in(O1.id)}
    assert [a.unit_id for a in evaluate(cube, tree, RULE, i, extra)] == [O1.id]
    assert evaluate(cube, tree, RULE, i) == []
