"""What happened to a work item, told to whoever listens, after the transaction commits.

`work_item_event` is sent once per step of any work item — every action of the transition service, a
complaint's registration ("register") and a breached deadline ("breach") — in `transaction.on_commit`, so a
listener never sees a step that was rolled back and never slows the step down. Listeners (webhooks, notices to
complainants) queue their own work; an exception in one is logged and does not reach the others.

Arguments: `sender` the item's model, `item` the item, `action` the action code, `event` the event row (None
for a breach), `actor` the user (None for the system), `data` extra facts (a breach: the clock's name and due
date).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

work_item_event = Signal()


def event_name(item: Any, action: str) -> str:
    """The public name of a step: "<app label>.<model>.<action>", e.g. "complaints.complaint.register"."""
    return f"{item._meta.app_label}.{item._meta.model_name}.{action}"


def announce(
    *, item: Any, action: str, event: Any = None, actor: Any = None, data: dict[str, Any] | None = None
) -> None:
    """Send `work_item_event` once the current transaction commits (at once outside one)."""

    def send() -> None:
        for receiver, result in work_item_event.send_robust(
            sender=type(item), item=item, action=action, event=event, actor=actor, data=data or {}
        ):
            if isinstance(result, Exception):
                log.error("work-item event listener %r failed: %s", receiver, result, exc_info=result)

    transaction.on_commit(send)
