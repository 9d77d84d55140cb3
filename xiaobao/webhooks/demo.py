"""Demo webhooks (`Module.demo`): one subscription of the bank's enterprise service bus to complaint events,
with a delivery log that tells a plausible story — the test event and the first events delivered, then the
bus unreachable (retrying, and one failed after the last attempt). Rows are written directly: the demo URL
does not resolve on a demo machine, so the service's URL check would refuse it, and nothing is sent."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from xiaobao.webhooks import signing
from xiaobao.webhooks.delivery import BACKOFF, MAX_ATTEMPTS, item_facts

URL = "https://esb.demo-bank.example/api/consumer-protection/xiaobao-events"
EVENTS = [
    "complaints.complaint.register",
    "complaints.complaint.assign",
    "complaints.complaint.notify",
    "complaints.complaint.breach",
]
UNREACHABLE = "无法解析主机 esb.demo-bank.example。"
OK_BODY = '{"code":"0000","message":"accepted"}'
BUSY_BODY = '{"code":"E503","message":"ESB gateway busy, retry later"}'


def _admin() -> Any:
    from xiaobao.core.models import User

    return User.objects.filter(groups__name="sysadmin", is_active=True).order_by("pk").first()


def _complaints(n: int) -> list[Any]:
    try:
        model = apps.get_model("complaints", "Complaint")
    except LookupError:
        return []
    return list(model.objects.select_related("org_unit").order_by("-pk")[:n])


def _payload(event_type: str, item: Any, at: dt.datetime, actor: str | None) -> dict[str, Any]:
    action = event_type.rsplit(".", 1)[-1]
    data: dict[str, Any] = {}
    if action == "breach":
        data = {"clock": "decision", "due_date": (at.date() - dt.timedelta(days=1)).isoformat()}
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "occurred_at": at.isoformat(),
        "item": item_facts(item) if item is not None else None,
        "action": action,
        "actor": actor,
        "data": data,
    }


def webhooks_demo_load(now: dt.datetime | None = None) -> dict[str, int]:
    from xiaobao.webhooks.models import Delivery, DeliveryStatus, Subscription

    now = now or timezone.now()
    admin = _admin()
    secret = signing.new_secret()
    items = _complaints(6)
    with transaction.atomic():
        sub = Subscription.objects.create(
            name="企业服务总线（ESB）投诉事件同步",
            url=URL,
            secret=secret,
            secret_hint=secret[-4:],
            event_types=EVENTS,
            created_by=admin,
        )
        actor = admin.get_username() if admin else None
        rows: list[Delivery] = []

        def add(event_type: str, item: Any, ago: dt.timedelta, **state: Any) -> None:
            at = now - ago
            payload = _payload(event_type, item, at, None if event_type.endswith("breach") else actor)
            rows.append(Delivery(subscription=sub, event_type=event_type, payload=payload, **state))

        add(
            "ping",
            None,
            dt.timedelta(days=3, hours=2),
            status=DeliveryStatus.SUCCEEDED,
            attempts=1,
            last_status_code=200,
            last_response_excerpt=OK_BODY,
            duration_ms=142,
        )
        for i, item in enumerate(items[:3]):
            add(
                EVENTS[i % 2],
                item,
                dt.timedelta(days=2, hours=5 - i),
                status=DeliveryStatus.SUCCEEDED,
                attempts=1,
                last_status_code=200,
                last_response_excerpt=OK_BODY,
                duration_ms=96 + 17 * i,
            )
        if len(items) > 3:
            add(
                EVENTS[2],
                items[3],
                dt.timedelta(days=1, hours=3),
                status=DeliveryStatus.FAILED,
                attempts=MAX_ATTEMPTS,
                last_status_code=503,
                last_response_excerpt=BUSY_BODY,
                duration_ms=2310,
                last_error="接收方返回 HTTP 503。",
            )
        for item, ago, attempts in (
            (items[4] if len(items) > 4 else None, dt.timedelta(minutes=40), 3),
            (items[5] if len(items) > 5 else None, dt.timedelta(minutes=4), 2),
        ):
            if item is None:
                continue
            add(
                EVENTS[3] if attempts == 3 else EVENTS[0],
                item,
                ago,
                status=DeliveryStatus.RETRYING,
                attempts=attempts,
                last_error=UNREACHABLE,
                next_attempt_at=now + BACKOFF[attempts - 1],
            )
        Delivery.objects.bulk_create(rows)
        # the log's times: created_at is auto_now_add, set afterwards from each payload's occurrence
        for d in Delivery.objects.filter(subscription=sub):
            at = dt.datetime.fromisoformat(d.payload["occurred_at"])
            done = at + dt.timedelta(milliseconds=d.duration_ms or 0)
            Delivery.objects.filter(pk=d.pk).update(
                created_at=at,
                last_attempt_at=at if d.attempts else None,
                delivered_at=done if d.status == DeliveryStatus.SUCCEEDED else None,
            )
    return {"subscriptions": 1, "deliveries": len(rows)}


def load(command: Any, **opts: Any) -> None:
    from xiaobao.webhooks.models import Subscription

    if Subscription.objects.exists():
        command.stdout.write("Demo webhooks already loaded.")
        return
    r = webhooks_demo_load()
    command.stdout.write(
        command.style.SUCCESS(
            f"Demo webhooks loaded: {r['subscriptions']} subscription, {r['deliveries']} deliveries."
        )
    )
