"""Working-day calendar and deadline arithmetic — the regulators' clocks run on it.

Sources, strongest first:

1. `CalendarOverride` rows (a dated holiday or working day entered by an administrator, e.g. next year's
   State Council notice before the `chinesecalendar` package has it);
2. the `chinesecalendar` package (statutory holidays and 调休 make-up working days, 2004–2026 in 1.11.0);
3. weekends only (Mon–Fri work, Sat/Sun rest).

A year that has neither package data nor a `CalendarYear` row ("schedule entered by hand") is computed
with weekends only (plus any overrides), and every deadline that touches it is `provisional`.

Deadline rules:

* **calendar days** — the day of receipt is not counted (民法典 Art 201); the N-th day after it is the
  last day; if that day is not a working day it moves to the next working day (Art 203) unless
  `roll_forward=False`. `days=0` gives the day of receipt itself, rolled forward when needed.
* **working days** — the N-th working day after the day of receipt. The day of receipt never counts,
  even when it is a working day; when it is a rest day, the first working day after it is day 1.
  (This differs from `chinese_calendar.find_workday(n, d)` only when `d` is a rest day: that function
  first moves to the next working day and then counts n more.) `days=0` gives the day of receipt if
  it is a working day, otherwise the next working day (`find_workday(0, d)` semantics).

Speed: the engine precomputes a flag per day and the sorted ordinals of every working day over a range
of years, and answers with `bisect` — O(log n), no database and no package call per deadline. The range
grows lazily when a date falls outside it. `get_calendar()` caches one engine per process, rebuilt after
`calendar_invalidate()` and re-checked against a cheap database fingerprint at most every 60 seconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import chinese_calendar as cc

Unit = Literal["calendar", "working"]
YearSource = Literal["package", "manual", "none"]
DayKind = Literal["workday", "rest", "holiday", "makeup"]

UNITS: tuple[str, ...] = ("calendar", "working")
PACKAGE_FIRST_YEAR: int = min(cc.holidays).year
PACKAGE_LAST_YEAR: int = max(cc.holidays).year
# Dates outside this range are refused: they are typing errors, and they would make the tables huge.
MIN_YEAR = 1970
MAX_YEAR = 2199
RECHECK_SECONDS = 60.0

_HOLIDAY_CHINESE: dict[str, str] = {h.value: h.chinese for h in cc.Holiday}


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed due date; `provisional` when a year between start and due date lacks official data."""

    due_date: dt.date
    provisional: bool


@dataclass(frozen=True, slots=True)
class _Table:
    """Immutable lookup tables over [first_ord, end_ord): swapped as a whole when the range grows."""

    first_year: int
    last_year: int
    first_ord: int
    end_ord: int
    flags: bytes  # 1 = working day, indexed by ordinal - first_ord
    work: list[int]  # sorted ordinals of the working days


def _package_covers(year: int) -> bool:
    return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"date outside the supported years {MIN_YEAR}–{MAX_YEAR}: {year}")


class WorkCalendar:
    """Working days of the institution: overrides over package data over weekends.

    `overrides` maps a date to True (working day) or False (holiday); `names` optionally names them;
    `manual_years` are the years whose full official schedule was entered by hand (`CalendarYear`).
    Construct with no arguments for the package data alone.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, bool] | None = None,
        manual_years: Iterable[int] = (),
        *,
        names: Mapping[dt.date, str] | None = None,
        today: dt.date | None = None,
    ) -> None:
        self._overrides: dict[dt.date, bool] = dict(overrides or {})
        self._names: dict[dt.date, str] = dict(names or {})
        self._manual: frozenset[int] = frozenset(manual_years)
        known = set(range(PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR + 1)) | self._manual
        self._known: frozenset[int] = frozenset(known)
        self._lock = threading.Lock()
        this_year = (today or dt.date.today()).year  # noqa: DTZ011 — only sizes the table
        years = [PACKAGE_FIRST_YEAR, this_year - 1, *(d.year for d in self._overrides), *self._manual]
        last = max(this_year + 3, PACKAGE_LAST_YEAR + 2, *years)
        first = max(MIN_YEAR, min(years))
        self._t = self._build(first, min(last, MAX_YEAR))

    # --- public API -------------------------------------------------------------------------------

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        """The dated overrides this calendar was built with (read-only view)."""
        return MappingProxyType(self._overrides)

    def is_workday(self, d: dt.date) -> bool:
        """True when `d` is a working day."""
        t = self._table_for(d.toordinal())
        return bool(t.flags[d.toordinal() - t.first_ord])

    def year_source(self, year: int) -> YearSource:
        """Where the year's schedule comes from: the package, a hand-entered schedule, or nothing."""
        if _package_covers(year):
            return "package"
        return "manual" if year in self._manual else "none"

    def is_provisional(self, first_year: int, last_year: int) -> bool:
        """True when any year in [first_year, last_year] lacks official data."""
        known = self._known
        if first_year == last_year:
            return first_year not in known
        return any(y not in known for y in range(first_year, last_year + 1))

    def deadline(
        self, start: dt.date, days: int, unit: Unit = "calendar", roll_forward: bool = True
    ) -> Deadline:
        """The due date `days` calendar or working days after the day of receipt `start`."""
        if days < 0:
            raise ValueError("days must be >= 0")
        o = start.toordinal()
        if unit == "calendar":
            due = self._next_workday(o + days) if roll_forward else o + days
        elif unit == "working":
            due = self._nth_workday_after(o, days)
        else:
            raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
        due_date = dt.date.fromordinal(due)
        return Deadline(due_date, self.is_provisional(start.year, due_date.year))

    def next_workday(self, d: dt.date) -> dt.date:
        """`d` if it is a working day, otherwise the first working day after it."""
        return dt.date.fromordinal(self._next_workday(d.toordinal()))

    def day_info(self, d: dt.date) -> tuple[DayKind, str]:
        """(kind, name): kind is workday / rest / holiday / makeup; name is the holiday's or override's."""
        weekend = d.weekday() >= 5
        if d in self._overrides:
            name = self._names.get(d, "")
            if self._overrides[d]:
                return ("makeup" if weekend else "workday"), name
            return "holiday", name
        if _package_covers(d.year):
            is_rest, raw = cc.get_holiday_detail(d)
            if raw is not None:  # a named day: a statutory holiday or its make-up working day
                return ("holiday" if is_rest else "makeup"), _HOLIDAY_CHINESE.get(raw, raw)
        return ("rest" if weekend else "workday"), ""

    # --- tables -----------------------------------------------------------------------------------

    def _build(self, first_year: int, last_year: int) -> _Table:
        first_ord = dt.date(first_year, 1, 1).toordinal()
        end_ord = dt.date(last_year + 1, 1, 1).toordinal()
        flags = bytearray(end_ord - first_ord)
        pkg_work, pkg_holidays, overrides = cc.workdays, cc.holidays, self._overrides
        for o in range(first_ord, end_ord):
            d = dt.date.fromordinal(o)
            if d in overrides:
                ok = overrides[d]
            elif d in pkg_work:
                ok = True
            else:
                ok = d.weekday() < 5 and d not in pkg_holidays
            flags[o - first_ord] = ok
        work = [first_ord + i for i, f in enumerate(flags) if f]
        return _Table(first_year, last_year, first_ord, end_ord, bytes(flags), work)

    def _grow(self, first_year: int, last_year: int) -> _Table:
        """Rebuild the tables to cover at least [first_year, last_year] (thread-safe, idempotent)."""
        _check_year(first_year)
        _check_year(last_year)
        with self._lock:
            t = self._t
            if t.first_year <= first_year and last_year <= t.last_year:
                return t
            self._t = self._build(min(first_year, t.first_year), max(last_year, t.last_year))
            return self._t

    def _table_for(self, o: int) -> _Table:
        t = self._t
        if t.first_ord <= o < t.end_ord:
            return t
        year = dt.date.fromordinal(o).year
        return self._grow(year, year)

    def _next_workday(self, o: int) -> int:
        t = self._table_for(o)
        if t.flags[o - t.first_ord]:
            return o
        i = bisect_left(t.work, o)
        while i >= len(t.work):  # no working day left in the table: extend it by a year
            t = self._grow(t.first_year, t.last_year + 1)
            i = bisect_left(t.work, o)
        return t.work[i]

    def _nth_workday_after(self, o: int, n: int) -> int:
        if n == 0:
            return self._next_workday(o)
        t = self._table_for(o)
        i = bisect_right(t.work, o) + n - 1
        while i >= len(t.work):
            t = self._grow(t.first_year, t.last_year + 1 + (i - len(t.work)) // 240)
            i = bisect_right(t.work, o) + n - 1
        return t.work[i]


# --- the per-process calendar built from the database ---------------------------------------------

_state_lock = threading.Lock()
_cached: WorkCalendar | None = None
_fingerprint: tuple[Any, ...] | None = None
_checked_at: float = 0.0
_clock = time.monotonic  # replaced in tests


def _db_fingerprint() -> tuple[Any, ...]:
    from django.db.models import Count, Max

    from xiaobao.core.models import CalendarOverride, CalendarYear

    o = CalendarOverride.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    y = CalendarYear.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (o["n"], o["at"], y["n"], y["at"])


def _load_from_db() -> WorkCalendar:
    from django.utils import timezone

    from xiaobao.core.models import CalendarOverride, CalendarYear

    rows = list(CalendarOverride.objects.values_list("date", "is_workday", "name"))
    years = CalendarYear.objects.values_list("year", flat=True)
    return WorkCalendar(
        {d: w for d, w, _ in rows}, set(years), names={d: n for d, _, n in rows}, today=timezone.localdate()
    )


def get_calendar() -> WorkCalendar:
    """The process-wide calendar (package + `CalendarOverride` + `CalendarYear`), cached.

    Rebuilt after `calendar_invalidate()`; changes made by other processes are noticed through a cheap
    fingerprint (row count and latest `updated_at` of both tables) checked at most every 60 seconds.
    """
    global _cached, _fingerprint, _checked_at
    now = _clock()
    cal = _cached
    if cal is not None and now - _checked_at < RECHECK_SECONDS:
        return cal
    with _state_lock:
        fingerprint = _db_fingerprint()
        if _cached is None or fingerprint != _fingerprint:
            _cached, _fingerprint = _load_from_db(), fingerprint
        _checked_at = now
        return _cached


def calendar_invalidate() -> None:
    """Drop this process's cached calendar: the next `get_calendar()` rebuilds it from the database."""
    global _cached, _fingerprint
    with _state_lock:
        _cached, _fingerprint = None, None


def receipt_date(moment: dt.datetime) -> dt.date:
    """The day of receipt: the calendar date of an aware datetime in the institution's time zone."""
    from django.utils import timezone

    if timezone.is_naive(moment):
        raise ValueError("receipt_date() needs an aware datetime")
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def missing_years(years: Iterable[int]) -> list[int]:
    """The given years that have neither package data nor a hand-entered schedule, sorted."""
    cal = get_calendar()
    return sorted({y for y in years if cal.year_source(y) == "none"})
