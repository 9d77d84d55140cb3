"""From a work-item event to a signed POST at each subscribed URL, with retries.

1. `on_work_item_event` (connected to `casework.events.work_item_event`, which arrives after the business
   transaction committed) builds the payload once — facts about the item, never personal data — and stores
   one `Delivery` per matching active subscription; once those rows commit it queues `deliver_task` for each.
   Anything going wrong here is logged and swallowed: the complaint was registered whatever a receiver does.
2. `delivery_attempt` claims a due delivery with a conditional update (attempts + 1, a lease on
   `next_attempt_at`), so the task and the sweeper never send the same attempt twice; then signs and POSTs
   it through `core.outbound.post` (the SSRF policy, redirects never followed) and records the outcome.
3. Outcomes: a 2xx is delivered. A URL the policy refuses, a redirect (3xx) or a 4xx other than 408/425/429
   fails at once: the receiver (or the policy) turned this payload down and sending the same bytes again will
   not change that — the administrator fixes the URL or the receiver and presses "redeliver". A 5xx, 408,
   425, 429, a timeout, a connection error or a host that does not resolve (now) is retried after 1 min,
   5 min, 30 min, 2 h and 12 h (6 attempts in all); after the last one the delivery has failed and the
   subscription's creator is told.
4. `retry_due` (a periodic job of `xiaobao sweep`) sends every delivery whose `next_attempt_at` has passed:
   the retries when the task backend cannot defer a task, and anything a worker lost (a lease ran out).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.casework.events import event_name
from xiaobao.core.outbound import OutboundError, OutboundRefused, OutboundUnresolvable, post
from xiaobao.core.services.audit import mask_text
from xiaobao.webhooks import catalogue, signing
from xiaobao.webhooks.models import OPEN_STATUSES, Delivery, DeliveryStatus, Subscription

log = logging.getLogger(__name__)

BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = dt.timedelta(minutes=2)  # an attempt not recorded within this is presumed lost and sent again
TIMEOUT = 10.0
RETRYABLE_4XX = frozenset({408, 425, 429})
BREACH_FACTS = ("clock", "due_date")  # the only facts of `data` a payload carries


# --- payload ----------------------------------------------------------------------------------------------


def item_facts(item: Any) -> dict[str, Any]:
    """What a payload says about an item: its kind, id, reference, status and unit — nothing personal."""
    unit = getattr(item, "org_unit", None)
    return {
        "kind": item._meta.label_lower,
        "id": item.pk,
        "reference": str(getattr(item, "reference", "") or ""),
        "status": str(getattr(item, "status", "") or ""),
        "unit": {"code": unit.code, "name": unit.name} if unit is not None else None,
    }


def event_facts(action: str, event: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Non-personal facts of the step: a transition's from/to status, a breach's clock and due date. The
    event's own data (notes, contact summaries, decisions) is never copied."""
    facts: dict[str, Any] = {}
    if event is not None:
        for name in ("from_status", "to_status"):
            value = getattr(event, name, None)
            if value:
                facts[name] = str(value)
    if action == "breach":
        facts.update({k: str(data[k]) for k in BREACH_FACTS if data.get(k) is not None})
    return facts


def payload_for(
    *, event_type: str, item: Any, action: str, event: Any, actor: Any, data: dict[str, Any]
) -> dict[str, Any]:
    at = getattr(event, "at", None) or timezone.now()
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": at.isoformat(),
        "item": item_facts(item),
        "action": action,
        "actor": actor.get_username()
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None,
        "data": event_facts(action, event, data),
    }


# --- from an event to deliveries --------------------------------------------------------------------------


def on_work_item_event(sender: Any, *, item: Any, action: str, **kwargs: Any) -> None:
    """The `work_item_event` receiver: never raises (the step it tells about has committed already)."""
    try:
        event_type = event_name(item, action)
        subscriptions = subscribers(event_type, item)
        if not subscriptions:
            return
        payload = payload_for(
            event_type=event_type,
            item=item,
            action=action,
            event=kwargs.get("event"),
            actor=kwargs.get("actor"),
            data=kwargs.get("data") or {},
        )
        deliveries_create(subscriptions=subscriptions, event_type=event_type, payload=payload)
    except Exception:
        log.exception("webhooks: could not queue the deliveries of %s", action)


def subscribers(event_type: str, item: Any) -> list[Subscription]:
    """Active subscriptions listing the event type (or a wildcard covering it) whose unit, if any, holds
    the item."""
    candidates = [
        s
        for s in Subscription.objects.filter(is_active=True).select_related("org_unit")
        if catalogue.matches(list(s.event_types or []), event_type)
    ]
    if not any(s.org_unit is not None for s in candidates):
        return candidates
    unit = getattr(item, "org_unit", None)  # read only when a subscription is limited to a unit
    path = getattr(unit, "path", "") or ""
    return [s for s in candidates if s.org_unit is None or (path and path.startswith(s.org_unit.path))]


def deliveries_create(
    *, subscriptions: Iterable[Subscription], event_type: str, payload: dict[str, Any]
) -> list[Delivery]:
    now = timezone.now()
    with transaction.atomic():
        rows = Delivery.objects.bulk_create(
            [
                Delivery(subscription=s, event_type=event_type, payload=payload, next_attempt_at=now)
                for s in subscriptions
            ]
        )
        ids = [d.pk for d in rows if d.pk is not None] or list(
            Delivery.objects.filter(uuid__in=[d.uuid for d in rows]).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: enqueue(ids))
    return rows


def enqueue(ids: Iterable[int], *, run_after: dt.datetime | None = None) -> None:
    """Queue `deliver_task` per delivery; a queue that fails is logged (the sweeper sends it later)."""
    from xiaobao.webhooks.tasks import deliver_task

    for pk in ids:
        try:
            task = deliver_task
            if run_after is not None:
                if not deliver_task.get_backend().supports_defer:
                    continue  # the sweeper sends it when it is due
                task = deliver_task.using(run_after=run_after)
            task.enqueue(pk)
        except Exception:
            log.exception("webhooks: could not queue delivery %s; the sweeper will send it", pk)


# --- one attempt ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # DeliveryStatus
    code: int | None
    excerpt: str
    error: str
    duration_ms: int | None


def _claim(pk: int, now: dt.datetime) -> Delivery | None:
    """Take the delivery's next attempt if it is due and nobody else took it (a conditional update)."""
    seen = Delivery.objects.filter(pk=pk, status__in=OPEN_STATUSES, next_attempt_at__lte=now).first()
    if seen is None:
        return None
    taken = Delivery.objects.filter(
        pk=pk, status__in=OPEN_STATUSES, attempts=seen.attempts, next_attempt_at=seen.next_attempt_at
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
    if taken != 1:
        return None
    return Delivery.objects.select_related("subscription", "subscription__created_by").get(pk=pk)


def _send(delivery: Delivery, now: dt.datetime) -> Outcome:
    sub = delivery.subscription
    if not sub.is_active:
        return Outcome(DeliveryStatus.FAILED, None, "", _("The subscription is deactivated."), None)
    body = signing.body_of(delivery.payload)
    sealed: Any = sub.secret  # a Sealed (the field's str type is what is assigned, not what is read)
    secret = sealed.reveal() if sealed else ""
    headers = signing.headers(
        secret=secret,
        event_type=delivery.event_type,
        delivery_id=str(delivery.uuid),
        timestamp=int(now.timestamp()),
        body=body,
    )
    try:
        answer = post(sub.url, body, headers, timeout=TIMEOUT)
    except OutboundUnresolvable as exc:  # DNS may answer later: retried like a connection error
        return Outcome(DeliveryStatus.RETRYING, None, "", exc.message[:500], None)
    except OutboundRefused as exc:
        return Outcome(DeliveryStatus.FAILED, None, "", exc.message[:500], None)
    except OutboundError as exc:
        return Outcome(DeliveryStatus.RETRYING, None, "", exc.message[:500], None)
    excerpt = mask_text(answer.body_excerpt)
    code = answer.status
    if 200 <= code < 300:
        return Outcome(DeliveryStatus.SUCCEEDED, code, excerpt, "", answer.elapsed_ms)
    if 300 <= code < 400:
        error = _("The receiver answered with a redirect; redirects are not followed: update the URL.")
        return Outcome(DeliveryStatus.FAILED, code, excerpt, error, answer.elapsed_ms)
    if 400 <= code < 500 and code not in RETRYABLE_4XX:
        error = _("The receiver refused the delivery (HTTP %(code)s); it is not retried.") % {"code": code}
        return Outcome(DeliveryStatus.FAILED, code, excerpt, error, answer.elapsed_ms)
    error = _("The receiver answered HTTP %(code)s.") % {"code": code}
    return Outcome(DeliveryStatus.RETRYING, code, excerpt, error, answer.elapsed_ms)


def delivery_attempt(pk: int, *, now: dt.datetime | None = None) -> Delivery | None:
    """Send the delivery's next attempt if it is due and unclaimed; returns it as recorded (None: nothing to
    do). Never raises for a receiver's failure: that is recorded on the row."""
    now = now or timezone.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    try:
        outcome = _send(delivery, now)
    except Exception:  # a bug of ours: recorded as a retryable error, logged with the trace
        log.exception("webhooks: delivery %s failed unexpectedly", delivery.uuid)
        outcome = Outcome(DeliveryStatus.RETRYING, None, "", _("Internal error while sending."), None)
    status = outcome.status
    last = delivery.event_type == catalogue.PING or delivery.attempts >= MAX_ATTEMPTS
    if status == DeliveryStatus.RETRYING and last:
        status = DeliveryStatus.FAILED
    retry_at = now + BACKOFF[delivery.attempts - 1] if status == DeliveryStatus.RETRYING else None
    delivery.status = status
    delivery.last_status_code = outcome.code
    delivery.last_response_excerpt = outcome.excerpt
    delivery.last_error = outcome.error
    delivery.duration_ms = outcome.duration_ms
    delivery.next_attempt_at = retry_at
    if status == DeliveryStatus.SUCCEEDED:
        delivery.delivered_at = timezone.now()
    delivery.save(
        update_fields=[
            "status",
            "last_status_code",
            "last_response_excerpt",
            "last_error",
            "duration_ms",
            "next_attempt_at",
            "delivered_at",
        ]
    )
    log.info(
        "webhooks: delivery %s attempt %s: %s (%s)", delivery.uuid, delivery.attempts, status, outcome.code
    )
    if retry_at is not None:
        enqueue([delivery.pk], run_after=retry_at)
    elif status == DeliveryStatus.FAILED and delivery.event_type != catalogue.PING:
        _tell_failed(delivery)
    return delivery


def _tell_failed(delivery: Delivery) -> None:
    from xiaobao.casework.notifications import notify

    sub = delivery.subscription
    creator = sub.created_by
    if creator is None or not creator.is_active:
        return
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Webhook “%(name)s”: the %(event)s delivery failed after %(n)s attempt(s): %(error)s") % {
            "name": sub.name,
            "event": delivery.event_type,
            "n": delivery.attempts,
            "error": delivery.last_error,
        }
    try:
        notify(
            users=[creator],
            subject=sub,
            kind="webhook_failed",
            message=message[:300],
            key=f"webhooks:failed:{delivery.pk}",
        )
    except Exception:
        log.exception("webhooks: could not tell about failed delivery %s", delivery.uuid)


# --- the periodic job -------------------------------------------------------------------------------------


@dataclass
class RetryReport:
    sent: int = 0
    delivered: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent={self.sent} delivered={self.delivered} failed={self.failed}"


def retry_due(*, now: dt.datetime | None = None, limit: int = 200) -> RetryReport:
    """Send the deliveries whose next attempt is due (oldest first, at most `limit` per run)."""
    now = now or timezone.now()
    report = RetryReport()
    due = Delivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        done = delivery_attempt(pk, now=now)
        if done is None:
            continue
        report.sent += 1
        report.delivered += done.status == DeliveryStatus.SUCCEEDED
        report.failed += done.status == DeliveryStatus.FAILED
    return report


def periodic_retry(*, now: dt.datetime) -> RetryReport:
    """`Module.periodic`: run by `xiaobao sweep`."""
    return retry_due(now=now)
