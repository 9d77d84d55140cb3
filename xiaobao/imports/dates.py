"""Dates as other systems write them: ISO, 2020/3/18, 2020年3月18日, 3/19/2015, 27-04-2023, 20200318.

`date_order` is a preset option: "ymd", "mdy", "dmy" or "auto". Year-first dates are always year, month,
day. With "auto" a year-last date is month first when written with slashes (the US style of the CFPB
exports: 3/19/2015) and day first with hyphens or dots (27-04-2023, 27.04.2023); a first number above 12
(or a second one above 12) settles it either way.
"""

from __future__ import annotations

import datetime as dt
import re

_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
YEAR_FIRST = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + r"$")
YEAR_LAST = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})" + _TIME + r"$")
COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _build(y: int, m: int, d: int, time: tuple[str | None, ...]) -> dt.date | dt.datetime:
    if time[0] is None:
        return dt.date(y, m, d)
    return dt.datetime(y, m, d, int(time[0]), int(time[1] or 0), int(time[2] or 0))  # noqa: DTZ001


def _year_last(a: int, sep: str, b: int, order: str) -> tuple[int, int]:
    """(month, day) of a year-last date."""
    if order == "mdy":
        return a, b
    if order == "dmy":
        return b, a
    if a > 12:
        return b, a
    if b > 12:
        return a, b
    return (a, b) if sep == "/" else (b, a)


def parse_date(value: object, order: str = "auto") -> dt.date | dt.datetime:
    """A date (or a naive date and time); ValueError when the text is not a date in a known form."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        raise ValueError("empty")
    m = YEAR_FIRST.match(text)
    if m:
        return _build(int(m[1]), int(m[2]), int(m[3]), (m[4], m[5], m[6]))
    m = YEAR_LAST.match(text)
    if m:
        month, day = _year_last(int(m[1]), m[2], int(m[3]), order)
        return _build(int(m[4]), month, day, (m[5], m[6], m[7]))
    m = COMPACT.match(text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(text)
