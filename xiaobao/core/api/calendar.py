"""Working-day calendar: deadline arithmetic, a year's special days, dated overrides, hand-entered years."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xiaobao.core.api.common import require_perm
from xiaobao.core.models import CalendarOverride, CalendarYear
from xiaobao.core.roles import MANAGE_CALENDAR
from xiaobao.core.services.calendar import (
    calendar_override_delete,
    calendar_override_list,
    calendar_override_set,
    calendar_special_days,
    calendar_year_mark,
)
from xiaobao.core.workdays import MAX_YEAR, MIN_YEAR, get_calendar

router = Router(tags=["calendar"])

MAX_DAYS = 3650


class DeadlineQuery(Schema):
    start: dt.date = Field(description="Day of receipt (not counted).")
    days: int = Field(ge=0, le=MAX_DAYS)
    unit: Literal["calendar", "working"] = "calendar"
    roll_forward: bool = Field(
        True,
        description="Calendar days only: move a rest-day deadline to the next working day (民法典 Art 203).",
    )


class DeadlineOut(Schema):
    due_date: dt.date
    provisional: bool


class DayOut(Schema):
    date: dt.date
    kind: Literal["workday", "rest", "holiday", "makeup"]
    name: str
    is_override: bool


class YearOut(Schema):
    year: int
    source: Literal["package", "manual", "none"]
    provisional: bool
    days: list[DayOut]


class OverrideIn(Schema):
    date: dt.date
    is_workday: bool
    name: str = Field(min_length=1, max_length=60)
    source_document: str = Field("", max_length=200)


class OverrideOut(Schema):
    id: int
    date: dt.date
    is_workday: bool
    name: str
    source_document: str
    updated_at: dt.datetime


class OverrideFilter(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)


class YearMarkIn(Schema):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    source_document: str = Field(min_length=1, max_length=200)
    note: str = ""


class YearMarkOut(Schema):
    year: int
    source_document: str
    note: str
    updated_at: dt.datetime


@router.get("/deadline", response=DeadlineOut, summary="Compute a deadline")
def deadline(request: HttpRequest, q: Query[DeadlineQuery]) -> DeadlineOut:
    """N calendar days (receipt day not counted, rolled forward to a working day) or N working days."""
    try:
        result = get_calendar().deadline(q.start, q.days, q.unit, roll_forward=q.roll_forward)
    except ValueError as exc:
        raise ValidationError({"start": [_("This date is outside the supported years.")]}) from exc
    return DeadlineOut(due_date=result.due_date, provisional=result.provisional)


@router.get("/years/{year}", response=YearOut, summary="A year's holidays, make-up days and overrides")
def year_detail(request: HttpRequest, year: int) -> YearOut:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": [_("Enter a year between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}]}
        )
    cal = get_calendar()
    days = [
        DayOut(date=c.date, kind=c.kind, name=c.name, is_override=c.is_override)
        for c in calendar_special_days(year)
    ]
    return YearOut(
        year=year, source=cal.year_source(year), provisional=cal.is_provisional(year, year), days=days
    )


@router.get("/overrides", response=list[OverrideOut], summary="List overrides")
def override_list(request: HttpRequest, filters: Query[OverrideFilter]) -> list[CalendarOverride]:
    return list(calendar_override_list(year=filters.year))


@router.post("/overrides", response={201: OverrideOut}, summary="Create or replace the override of a date")
def override_set(request: HttpRequest, payload: OverrideIn) -> Status[CalendarOverride]:
    require_perm(request.user, MANAGE_CALENDAR)
    override = calendar_override_set(
        actor=request.user,
        date=payload.date,
        is_workday=payload.is_workday,
        name=payload.name,
        source_document=payload.source_document,
    )
    return Status(201, override)


@router.delete("/overrides/{override_id}", response={204: None}, summary="Delete an override")
def override_delete(request: HttpRequest, override_id: int) -> Status[None]:
    require_perm(request.user, MANAGE_CALENDAR)
    override = get_object_or_404(CalendarOverride, pk=override_id)
    calendar_override_delete(actor=request.user, override=override)
    return Status(204, None)


@router.post("/years", response={201: YearMarkOut}, summary="Mark a year's official schedule as entered")
def year_mark(request: HttpRequest, payload: YearMarkIn) -> Status[CalendarYear]:
    require_perm(request.user, MANAGE_CALENDAR)
    row = calendar_year_mark(
        actor=request.user, year=payload.year, source_document=payload.source_document, note=payload.note
    )
    return Status(201, row)
