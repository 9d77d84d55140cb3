"""Working-day calendar maintenance: dated overrides, hand-entered years, the year grid for the page."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xiaobao.core.models import CalendarOverride, CalendarYear
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_change, audit_record, diff, snapshot
from xiaobao.core.workdays import MAX_YEAR, MIN_YEAR, DayKind, calendar_invalidate, get_calendar


@dataclass(frozen=True)
class DayCell:
    """One day of the year grid."""

    date: dt.date
    kind: DayKind
    name: str
    is_override: bool


@dataclass(frozen=True)
class MonthGrid:
    """One month: Monday-first weeks of 7 cells, `None` for days of the neighbouring months."""

    first: dt.date
    weeks: list[list[DayCell | None]]


def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {field: [_("Enter a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}]}
        )


def _invalidate_now_and_on_commit() -> None:
    """Drop the cached calendar now (this request) and again once the change is visible to others."""
    calendar_invalidate()
    transaction.on_commit(calendar_invalidate)


@transaction.atomic
def calendar_override_set(
    *, actor: Any, date: dt.date, is_workday: bool, name: str, source_document: str = ""
) -> CalendarOverride:
    """Create the override for `date`, or replace the one already there; audited."""
    _check_year(date.year, "date")
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    before = snapshot(override) if override is not None else None
    if override is None:
        override = CalendarOverride(date=date)
    override.is_workday = is_workday
    override.name = name.strip()
    override.source_document = source_document.strip()
    override.full_clean()
    override.save()
    audit_change(actor=actor, obj=override, before=before)
    _invalidate_now_and_on_commit()
    return override


@transaction.atomic
def calendar_override_delete(*, actor: Any, override: CalendarOverride) -> None:
    """Delete an override; the audit row keeps what it said."""
    override = CalendarOverride.objects.select_for_update().get(pk=override.pk)
    before = snapshot(override)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=override, changes=diff(before, None))
    override.delete()
    _invalidate_now_and_on_commit()


@transaction.atomic
def calendar_year_mark(*, actor: Any, year: int, source_document: str, note: str = "") -> CalendarYear:
    """Record that `year`'s full official schedule has been entered as overrides (no longer provisional)."""
    _check_year(year, "year")
    row = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = snapshot(row) if row is not None else None
    if row is None:
        row = CalendarYear(year=year)
    row.source_document = source_document.strip()
    row.note = note.strip()
    row.full_clean()
    row.save()
    audit_change(actor=actor, obj=row, before=before)
    _invalidate_now_and_on_commit()
    return row


def calendar_override_list(*, year: int | None = None) -> QuerySet[CalendarOverride]:
    """All overrides, or those of one year, by date."""
    qs = CalendarOverride.objects.order_by("date")
    return qs if year is None else qs.filter(date__year=year)


def calendar_year_row(year: int) -> CalendarYear | None:
    """The `CalendarYear` row of a hand-entered year, if any."""
    return CalendarYear.objects.filter(year=year).first()


def calendar_year_data(year: int) -> list[MonthGrid]:
    """Twelve months of Monday-first weeks with each day's kind and name, for the calendar page."""
    _check_year(year, "year")
    cal = get_calendar()
    overrides = cal.overrides
    months = []
    for month, weeks in enumerate(
        pycalendar.Calendar(firstweekday=0).yeardatescalendar(year, width=12)[0], start=1
    ):
        grid: list[list[DayCell | None]] = [
            [
                DayCell(d, *cal.day_info(d), is_override=d in overrides) if d.month == month else None
                for d in week
            ]
            for week in weeks
        ]
        months.append(MonthGrid(dt.date(year, month, 1), grid))
    return months


def calendar_special_days(year: int) -> list[DayCell]:
    """The year's non-ordinary days: holidays, make-up working days and every override."""
    _check_year(year, "year")
    cal = get_calendar()
    overrides = cal.overrides
    day = dt.date(year, 1, 1)
    cells = []
    while day.year == year:
        kind, name = cal.day_info(day)
        if kind in ("holiday", "makeup") or day in overrides:
            cells.append(DayCell(day, kind, name, day in overrides))
        day += dt.timedelta(days=1)
    return cells
