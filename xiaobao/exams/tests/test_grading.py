"""Grading rules, without the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaobao.exams.grading import alternatives, grade, normalise_answer, normalise_text, validate_answer

TWO = Decimal("2")


@pytest.mark.parametrize(
    ("kind", "key", "answer", "expected"),
    [
        ("single", [1], [1], (True, TWO)),
        ("single", [1], [2], (False, Decimal("0"))),
        ("true_false", [0], [0], (True, TWO)),
        ("true_false", [0], [1], (False, Decimal("0"))),
    ],
)
def test_single_and_true_false(kind, key, answer, expected):
    # given a question worth 2 / when graded / then right earns everything, wrong nothing
    assert grade(kind, key, answer, TWO) == expected


def test_multiple_all_or_nothing_needs_exactly_the_key():
    # given the key {0, 2, 3}
    key = [0, 2, 3]
    # then only the whole set earns; a subset or a superset earns nothing
    assert grade("multiple", key, [0, 2, 3], TWO, "all_or_nothing") == (True, TWO)
    assert grade("multiple", key, [3, 0, 2], TWO, "all_or_nothing") == (True, TWO)
    assert grade("multiple", key, [0, 2], TWO, "all_or_nothing") == (False, Decimal("0"))
    assert grade("multiple", key, [0, 1, 2, 3], TWO, "all_or_nothing") == (False, Decimal("0"))


def test_multiple_partial_credit_without_wrong_options():
    key = [0, 2, 3]
    # a subset of the key earns its share, rounded down to the cent
    assert grade("multiple", key, [0, 2], TWO, "partial") == (False, Decimal("1.33"))
    assert grade("multiple", key, [3], TWO, "partial") == (False, Decimal("0.66"))
    # the whole key earns everything
    assert grade("multiple", key, [0, 2, 3], TWO, "partial") == (True, TWO)
    # any wrong option earns nothing, even with right ones
    assert grade("multiple", key, [0, 1], TWO, "partial") == (False, Decimal("0"))
    assert grade("multiple", key, [0, 1, 2, 3], TWO, "partial") == (False, Decimal("0"))


def test_partial_scoring_does_not_change_single_choice():
    assert grade("single", [1], [1], TWO, "partial") == (True, TWO)
    assert grade("single", [1], [0], TWO, "partial") == (False, Decimal("0"))


@pytest.mark.parametrize("answer", [None, [], "", "   ", "\u3000"])
def test_no_answer_earns_nothing(answer):
    for kind, key in (("single", [0]), ("multiple", [0, 1]), ("blank", "十五")):
        assert grade(kind, key, answer, TWO, "partial") == (False, Decimal("0"))


@pytest.mark.parametrize(
    "answer",
    ["15", " 15 ", "１５", "十五", "十 五", "15\u3000"],
)
def test_blank_is_compared_normalised_against_each_alternative(answer):
    # given the key "十五|15" (two accepted answers) / then width, spaces and case do not matter
    assert grade("blank", "十五|15", answer, TWO) == (True, TWO)


def test_blank_case_and_full_width_letters():
    assert grade("blank", "KYC|了解你的客户", "ｋｙｃ", TWO) == (True, TWO)
    assert grade("blank", "KYC|了解你的客户", "kyc ", TWO) == (True, TWO)
    assert grade("blank", "KYC", "KYD", TWO) == (False, Decimal("0"))
    # an empty alternative (a stray "|") accepts nothing
    assert alternatives("KYC||") == {"kyc"}
    assert grade("blank", "KYC|", "", TWO) == (False, Decimal("0"))


def test_normalise_text():
    assert normalise_text(" Ａｂ　Ｃ１ ") == "abc1"


def test_normalise_answer():
    assert normalise_answer("multiple", [2, 0, 2]) == [0, 2]
    assert normalise_answer("multiple", []) is None
    assert normalise_answer("blank", "  x ") == "x"
    assert normalise_answer("blank", "  ") is None
    assert normalise_answer("single", None) is None


@pytest.mark.parametrize(
    ("kind", "count", "answer", "ok"),
    [
        ("single", 4, [3], True),
        ("single", 4, [], True),
        ("single", 4, None, True),
        ("single", 4, [4], False),
        ("single", 4, [-1], False),
        ("single", 4, [0, 1], False),
        ("true_false", 2, [0, 1], False),
        ("multiple", 4, [0, 1, 3], True),
        ("multiple", 4, [0, 0], False),
        ("multiple", 4, "A", False),
        ("multiple", 4, [True], False),
        ("multiple", 4, ["1"], False),
        ("blank", 0, "十五", True),
        ("blank", 0, [1], False),
        ("blank", 0, "x" * 501, False),
    ],
)
def test_validate_answer(kind, count, answer, ok):
    assert (validate_answer(kind, count, answer) is None) is ok
