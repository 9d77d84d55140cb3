"""How the shared sweeper (`xiaobao.casework.sweeper`) sweeps action-item clocks: warnings to the owner before
the due date, breach the day after it, escalation up the unit chain (owner → unit head → branch
consumer-protection officer → head office) one rung per working day late. Named by dotted path in
`ActionClock.sweep`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaobao.casework.sweeper import ClockSweep
from xiaobao.governance.workflow import WORKFLOW


def ended() -> list[str]:
    """Closed and cancelled items: their clocks are left alone."""
    return WORKFLOW.group("ended")


def mark_breached(clocks: list[Any]) -> None:
    """Keep the item row's copy of the clock state (lists, overdue view, figures) in step."""
    from xiaobao.governance.models import ActionItem

    ids = [clock.item_id for clock in clocks]
    if ids:
        ActionItem.objects.filter(pk__in=ids, clock_state="running").update(clock_state="breached")


SWEEP = ClockSweep(
    item_field="item",
    ended=ended,
    labels={"action": _("action item")},
    key_prefix="gov:",
    on_breach=mark_breached,
)
