"""How the shared sweeper (`xiaobao.casework.sweeper`) sweeps review clocks: warnings to the reviewer before
the due date, breach after it, escalation up the unit chain one rung per working day late. Named by dotted
path in `ReviewClock.sweep`, so nothing here is imported until a sweep runs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaobao.casework.sweeper import ClockSweep
from xiaobao.review.choices import Status

ENDED = [Status.PASSED, Status.PASSED_WITH_CHANGES, Status.REJECTED, Status.WITHDRAWN, Status.DRAFT]


def ended() -> list[str]:
    """Concluded, withdrawn and draft reviews: their clocks are left alone."""
    return [str(s) for s in ENDED]


def mark_breached(clocks: list[Any]) -> None:
    """Keep the review row's copy of the clock state (lists, overdue filter, statistics) in step."""
    from xiaobao.review.models import Review

    ids = [clock.item_id for clock in clocks]
    if ids:
        Review.objects.filter(pk__in=ids, clock_state="running").update(clock_state="breached")


SWEEP = ClockSweep(
    item_field="item",
    ended=ended,
    labels={"review": _("review")},
    key_prefix="review:",
    on_breach=mark_breached,
)
