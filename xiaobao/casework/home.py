"""The notifications panel of the home page (declared in `CaseworkConfig.module`): every user's unread
notifications, whatever their subject, with a link to the notifications page."""

from __future__ import annotations

from typing import Any

from xiaobao.casework.notifications import unread_for

NOTIFICATIONS_SHOWN = 5


def home_panel(*, user: Any) -> dict[str, Any] | None:
    """The user's unread count and newest unread notifications (None when there are none)."""
    if not getattr(user, "is_authenticated", False):
        return None
    unread = unread_for(user).order_by("-created_at", "-pk")
    shown = list(unread[:NOTIFICATIONS_SHOWN])
    if not shown:
        return None
    count = len(shown) if len(shown) < NOTIFICATIONS_SHOWN else unread.count()
    return {"unread": shown, "unread_count": count, "todo": True}
