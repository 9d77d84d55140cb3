"""The audit trail: append-only, hash-chained, personal data masked before it is written."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from xiaobao.core.context import client_ip
from xiaobao.core.models import AuditEvent
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.vault.fields import Sealed, SealedField
from xiaobao.core.vault.masking import mask

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x58494142  # "XIAB": serialises appends so the chain never forks on PostgreSQL


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _value(field: models.Field, obj: models.Model) -> Any:
    if field.is_relation and field.many_to_one:
        related = getattr(obj, field.name)
        return f"{related} #{related.pk}" if related is not None else None
    value = getattr(obj, field.attname)
    if isinstance(field, SealedField):
        return value.masked if isinstance(value, Sealed) else mask(str(value or ""), field.kind)
    masked_kind = getattr(obj, "audit_masked", {}).get(field.name)
    if masked_kind and value:
        return mask(str(value), masked_kind)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


ALWAYS_EXCLUDED = frozenset({"id", "created_at", "updated_at", "password", "totp_secret"})


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Field values of `obj` as the audit stores them: foreign keys by id, personal fields masked, secrets
    and bookkeeping left out (a model lists its own technical fields in `audit_exclude`)."""
    exclude = ALWAYS_EXCLUDED | set(getattr(obj, "audit_exclude", ()))
    return {
        f.name: _value(f, obj)
        for f in obj._meta.concrete_fields
        if f.name not in exclude and not f.name.endswith("_bidx")
    }


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row to the chain, inside the caller's transaction when there is one."""
    unit = getattr(actor, "org_unit", None) if actor is not None and actor.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    # No savepoint: an audit row that cannot be written must fail the caller's whole transaction.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if unit is not None or (actor is not None and actor.is_authenticated) else None,
            actor_username=actor.get_username() if actor is not None and actor.is_authenticated else "",
            unit_path=unit.path if unit else "",
            unit_code=unit.code if unit else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            changes=_json_safe(changes or {}),
            ip=client_ip.get(),
            prev_hash=prev,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


def audit_change(
    *, actor: Any, obj: models.Model, before: dict[str, Any] | None, action: str | None = None
) -> AuditEvent | None:
    """Record a create (before=None) or an update with the fields that changed, old → new."""
    after = snapshot(obj)
    changes = diff(before, after)
    if before is not None and not changes and action is None:
        return None
    return audit_record(
        actor=actor,
        action=action or (AuditAction.CREATE if before is None else AuditAction.UPDATE),
        obj=obj,
        changes=changes,
    )


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None
    reason: str


def audit_verify() -> ChainReport:
    """Walk the whole chain in order; report the first row whose hash or link does not hold."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != prev:
            return ChainReport(
                checked, event.id, "link to the previous row is broken (row deleted or edited)"
            )
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.id, "content does not match its hash (row edited)")
        prev = event.hash
        checked += 1
    return ChainReport(checked, None, "")
