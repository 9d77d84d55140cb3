"""The working-day engine with the real `chinesecalendar` data, and its per-process cache."""

from __future__ import annotations

import datetime as dt

import chinese_calendar as cc
import pytest
import time_machine

from xiaobao.core import workdays
from xiaobao.core.workdays import Deadline, WorkCalendar, get_calendar, missing_years, receipt_date

D = dt.date


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(today=D(2026, 11, 23))


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.calendar_invalidate()
    yield
    workdays.calendar_invalidate()


# --- calendar days ---------------------------------------------------------------------------------


def test_2025_09_28_sunday_is_a_makeup_workday(cal):
    # given a Sunday that the 2025 National Day notice made a working day
    day = D(2025, 9, 28)
    # when / then
    assert day.weekday() == 6
    assert cal.is_workday(day)
    assert cal.day_info(day) == ("makeup", "国庆节")


def test_15_calendar_days_ending_in_national_day_week_roll_to_2025_10_09(cal):
    # given receipt on 2025-09-16: the 15th day after it is 2025-10-01, inside the 10/1–10/8 holiday
    start = D(2025, 9, 16)
    # when
    result = cal.deadline(start, 15, "calendar")
    # then
    assert result == Deadline(D(2025, 10, 9), provisional=False)


def test_receipt_day_is_not_counted(cal):
    # given receipt on an ordinary Monday
    start = D(2025, 6, 9)
    # when
    result = cal.deadline(start, 3)
    # then the third day after it (Thursday) is the last day
    assert result.due_date == D(2025, 6, 12)


def test_roll_forward_false_keeps_the_holiday(cal):
    # given the same deadline without Art 203 roll-forward
    start = D(2025, 9, 16)
    # when
    result = cal.deadline(start, 15, "calendar", roll_forward=False)
    # then
    assert result.due_date == D(2025, 10, 1)


def test_2026_spring_festival_rolls_to_2026_02_24(cal):
    # given the 2026 Spring Festival holiday 2/15–2/23
    start = D(2026, 2, 5)
    # when a 10-day deadline ends on 2/15
    result = cal.deadline(start, 10)
    # then it moves to the first working day after the holiday
    assert result.due_date == D(2026, 2, 24)


@pytest.mark.parametrize("makeup", [D(2026, 2, 14), D(2026, 2, 28)])
def test_2026_spring_festival_makeup_saturdays_are_working_days(cal, makeup):
    # given a Saturday made a working day
    # when the deadline lands on it
    result = cal.deadline(makeup - dt.timedelta(days=7), 7)
    # then it stays there
    assert makeup.weekday() == 5
    assert result.due_date == makeup
    assert cal.day_info(makeup) == ("makeup", "春节")


def test_2026_national_day_rolls_to_2026_10_08_and_makeup_10_10_counts(cal):
    # given the 2026 National Day holiday 10/1–10/7 and the make-up Saturday 10/10
    # when
    into_holiday = cal.deadline(D(2026, 9, 16), 15)
    on_makeup = cal.deadline(D(2026, 9, 25), 15)
    # then
    assert into_holiday.due_date == D(2026, 10, 8)
    assert on_makeup.due_date == D(2026, 10, 10)
    assert not cal.is_workday(D(2026, 10, 7))


def test_zero_calendar_days_is_the_receipt_day_rolled_forward(cal):
    # given / when / then
    assert cal.deadline(D(2025, 6, 9), 0).due_date == D(2025, 6, 9)
    assert cal.deadline(D(2025, 10, 1), 0).due_date == D(2025, 10, 9)
    assert cal.deadline(D(2025, 10, 1), 0, roll_forward=False).due_date == D(2025, 10, 1)


# --- working days ----------------------------------------------------------------------------------


def test_7_working_days_across_tiaoxiu_matches_find_workday(cal):
    # given receipt on Friday 2025-09-26, before the National Day holiday with make-up days 9/28 and 10/11
    start = D(2025, 9, 26)
    # when
    result = cal.deadline(start, 7, "working")
    # then
    assert result.due_date == D(2025, 10, 13) == cc.find_workday(7, start)


def test_working_days_agree_with_the_package_over_all_covered_years(cal):
    # given every day the package covers
    day, last = D(2004, 1, 1), D(2026, 12, 1)
    while day < last:
        # when / then the engine agrees with chinese_calendar day by day
        assert cal.is_workday(day) == cc.is_workday(day), day
        if cc.is_workday(day):
            assert cal.deadline(day, 5, "working").due_date == cc.find_workday(5, day), day
        day += dt.timedelta(days=1)


def test_working_days_from_a_rest_day_count_the_next_workday_as_day_1(cal):
    # given receipt on Saturday 2025-06-07
    start = D(2025, 6, 7)
    # when
    one, zero = cal.deadline(start, 1, "working"), cal.deadline(start, 0, "working")
    # then Monday is both the first working day after receipt and the next working day
    assert one.due_date == D(2025, 6, 9)
    assert zero.due_date == D(2025, 6, 9) == cc.find_workday(0, start)


def test_zero_working_days_on_a_workday_is_the_day_itself(cal):
    assert cal.deadline(D(2025, 6, 9), 0, "working").due_date == D(2025, 6, 9)


@pytest.mark.parametrize(("days", "unit"), [(-1, "calendar"), (1, "weeks")])
def test_invalid_arguments_are_refused(cal, days, unit):
    with pytest.raises(ValueError):
        cal.deadline(D(2025, 6, 9), days, unit)


def test_dates_outside_the_supported_years_are_refused(cal):
    with pytest.raises(ValueError):
        cal.deadline(D(1900, 1, 1), 3, "working")


def test_table_grows_lazily_for_far_dates(cal):
    # given a date beyond the precomputed range (weekends only there)
    start = D(2060, 3, 6)  # a Saturday
    # when
    result = cal.deadline(start, 1, "working")
    # then
    assert result == Deadline(D(2060, 3, 8), provisional=True)
    assert cal.deadline(D(2001, 1, 5), 1, "working").due_date == D(2001, 1, 8)


# --- provisional years and overrides ---------------------------------------------------------------


def test_deadline_reaching_2027_is_provisional(cal):
    # given 2027, which the package does not cover
    # when
    inside = cal.deadline(D(2026, 11, 2), 15)
    across = cal.deadline(D(2026, 12, 20), 30)
    # then
    assert inside.provisional is False
    assert across.provisional is True
    assert cal.year_source(2027) == "none"
    assert cal.day_info(D(2027, 1, 1)) == ("workday", "")


def test_overrides_and_manual_year_make_2027_final_and_take_precedence():
    # given the 2027 New Year holiday entered by hand and 2027 marked as entered
    overrides = {D(2027, 1, 1): False, D(2027, 1, 4): False, D(2027, 1, 9): True}
    cal = WorkCalendar(overrides, {2027}, names={D(2027, 1, 1): "元旦"}, today=D(2026, 11, 23))
    # when
    result = cal.deadline(D(2026, 12, 17), 15)
    working = cal.deadline(D(2027, 1, 7), 2, "working")
    # then
    assert result == Deadline(D(2027, 1, 5), provisional=False)
    assert working.due_date == D(2027, 1, 9)
    assert cal.year_source(2027) == "manual"
    assert cal.day_info(D(2027, 1, 1)) == ("holiday", "元旦")
    assert cal.day_info(D(2027, 1, 9)) == ("makeup", "")


def test_override_beats_package_data():
    # given Monday 2026-06-22 made a holiday (the package says working day)
    cal = WorkCalendar({D(2026, 6, 22): False}, names={D(2026, 6, 22): "特别假日"}, today=D(2026, 11, 23))
    # when
    result = cal.deadline(D(2026, 6, 7), 15)
    # then the deadline skips it
    assert cc.is_workday(D(2026, 6, 22))
    assert not cal.is_workday(D(2026, 6, 22))
    assert result.due_date == D(2026, 6, 23)
    assert cal.day_info(D(2026, 6, 22)) == ("holiday", "特别假日")


# --- receipt date ----------------------------------------------------------------------------------


def test_receipt_date_is_the_shanghai_calendar_date():
    # given 16:30 UTC on 2026-01-31 = 00:30 on 2026-02-01 in Shanghai
    moment = dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC)
    # when / then
    assert receipt_date(moment) == D(2026, 2, 1)
    assert receipt_date(dt.datetime(2026, 1, 31, 15, 59, tzinfo=dt.UTC)) == D(2026, 1, 31)


def test_receipt_date_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        receipt_date(dt.datetime(2026, 1, 31, 16, 30))


def test_receipt_date_of_now_just_after_midnight_in_shanghai():
    # given the clock at 2026-01-31T16:30Z
    with time_machine.travel(dt.datetime(2026, 1, 31, 16, 30, tzinfo=dt.UTC), tick=False):
        from django.utils import timezone

        # when / then
        assert receipt_date(timezone.now()) == D(2026, 2, 1)


# --- the per-process calendar from the database ----------------------------------------------------


@pytest.mark.django_db
def test_get_calendar_is_cached_and_invalidated_after_override_changes(hq_officer):
    from xiaobao.core.services.calendar import calendar_override_delete, calendar_override_set

    # given the cached calendar
    first = get_calendar()
    assert get_calendar() is first
    assert first.is_workday(D(2026, 6, 22))
    # when an override is saved
    override = calendar_override_set(actor=hq_officer, date=D(2026, 6, 22), is_workday=False, name="特别假日")
    # then the next call sees it
    assert not get_calendar().is_workday(D(2026, 6, 22))
    # when it is deleted
    calendar_override_delete(actor=hq_officer, override=override)
    # then it is gone again
    assert get_calendar().is_workday(D(2026, 6, 22))


@pytest.mark.django_db
def test_other_processes_changes_are_seen_after_the_recheck_interval(monkeypatch):
    from xiaobao.core.models import CalendarOverride

    # given a cached calendar at t=1000
    now = [1000.0]
    monkeypatch.setattr(workdays, "_clock", lambda: now[0])
    cached = get_calendar()
    # when another process writes a row directly (no invalidation here)
    CalendarOverride.objects.create(date=D(2026, 6, 22), is_workday=False, name="特别假日")
    # then the cache holds for 60 s, then the fingerprint changes and the calendar is rebuilt
    now[0] += 59
    assert get_calendar() is cached
    now[0] += 2
    rebuilt = get_calendar()
    assert rebuilt is not cached
    assert not rebuilt.is_workday(D(2026, 6, 22))
    now[0] += 61
    assert get_calendar() is rebuilt  # unchanged fingerprint: same object


@pytest.mark.django_db
def test_missing_years_lists_years_without_data(hq_officer):
    from xiaobao.core.services.calendar import calendar_year_mark

    # given 2027 and 2028 without data
    assert missing_years([2025, 2026, 2027, 2028]) == [2027, 2028]
    # when 2027 is marked as entered by hand
    calendar_year_mark(actor=hq_officer, year=2027, source_document="国办发明电〔2026〕X号")
    # then
    assert missing_years(range(2025, 2029)) == [2028]
    assert get_calendar().deadline(D(2026, 12, 20), 30).provisional is False
