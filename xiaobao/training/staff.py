"""The staff register's write side: add, edit, deactivate (and reactivate) a person; keep the register in step
with user accounts.

Everyone who must be trained is a `StaffMember`, with or without a login. Personal data stays minimal:
employee number, name, unit, position layer, position, hire date. A person is linked to the account whose
username is their employee number — when the person is registered or edited (`staff_create`,
`staff_update`, the import) and when an account is created or renamed to that number (`on_user_saved`, a
post_save receiver connected in `TrainingConfig.ready`). An officer may also link an account by hand (its
username). A linked account's unit change moves the person with it (the account is where the bank keeps
who works where day to day; the register is what training counts).

Writes need `training.manage_staff` and stay inside the actor's subtree (the person's unit and, for an edit,
the person as found). Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.training.models import MANAGE_STAFF, PositionLayer, StaffMember

FIELDS = ("employee_no", "name", "org_unit", "layer", "position", "hire_date", "active")
# Account fields whose change cannot affect the link or the unit (a login stamps last_login).
_IRRELEVANT_USER_FIELDS = frozenset({"last_login", "password", "password_changed_at", "totp_secret"})


def may_manage(user: Any, staff: StaffMember | None = None) -> bool:
    if not user.has_perm(MANAGE_STAFF):
        return False
    return staff is None or unit_in_scope(user, staff.org_unit)


def _unit(actor: Any, value: Any, errors: dict[str, list[str]]) -> OrgUnit | None:
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    else:
        code = str(value or "").strip()
        if not code:
            errors.setdefault("org_unit", []).append(_("Choose the unit."))
            return None
        unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not unit.is_active or not unit_in_scope(actor, unit):
        errors.setdefault("org_unit", []).append(_("Unknown or closed unit."))
        return None
    return unit


def _layer(value: Any, errors: dict[str, list[str]]) -> PositionLayer | None:
    if isinstance(value, PositionLayer):
        return value
    code = str(value or "").strip()
    layer = PositionLayer.objects.filter(code=code, active=True).first() if code else None
    if layer is None:
        errors.setdefault("layer", []).append(_("Choose a position layer."))
    return layer


def _date(value: Any, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault("hire_date", []).append(_("Enter a valid date."))
        return None


def _others(staff: StaffMember | None) -> Any:
    qs = StaffMember.objects.all()
    return qs if staff is None else qs.exclude(pk=staff.pk)


def _account(actor: Any, username: str, staff: StaffMember | None, errors: dict[str, list[str]]) -> Any:
    """The account named by the officer (visible to them, not linked to someone else); None for ""."""
    username = username.strip()
    if not username:
        return None
    user = User.objects.visible_to(actor).filter(username=username).first()
    if user is None:
        errors.setdefault("username", []).append(_("No account %(u)s in your units.") % {"u": username[:150]})
        return None
    taken = _others(staff).filter(user=user).first()
    if taken is not None:
        errors.setdefault("username", []).append(
            _("This account is linked to %(no)s already.") % {"no": taken.employee_no}
        )
        return None
    return user


def _clean(actor: Any, data: dict[str, Any], staff: StaffMember | None) -> dict[str, Any]:
    """The given fields checked and converted; every problem as a field error at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key in ("employee_no", "name", "position"):
        if key in data:
            out[key] = " ".join(str(data[key] or "").split())
    if "employee_no" in out:
        if not out["employee_no"]:
            errors.setdefault("employee_no", []).append(_("Enter the employee number."))
        elif _others(staff).filter(employee_no=out["employee_no"]).exists():
            errors.setdefault("employee_no", []).append(_("This employee number is in the register already."))
    if "name" in out and not out["name"]:
        errors.setdefault("name", []).append(_("Enter the name."))
    if "org_unit" in data:
        out["org_unit"] = _unit(actor, data["org_unit"], errors)
    if "layer" in data:
        out["layer"] = _layer(data["layer"], errors)
    if "hire_date" in data:
        out["hire_date"] = _date(data["hire_date"], errors)
    if "active" in data:
        out["active"] = bool(data["active"])
    if data.get("username") is not None:
        out["user"] = _account(actor, str(data["username"]), staff, errors)
    if errors:
        raise ValidationError(errors)
    return out


def _full_clean(staff: StaffMember) -> None:
    try:
        staff.full_clean(exclude=["org_unit", "layer", "user"], validate_unique=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _save(staff: StaffMember, actor: Any, before: dict[str, Any] | None) -> StaffMember:
    try:
        with transaction.atomic():
            staff.save()
            audit_change(actor=actor, obj=staff, before=before)
    except IntegrityError as exc:  # the same number registered at the same moment
        raise ValidationError(
            {"employee_no": [_("This employee number is in the register already.")]}
        ) from exc
    return staff


def link_by_number(staff: StaffMember) -> User | None:
    """The account whose username is the person's employee number, when it is not linked to anyone."""
    if staff.user_id is not None:
        return None
    return (
        User.objects.filter(username=staff.employee_no, staff_member__isnull=True)
        .only("pk", "org_unit")
        .first()
    )


def staff_create(*, actor: Any, data: dict[str, Any]) -> StaffMember:
    """Register a person: employee_no, name, org_unit (code or unit), layer (code or layer), position,
    hire_date, active (default yes), username (optional: the account to link; otherwise the account whose
    username is the employee number, if any)."""
    if not may_manage(actor):
        raise PermissionDenied(_("You may not edit the staff register."))
    missing = {k: "" for k in ("employee_no", "name", "org_unit", "layer") if k not in data}
    clean = _clean(actor, {**missing, **data}, None)
    staff = StaffMember(**{k: v for k, v in clean.items() if k in FIELDS})
    staff.active = clean.get("active", True)
    staff.user = clean.get("user") or link_by_number(staff)
    _full_clean(staff)
    return _save(staff, actor, None)


def staff_update(*, actor: Any, staff: StaffMember, data: dict[str, Any]) -> StaffMember:
    """Change the given fields of a person (the same keys as `staff_create`; `username: ""` unlinks the
    account). A person outside the actor's subtree cannot be edited, nor moved out of it."""
    if not may_manage(actor, staff):
        raise PermissionDenied(_("You may not edit this person."))
    clean = _clean(actor, data, staff)
    before = snapshot(staff)
    for key, value in clean.items():
        if key in FIELDS:
            setattr(staff, key, value)
    if "user" in clean:
        staff.user = clean["user"]
    elif "employee_no" in clean and staff.user_id is None:
        staff.user = link_by_number(staff)
    _full_clean(staff)
    return _save(staff, actor, before)


def staff_deactivate(*, actor: Any, staff: StaffMember, active: bool = False) -> StaffMember:
    """Mark a person as left (no longer counted in coverage; the record stays), or back (`active=True`)."""
    if not may_manage(actor, staff):
        raise PermissionDenied(_("You may not edit this person."))
    if staff.active == active:
        return staff
    before = snapshot(staff)
    staff.active = active
    return _save(staff, actor, before)


# --- keeping in step with accounts ---------------------------------------------------------------------


def before_user_saved(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """pre_save of an account: remember its unit as stored, to tell a unit change after the save."""
    if kwargs.get("raw") or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= _IRRELEVANT_USER_FIELDS:
        return
    instance._training_unit_before = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values_list("org_unit_id", flat=True).first()
    )


def on_user_saved(
    sender: Any, instance: User, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    """post_save of an account: link the unlinked person whose employee number is its username, and move
    the linked person to the account's new unit when the account moved."""
    if kwargs.get("raw"):
        return
    if update_fields is not None and set(update_fields) <= _IRRELEVANT_USER_FIELDS:
        return
    before = instance.__dict__.pop("_training_unit_before", instance.org_unit_id)
    sync_account(instance, unit_changed=not created and before != instance.org_unit_id)


def sync_account(user: User, *, unit_changed: bool = False) -> StaffMember | None:
    """Bring the register in step with one account (one query when nothing changes): link the person whose
    employee number is the username (when neither is linked), and when the account has just moved to
    another unit (`unit_changed`), move its person there too."""
    rows = list(
        StaffMember.objects.select_related("org_unit", "layer").filter(
            Q(user=user) | Q(employee_no=user.username, user__isnull=True)
        )[:2]
    )
    staff = next((s for s in rows if s.user_id == user.pk), None)
    if staff is None:
        staff = next((s for s in rows if s.employee_no == user.username), None)
        if staff is None:
            return None
        before = snapshot(staff)
        staff.user = user
        with transaction.atomic():
            StaffMember.objects.filter(pk=staff.pk, user__isnull=True).update(user=user)
            audit_change(actor=None, obj=staff, before=before)
    if unit_changed and user.org_unit_id and staff.org_unit_id != user.org_unit_id:
        before = snapshot(staff)
        staff.org_unit = user.org_unit  # type: ignore[assignment]
        with transaction.atomic():
            StaffMember.objects.filter(pk=staff.pk).update(org_unit_id=user.org_unit_id)
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=staff,
                changes={
                    "org_unit": [before.get("org_unit"), f"{user.org_unit} #{user.org_unit_id}"],
                    "reason": "the linked account moved",
                },
            )
    return staff


def link_accounts(staff_ids: list[int] | None = None) -> int:
    """Link every unlinked person (of `staff_ids`, else all) to the account named by their employee number;
    the number linked (the import calls this after writing)."""
    qs = StaffMember.objects.filter(user__isnull=True)
    if staff_ids is not None:
        qs = qs.filter(pk__in=staff_ids)
    linked = 0
    numbers = dict(qs.values_list("employee_no", "pk"))
    if not numbers:
        return 0
    names = list(numbers)
    for start in range(0, len(names), 500):
        chunk = names[start : start + 500]
        users = User.objects.filter(username__in=chunk, staff_member__isnull=True).values_list(
            "username", "pk"
        )
        for username, user_pk in users:
            linked += StaffMember.objects.filter(pk=numbers[username], user__isnull=True).update(
                user_id=user_pk
            )
    return linked
