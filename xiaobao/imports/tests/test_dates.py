"""Dates as other systems write them."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.imports.dates import parse_date


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2020-03-18", "auto", dt.date(2020, 3, 18)),
        ("2020/3/18", "auto", dt.date(2020, 3, 18)),  # complaints_sample_ZiyuYan9
        ("2020年3月18日", "auto", dt.date(2020, 3, 18)),
        ("20200318", "auto", dt.date(2020, 3, 18)),
        ("3/19/2015", "auto", dt.date(2015, 3, 19)),  # structured_28k: month first with slashes
        ("27-04-2023", "auto", dt.date(2023, 4, 27)),  # complaints_2023: day first with hyphens
        ("04-27-2023", "auto", dt.date(2023, 4, 27)),  # a second number above 12 settles it
        ("19/3/2015", "auto", dt.date(2015, 3, 19)),  # a first number above 12 settles it
        ("03-04-2023", "auto", dt.date(2023, 4, 3)),  # hyphens: day first
        ("03/04/2023", "auto", dt.date(2023, 3, 4)),  # slashes: month first
        ("03/04/2023", "dmy", dt.date(2023, 4, 3)),
        ("03-04-2023", "mdy", dt.date(2023, 3, 4)),
        ("2020-03-18 10:30", "auto", dt.datetime(2020, 3, 18, 10, 30)),
        ("2020-03-18T10:30:05", "auto", dt.datetime(2020, 3, 18, 10, 30, 5)),
    ],
)
def test_known_forms(text, order, expected):
    # when / then
    assert parse_date(text, order) == expected


def test_excel_cells_pass_through():
    # given date cells as openpyxl returns them
    assert parse_date(dt.datetime(2020, 3, 18, 9, 0)) == dt.datetime(2020, 3, 18, 9, 0)
    assert parse_date(dt.date(2020, 3, 18)) == dt.date(2020, 3, 18)


@pytest.mark.parametrize("text", ["", "N/A", "2020-13-01", "31/31/2020", "2020-02-30", "yesterday", "18.3"])
def test_not_dates(text):
    # when / then
    with pytest.raises(ValueError):
        parse_date(text)
