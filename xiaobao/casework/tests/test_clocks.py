"""The shared clock engine as pure functions, without the database: a calendar built from the
`chinesecalendar` package data alone (as `core.workdays` does before adding its override rows).

Expected dates were counted by hand on the State Council schedules:
- 2025 National Day and Mid-Autumn: rest 10-01..10-08, make-up working days Sunday 09-28 and Saturday 10-11;
- 2026 Spring Festival: rest 02-15..02-23, make-up working days Saturday 02-14 and Saturday 02-28;
- 2027 is not in the package (1.11.0 ends with 2026): weekends only, and every deadline touching it is
  provisional unless its schedule was entered by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.casework.choices import ClockState
from xiaobao.casework.clocks import (
    EventSpec,
    RuleSpec,
    clock_state,
    due_date,
    extended_days,
    paused_days,
    run_clock,
)
from xiaobao.core.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar(today=D(2026, 1, 1))  # the package data only: no override rows, no database

CALENDAR_15 = RuleSpec("cal-15", 15, "calendar", True)
CALENDAR_15_NO_ROLL = RuleSpec("cal-15-fixed", 15, "calendar", False)
WORKING_15 = RuleSpec("work-15", 15, "working", True)
WORKING_10 = RuleSpec("work-10", 10, "working", True)


def ev(action: str, day: str, **data) -> EventSpec:
    return EventSpec(action, D.fromisoformat(day), data)


def decision(start: str, events: list[EventSpec], today: str, rule: RuleSpec = CALENDAR_15, **kw):
    """A decision-like clock: met by notify, cleared by reopen, restarted by merge_restart."""
    options = {"met_by": {"notify"}, "unmet_by": {"reopen"}, "restart_by": {"merge_restart"}} | kw
    return run_clock(
        CAL, rule, D.fromisoformat(start), events, D.fromisoformat(today), name="decision", **options
    )


# --- counting -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Friday before National Day: day 1 is the make-up Sunday 09-28, then 09-29, 09-30, and the count
        # resumes on 10-09 with the make-up Saturday 10-11 as day 6 → day 15 is Thursday 10-23
        ("2025-09-26", 15, "2025-10-23"),
        ("2025-09-30", 1, "2025-10-09"),  # the start day never counts, even a working day
        ("2025-10-04", 1, "2025-10-09"),  # a start inside the holiday: the first working day after is day 1
        ("2025-10-10", 1, "2025-10-11"),  # the make-up Saturday counts
        # Friday before Spring Festival: the make-up Saturday 02-14 is day 1, 02-24..02-28 days 2-6
        ("2026-02-13", 10, "2026-03-05"),
        ("2026-02-13", 6, "2026-02-28"),
    ],
)
def test_working_days_count_from_the_day_after_the_start(start, days, due):
    rule = RuleSpec("w", days, "working", True)
    assert due_date(CAL, rule, D.fromisoformat(start), days, 0) == (D.fromisoformat(due), False)


@pytest.mark.parametrize(
    ("rule", "start", "due"),
    [
        (CALENDAR_15, "2025-09-20", "2025-10-09"),  # day 15 = 10-05, inside National Day → next working day
        (CALENDAR_15_NO_ROLL, "2025-09-20", "2025-10-05"),  # without roll-forward the last day stays
        (CALENDAR_15, "2025-09-26", "2025-10-11"),  # day 15 = the make-up Saturday: a working day, stays
        (CALENDAR_15, "2026-02-05", "2026-02-24"),  # day 15 = 02-20 Spring Festival → 02-24
        (CALENDAR_15, "2026-02-13", "2026-02-28"),  # day 15 = the make-up Saturday 02-28
        (RuleSpec("c1", 1, "calendar", True), "2025-09-26", "2025-09-28"),  # Sat 09-27 rests, Sun 09-28 works
    ],
)
def test_calendar_days_roll_forward_to_a_working_day(rule, start, due):
    assert due_date(CAL, rule, D.fromisoformat(start), rule.days, 0) == (D.fromisoformat(due), False)


# --- pauses ---------------------------------------------------------------------------------------------


def test_paused_days_sums_each_pause_and_counts_an_open_one_to_today():
    events = [
        ev("pause", "2025-09-05"),
        ev("pause", "2025-09-06"),  # already paused: ignored
        ev("resume", "2025-09-15"),  # 10 days
        ev("resume", "2025-09-16"),  # not paused: ignored
        ev("pause", "2025-09-20"),  # still paused on 09-23: 3 more
    ]
    assert paused_days(events, D(2025, 9, 23)) == (13, True)
    assert paused_days(events[:3], D(2025, 9, 23)) == (10, False)
    assert paused_days([], D(2025, 9, 23)) == (0, False)


@pytest.mark.parametrize(
    ("resume", "due"),
    [
        ("2025-09-15", "2025-09-26"),  # 09-16 + 10 days = Friday 09-26
        ("2025-09-16", "2025-09-28"),  # 09-16 + 11 = Saturday 09-27 (rest) → the make-up Sunday 09-28
        ("2025-09-17", "2025-09-28"),  # 09-16 + 12 = the make-up Sunday itself
        ("2025-09-19", "2025-09-30"),  # 09-16 + 14 = Tuesday 09-30, a working day
    ],
)
def test_a_pause_moves_the_last_day_then_the_roll_forward_applies(resume, due):
    # given a 15-calendar-day clock from Monday 2025-09-01 (due 09-16 unpaused), paused from 09-05
    events = [ev("pause", "2025-09-05"), ev("resume", resume)]
    # when it is computed after the resume
    result = decision("2025-09-01", events, "2025-09-20")
    # then the last day moved by the paused calendar days, rolled forward to a working day
    assert result.due_date == D.fromisoformat(due)
    assert result.state == ClockState.RUNNING


def test_a_pause_into_the_holiday_rolls_past_it():
    # 09-16 + 15 paused days (09-05 → 09-20) = 10-01, National Day → 10-09
    events = [ev("pause", "2025-09-05"), ev("resume", "2025-09-20")]
    result = decision("2025-09-01", events, "2025-09-25")
    assert (result.paused_days, result.due_date) == (15, D(2025, 10, 9))


def test_an_open_pause_counts_to_today_and_the_clock_shows_paused():
    # paused since 09-05, today 09-10: 5 days → 09-21 (Sunday) → Monday 09-22
    result = decision("2025-09-01", [ev("pause", "2025-09-05")], "2025-09-10")
    assert (result.paused_days, result.due_date, result.state) == (5, D(2025, 9, 22), ClockState.PAUSED)


def test_a_pause_on_a_working_day_clock_moves_by_calendar_days():
    # 10 working days from Friday 2026-02-13 end on 03-05; paused 02-24 → 02-27: 3 calendar days → 03-08
    # (Sunday) → Monday 03-09
    events = [ev("pause", "2026-02-24"), ev("resume", "2026-02-27")]
    result = decision("2026-02-13", events, "2026-03-01", rule=WORKING_10)
    assert (result.paused_days, result.due_date) == (3, D(2026, 3, 9))


def test_a_clock_that_does_not_pause_ignores_pauses():
    result = decision("2025-09-01", [ev("pause", "2025-09-05")], "2025-09-10", pausable=False)
    assert (result.paused_days, result.due_date, result.state) == (0, D(2025, 9, 16), ClockState.RUNNING)


# --- extensions -----------------------------------------------------------------------------------------


def test_extensions_set_the_total_days_never_fewer():
    assert extended_days(15, ev("approve_extension", "2025-09-10", to_days=30)) == 30
    assert extended_days(15, ev("extend", "2025-09-10", to_days=30)) == 30  # a step without approval
    assert extended_days(15, ev("extend", "2025-09-10", to_days=30, needs_approval=True)) == 15  # waits
    assert extended_days(60, ev("approve_extension", "2025-09-10", to_days=30)) == 60
    assert extended_days(15, ev("pause", "2025-09-10")) == 15


def test_an_approved_extension_moves_the_due_date_and_rolls_forward():
    # 30 days from 2025-09-01 = 10-01, National Day → 10-09
    events = [
        ev("extend", "2025-09-08", to_days=30, needs_approval=True),
        ev("approve_extension", "2025-09-09", to_days=30),
    ]
    result = decision("2025-09-01", events, "2025-09-20")
    assert (result.days, result.due_date, result.state) == (30, D(2025, 10, 9), ClockState.RUNNING)


def test_a_clock_that_cannot_be_extended_keeps_its_days():
    events = [ev("approve_extension", "2025-09-09", to_days=30)]
    result = decision("2025-09-01", events, "2025-09-10", extendable=False)
    assert (result.days, result.due_date) == (15, D(2025, 9, 16))


# --- restart, met, cleared, stopped, breached -----------------------------------------------------------


def test_a_restart_starts_over_with_the_rule_days_and_forgets_earlier_pauses():
    # given an extended clock paused before the restart
    events = [
        ev("approve_extension", "2025-09-03", to_days=30),
        ev("pause", "2025-09-04"),
        ev("resume", "2025-09-10"),
        ev("merge_restart", "2025-09-20"),
    ]
    # when computed after the restart
    result = decision("2025-09-01", events, "2025-09-22")
    # then it runs 15 days from 09-20 (day 15 = 10-05 → 10-09), unpaused
    assert (result.start_date, result.days, result.paused_days) == (D(2025, 9, 20), 15, 0)
    assert result.due_date == D(2025, 10, 9)


def test_met_on_time_late_and_cleared_again():
    on_time = decision("2025-09-01", [ev("notify", "2025-09-16")], "2025-10-20")
    late = decision("2025-09-01", [ev("notify", "2025-09-17")], "2025-10-20")
    reopened = decision("2025-09-01", [ev("notify", "2025-09-10"), ev("reopen", "2025-09-12")], "2025-09-12")
    assert (on_time.state, on_time.met_on) == (ClockState.MET, D(2025, 9, 16))
    assert (late.state, late.met_on) == (ClockState.BREACHED, D(2025, 9, 17))
    assert (reopened.state, reopened.met_on) == (ClockState.RUNNING, None)


def test_the_first_meeting_event_counts():
    result = run_clock(
        CAL,
        RuleSpec("contact-2", 2, "working", True),
        D(2025, 9, 30),
        [ev("contact", "2025-10-10"), ev("notify", "2025-10-09")],
        D(2025, 10, 20),
        name="first_contact",
        met_by={"contact", "notify"},
    )
    # 2 working days after Tuesday 09-30: 10-09, 10-10 → met on the day itself
    assert (result.due_date, result.met_on, result.state) == (
        D(2025, 10, 10),
        D(2025, 10, 10),
        ClockState.MET,
    )


@pytest.mark.parametrize(
    ("today", "stopped", "state"),
    [
        ("2025-10-09", False, ClockState.RUNNING),  # the due day itself is still in time
        ("2025-10-10", False, ClockState.BREACHED),
        ("2025-10-10", True, ClockState.STOPPED),  # ended without a decision: stopped, not breached
    ],
)
def test_running_breached_and_stopped(today, stopped, state):
    assert decision("2025-09-20", [], today, stopped=stopped).state == state


def test_clock_state_order():
    due = D(2025, 10, 9)
    assert clock_state(D(2025, 10, 9), due, D(2026, 1, 1), True, True) == ClockState.MET  # met wins
    assert clock_state(D(2025, 10, 10), due, D(2026, 1, 1), False, True) == ClockState.BREACHED
    assert clock_state(None, due, D(2025, 10, 1), True, False) == ClockState.PAUSED
    assert clock_state(None, due, D(2025, 10, 10), True, False) == ClockState.BREACHED  # paused past due


def test_the_stored_values_of_a_result():
    result = decision("2025-09-20", [], "2025-09-21")
    assert result.stored() == {
        "start_date": D(2025, 9, 20),
        "days": 15,
        "paused_days": 0,
        "due_date": D(2025, 10, 9),
        "state": ClockState.RUNNING,
        "provisional": False,
        "met_on": None,
    }


# --- a year the calendar does not know ------------------------------------------------------------------


def test_a_due_date_in_an_unknown_year_is_provisional_on_weekends_only():
    # 33 days from 2026-12-15 = Sunday 2027-01-17: weekends only → Monday 01-18, provisional
    rule = RuleSpec("c33", 33, "calendar", True)
    assert due_date(CAL, rule, D(2026, 12, 15), 33, 0) == (D(2027, 1, 18), True)
    # a pause that carries a known-year due date into 2027 makes it provisional too
    assert due_date(CAL, CALENDAR_15, D(2026, 12, 1), 15, 20) == (D(2027, 1, 5), True)


def test_a_year_entered_by_hand_is_not_provisional():
    # given 2027 entered by hand with Monday 01-18 as a holiday
    cal = WorkCalendar({D(2027, 1, 18): False}, [2027], today=D(2026, 1, 1))
    rule = RuleSpec("c33", 33, "calendar", True)
    # then the last day rolls past it and is final
    assert due_date(cal, rule, D(2026, 12, 15), 33, 0) == (D(2027, 1, 19), False)
    result = run_clock(cal, rule, D(2026, 12, 15), [], D(2027, 1, 4), name="decision", met_by={"notify"})
    assert (result.due_date, result.provisional) == (D(2027, 1, 19), False)
