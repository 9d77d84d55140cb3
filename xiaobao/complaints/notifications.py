"""Notifications about complaints: the shared ones (`xiaobao.casework.notifications`) under their old names.

A complaint is the notification's subject; `notify(complaint=…)` and `unread_for(user)` (rows with
`complaint` / `complaint_id` readable, `complaints.Notification`) keep working for callers and tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db.models import QuerySet

from xiaobao.casework import notifications as shared
from xiaobao.casework.notifications import (
    CHUNK,
    DEFAULT_WORKING_HOURS,
    DIGEST_LINES,
    Notice,
    Subject,
    deliver,
    in_working_hours,
    lock_rows,
    mark_read,
)
from xiaobao.complaints.models import Complaint, Notification

__all__ = [
    "CHUNK",
    "DEFAULT_WORKING_HOURS",
    "DIGEST_LINES",
    "Notice",
    "Subject",
    "complaint_subject",
    "deliver",
    "email_digest",
    "in_working_hours",
    "lock_complaints",
    "mark_read",
    "notify",
    "send_mail",
    "unread_for",
]


def complaint_subject(complaint_id: int | None) -> Subject | None:
    """The notification subject naming a complaint by id."""
    return None if complaint_id is None else Subject("complaints.complaint", int(complaint_id))


def lock_complaints(ids: Iterable[int]) -> None:
    """Lock complaint rows in id order (PostgreSQL) for the current transaction."""
    lock_rows(Complaint, ids)


def notify(*, users: Iterable[Any], complaint: Complaint | None, kind: str, message: str, key: str) -> int:
    """Tell each user once about an event of a complaint; returns how many notifications were new."""
    return shared.notify(
        users=users, subject=complaint_subject(complaint.pk if complaint is not None else None),
        kind=kind, message=message, key=key,
    )  # fmt: skip


def unread_for(user: Any) -> QuerySet[Notification]:
    """The user's unread notifications, newest first (every subject; `complaint` readable on each row)."""
    return shared.unread_for(user, Notification)


def email_digest(now: dt.datetime | None = None) -> int:
    """The shared digest, sent with this module's `send_mail` (tests replace it to fail a send)."""
    return shared.email_digest(now, mailer=lambda *a, **kw: send_mail(*a, **kw))
