"""The SLA sweeper for complaints: the shared sweeper (`xiaobao.casework.sweeper`) under its old names, and
how it reaches and names a complaint's clocks (`CLOCK_SWEEP`, declared by `Clock.sweep`).

Complaint clocks keep their notification keys ("breach:<clock id>:<due>", no prefix) and messages; a
breached decision clock also marks its complaint (`decision_state`: statistics count from the row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy

from xiaobao.casework.sweeper import (
    APPROVER,
    BATCH,
    BRANCH_CP,
    DEFAULT_WARN_WORKING_DAYS,
    HANDLER,
    HQ_CP,
    LADDER_ROLES,
    TOP_LEVEL,
    ClockSweep,
    Ladder,
    SweepReport,
    warn_levels,
)
from xiaobao.casework.sweeper import sla_sweep as _sweep
from xiaobao.complaints.choices import ClockState, Status

__all__ = [
    "APPROVER",
    "BATCH",
    "BRANCH_CP",
    "CLOCK_LABELS",
    "CLOCK_SWEEP",
    "DEFAULT_WARN_WORKING_DAYS",
    "HANDLER",
    "HQ_CP",
    "LADDER_ROLES",
    "TOP_LEVEL",
    "Ladder",
    "SweepReport",
    "sla_sweep",
    "warn_levels",
]

CLOCK_LABELS = {
    "decision": gettext_lazy("decision"),
    "first_contact": gettext_lazy("first contact"),
    "review": gettext_lazy("review"),
}


def _mark_breached_decisions(clocks: list[Any]) -> None:
    """Statistics count from the complaint row (see services `_sync_decision`)."""
    from xiaobao.complaints.models import Complaint

    decisions = [c.complaint_id for c in clocks if c.name == "decision"]
    if decisions:
        Complaint.objects.filter(pk__in=decisions).update(decision_state=ClockState.BREACHED)


CLOCK_SWEEP = ClockSweep(
    item_field="complaint",
    ended=Status.ended_statuses,
    labels=CLOCK_LABELS,
    breach_message=gettext_lazy("Complaint %(ref)s: the %(clock)s deadline %(due)s has passed"),
    escalation_message=gettext_lazy(
        "Complaint %(ref)s: the %(clock)s deadline %(due)s was missed, escalated to level %(level)d"
    ),
    warning_message=gettext_lazy(
        "Complaint %(ref)s: the %(clock)s deadline %(due)s is %(left)d working day(s) away"
    ),
    key_prefix="",
    on_breach=_mark_breached_decisions,
)


def sla_sweep(now: dt.datetime | None = None) -> SweepReport:
    """One pass of the shared sweeper (every registered clock model, complaints' among them), then the
    e-mail digest. Safe to run concurrently."""
    return _sweep(now)
