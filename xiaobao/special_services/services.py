"""Writes of the special-group services module, each atomic and audited: the checklist items (head office),
an outlet's tick (current state + history row), home services (the person through core's consumer vault) and
the reveal of a served person's personal field with a logged reason (core's `consumer_reveal`).

Errors are django ValidationError with field keys (pages show them on the fields, the API answers 422 in
the /api/v1 error shape); scope refusals are PermissionDenied (403) — objects outside the caller's subtree
never reach here (the callers look them up through `visible_to`, 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xiaobao.core.clock import localdate, now
from xiaobao.core.models import Consumer, OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.services.consumers import consumer_create, consumer_reveal, consumer_update
from xiaobao.core.validators import visible_text
from xiaobao.core.vault import crypto
from xiaobao.core.vault.detect import validate_no_c3
from xiaobao.special_services.models import (
    MANAGE,
    MANAGE_ITEMS,
    FacilityCheck,
    FacilityItem,
    HomeService,
    Outcome,
    OutletFacility,
    Place,
    ServiceKind,
    ServiceReason,
)

MAX_STAFF = 50
BACKDATE_DAYS = 366  # a tick or a service may be entered up to a year late, never in the future


def _require(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))


def _no_c3(errors: dict[str, str], name: str, value: str) -> None:
    try:
        validate_no_c3(value)
    except ValidationError as exc:
        errors[name] = exc.messages[0]


def _day(errors: dict[str, str], name: str, value: Any, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors[name] = _("This field is required.")
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errors[name] = _("Enter a valid date (YYYY-MM-DD).")
            return None
    if not isinstance(value, dt.date):
        errors[name] = _("Enter a valid date (YYYY-MM-DD).")
        return None
    today = localdate()
    if value > today:
        errors[name] = _("The date cannot be in the future.")
    elif (today - value).days > BACKDATE_DAYS:
        errors[name] = _("The date is more than a year ago.")
    return value


# --- the checklist (code table) -------------------------------------------------------------------------


@transaction.atomic
def facility_item_save(*, actor: Any, data: dict[str, Any], item: FacilityItem | None = None) -> FacilityItem:
    """Add a checklist item or rename / reorder / retire one (head office)."""
    _require(actor, MANAGE_ITEMS)
    errors: dict[str, str] = {}
    name = visible_text(data.get("name", item.name if item else ""))
    code = visible_text(data.get("code", item.code if item else "")) if item is None else item.code
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    if item is None:
        import re

        if not code or not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", code or ""):
            errors["code"] = _(
                "A code is 2–40 lower-case letters, digits or underscores, starting with a letter."
            )
        elif FacilityItem.objects.filter(code=code).exists():
            errors["code"] = _("This code is taken.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(item) if item else None
    target = item or FacilityItem(code=code)
    target.name = name
    for field in ("inspection_item", "description"):
        if field in data:
            setattr(target, field, visible_text(data[field] or "")[: 300 if field == "description" else 40])
    if "sort_order" in data and data["sort_order"] is not None:
        target.sort_order = int(data["sort_order"])
    elif item is None:
        last = FacilityItem.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
        target.sort_order = (last or 0) + 10
    if "active" in data and data["active"] is not None:
        target.active = bool(data["active"])
    target.full_clean()
    target.save()
    audit_change(actor=actor, obj=target, before=before)
    return target


# --- an outlet's facilities -----------------------------------------------------------------------------


def _outlet_writable(actor: Any, outlet: OrgUnit) -> None:
    _require(actor, MANAGE)
    if not unit_in_scope(actor, outlet):
        raise PermissionDenied(_("This unit is outside your scope."))


@transaction.atomic
def facility_set(
    *,
    actor: Any,
    outlet: OrgUnit,
    item: FacilityItem,
    present: Any,
    note: str = "",
    checked_on: Any = None,
) -> OutletFacility:
    """Record one tick: the outlet's current state of the item (created or changed) and a history row. A tick
    that changes nothing but the date still counts as a check (the date moves, history keeps it)."""
    _outlet_writable(actor, outlet)
    errors: dict[str, str] = {}
    if outlet.kind != OrgUnitKind.OUTLET or not outlet.is_active:
        errors["outlet"] = _("Facilities are kept for active outlets.")
    if not item.active:
        errors["item"] = _("This checklist item is retired.")
    if (
        present is None
        or present == ""
        or present not in (True, False, "yes", "no", "1", "0", "true", "false")
    ):
        errors["present"] = _("Answer yes or no.")
    note = visible_text(note or "")
    if len(note) > 300:
        errors["note"] = _("At most 300 characters.")
    _no_c3(errors, "note", note)
    day = _day(errors, "checked_on", checked_on or localdate())
    if errors or day is None:
        raise ValidationError(errors)
    is_present = present in (True, "yes", "1", "true")
    row = OutletFacility.objects.select_for_update().filter(org_unit=outlet, item=item).first()
    before = snapshot(row) if row else None
    if row is None:
        row = OutletFacility(org_unit=outlet, item=item)
    row.present, row.note, row.checked_on, row.checked_by = is_present, note, day, actor
    row.save()
    FacilityCheck.objects.create(
        org_unit=outlet, item=item, present=is_present, note=note, checked_on=day, checked_by=actor, at=now()
    )
    audit_change(actor=actor, obj=row, before=before, action="update" if before else None)
    return row


# --- home services --------------------------------------------------------------------------------------

PERSON_FIELDS = ("name", "phone", "id_number", "address")


def _code(errors: dict[str, str], name: str, model: Any, value: Any) -> Any:
    if isinstance(value, model):
        return value
    found = model.objects.filter(code=str(value or ""), active=True).first() if value else None
    if found is None:
        errors[name] = _("Choose one of the listed values.") if value else _("This field is required.")
    return found


def _service_fields(actor: Any, data: dict[str, Any], current: HomeService | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    partial = current is not None

    def given(name: str) -> bool:
        return not partial or name in data

    if given("org_unit"):
        unit = data.get("org_unit")
        if not isinstance(unit, OrgUnit):
            unit = OrgUnit.objects.visible_to(actor).filter(code=str(unit or "")).first() if unit else None
        if unit is None:
            errors["org_unit"] = _("Choose a unit in your scope.")
        elif not unit.is_active:
            errors["org_unit"] = _("This unit is closed.")
        elif not unit_in_scope(actor, unit):
            errors["org_unit"] = _("Choose a unit in your scope.")
        out["org_unit"] = unit
    if given("served_on"):
        out["served_on"] = _day(errors, "served_on", data.get("served_on"))
    if given("reason"):
        out["reason"] = _code(errors, "reason", ServiceReason, data.get("reason"))
    if given("service"):
        out["service"] = _code(errors, "service", ServiceKind, data.get("service"))
    if given("place"):
        place = data.get("place") or Place.HOME
        if place not in Place.values:
            errors["place"] = _("Choose one of the listed values.")
        out["place"] = place
    if given("outcome"):
        outcome = data.get("outcome") or Outcome.DONE
        if outcome not in Outcome.values:
            errors["outcome"] = _("Choose one of the listed values.")
        out["outcome"] = outcome
    if given("staff_involved"):
        staff = data.get("staff_involved")
        try:
            staff = int(staff if staff not in (None, "") else 1)
        except (TypeError, ValueError):
            staff = -1
        if not 1 <= staff <= MAX_STAFF:
            errors["staff_involved"] = _("Between 1 and %(n)s people.") % {"n": MAX_STAFF}
        out["staff_involved"] = staff
    if given("notes"):
        notes = visible_text(data.get("notes") or "")
        if len(notes) > 2000:
            errors["notes"] = _("At most 2000 characters.")
        _no_c3(errors, "notes", notes)
        out["notes"] = notes
    # the person served
    person = {k: visible_text(str(data.get(k) or "")) for k in PERSON_FIELDS if k in data}
    if not partial and not person.get("name"):
        errors["name"] = _("This field is required.")
    if "name" in person and partial and not person["name"]:
        errors["name"] = _("This field is required.")
    if len(person.get("name", "")) > 100:
        errors["name"] = _("At most 100 characters.")
    if errors:
        raise ValidationError(errors)
    out["person"] = person
    return out


def _person_errors(person: dict[str, str]) -> None:
    from xiaobao.core.services.consumers import _validate_personal

    _validate_personal({k: v for k, v in person.items()}, "resident_id")


def _find_person(actor: Any, unit: OrgUnit, person: dict[str, str]) -> Consumer | None:
    """The consumer already registered in the unit with the same ID number (or else phone) and name: one
    person served twice is one consumer. Lookup through the blind indexes, never a decryption."""
    for field, kind in (("id_number", "id_number"), ("phone", "phone")):
        if person.get(field):
            digest = crypto.blind_index(person[field], kind)
            found = (
                Consumer.objects.filter(org_unit=unit, name=person["name"], **{f"{field}_bidx": digest})
                .order_by("pk")
                .first()
            )
            if found:
                return found
    return None


@transaction.atomic
def home_service_create(*, actor: Any, data: dict[str, Any]) -> HomeService:
    _require(actor, MANAGE)
    fields = _service_fields(actor, data, None)
    person = fields.pop("person")
    try:
        _person_errors(person)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    unit = fields["org_unit"]
    consumer = _find_person(actor, unit, person) or consumer_create(
        actor=actor,
        org_unit=unit,
        name=person["name"],
        note=_("Served at home / off-site (special-group services)"),
        **{k: v for k, v in person.items() if k != "name" and v},
    )
    service = HomeService(**fields, consumer=consumer, created_by=actor)
    service.full_clean()
    service.save()
    audit_change(actor=actor, obj=service, before=None)
    return service


@transaction.atomic
def home_service_update(*, actor: Any, service: HomeService, data: dict[str, Any]) -> HomeService:
    _require(actor, MANAGE)
    if not unit_in_scope(actor, service.org_unit):
        raise PermissionDenied(_("This unit is outside your scope."))
    service = HomeService.objects.select_for_update().get(pk=service.pk)
    fields = _service_fields(actor, data, service)
    person = {k: v for k, v in fields.pop("person").items() if v}
    if person:
        try:
            _person_errors(person)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict) from None
    before = snapshot(service)
    for name, value in fields.items():
        setattr(service, name, value)
    service.full_clean()
    service.save()
    if person:
        consumer_update(actor=actor, consumer=service.consumer, **person)
    audit_change(actor=actor, obj=service, before=before)
    return service


@transaction.atomic
def home_service_delete(*, actor: Any, service: HomeService) -> None:
    """Remove a service recorded by mistake (the person stays in the consumer register; the audit keeps the
    row's last state)."""
    _require(actor, MANAGE)
    if not unit_in_scope(actor, service.org_unit):
        raise PermissionDenied(_("This unit is outside your scope."))
    audit_record(actor=actor, action="delete", obj=service, changes=snapshot(service))
    service.delete()


def home_service_reveal(*, actor: Any, service: HomeService, field: str, reason: str) -> str:
    """One personal field of the person served, for a user allowed to reveal, with the reason logged (core's
    reveal: the audit row names the consumer, the field and the reason)."""
    return consumer_reveal(actor=actor, consumer=service.consumer, field=field, reason=reason)
