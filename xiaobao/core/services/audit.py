"""The audit trail: append-only, chained after commit (audit_chain), personal data masked before writing.

Recording is one INSERT in the caller's transaction: no lock and no read of the previous row, so writes of
the whole institution do not wait on each other. `audit_chain.audit_seal` chains the rows after commit."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from xiaobao.core.clock import now as recorded_now
from xiaobao.core.context import client_ip
from xiaobao.core.models import AuditEvent
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit_chain import (  # noqa: F401  (re-exported: the audit's public API)
    GENESIS,
    AuditChainError,
    ChainReport,
    audit_seal,
    audit_verify,
)
from xiaobao.core.vault.detect import ID_NUMBER, PHONE
from xiaobao.core.vault.fields import Sealed, SealedField
from xiaobao.core.vault.masking import mask

# Card and account numbers: 13–19 digits not glued to letters or digits (so a reference like
# TS202612040000123 or a checksum stays readable).
_CARD = re.compile(r"(?<![0-9A-Za-z])\d{13,19}(?![0-9A-Za-z])")
_DIGEST = re.compile(r"[0-9a-fA-F]{32,128}")


def mask_text(text: str) -> str:
    """Free text as the audit stores it: ID, card/account and phone numbers in it masked."""
    if _DIGEST.fullmatch(text):
        return text
    text = ID_NUMBER.sub(lambda m: mask(m.group(0), "id_number"), text)
    text = _CARD.sub(lambda m: mask(m.group(0), "account_number"), text)
    return PHONE.sub(lambda m: mask(m.group(0), "phone"), text)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def _json_safe(value: Any) -> Any:
    """JSON-ready, with every string masked: covers the free text of every module's snapshots."""
    return _masked(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


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
    """Insert one unsealed row, inside the caller's transaction when there is one (no lock, no read: the
    sealer chains it after commit). An audit row that cannot be written fails the caller's transaction."""
    unit = getattr(actor, "org_unit", None) if actor is not None and actor.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    event = AuditEvent(
        at=recorded_now(),  # the present, or a past action entered at its time (core.clock)
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=actor.get_username() if actor is not None and actor.is_authenticated else "",
        unit_path=unit.path if unit else "",
        unit_code=unit.code if unit else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=mask_text(object_repr)[:200],
        changes=_json_safe(changes or {}),
        ip=client_ip.get(),
    )
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
