"""The clocks of a complaint, derived from its event history on the shared clock engine
(`xiaobao.casework.clocks`: pure apart from the calendar). This module only says which events meet,
clear, restart, extend and pause each clock:

- decision: from the day of receipt, under the rule for the complaint's source; approved extensions set the
  total days; each pause moves the last day later by the calendar days between the pause date and the
  resume date; then the roll-forward to a working day applies to the moved date. Met when the notice went
  out by the due date (Art 21); a reopen clears that; a repeat merged with new facts restarts it (Art 18 ¶3).
- first_contact: the institution's internal target; met by the first recorded contact (or the notice).
- review: from the day the review request was received, the superior unit's own 30-day clock (Art 20).

Every clock stops unmet when the complaint ends without a decision (the workflow's "stopped" group).
`RuleSpec`, `EventSpec`, `ClockResult`, `paused_days` and `due_date` are the casework ones, re-exported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from xiaobao.casework.clocks import ClockResult, EventSpec, RuleSpec, due_date, paused_days, run_clock
from xiaobao.complaints.workflow import group
from xiaobao.core.workdays import WorkCalendar

__all__ = [
    "STOPPED_STATUSES",
    "ClockResult",
    "EventSpec",
    "RuleSpec",
    "compute_clocks",
    "decision_clock",
    "due_date",
    "first_contact_clock",
    "paused_days",
    "review_clock",
]

STOPPED_STATUSES = frozenset(group("stopped"))


def decision_clock(
    cal: WorkCalendar,
    rule: RuleSpec,
    receipt: dt.date,
    events: Sequence[EventSpec],
    status: str,
    today: dt.date,
) -> ClockResult:
    return run_clock(
        cal,
        rule,
        receipt,
        events,
        today,
        name="decision",
        met_by={"notify"},
        unmet_by={"reopen"},
        restart_by={"merge_restart"},  # a repeat with new facts restarts the clock (Art 18 ¶3)
        stopped=status in STOPPED_STATUSES,
    )


def first_contact_clock(
    cal: WorkCalendar,
    rule: RuleSpec,
    receipt: dt.date,
    events: Sequence[EventSpec],
    status: str,
    today: dt.date,
) -> ClockResult:
    return run_clock(
        cal,
        rule,
        receipt,
        events,
        today,
        name="first_contact",
        met_by={"contact", "notify"},
        stopped=status in STOPPED_STATUSES,
        extendable=False,
        pausable=False,
    )


def review_clock(
    cal: WorkCalendar,
    rule: RuleSpec,
    requested_on: dt.date,
    events: Sequence[EventSpec],
    status: str,
    today: dt.date,
) -> ClockResult:
    return run_clock(
        cal,
        rule,
        requested_on,
        events,
        today,
        name="review",
        met_by={"decide_review"},
        stopped=status in STOPPED_STATUSES,
        extendable=False,
        pausable=False,
    )


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
