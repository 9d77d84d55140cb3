"""Clocks as pure functions: a rule, a start day, the item's events and today give a due date and a state.

No database and no knowledge of any module's statuses: a module says which actions meet its clock, which
restart it, and whether the item has stopped; the rest is shared. Tested directly in
`casework/tests/test_clocks.py` over the 2025–2026 holidays and make-up days.

- Extensions: an `approve_extension` event, or an `extend` event that needs no approval, sets the total
  number of days (`data["to_days"]`), never fewer than before.
- Pauses: each `pause` … `resume` pair moves the last day later by the calendar days between them; an open
  pause counts to today. The roll-forward to a working day applies to the moved date.
- Working days count from the day after the start day (`WorkCalendar.deadline`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from xiaobao.casework.choices import ClockState
from xiaobao.core.workdays import WorkCalendar


@dataclass(frozen=True)
class RuleSpec:
    code: str
    days: int
    unit: str  # "calendar" | "working"
    roll_forward: bool


@dataclass(frozen=True)
class EventSpec:
    action: str
    effective_date: dt.date
    data: dict


@dataclass(frozen=True)
class ClockResult:
    name: str
    rule: str
    start_date: dt.date
    days: int
    paused_days: int
    due_date: dt.date
    state: str
    provisional: bool
    met_on: dt.date | None

    def stored(self) -> dict[str, Any]:
        """The values a stored clock row keeps of this result (besides its item, name and rule)."""
        return {
            "start_date": self.start_date,
            "days": self.days,
            "paused_days": self.paused_days,
            "due_date": self.due_date,
            "state": self.state,
            "provisional": self.provisional,
            "met_on": self.met_on,
        }


def paused_days(events: Sequence[EventSpec], today: dt.date) -> tuple[int, bool]:
    """Calendar days spent paused, and whether the clock is paused now (an open pause counts to today)."""
    total, since = 0, None
    for e in events:
        if e.action == "pause" and since is None:
            since = e.effective_date
        elif e.action == "resume" and since is not None:
            total += max(0, (e.effective_date - since).days)
            since = None
    if since is not None:
        return total + max(0, (today - since).days), True
    return total, False


def due_date(
    cal: WorkCalendar, rule: RuleSpec, start: dt.date, days: int, paused: int
) -> tuple[dt.date, bool]:
    """The last day, and whether it rests on a year the calendar does not yet know (provisional)."""
    if paused == 0:
        d = cal.deadline(start, days, rule.unit, roll_forward=rule.roll_forward)  # type: ignore[arg-type]
        return d.due_date, d.provisional
    raw = cal.deadline(start, days, rule.unit, roll_forward=False)  # type: ignore[arg-type]
    moved = raw.due_date + dt.timedelta(days=paused)
    final = cal.next_workday(moved) if rule.roll_forward else moved
    return final, cal.is_provisional(start.year, final.year)


def clock_state(met_on: dt.date | None, due: dt.date, today: dt.date, paused_now: bool, stopped: bool) -> str:
    """Met or breached once met; stopped when the item stopped unmet; breached past the due date."""
    if met_on is not None:
        return ClockState.MET if met_on <= due else ClockState.BREACHED
    if stopped:
        return ClockState.STOPPED
    if today > due:
        return ClockState.BREACHED
    return ClockState.PAUSED if paused_now else ClockState.RUNNING


def extended_days(days: int, event: EventSpec) -> int:
    """The total days after an extension event (unchanged for any other event)."""
    if event.action == "approve_extension" or (
        event.action == "extend" and not event.data.get("needs_approval")
    ):
        return max(days, int(event.data["to_days"]))
    return days


def run_clock(
    cal: WorkCalendar,
    rule: RuleSpec,
    start: dt.date,
    events: Sequence[EventSpec],
    today: dt.date,
    *,
    name: str,
    met_by: Collection[str],
    unmet_by: Collection[str] = (),
    restart_by: Collection[str] = (),
    stopped: bool = False,
    extendable: bool = True,
    pausable: bool = True,
) -> ClockResult:
    """One clock from its events: met by the first of `met_by` (cleared again by `unmet_by`, e.g. a reopen),
    restarted with the rule's days from an event in `restart_by`, extended and paused as above."""
    days, met_on = rule.days, None
    for e in events:
        if extendable:
            days = extended_days(days, e)
        if e.action in restart_by:
            start, days = e.effective_date, rule.days
        elif e.action in met_by and met_on is None:
            met_on = e.effective_date
        elif e.action in unmet_by:
            met_on = None
    paused, paused_now = (
        paused_days([e for e in events if e.effective_date >= start], today) if pausable else (0, False)
    )
    due, provisional = due_date(cal, rule, start, days, paused)
    state = clock_state(met_on, due, today, paused_now, stopped)
    return ClockResult(name, rule.code, start, days, paused, due, state, provisional, met_on)
