"""The write side of webhooks: `subscription_create`, `subscription_update`, `subscription_rotate_secret`,
`subscription_delete`, `subscription_ping` (the test event), `delivery_redeliver`.

Every service checks the permission and reach (the subscription visible to the actor), validates everything
before writing (field errors as a `DomainError`, nothing stored), runs atomically and writes the audit trail
(the secret never: the vault field is audited masked, and the hint is left out). The URL is checked with
`core.outbound.check_url` at save, so a subscription to the cloud metadata address or to an internal
address the institution has not allowed is refused with a field error.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.models import OrgUnit
from xiaobao.core.outbound import OutboundRefused, check_url
from xiaobao.core.scoping import unit_in_scope, user_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.webhooks import catalogue, signing
from xiaobao.webhooks.delivery import delivery_attempt
from xiaobao.webhooks.models import MANAGE, Delivery, DeliveryStatus, Subscription

MAX_EVENT_TYPES = 200


def _require(actor: Any) -> None:
    if actor is None or not actor.has_perm(MANAGE) or user_scope(actor) is None:
        raise PermissionDenied(_("You may not manage webhooks."))


def _reach(actor: Any, sub: Subscription) -> Subscription:
    """The subscription as stored now, if the actor may manage it."""
    _require(actor)
    fresh = Subscription.objects.visible_to(actor).filter(pk=sub.pk).first()
    if fresh is None:
        raise PermissionDenied(_("This subscription is outside your scope."))
    return fresh


def _clean(actor: Any, data: dict[str, Any], current: Subscription | None) -> dict[str, Any]:
    """The validated values (only the keys given), or a DomainError naming every bad field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if "name" in data or current is None:
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = [_("Give the subscription a name.")]
        elif len(name) > 100:
            errors["name"] = [_("At most 100 characters.")]
        out["name"] = name
    if "url" in data or current is None:
        url = str(data.get("url") or "").strip()
        if not url:
            errors["url"] = [_("Enter the receiver's URL.")]
        elif len(url) > 500:
            errors["url"] = [_("At most 500 characters.")]
        else:
            try:
                check_url(url)
            except OutboundRefused as exc:
                errors["url"] = [exc.message]
        out["url"] = url
    if "event_types" in data or current is None:
        raw = data.get("event_types") or []
        chosen = [str(t).strip() for t in (raw if isinstance(raw, list | tuple) else [raw])]
        valid = catalogue.valid_choices()
        unknown = sorted({t for t in chosen if t not in valid})
        if not chosen:
            errors["event_types"] = [_("Choose at least one event.")]
        elif unknown:
            errors["event_types"] = [_("Unknown event type: %(types)s") % {"types": ", ".join(unknown)[:200]}]
        elif len(set(chosen)) > MAX_EVENT_TYPES:
            errors["event_types"] = [_("Too many event types.")]
        out["event_types"] = sorted(set(chosen))
    if "org_unit" in data or current is None:
        unit = data.get("org_unit")
        if unit is not None and not isinstance(unit, OrgUnit):
            unit = OrgUnit.objects.filter(code=str(unit)).first() if str(unit).strip() else None
            if unit is None:
                errors["org_unit"] = [_("No such unit.")]
        if unit is not None and not unit_in_scope(actor, unit):
            errors["org_unit"] = [_("Choose a unit within your scope.")]
        elif unit is None and "org_unit" not in errors and user_scope(actor) != "__all__":
            errors["org_unit"] = [
                _("Choose your unit or one below it: you do not see the whole institution.")
            ]
        out["org_unit"] = unit
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="invalid", fields=errors)
    return out


def _seal(sub: Subscription) -> str:
    secret = signing.new_secret()
    sub.secret = secret  # type: ignore[assignment]  # SealedField: a str in, a Sealed out
    sub.secret_hint = secret[-4:]
    return secret


def subscription_create(*, actor: Any, data: dict[str, Any]) -> tuple[Subscription, str]:
    """A new active subscription and its secret (returned once: the vault keeps it sealed)."""
    _require(actor)
    values = _clean(actor, data, None)
    with transaction.atomic():
        sub = Subscription(created_by=actor, **values)
        secret = _seal(sub)
        sub.full_clean(exclude=["url"])  # the URL passed check_url (URLField's own rule refuses hosts)
        sub.save()
        audit_change(actor=actor, obj=sub, before=None)
    return sub, secret


def subscription_update(*, actor: Any, subscription: Subscription, data: dict[str, Any]) -> Subscription:
    _reach(actor, subscription)
    values = _clean(actor, data, subscription)
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        before = snapshot(sub)
        for key, value in values.items():
            setattr(sub, key, value)
        sub.save()
        if values.get("is_active") is False:
            _stop_open(sub)
        audit_change(actor=actor, obj=sub, before=before)
    return sub


def _stop_open(sub: Subscription) -> None:
    """A deactivated subscription's deliveries still waiting fail now (nothing is sent to it any more)."""
    Delivery.objects.filter(
        subscription=sub, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
    ).update(
        status=DeliveryStatus.FAILED,
        next_attempt_at=None,
        last_error=_("The subscription is deactivated.")[:500],
    )


def subscription_rotate_secret(*, actor: Any, subscription: Subscription) -> tuple[Subscription, str]:
    """A new secret (the old one stops working at once); returned once."""
    _reach(actor, subscription)
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        secret = _seal(sub)
        sub.save(update_fields=["secret", "secret_hint", "updated_at"])
        audit_record(actor=actor, action="rotate", obj=sub, changes={"secret": ["••••", "••••"]})
    return sub, secret


def subscription_delete(*, actor: Any, subscription: Subscription) -> None:
    _reach(actor, subscription)
    with transaction.atomic():
        before = snapshot(subscription)
        audit_record(
            actor=actor, action="delete", obj=subscription, changes={k: [v, None] for k, v in before.items()}
        )
        subscription.delete()


def subscription_ping(*, actor: Any, subscription: Subscription) -> Delivery:
    """The test event: one "ping" delivery, sent at once through the same path as every delivery (signed,
    the outbound policy, recorded in the log); a ping is attempted once and never retried."""
    subscription = _reach(actor, subscription)
    if not subscription.is_active:
        raise Conflict(_("The subscription is deactivated: activate it first."), code="inactive")
    now = timezone.now()
    payload = {
        "id": str(uuid.uuid4()),
        "type": catalogue.PING,
        "occurred_at": now.isoformat(),
        "item": None,
        "action": catalogue.PING,
        "actor": actor.get_username(),
        "data": {"subscription": subscription.pk},
    }
    delivery = Delivery.objects.create(
        subscription=subscription, event_type=catalogue.PING, payload=payload, next_attempt_at=now
    )
    return delivery_attempt(delivery.pk, now=now) or delivery


def delivery_redeliver(*, actor: Any, delivery: Delivery) -> Delivery:
    """Send a finished delivery's payload again as a new delivery (same event id, new delivery id), at once;
    retried like any other if the receiver fails."""
    sub = _reach(actor, delivery.subscription)
    delivery.refresh_from_db()
    if delivery.is_open:
        raise Conflict(_("This delivery is still being sent."), code="in_progress")
    if not sub.is_active:
        raise Conflict(_("The subscription is deactivated: activate it first."), code="inactive")
    now = timezone.now()
    again = Delivery.objects.create(
        subscription=sub,
        event_type=delivery.event_type,
        payload=delivery.payload,
        next_attempt_at=now,
        redelivery_of=delivery,
    )
    changes = {"redelivered": [str(delivery.uuid), str(again.uuid)]}
    audit_record(actor=actor, action="update", obj=sub, changes=changes)
    return delivery_attempt(again.pk, now=now) or again
