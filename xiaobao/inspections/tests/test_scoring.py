"""The pure scoring: no database."""

from decimal import Decimal

import pytest

from xiaobao.inspections import scoring
from xiaobao.inspections.scoring import ItemSpec, SectionSpec

SECTIONS = [
    SectionSpec("lobby", "大堂经理", Decimal(2), gate_item_code="L1"),
    SectionSpec("teller", "柜员", Decimal(1)),
]
ITEMS = [
    ItemSpec("L1", "lobby", "yes_no", 2, gating=True),
    ItemSpec("L2", "lobby", "score", 4),
    ItemSpec("T1", "teller", "yes_no", 2),
    ItemSpec("T2", "teller", "yes_no", 2, critical=True),
    ItemSpec("T3", "teller", "number", 0),
    ItemSpec("T4", "teller", "photo", 1),
]
ALL_GOOD = {"L1": "yes", "L2": 4, "T1": "yes", "T2": "yes", "T3": "3", "T4": "taken"}


def test_full_marks_weighted_by_section():
    # given every scored item answered at its best
    # when scored
    r = scoring.score(SECTIONS, ITEMS, ALL_GOOD)
    # then lobby 6 × 2 + teller 5 × 1 = 17 of 17
    assert (r.score, r.max_score, r.percent) == (Decimal(17), Decimal(17), Decimal(100))
    assert r.complete and r.failed == [] and r.critical_failed == []
    assert [(s.code, s.score, s.max_score) for s in r.sections] == [
        ("lobby", Decimal(6), Decimal(6)),
        ("teller", Decimal(5), Decimal(5)),
    ]


def test_failed_gating_item_zeroes_its_section_only():
    # given no lobby manager within 15 minutes, the rest perfect
    answers = {**ALL_GOOD, "L1": "no"}
    # when
    r = scoring.score(SECTIONS, ITEMS, answers)
    # then the lobby section scores 0 though L2 had 4 points; teller untouched
    lobby, teller = r.sections
    assert lobby.gated and lobby.score == 0 and lobby.max_score == 6
    assert not teller.gated and teller.score == 5
    assert r.score == 5 and r.max_score == 17 and r.percent == Decimal("29.41")
    assert r.failed == ["L1"]


def test_item_marked_gating_without_section_gate_also_zeroes():
    sections = [SectionSpec("lobby", "大堂", Decimal(1))]
    items = [ItemSpec("G", "lobby", "yes_no", 1, gating=True), ItemSpec("X", "lobby", "yes_no", 3)]
    r = scoring.score(sections, items, {"G": "no", "X": "yes"})
    assert r.sections[0].gated and r.score == 0


def test_critical_failure_is_listed_and_scores_zero_points():
    r = scoring.score(SECTIONS, ITEMS, {**ALL_GOOD, "T2": "no"})
    assert r.critical_failed == ["T2"] and r.failed == ["T2"]
    assert r.score == 15


def test_score_item_fails_below_half():
    assert scoring.evaluate(ITEMS[1], 1).passed is False
    assert scoring.evaluate(ITEMS[1], 2).passed is True
    assert scoring.evaluate(ITEMS[1], 2).points == 2


def test_not_applicable_leaves_the_maximum():
    r = scoring.score(SECTIONS, ITEMS, {**ALL_GOOD, "T1": "na"})
    assert r.max_score == 15 and r.score == 15 and r.complete


def test_running_score_counts_answered_items_and_weights_items():
    # given only two answers so far
    r = scoring.score(SECTIONS, ITEMS, {"L1": "yes", "T1": "no"})
    # then the running score is over what was answered
    assert (r.score, r.max_score) == (Decimal(4), Decimal(6))
    assert not r.complete
    weighted = [ItemSpec("A", "teller", "yes_no", 2, weight=Decimal("1.5"))]
    r2 = scoring.score([SECTIONS[1]], weighted, {"A": "yes"})
    assert r2.score == Decimal(3)


def test_text_and_number_items_are_not_scored():
    r = scoring.score(SECTIONS, ITEMS, {"T3": "12"})
    assert r.max_score == 0 and r.percent is None


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (Decimal(100), 5),
        (Decimal(95), 5),
        (Decimal("94.99"), 4),
        (Decimal(80), 3),
        (Decimal("69.9"), 1),
        (None, None),
    ],
)
def test_stars_from_bands(percent, expected):
    bands = [(5, Decimal(95)), (4, Decimal(90)), (3, Decimal(80)), (2, Decimal(70)), (1, Decimal(0))]
    assert scoring.stars(percent, bands) == expected


def test_stars_without_a_matching_band():
    assert scoring.stars(Decimal(50), [(5, Decimal(95))]) is None


@pytest.mark.parametrize(
    ("item", "raw", "stored"),
    [
        (ITEMS[2], True, "yes"),
        (ITEMS[2], "no", "no"),
        (ITEMS[2], "na", "na"),
        (ITEMS[1], "3", 3),
        (ITEMS[1], 0, 0),
        (ITEMS[4], "12.50", "12.5"),
        (ITEMS[5], True, "taken"),
        (ItemSpec("X", "s", "text", 0), " 备注 ", "备注"),
    ],
)
def test_normalise_accepts(item, raw, stored):
    assert scoring.normalise(item, raw) == stored


@pytest.mark.parametrize(
    ("item", "raw"),
    [
        (ITEMS[2], "maybe"),
        (ITEMS[2], None),
        (ITEMS[2], ""),
        (ITEMS[0], "na"),  # a gating item is never n/a
        (ITEMS[1], 5),
        (ITEMS[1], -1),
        (ITEMS[1], "2.5"),
        (ITEMS[1], True),
        (ITEMS[4], "abc"),
        (ITEMS[4], "NaN"),
        (ITEMS[4], "1e12"),
        (ItemSpec("X", "s", "text", 0), "x" * 2001),
    ],
)
def test_normalise_refuses(item, raw):
    with pytest.raises(scoring.AnswerError):
        scoring.normalise(item, raw)


def test_template_maximum():
    assert scoring.max_score(SECTIONS, ITEMS) == Decimal(17)
