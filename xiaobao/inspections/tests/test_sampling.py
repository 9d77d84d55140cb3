"""The sample draw, without the database: reproducible from its seed, exclusions, risk weighting and the
every-outlet-once-a-year rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from xiaobao.inspections.sampling import (
    Candidate,
    Reason,
    SamplingError,
    complaint_rate,
    draw_sample,
    risk_weight,
)

AS_OF = dt.date(2026, 4, 1)


def outlets(n: int, *, last: dt.date | None = dt.date(2026, 1, 10), **kw: object) -> list[Candidate]:
    return [Candidate(id=i, key=f"OUT{i:04d}", last_inspected=last, **kw) for i in range(1, n + 1)]  # type: ignore[arg-type]


def test_same_seed_and_inputs_give_the_same_sample() -> None:
    # given
    pool = outlets(50)
    # when
    a = draw_sample(pool, count=10, seed=20260401, as_of=AS_OF)
    b = draw_sample(pool, count=10, seed=20260401, as_of=AS_OF)
    # then
    assert a.outlet_ids == b.outlet_ids
    assert len(set(a.outlet_ids)) == 10


def test_the_order_the_candidates_arrive_in_does_not_matter() -> None:
    # given
    pool = outlets(50, complaints=3, customers=20_000)
    # when
    a = draw_sample(pool, count=10, seed=7, as_of=AS_OF, risk_weighted=True)
    b = draw_sample(list(reversed(pool)), count=10, seed=7, as_of=AS_OF, risk_weighted=True)
    # then
    assert a.outlet_ids == b.outlet_ids


def test_different_seeds_give_different_samples() -> None:
    # given
    pool = outlets(50)
    # when
    samples = {tuple(draw_sample(pool, count=10, seed=s, as_of=AS_OF).outlet_ids) for s in range(20)}
    # then
    assert len(samples) == 20


def test_a_weighted_draw_is_reproducible_too() -> None:
    # given
    pool = [
        Candidate(id=i, key=f"O{i}", last_inspected=dt.date(2026, 2, 1), complaints=i % 7, customers=10_000)
        for i in range(1, 40)
    ]
    # when
    a = draw_sample(pool, count=8, seed=99, as_of=AS_OF, risk_weighted=True)
    b = draw_sample(pool, count=8, seed=99, as_of=AS_OF, risk_weighted=True)
    c = draw_sample(pool, count=8, seed=100, as_of=AS_OF, risk_weighted=True)
    # then
    assert [p.as_json() for p in a.picks] == [p.as_json() for p in b.picks]
    assert a.outlet_ids != c.outlet_ids


def test_outlets_inspected_within_the_exclusion_window_are_left_out() -> None:
    # given: outlets 1–5 inspected 30 days ago, 6–10 inspected 100 days ago
    recent = [
        Candidate(id=i, key=f"O{i:02d}", last_inspected=AS_OF - dt.timedelta(days=30)) for i in range(1, 6)
    ]
    older = [
        Candidate(id=i, key=f"O{i:02d}", last_inspected=AS_OF - dt.timedelta(days=100)) for i in range(6, 11)
    ]
    # when
    sample = draw_sample(recent + older, count=5, seed=1, as_of=AS_OF, exclude_recent_days=90)
    # then
    assert sorted(sample.outlet_ids) == [6, 7, 8, 9, 10]
    assert sample.excluded == [1, 2, 3, 4, 5]
    assert sample.eligible == 5


def test_the_exclusion_window_counts_whole_days() -> None:
    # given: inspected exactly 90 days before: outside a 90-day window
    edge = Candidate(id=1, key="A", last_inspected=AS_OF - dt.timedelta(days=90))
    inside = Candidate(id=2, key="B", last_inspected=AS_OF - dt.timedelta(days=89))
    # when
    sample = draw_sample([edge, inside], count=1, seed=3, as_of=AS_OF, exclude_recent_days=90)
    # then
    assert sample.outlet_ids == [1]
    assert sample.excluded == [2]


def test_no_exclusion_window_leaves_everybody_in() -> None:
    # given
    pool = outlets(4, last=AS_OF)
    # when
    sample = draw_sample(pool, count=4, seed=3, as_of=AS_OF, exclude_recent_days=0)
    # then
    assert sorted(sample.outlet_ids) == [1, 2, 3, 4]
    assert sample.excluded == []


def test_asking_for_more_outlets_than_are_eligible_is_refused() -> None:
    # given
    pool = outlets(6, last=AS_OF - dt.timedelta(days=10))
    # when
    with pytest.raises(SamplingError) as err:
        draw_sample(pool, count=3, seed=3, as_of=AS_OF, exclude_recent_days=30)
    # then
    assert err.value.field == "outlet_count"
    assert err.value.eligible == 0


def test_a_count_below_one_is_refused() -> None:
    with pytest.raises(SamplingError):
        draw_sample(outlets(3), count=0, seed=1, as_of=AS_OF)


def test_every_outlet_at_least_once_a_year_overdue_outlets_come_first() -> None:
    # given: 3 outlets not inspected for over a year (one never), 20 inspected recently with many complaints
    late = [
        Candidate(id=101, key="Z1", last_inspected=None),
        Candidate(id=102, key="Z2", last_inspected=AS_OF - dt.timedelta(days=365)),
        Candidate(id=103, key="Z3", last_inspected=AS_OF - dt.timedelta(days=400)),
    ]
    busy = outlets(20, last=AS_OF - dt.timedelta(days=40), complaints=50, customers=1_000)
    # when
    sample = draw_sample(late + busy, count=5, seed=11, as_of=AS_OF, risk_weighted=True)
    # then: never inspected first, then the longest waiting, then the weighted draw
    assert sample.outlet_ids[:3] == [101, 103, 102]
    assert [p.reason for p in sample.picks] == [Reason.OVERDUE] * 3 + [Reason.RISK] * 2


def test_when_more_outlets_are_overdue_than_places_the_longest_waiting_win() -> None:
    # given
    pool = [
        Candidate(id=i, key=f"O{i}", last_inspected=AS_OF - dt.timedelta(days=366 + i)) for i in range(1, 11)
    ]
    # when
    sample = draw_sample(pool, count=3, seed=5, as_of=AS_OF, risk_weighted=True)
    # then
    assert sample.outlet_ids == [10, 9, 8]
    assert {p.reason for p in sample.picks} == {Reason.OVERDUE}


def test_the_weight_is_one_plus_the_complaint_rate_times_the_factor() -> None:
    # given
    known = Candidate(id=1, key="A", complaints=6, customers=20_000)
    unknown = Candidate(id=2, key="B", complaints=6, customers=None)
    quiet = Candidate(id=3, key="C", complaints=0, customers=5_000)
    # then
    assert complaint_rate(6, 20_000) == 3.0
    assert risk_weight(known, 1.0) == 4.0
    assert risk_weight(known, 2.0) == 7.0
    assert risk_weight(unknown, 1.0) == 7.0  # unknown customers: the rate is the complaint count
    assert risk_weight(quiet, 5.0) == 1.0


def test_risk_weighting_draws_high_complaint_outlets_more_often() -> None:
    # given: 10 quiet outlets and 10 with 20 complaints per 10,000 customers, all inspected this year
    last = AS_OF - dt.timedelta(days=60)
    quiet = [Candidate(id=i, key=f"Q{i:02d}", last_inspected=last, customers=10_000) for i in range(10)]
    loud = [
        Candidate(id=100 + i, key=f"L{i:02d}", last_inspected=last, complaints=20, customers=10_000)
        for i in range(10)
    ]
    # when
    drawn: Counter[str] = Counter()
    for seed in range(300):
        for oid in draw_sample(quiet + loud, count=5, seed=seed, as_of=AS_OF, risk_weighted=True).outlet_ids:
            drawn["loud" if oid >= 100 else "quiet"] += 1
    # then: weight 21 against 1 — the loud outlets take the great majority of places
    assert drawn["loud"] > 5 * drawn["quiet"]
    assert drawn["quiet"] > 0  # a quiet outlet can still be drawn


def test_without_risk_weighting_complaints_do_not_matter() -> None:
    # given
    last = AS_OF - dt.timedelta(days=60)
    quiet = [Candidate(id=i, key=f"Q{i:02d}", last_inspected=last) for i in range(10)]
    loud = [Candidate(id=100 + i, key=f"L{i:02d}", last_inspected=last, complaints=50) for i in range(10)]
    # when
    drawn: Counter[str] = Counter()
    for seed in range(300):
        for oid in draw_sample(quiet + loud, count=5, seed=seed, as_of=AS_OF).outlet_ids:
            drawn["loud" if oid >= 100 else "quiet"] += 1
    # then
    assert 0.8 < drawn["loud"] / drawn["quiet"] < 1.25
    assert all(
        p.reason == Reason.RANDOM for p in draw_sample(quiet + loud, count=5, seed=1, as_of=AS_OF).picks
    )


def test_each_pick_says_why_it_was_chosen() -> None:
    # given
    pool = [
        Candidate(id=1, key="A", last_inspected=None, complaints=2, customers=None),
        Candidate(id=2, key="B", last_inspected=dt.date(2026, 3, 1), complaints=4, customers=8_000),
    ]
    # when
    picks = draw_sample(pool, count=2, seed=1, as_of=AS_OF, risk_weighted=True).picks
    # then
    assert picks[0].as_json() == {
        "outlet": 1,
        "reason": "overdue",
        "rank": 1,
        "last_inspected": None,
        "complaints": 2,
        "customers": None,
        "customers_known": False,
        "rate": 2.0,
        "weight": 3.0,
    }
    assert picks[1].as_json()["reason"] == "risk"
    assert picks[1].as_json()["rate"] == 5.0
    assert picks[1].as_json()["last_inspected"] == "2026-03-01"
