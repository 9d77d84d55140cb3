from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.analytics.periods import Period

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "label", "previous", "year_ago"),
    [
        ("2026-10", D(2026, 10, 1), D(2026, 10, 31), "2026-10", "2026-09", "2025-10"),
        ("2026-01", D(2026, 1, 1), D(2026, 1, 31), "2026-01", "2025-12", "2025-01"),
        ("2026-q3", D(2026, 7, 1), D(2026, 9, 30), "2026-Q3", "2026-Q2", "2025-Q3"),
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31), "2026-Q1", "2025-Q4", "2025-Q1"),
        ("2026-H1", D(2026, 1, 1), D(2026, 6, 30), "2026-H1", "2025-H2", "2025-H1"),
        ("2026", D(2026, 1, 1), D(2026, 12, 31), "2026", "2025", "2025"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "2024-02", "2024-01", "2023-02"),
    ],
)
def test_named_periods(text, start, end, label, previous, year_ago):
    p = Period.parse(text)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert p.previous().label == previous
    assert p.year_ago().label == year_ago


def test_custom_range_compares_with_the_same_number_of_days_before():
    # given
    p = Period.parse("2026-10-01..2026-10-10")
    # then
    assert p.days == 10
    assert (p.previous().start, p.previous().end) == (D(2026, 9, 21), D(2026, 9, 30))
    assert (p.year_ago().start, p.year_ago().end) == (D(2025, 10, 1), D(2025, 10, 10))


def test_leap_day_a_year_ago():
    assert Period.parse("2024-02-29").year_ago().start == D(2023, 2, 28)


@pytest.mark.parametrize(
    "text",
    ["", "2026-13", "2026-Q5", "2026/10", "yesterday", "2026-10-31..2026-10-01", "2020-01-01..2026-01-01"],
)
def test_bad_periods_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match=r"\w"):
        Period.parse(text)
