"""In-app notifications about any subject, and the e-mail digest.

Sending is idempotent: every notification carries a unique `dedupe_key` ("<key>:<user id>"), so the same
event told twice — by a retried task or by two sweepers running at once — stores one row per person. The
e-mail digest claims rows with a conditional update of `emailed_at`, so each row is e-mailed at most once
however many sweepers run. Messages name the subject by its reference only: never personal data.

A subject is any model row (a complaint, a rectification item, an early warning) or none. Everything that
tells about subjects locks their rows first, in id order per model — as a transition locks its item — so two
sweepers count new notifications exactly and never deadlock with a transition.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xiaobao.casework.models import Notification
from xiaobao.core.workdays import get_calendar

logger = logging.getLogger(__name__)

DEFAULT_WORKING_HOURS = (9, 18)
CHUNK = 900  # ids per IN (...) list: below SQLite's smallest variable limit
DIGEST_LINES = 200  # notifications listed in one e-mail; the rest are counted


@dataclass(frozen=True)
class Subject:
    """What a notification is about: a model label ("complaints.complaint") and a primary key."""

    label: str
    pk: int

    @classmethod
    def of(cls, obj: Any) -> Subject | None:
        """The subject naming a model instance (None for None)."""
        if obj is None:
            return None
        if isinstance(obj, Subject):
            return obj
        return cls(obj._meta.label_lower, int(obj.pk))

    def content_type_id(self) -> int:
        app_label, model = self.label.split(".")
        return int(ContentType.objects.get_by_natural_key(app_label, model).pk)


@dataclass(frozen=True)
class Notice:
    """One event to tell some users about; `key` names the event (the user id is appended per row)."""

    user_ids: tuple[int, ...]
    subject: Subject | None
    kind: str
    message: str
    key: str

    def rows(self) -> dict[str, Notification]:
        ct = self.subject.content_type_id() if self.subject is not None else None
        pk = self.subject.pk if self.subject is not None else None
        return {
            f"{self.key}:{uid}": Notification(
                user_id=uid, content_type_id=ct, object_id=pk, kind=self.kind, message=self.message[:300],
                dedupe_key=f"{self.key}:{uid}",
            )
            for uid in self.user_ids
        }  # fmt: skip


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _pk(user: Any) -> int:
    """A user's primary key, whether given a user or an id."""
    return int(getattr(user, "pk", user))


def lock_rows(model: Any, ids: Iterable[int]) -> None:
    """Lock rows of `model` in id order (PostgreSQL) for the current transaction.

    SQLite needs no row lock: its IMMEDIATE transactions already run one writer at a time.
    """
    if not connection.features.has_select_for_update:
        return
    for chunk in chunks(sorted(set(ids))):
        list(model.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))


def lock_subjects(subjects: Iterable[Subject | None]) -> None:
    """Lock the rows of the subjects, model by model (in label order), each in id order."""
    by_label: dict[str, set[int]] = {}
    for s in subjects:
        if s is not None:
            by_label.setdefault(s.label, set()).add(s.pk)
    for label in sorted(by_label):
        lock_rows(apps.get_model(label), by_label[label])


def deliver(notices: Sequence[Notice]) -> list[int]:
    """Store each notice once per user; returns, per notice, how many of its rows are new.

    One existence query per 900 keys and one bulk insert for the lot. The unique `dedupe_key` alone
    guarantees nobody is told twice; the subject locks make the returned counts exact as well.
    """
    wanted: dict[str, Notification] = {}
    for notice in notices:
        wanted.update(notice.rows())
    if not wanted:
        return [0] * len(notices)
    with transaction.atomic():
        lock_subjects(n.subject for n in notices)
        existing: set[str] = set()
        for chunk in chunks(list(wanted)):
            existing.update(
                Notification.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
            )
        new = [row for key, row in wanted.items() if key not in existing]
        Notification.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return [sum(1 for uid in n.user_ids if f"{n.key}:{uid}" not in existing) for n in notices]


def notify(*, users: Iterable[Any], subject: Any, kind: str, message: str, key: str) -> int:
    """Tell each user (a user or an id) once about an event; returns how many notifications were new.

    `subject` is a model instance, a `Subject` or None. `key` names the event; a user already told about
    it (`"<key>:<user id>"` exists) is skipped, so retried tasks and concurrent sweepers never tell anybody
    twice.
    """
    user_ids = tuple(sorted({_pk(u) for u in users}))
    return deliver([Notice(user_ids, Subject.of(subject), kind, message, key)])[0]


def notify_on_commit(*, users: Iterable[Any], subject: Any, kind: str, message: str, key: str) -> None:
    """`notify` once the current transaction commits (nothing is told about a step that rolled back)."""
    user_ids, about = [_pk(u) for u in users], Subject.of(subject)
    transaction.on_commit(lambda: notify(users=user_ids, subject=about, kind=kind, message=message, key=key))


def unread_for(user: Any, model: Any = Notification) -> QuerySet[Any]:
    """The user's unread notifications, newest first, their subjects fetched with them."""
    return model.objects.filter(user=user, read_at__isnull=True).prefetch_related("subject")


def mark_read(user: Any, ids: Iterable[int]) -> int:
    """Mark the user's own notifications read (others' ids are ignored); returns how many changed."""
    return Notification.objects.filter(user=user, pk__in=list(ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- e-mail digest --------------------------------------------------------------------------------------


def in_working_hours(now: dt.datetime) -> bool:
    """True on a working day between `SLA_WORKING_HOURS` (start, end) o'clock, local time."""
    start, end = getattr(settings, "SLA_WORKING_HOURS", DEFAULT_WORKING_HOURS)
    local = timezone.localtime(now, timezone.get_default_timezone())
    return start <= local.hour < end and get_calendar().is_workday(local.date())


@dataclass
class _Pending:
    """One person's notifications not yet e-mailed."""

    user_id: int
    email: str
    active: bool
    ids: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _pending() -> list[_Pending]:
    """Every notification not yet e-mailed, grouped per person (one query)."""
    rows = (
        Notification.objects.filter(emailed_at__isnull=True)
        .order_by("user_id", "created_at", "pk")
        .values_list("pk", "user_id", "user__email", "user__is_active", "message", "read_at", "created_at")
    )
    people: dict[int, _Pending] = {}
    for pk, user_id, email, active, message, read_at, created_at in rows:
        person = people.setdefault(user_id, _Pending(user_id, email or "", active))
        person.ids.append(pk)
        if read_at is None:  # already seen in the app: no need to e-mail it
            local = timezone.localtime(created_at, timezone.get_default_timezone())
            person.lines.append(f"{local:%Y-%m-%d %H:%M}  {message}")
    return list(people.values())


class _ClaimLost(Exception):
    """Another process claimed some of the rows first: roll this claim back."""


def _claim(person: _Pending, now: dt.datetime) -> bool:
    """Claim all of a person's pending rows, or none: True when this process now owns them.

    If another process claimed some meanwhile, the partial claim is rolled back; its rows stay pending
    and go out with the next digest, so no row is lost and none is e-mailed twice.
    """
    try:
        with transaction.atomic():
            pending = Notification.objects.filter(emailed_at__isnull=True)
            claimed = sum(pending.filter(pk__in=chunk).update(emailed_at=now) for chunk in chunks(person.ids))
            if claimed != len(person.ids):
                raise _ClaimLost
    except _ClaimLost:
        return False
    return True


def _notifications_url() -> str:
    """The notifications page's path on the institution's Xiaobao (every user's, whatever the subject)."""
    from django.urls import reverse

    return reverse("casework:notifications")


def _send(person: _Pending, mailer: Any) -> None:
    """E-mail one person the list of their notifications."""
    count = len(person.lines)
    subject = ngettext("%(site)s: %(count)d notification", "%(site)s: %(count)d notifications", count) % {
        "site": getattr(settings, "INSTITUTION_NAME", "Xiaobao"),
        "count": count,
    }
    lines = person.lines[:DIGEST_LINES]
    if count > DIGEST_LINES:
        lines.append(_("… and %(more)d more") % {"more": count - DIGEST_LINES})
    body = "\n".join([*lines, "", _("Open Xiaobao to see them: %(url)s") % {"url": _notifications_url()}])
    mailer(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])


def email_digest(now: dt.datetime | None = None, *, mailer: Any = None) -> int:
    """E-mail each person one digest of their notifications not yet e-mailed; returns e-mails sent.

    Runs only in working hours on working days. Rows of people without an e-mail address (or inactive,
    or who read them in the app already) are marked without sending. A failed send un-claims its rows.
    `mailer` sends one e-mail (default: Django's `send_mail`).
    """
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    sent = 0
    for person in _pending():
        if not _claim(person, now) or not (person.lines and person.email and person.active):
            continue
        try:
            _send(person, mailer or send_mail)
        except Exception:
            logger.exception("digest e-mail failed for user %s; will retry", person.user_id)
            for chunk in chunks(person.ids):
                Notification.objects.filter(pk__in=chunk, emailed_at=now).update(emailed_at=None)
            continue
        sent += 1
    return sent
