"""The complaints panel of the home page (declared in `ComplaintsConfig.module`): the user's complaint work —
own queue by due date, the units' inbox, approvals. Unread notifications (about complaints and every other
subject) are casework's panel (`xiaobao.casework.home`), shown to every user."""

from __future__ import annotations

from typing import Any

from xiaobao.complaints.selectors import approval_inbox, my_queue, unit_inbox

QUEUE_SIZE = 10


def home_panel(*, user: Any) -> dict[str, Any] | None:
    """The desk (None for users who may not see complaints); `todo` says whether it holds anything."""
    if not user.has_perm("complaints.view_complaint"):
        return None
    from xiaobao.complaints.views.common import with_due

    desk: dict[str, Any] = {
        "queue": with_due(my_queue(user=user)[:QUEUE_SIZE]),
        "inbox_count": unit_inbox(user=user).count(),
    }
    if user.has_perm("complaints.approve_complaint"):
        inbox = approval_inbox(user=user)
        desk["approvals_count"] = inbox["extensions"].count() + inbox["decisions"].count()
    desk["todo"] = any(desk.get(k) for k in ("queue", "inbox_count", "approvals_count"))
    return desk
