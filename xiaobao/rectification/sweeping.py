"""How the shared sweeper (`xiaobao.casework.sweeper`) sweeps rectification clocks: warnings to the owner
before the due date, breach after it, escalation up the unit chain (owner → unit head → branch
consumer-protection officer → head office) one rung per working day late. Named by dotted path in
`RectificationClock.sweep`, so nothing here is imported until a sweep runs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaobao.casework.sweeper import ClockSweep
from xiaobao.rectification.workflow import WORKFLOW


def ended() -> list[str]:
    """Verified and cancelled items: their clocks are left alone."""
    return WORKFLOW.group("ended")


def mark_breached(clocks: list[Any]) -> None:
    """Keep the item row's copy of the clock state (lists, overdue filter, statistics) in step."""
    from xiaobao.rectification.models import Rectification

    ids = [clock.item_id for clock in clocks]
    if ids:
        Rectification.objects.filter(pk__in=ids, clock_state="running").update(clock_state="breached")


SWEEP = ClockSweep(
    item_field="item",
    ended=ended,
    labels={"rectification": _("rectification")},
    key_prefix="rect:",
    on_breach=mark_breached,
)
