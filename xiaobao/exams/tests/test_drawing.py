"""The paper drawn for an attempt: reproducible from its seed, by rules or fixed, shuffled or not."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from xiaobao.exams.drawing import RuleSpec, attempt_seed, draw, paper_for
from xiaobao.exams.tests.factories import make_exam, make_learner, make_question

ONE = Decimal("1")


def _counts(ids, kind="single", n=4):
    return {i: (kind, n) for i in ids}


def test_attempt_seed_is_stable_and_differs_per_user_and_attempt():
    # given the same exam seed / then the same user and attempt number get the same seed, others not
    assert attempt_seed(42, 7, 1) == attempt_seed(42, 7, 1)
    seeds = {attempt_seed(42, u, n) for u in range(1, 30) for n in (1, 2)}
    assert len(seeds) == 58
    assert all(0 <= s < 2**63 for s in seeds)


def test_rules_draw_is_reproducible_from_the_seed():
    # given two rules over pools given in any order
    rules = [RuleSpec(3, ONE, [5, 1, 9, 3, 7, 11]), RuleSpec(2, Decimal("2"), [20, 21, 22, 23])]
    counts = _counts([1, 3, 5, 7, 9, 11, 20, 21, 22, 23])
    # when drawn twice with the same seed (pools shuffled the second time)
    first = draw(seed=123, rules=rules, option_counts=counts, shuffle_questions=True, shuffle_options=True)
    again = draw(
        seed=123,
        rules=[RuleSpec(3, ONE, [11, 9, 7, 5, 3, 1]), RuleSpec(2, Decimal("2"), [23, 22, 21, 20])],
        option_counts=counts,
        shuffle_questions=True,
        shuffle_options=True,
    )
    # then the paper is the same: questions, order, points and option orders
    assert first == again
    assert len(first) == 5
    assert sum(d.points for d in first) == Decimal("7")
    assert [d.position for d in first] == [1, 2, 3, 4, 5]
    assert {d.question_id for d in first if d.points == ONE} <= {1, 3, 5, 7, 9, 11}
    assert all(sorted(d.option_order) == [0, 1, 2, 3] for d in first)


def test_other_seeds_draw_other_papers():
    rules = [RuleSpec(5, ONE, list(range(1, 41)))]
    counts = _counts(range(1, 41))
    papers = {
        tuple(
            d.question_id
            for d in draw(
                seed=s, rules=rules, option_counts=counts, shuffle_questions=False, shuffle_options=False
            )
        )
        for s in range(20)
    }
    assert len(papers) > 15


def test_a_question_is_drawn_once_even_when_two_rules_share_it():
    rules = [RuleSpec(2, ONE, [1, 2, 3]), RuleSpec(2, ONE, [2, 3, 4])]
    for seed in range(30):
        paper = draw(
            seed=seed,
            rules=rules,
            option_counts=_counts([1, 2, 3, 4]),
            shuffle_questions=True,
            shuffle_options=False,
        )
        ids = [d.question_id for d in paper]
        # (when the first rule took 2 and 3, the second has only 4 left)
        assert len(ids) == len(set(ids)) and len(ids) in (3, 4)


def test_a_rule_with_too_small_a_pool_takes_what_there_is():
    paper = draw(
        seed=1,
        rules=[RuleSpec(5, ONE, [1, 2])],
        option_counts=_counts([1, 2]),
        shuffle_questions=False,
        shuffle_options=False,
    )
    assert sorted(d.question_id for d in paper) == [1, 2]


def test_fixed_paper_unshuffled_keeps_order_and_options():
    fixed = [(3, ONE), (1, Decimal("2")), (2, ONE)]
    paper = draw(
        seed=9, fixed=fixed, option_counts=_counts([1, 2, 3]), shuffle_questions=False, shuffle_options=False
    )
    assert [(d.question_id, d.points, d.option_order) for d in paper] == [
        (3, ONE, [0, 1, 2, 3]),
        (1, Decimal("2"), [0, 1, 2, 3]),
        (2, ONE, [0, 1, 2, 3]),
    ]


def test_true_false_and_blank_options_are_not_shuffled():
    counts = {1: ("true_false", 2), 2: ("blank", 0), 3: ("multiple", 5)}
    shuffled = set()
    for seed in range(20):
        paper = {
            d.question_id: d.option_order
            for d in draw(
                seed=seed,
                fixed=[(1, ONE), (2, ONE), (3, ONE)],
                option_counts=counts,
                shuffle_questions=True,
                shuffle_options=True,
            )
        }
        assert paper[1] == [0, 1]
        assert paper[2] == []
        shuffled.add(tuple(paper[3]))
    assert len(shuffled) > 5


@pytest.mark.django_db
def test_paper_for_draws_from_the_bank_by_tag_kind_and_difficulty(org, hq_officer, branch_officer):
    # given a bank: 6 single-choice questions tagged 投诉处理 of difficulty 2, decoys of other tags, kinds,
    # difficulties, an inactive one, and one of another branch (not visible to branch 1's exams)
    wanted = [make_question(unit=org.ho, by=hq_officer, tags=("投诉处理",), difficulty=2) for _ in range(6)]
    make_question(unit=org.ho, by=hq_officer, tags=("投诉处理",), difficulty=4)
    make_question(unit=org.ho, by=hq_officer, kind="multiple", tags=("投诉处理",), difficulty=2)
    make_question(unit=org.ho, by=hq_officer, tags=("其他",), difficulty=2)
    make_question(unit=org.ho, by=hq_officer, tags=("投诉处理",), difficulty=2, active=False)
    make_question(unit=org.b2, by=hq_officer, tags=("投诉处理",), difficulty=2)
    learner = make_learner("lrn_draw", org.b1s)
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        exam = make_exam(
            by=branch_officer,
            questions=[],
            candidates=[learner],
            question_ids=[],
            rules=[{"tag": "投诉处理", "kind": "single", "difficulty": 2, "count": 4, "points": 2.5}],
        )
    # when drawn for two seeds, twice each
    a1, a2 = paper_for(exam, 1), paper_for(exam, 1)
    b = paper_for(exam, 2)
    # then only matching questions, 4 of them, 2.5 points each, the same for the same seed
    assert a1 == a2
    assert {d.question_id for d in a1} <= {q.pk for q in wanted}
    assert len(a1) == 4 and all(d.points == Decimal("2.5") for d in a1)
    assert {d.question_id for d in b} <= {q.pk for q in wanted}
