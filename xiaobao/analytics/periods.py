"""Reporting periods as regulators and banks name them: 2026-10, 2026-Q3, 2026-H1, 2026, or a date range.

Every figure is counted by the day of receipt (`Complaint.receipt_date`), so a period is a closed range of
dates. `previous()` is the period just before (month-on-month, quarter-on-quarter…; a custom range of N days
gives the N days before it) and `year_ago()` the same period one year earlier (year-on-year).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

GRAINS = ("day", "week", "month", "quarter", "half", "year", "custom")
MAX_DAYS = 3 * 366 + 1  # a dashboard over more than three years is a data-warehouse job, not a page


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    grain: str = "custom"

    # --- construction -----------------------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(dt.date(year, month, 1), _month_end(year, month), "month")

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        return cls(dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q), "quarter")

    @classmethod
    def half(cls, year: int, h: int) -> Period:
        return cls(dt.date(year, 6 * h - 5, 1), _month_end(year, 6 * h), "half")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def containing(cls, grain: str, day: dt.date) -> Period:
        if grain == "day":
            return cls(day, day, "day")
        if grain == "week":
            monday = day - dt.timedelta(days=day.weekday())
            return cls(monday, monday + dt.timedelta(days=6), "week")
        if grain == "month":
            return cls.month(day.year, day.month)
        if grain == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if grain == "half":
            return cls.half(day.year, 1 if day.month <= 6 else 2)
        if grain == "year":
            return cls.year(day.year)
        raise ValueError(_("Unknown period kind: %(grain)s") % {"grain": grain})

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-10', '2026-Q3', '2026-H1', '2026', '2026-10-05' or '2026-10-01..2026-10-31'."""
        text = (text or "").strip().upper()
        try:
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-?H([12])", text):
                return cls.half(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})", text):
                day = dt.date.fromisoformat(m[1])
                return cls(day, day, "day")
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|~)\s*(\d{4}-\d{2}-\d{2})", text):
                start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
                return cls.between(start, end)
        except ValueError as exc:
            raise ValueError(_("Not a valid period: %(text)s") % {"text": text}) from exc
        raise ValueError(
            _("Not a valid period: %(text)s (use 2026-10, 2026-Q3, 2026-H1, 2026 or 2026-10-01..2026-10-31)")
            % {"text": text}
        )

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise ValueError(_("The end date is before the start date."))
        if (end - start).days + 1 > MAX_DAYS:
            raise ValueError(_("A period may span at most three years."))
        if start.year >= 1900 and end.year <= 9998:
            return cls(start, end, "custom")
        raise ValueError(_("The dates are out of range."))

    # --- derived ------------------------------------------------------------------------------------------
    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.grain == "month":
            return f"{self.start:%Y-%m}"
        if self.grain == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.grain == "half":
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        if self.grain == "year":
            return str(self.start.year)
        if self.grain == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def previous(self) -> Period:
        if self.grain == "month":
            day = self.start - dt.timedelta(days=1)
            return Period.month(day.year, day.month)
        if self.grain in ("quarter", "half", "year"):
            return Period.containing(self.grain, self.start - dt.timedelta(days=1))
        return Period(
            self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1), self.grain
        )

    def year_ago(self) -> Period:
        if self.grain == "month":
            return Period.month(self.start.year - 1, self.start.month)
        if self.grain in ("quarter", "half", "year"):
            return Period.containing(self.grain, _shift_year(self.start, -1))
        return Period(_shift_year(self.start, -1), _shift_year(self.end, -1), self.grain)

    def __str__(self) -> str:
        return self.label
