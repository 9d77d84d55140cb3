"""Consumers and their personal data: register, find by blind index, reveal with a logged reason."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from xiaobao.core.models import Consumer, OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.consumers import INDEXED_FIELDS, PERSONAL_FIELDS
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.validators import visible_text
from xiaobao.core.vault import crypto
from xiaobao.core.vault.detect import ID_NUMBER, PHONE, validate_no_c3

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_number_is_valid(value: str) -> bool:
    """GB 11643-1999 resident ID: 17 digits and a check character."""
    value = value.strip().upper()
    if not ID_NUMBER.fullmatch(value):
        return False
    return ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11] == value[17]


def _validate_personal(data: dict[str, Any], id_type: str) -> None:
    errors: dict[str, str] = {}
    idn = (data.get("id_number") or "").strip()
    if idn and id_type == "resident_id" and not id_number_is_valid(idn):
        errors["id_number"] = _("Not a valid resident ID number (18 characters with a correct check digit).")
    phone = crypto.normalise(data.get("phone") or "", "phone")
    if phone and not (PHONE.fullmatch(phone) or (phone.isdigit() and 7 <= len(phone) <= 12)):
        errors["phone"] = _("Not a valid phone number.")
    acct = crypto.normalise(data.get("account_number") or "", "account_number")
    if acct and not (acct.isdigit() and 8 <= len(acct) <= 30):
        errors["account_number"] = _("An account or card number has 8 to 30 digits.")
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    for name in ("address", "name"):
        try:
            validate_no_c3(data.get(name) or "")
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if errors:
        raise ValidationError(errors)


def _apply_personal(consumer: Consumer, data: dict[str, Any]) -> None:
    for name, kind in PERSONAL_FIELDS.items():
        if name not in data or data[name] is None:
            continue
        value = data[name].strip()
        setattr(consumer, name, crypto.normalise(value, kind) if name in INDEXED_FIELDS and value else value)
        if name in INDEXED_FIELDS:
            setattr(consumer, f"{name}_bidx", crypto.blind_index(value, kind))


@transaction.atomic
def consumer_create(
    *,
    actor: Any,
    org_unit: OrgUnit,
    name: str,
    kind: str = "person",
    id_type: str = "resident_id",
    note: str = "",
    **personal: Any,
) -> Consumer:
    _validate_personal(personal | {"name": name}, id_type)
    consumer = Consumer(
        org_unit=org_unit,
        name=name.strip(),
        kind=kind,
        id_type=id_type,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _apply_personal(consumer, personal)
    consumer.full_clean()
    consumer.save()
    _reseal(consumer)
    audit_change(actor=actor, obj=consumer, before=None)
    return consumer


def _reseal(consumer: Consumer) -> None:
    """Replace the plaintext just assigned by the stored ciphertext, so no plaintext lingers in memory."""
    consumer.refresh_from_db(fields=list(PERSONAL_FIELDS))


@transaction.atomic
def consumer_update(*, actor: Any, consumer: Consumer, **data: Any) -> Consumer:
    consumer = Consumer.objects.select_for_update().get(pk=consumer.pk)
    before = snapshot(consumer)
    _validate_personal(data, data.get("id_type") or consumer.id_type)
    for name in ("name", "kind", "id_type", "note"):
        if data.get(name) is not None:
            setattr(consumer, name, data[name])
    _apply_personal(consumer, data)
    consumer.full_clean()
    consumer.save()
    _reseal(consumer)
    audit_change(actor=actor, obj=consumer, before=before)
    return consumer


def consumer_find(*, user: Any, field: str, value: str) -> list[Consumer]:
    """Exact lookup through the blind index (no decryption), limited to what the user may see."""
    if field not in INDEXED_FIELDS:
        raise ValidationError({"field": _("Lookup is possible by ID number, phone or account number.")})
    digest = crypto.blind_index(value, PERSONAL_FIELDS[field])
    return list(
        Consumer.objects.visible_to(user).filter(**{f"{field}_bidx": digest}).select_related("org_unit")[:50]
    )


def consumer_reveal(*, actor: Any, consumer: Consumer, field: str, reason: str) -> str:
    """Decrypt one personal field for a permitted user who states why; the reveal is audited."""
    if not actor.has_perm("core.reveal_personal_data"):
        raise PermissionDenied(_("You may not reveal personal data."))
    if field not in PERSONAL_FIELDS:
        raise ValidationError({"field": _("Unknown personal field.")})
    reason = visible_text(reason or "")
    if len(reason) < 4:
        raise ValidationError({"reason": _("State the reason for revealing (at least 4 characters).")})
    sealed = Consumer.objects.filter(pk=consumer.pk).values_list(field, flat=True).first()
    plaintext = sealed.reveal() if sealed else ""
    audit_record(
        actor=actor, action=AuditAction.REVEAL, obj=consumer, changes={"field": field, "reason": reason[:500]}
    )
    return plaintext


def consumer_rotate_keys(*, actor: Any, batch: int = 500) -> int:
    """Re-encrypt every personal value not under the active key; returns the number of rows changed."""
    from xiaobao.core.models import User
    from xiaobao.core.vault.keys import keyring

    active = keyring().active
    changed = 0
    for consumer in Consumer.objects.order_by("pk").iterator(chunk_size=batch):
        updates = {}
        for name in PERSONAL_FIELDS:
            value = getattr(consumer, name)
            if value and value.key_id != active:
                updates[name] = value.reveal()
        if updates:
            with transaction.atomic():
                # SealedField encrypts plaintext on the way in, under the active key.
                Consumer.objects.filter(pk=consumer.pk).update(**updates)
            changed += 1
    for user in User.objects.exclude(totp_secret="").iterator():
        if crypto.key_id_of(user.totp_secret) != active:
            User.objects.filter(pk=user.pk).update(
                totp_secret=crypto.encrypt(crypto.decrypt(user.totp_secret, "totp"), "totp")
            )
            changed += 1
    audit_record(
        actor=actor,
        action=AuditAction.ROTATE,
        object_type="vault",
        object_repr="vault key rotation",
        changes={"active_key": active, "rows": changed},
    )
    return changed
