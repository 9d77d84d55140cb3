"""The clocks of a complaint, derived from its event history (pure apart from the calendar).

- decision: from the day of receipt, under the rule for the complaint's source; approved extensions set the
  total days; each pause moves the last day later by the calendar days between the pause date and the
  resume date; then the roll-forward to a working day applies to the moved date. Met when the notice went
  out by the due date (Art 21).
- first_contact: the institution's internal target; met by the first recorded contact (or the notice).
- review: from the day the review request was received, the superior unit's own 30-day clock (Art 20).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xiaobao.complaints.choices import ClockState, Status
from xiaobao.core.workdays import WorkCalendar

STOPPED_STATUSES = {Status.WITHDRAWN, Status.DECLINED, Status.MERGED}


@dataclass(frozen=True)
class RuleSpec:
    code: str
    days: int
    unit: str
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
        """The values a stored `Clock` row keeps of this result (besides its complaint, name and rule)."""
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
    if paused == 0:
        d = cal.deadline(start, days, rule.unit, roll_forward=rule.roll_forward)  # type: ignore[arg-type]
        return d.due_date, d.provisional
    raw = cal.deadline(start, days, rule.unit, roll_forward=False)  # type: ignore[arg-type]
    moved = raw.due_date + dt.timedelta(days=paused)
    final = cal.next_workday(moved) if rule.roll_forward else moved
    return final, cal.is_provisional(start.year, final.year)


def _state(met_on: dt.date | None, due: dt.date, today: dt.date, paused_now: bool, stopped: bool) -> str:
    if met_on is not None:
        return ClockState.MET if met_on <= due else ClockState.BREACHED
    if stopped:
        return ClockState.STOPPED
    if today > due:
        return ClockState.BREACHED
    return ClockState.PAUSED if paused_now else ClockState.RUNNING


def decision_clock(
    cal: WorkCalendar,
    rule: RuleSpec,
    receipt: dt.date,
    events: Sequence[EventSpec],
    status: str,
    today: dt.date,
) -> ClockResult:
    days = rule.days
    start = receipt
    met_on = None
    for e in events:
        if e.action == "approve_extension" or (e.action == "extend" and not e.data.get("needs_approval")):
            days = max(days, int(e.data["to_days"]))
        elif e.action == "merge_restart":  # a repeat with new facts restarts the clock (Art 18 ¶3)
            start, days = e.effective_date, rule.days
        elif e.action == "notify" and met_on is None:
            met_on = e.effective_date
        elif e.action == "reopen":
            met_on = None
    paused, paused_now = paused_days([e for e in events if e.effective_date >= start], today)
    due, provisional = due_date(cal, rule, start, days, paused)
    state = _state(met_on, due, today, paused_now, status in STOPPED_STATUSES)
    return ClockResult("decision", rule.code, start, days, paused, due, state, provisional, met_on)


def first_contact_clock(
    cal: WorkCalendar,
    rule: RuleSpec,
    receipt: dt.date,
    events: Sequence[EventSpec],
    status: str,
    today: dt.date,
) -> ClockResult:
    met_on = next((e.effective_date for e in events if e.action in ("contact", "notify")), None)
    due, provisional = due_date(cal, rule, receipt, rule.days, 0)
    state = _state(met_on, due, today, False, status in STOPPED_STATUSES)
    return ClockResult("first_contact", rule.code, receipt, rule.days, 0, due, state, provisional, met_on)


def review_clock(
    cal: WorkCalendar,
    rule: RuleSpec,
    requested_on: dt.date,
    events: Sequence[EventSpec],
    status: str,
    today: dt.date,
) -> ClockResult:
    met_on = next((e.effective_date for e in events if e.action == "decide_review"), None)
    due, provisional = due_date(cal, rule, requested_on, rule.days, 0)
    state = _state(met_on, due, today, False, status in STOPPED_STATUSES)
    return ClockResult("review", rule.code, requested_on, rule.days, 0, due, state, provisional, met_on)


def compute_clocks(
    cal: WorkCalendar,
    *,
    rules: dict[str, RuleSpec],
    receipt: dt.date,
    events: Iterable[EventSpec],
    status: str,
    today: dt.date,
    review_requested_on: dt.date | None,
) -> list[ClockResult]:
    """Every clock that applies to a complaint in its current state."""
    events = list(events)
    out = [decision_clock(cal, rules["decision"], receipt, events, status, today)]
    if "first_contact" in rules:
        out.append(first_contact_clock(cal, rules["first_contact"], receipt, events, status, today))
    if review_requested_on is not None and "review" in rules:
        review_events = [e for e in events if e.effective_date >= review_requested_on]
        out.append(review_clock(cal, rules["review"], review_requested_on, review_events, status, today))
    return out
