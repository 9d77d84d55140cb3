"""Webhooks API (/api/v1/webhooks...): subscriptions, their delivery logs, the test event, redelivery,
secret rotation and the catalogue of event types. Everything needs `webhooks.manage_subscription`; a
subscription outside the caller's scope is a 404. The secret is returned only by the create and rotate
calls."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.models import User
from xiaobao.webhooks import catalogue, selectors, services
from xiaobao.webhooks.models import MANAGE, Delivery, Subscription

router = Router(tags=["Webhooks"])


def _user(request: HttpRequest) -> User:
    require_perm(request.user, MANAGE)
    return cast(User, request.user)


def _subscription(request: HttpRequest, webhook_id: int) -> Subscription:
    user = _user(request)
    return get_visible(selectors.subscription_list(user), pk=webhook_id)


class WebhookEventTypeOut(Schema):
    code: str
    label: str
    module: str
    module_label: str


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    is_active: bool
    org_unit: str | None = Field(None, description="Unit code: only events of items in its subtree")
    secret_hint: str = Field(
        ..., description="The secret's last characters (the secret itself is never shown)"
    )
    created_by: str | None
    created_at: dt.datetime
    last_delivery_status: str | None
    last_delivery_at: dt.datetime | None


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="The signing secret, returned this once")


class WebhookSecretOut(Schema):
    id: int
    secret: str = Field(..., description="The new signing secret, returned this once")
    secret_hint: str


class WebhookIn(Schema):
    name: str = Field(..., max_length=100)
    url: str = Field(..., max_length=500, description="http(s) URL; internal addresses only when allowed")
    event_types: list[str] = Field(
        ..., max_length=200, description="Event types or wildcards (*, complaints.*)"
    )
    org_unit: str | None = Field(None, max_length=32, description="Unit code (required for a branch scope)")
    is_active: bool = True


class WebhookPatch(Schema):
    name: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=500)
    event_types: list[str] | None = Field(None, max_length=200)
    org_unit: str | None = Field(None, max_length=32)
    is_active: bool | None = None


class WebhookDeliveryOut(Schema):
    id: int
    uuid: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_response_excerpt: str
    last_error: str
    duration_ms: int | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    redelivery_of: int | None
    payload: dict[str, Any]


def _out(s: Subscription) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "url": s.url,
        "event_types": list(s.event_types or []),
        "is_active": s.is_active,
        "org_unit": s.org_unit.code if s.org_unit_id and s.org_unit else None,
        "secret_hint": s.secret_hint,
        "created_by": s.created_by.get_username() if s.created_by_id and s.created_by else None,
        "created_at": s.created_at,
        "last_delivery_status": getattr(s, "last_status", None),
        "last_delivery_at": getattr(s, "last_at", None),
    }


def _delivery_out(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "uuid": d.uuid,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at if d.is_open else None,
        "last_status_code": d.last_status_code,
        "last_response_excerpt": d.last_response_excerpt,
        "last_error": d.last_error,
        "duration_ms": d.duration_ms,
        "created_at": d.created_at,
        "delivered_at": d.delivered_at,
        "redelivery_of": d.redelivery_of_id,
        "payload": d.payload,
    }


def _reloaded(user: User, pk: int) -> Subscription:
    return cast(Subscription, selectors.subscription_detail(user, pk))


@router.get(
    "/webhooks/event-types",
    response=list[WebhookEventTypeOut],
    summary="Event types a webhook may subscribe to",
)
def event_types(request: HttpRequest):
    _user(request)
    out = [
        {"code": catalogue.ALL, "label": catalogue.label_of(catalogue.ALL), "module": "", "module_label": ""}
    ]
    for g in catalogue.groups():
        common = {"module": g.app, "module_label": str(g.label)}
        out.append({"code": g.wildcard, "label": catalogue.label_of(g.wildcard), **common})
        out += [{"code": t.code, "label": str(t.label), **common} for t in g.types]
    return out


@router.get(
    "/webhooks", response=list[WebhookOut], summary="Webhook subscriptions (with their last delivery)"
)
def webhook_list(request: HttpRequest):
    return [_out(s) for s in selectors.subscription_list(_user(request))]


@router.post(
    "/webhooks", response={201: WebhookCreatedOut}, summary="Subscribe a URL; the secret is returned once"
)
def webhook_create(request: HttpRequest, payload: WebhookIn):
    user = _user(request)
    sub, secret = services.subscription_create(actor=user, data=payload.dict())
    return Status(201, {**_out(_reloaded(user, sub.pk)), "secret": secret})


@router.get("/webhooks/{webhook_id}", response=WebhookOut, summary="One webhook subscription")
def webhook_get(request: HttpRequest, webhook_id: int):
    return _out(_subscription(request, webhook_id))


@router.patch(
    "/webhooks/{webhook_id}",
    response=WebhookOut,
    summary="Change a subscription (deactivate: is_active false)",
)
def webhook_update(request: HttpRequest, webhook_id: int, payload: WebhookPatch):
    sub = _subscription(request, webhook_id)
    data = payload.dict(exclude_unset=True)
    if "org_unit" in data and data["org_unit"] in (None, ""):
        data["org_unit"] = None
    services.subscription_update(actor=_user(request), subscription=sub, data=data)
    return _out(_reloaded(_user(request), sub.pk))


@router.delete("/webhooks/{webhook_id}", response={204: None}, summary="Delete a subscription and its log")
def webhook_delete(request: HttpRequest, webhook_id: int):
    sub = _subscription(request, webhook_id)
    services.subscription_delete(actor=_user(request), subscription=sub)
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=list[WebhookDeliveryOut],
    summary="The subscription's delivery log, newest first (the last 50)",
)
def webhook_deliveries(request: HttpRequest, webhook_id: int):
    sub = _subscription(request, webhook_id)
    return [_delivery_out(d) for d in selectors.delivery_log(sub)]


@router.post(
    "/webhooks/{webhook_id}/test",
    response=WebhookDeliveryOut,
    summary="Send a test event (type ping) at once and return the delivery with the receiver's answer",
)
def webhook_test(request: HttpRequest, webhook_id: int):
    sub = _subscription(request, webhook_id)
    return _delivery_out(services.subscription_ping(actor=_user(request), subscription=sub))


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response=WebhookDeliveryOut,
    summary="Send a finished delivery's payload again, at once, as a new delivery",
)
def webhook_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int):
    sub = _subscription(request, webhook_id)
    delivery = get_visible(
        Delivery.objects.filter(subscription=sub).select_related("subscription"), pk=delivery_id
    )
    return _delivery_out(services.delivery_redeliver(actor=_user(request), delivery=delivery))


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response=WebhookSecretOut,
    summary="Make a new signing secret (the old one stops at once); returned once",
)
def webhook_rotate(request: HttpRequest, webhook_id: int):
    sub = _subscription(request, webhook_id)
    saved, secret = services.subscription_rotate_secret(actor=_user(request), subscription=sub)
    return {"id": saved.pk, "secret": secret, "secret_hint": saved.secret_hint}
