"""The complaint's steps that call for a notice, heard on `casework.events.work_item_event` (after commit)."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

ACTIONS = frozenset({"register", "extend", "approve_extension", "notify"})


def on_work_item_event(sender: Any, item: Any, action: str, event: Any = None, **kwargs: Any) -> None:
    """Queue the acknowledgement, the extension notice or the decision notice. Never raises: the complaint's
    step has committed and must not look failed because a notice could not be queued."""
    if action not in ACTIONS or getattr(sender, "_meta", None) is None:
        return
    if sender._meta.label_lower != "complaints.complaint":
        return
    from xiaobao.outreach.services import notices_for_event

    try:
        notices_for_event(complaint_id=item.pk, action=action, event=event)
    except Exception:
        log.exception("outreach: notices for %s of complaint %s could not be queued", action, item.pk)
