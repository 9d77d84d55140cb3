"""The case library's write side: `draft_from_complaint` (the anonymised prefill), `entry_create`,
`entry_update`, `entry_publish`, `circulation_send`, `receipt_open`, `receipt_acknowledge`,
`circulation_remind`.

Every service checks permission and reach (the entry's unit in the actor's subtree), validates everything
before writing (field errors as a `ValidationError`, nothing stored), runs atomically and writes the audit
trail. No entry text may hold what the detector recognises (ID, phone, card numbers, e-mail addresses) nor
the source complainant's own data: saving refuses it with a field error naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.case_library.anonymise import Person, anonymise, leaks, person_from_consumer
from xiaobao.case_library.models import (
    MANAGE,
    VIEW,
    Audience,
    CaseEntry,
    Circulation,
    CirculationUnit,
    EntryStatus,
    Receipt,
)
from xiaobao.casework.notifications import notify_on_commit
from xiaobao.core.clock import localdate, now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import ALL, subtree_q, unit_in_scope, user_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.vault.detect import contains_c3

TEXT_FIELDS = ("title", "facts", "handling", "outcome", "lessons")
MAX_TAGS, MAX_TAG_LEN = 10, 20
MAX_ENTRIES_PER_CIRCULATION, MAX_UNITS_PER_CIRCULATION = 50, 200
CLOSED_STATUSES = ("closed", "archived")

# tags suggested while editing (free tags are allowed as well)
SUGGESTED_TAGS = [
    "销售误导",
    "适老化服务",
    "信息披露",
    "费用收取",
    "个人信息保护",
    "催收行为",
    "服务态度",
    "系统故障",
    "理赔争议",
    "特殊群体",
    "溯源整改",
    "多元化解",
    "重复投诉",
    "监管转办",
]

LEAK_LABELS = {
    "id_number": gettext_lazy("an ID number"),
    "phone": gettext_lazy("a phone number"),
    "card": gettext_lazy("a card or account number"),
    "email": gettext_lazy("an e-mail address"),
}


# --- reach --------------------------------------------------------------------------------------------


def may_manage(user: Any, entry: CaseEntry) -> bool:
    """The user may edit, publish and circulate the entry: manage permission, the entry's unit in scope."""
    return bool(user.has_perm(MANAGE)) and unit_in_scope(user, entry.org_unit)


def _require_manage(user: Any, entry: CaseEntry | None = None) -> None:
    if not user.has_perm(MANAGE):
        raise PermissionDenied(_("You may not manage the case library."))
    if entry is not None and not unit_in_scope(user, entry.org_unit):
        raise PermissionDenied(_("This entry belongs to a unit outside your scope."))


def sees_all(user: Any) -> bool:
    return user_scope(user) == ALL


# --- the anonymised draft from a complaint -------------------------------------------------------------


def _staff_names(complaint: Any) -> list[str]:
    users = [complaint.handler, complaint.registered_by, complaint.decision_approved_by]
    users += [complaint.redress_approved_by, complaint.created_by]
    names = {getattr(u, "full_name", "") for u in users if u is not None}
    for event in complaint.events.select_related("actor").all():
        if event.actor is not None:
            names.add(event.actor.full_name)
    return sorted(n for n in names if n)


def people_of(complaint: Any) -> list[Person]:
    """The complainant and the represented consumer as the vault knows them (unsealed here only)."""
    people = [person_from_consumer(complaint.complainant, 0)]
    if complaint.consumer_id and complaint.consumer_id != complaint.complainant_id:
        people.append(person_from_consumer(complaint.consumer, 1))
    return people


def _joined(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def draft_from_complaint(*, complaint: Any) -> dict[str, Any]:
    """The fields of a new entry prefilled from a complaint's texts, with personal data removed."""
    people, staff = people_of(complaint), _staff_names(complaint)

    def clean(text: str) -> str:
        return anonymise(text, people=people, staff=staff)

    bt, cause = complaint.business_type, complaint.cause
    title = "：".join(x for x in [bt.name if bt else "", cause.name if cause else ""] if x)
    facts = _joined(clean(complaint.description), _("Request: %(text)s") % {"text": clean(complaint.request)})
    handling = _joined(clean(complaint.decision_verification), clean(complaint.decision_basis))
    outcome_parts = [clean(complaint.decision_result)]
    if complaint.liability:
        outcome_parts.append(_("Liability: %(l)s") % {"l": complaint.get_liability_display()})
    if complaint.redress_amount:
        outcome_parts.append(_("Redress: %(amount)s yuan") % {"amount": complaint.redress_amount})
    return {
        "title": (title or _("Typical case"))[:200],
        "facts": facts[:8000],
        "handling": handling[:8000],
        "outcome": _joined(*outcome_parts)[:4000],
        "lessons": clean(complaint.root_cause)[:4000],
        "business_type": bt,
        "cause": cause,
        "tags": [],
        "year": complaint.receipt_date.year,
    }


# --- validation ---------------------------------------------------------------------------------------


def _code(value: Any, dimension: str, field: str, errors: dict[str, list[str]]) -> Any:
    from xiaobao.complaints.models import ComplaintCode

    if value in (None, ""):
        return None
    if isinstance(value, ComplaintCode):
        return value if value.dimension == dimension else None
    found = ComplaintCode.objects.filter(dimension=dimension, code=str(value)).first()
    if found is None:
        errors.setdefault(field, []).append(_("No such code."))
    return found


def clean_tags(value: Any) -> list[str]:
    """Tags from a list or a text separated by commas, 、 or spaces: trimmed, unique, in order."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,，、;；\s]+", str(value or ""))
    out: list[str] = []
    for item in items:
        tag = str(item).strip().strip("#")
        if tag and tag not in out:
            out.append(tag)
    return out


def _unit(value: Any, actor: Any, errors: dict[str, list[str]]) -> OrgUnit | None:
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    elif isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) < 10):
        unit = OrgUnit.objects.filter(pk=int(value)).first()
    else:
        unit = OrgUnit.objects.filter(code=str(value)).first()
    if unit is None or not unit_in_scope(actor, unit):
        errors.setdefault("org_unit", []).append(_("Choose a unit in your scope."))
        return None
    return unit


def _check_texts(entry: CaseEntry, people: list[Person], errors: dict[str, list[str]]) -> None:
    """No detected personal data, no C3 information and none of the source complainant's own data."""
    known = [v for p in people for v in p.values]
    for name in TEXT_FIELDS:
        text = str(getattr(entry, name) or "")
        found = leaks(text)
        if found:
            kinds = "、".join(str(LEAK_LABELS[k]) for k in found)
            errors.setdefault(name, []).append(
                _("This text contains %(kinds)s: remove it (entries never show personal data).")
                % {"kinds": kinds}
            )
        elif any(v and v in text for v in known):
            errors.setdefault(name, []).append(
                _("This text contains the complainant's personal data (name, number or address): remove it.")
            )
        if contains_c3(text):
            errors.setdefault(name, []).append(
                _("This text appears to contain a password, PIN, CVV or verification code: remove it.")
            )
    if entry.tag_index and leaks(entry.tag_index):
        errors.setdefault("tags", []).append(_("A tag contains personal data: remove it."))


def _apply(entry: CaseEntry, actor: Any, data: dict[str, Any]) -> None:
    """Set the given fields on the entry after validating them all; raises a ValidationError by field."""
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        if name in data:
            setattr(entry, name, str(data[name] or "").strip())
    for name, limit in (
        ("title", 200),
        ("facts", 8000),
        ("handling", 8000),
        ("outcome", 4000),
        ("lessons", 4000),
    ):
        value = getattr(entry, name)
        if name in ("title", "facts") and not value:
            errors.setdefault(name, []).append(_("This field is required."))
        if len(value) > limit:
            errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": limit})
    if "business_type" in data:
        entry.business_type = _code(data["business_type"], "business_type", "business_type", errors)
    if "cause" in data:
        entry.cause = _code(data["cause"], "cause", "cause", errors)
    if "tags" in data:
        tags = clean_tags(data["tags"])
        if len(tags) > MAX_TAGS:
            errors.setdefault("tags", []).append(_("At most %(n)d tags.") % {"n": MAX_TAGS})
        if any(len(t) > MAX_TAG_LEN for t in tags):
            errors.setdefault("tags", []).append(
                _("A tag has at most %(n)d characters.") % {"n": MAX_TAG_LEN}
            )
        entry.tags = tags
        entry.tag_index = ("|" + "|".join(tags) + "|") if tags else ""
    if data.get("org_unit") not in (None, ""):
        unit = _unit(data["org_unit"], actor, errors)
        if unit is not None:
            entry.org_unit = unit
    if "year" in data and data["year"] not in (None, ""):
        try:
            year = int(data["year"])
        except (TypeError, ValueError):
            year = 0
        if not 2000 <= year <= 2100:
            errors.setdefault("year", []).append(_("Enter a year between 2000 and 2100."))
        else:
            entry.year = year
    if data.get("audience"):
        if data["audience"] not in Audience.values:
            errors.setdefault("audience", []).append(_("Choose who the entry is published to."))
        else:
            entry.audience = data["audience"]
    if entry.audience == Audience.INSTITUTION and not sees_all(actor):
        errors.setdefault("audience", []).append(
            _("Only head office publishes to the whole institution; publish to your unit's subtree.")
        )
    people = people_of(entry.source_complaint) if entry.source_complaint_id else []
    _check_texts(entry, people, errors)
    if errors:
        raise ValidationError(errors)


# --- entries ------------------------------------------------------------------------------------------


def closed_complaint_for(actor: Any, complaint_id: Any) -> Any:
    """A closed complaint the actor can see, or a field error."""
    from xiaobao.complaints.models import Complaint

    try:
        pk = int(complaint_id)
    except (TypeError, ValueError):
        pk = 0
    complaint = (
        Complaint.objects.visible_to(actor)
        .select_related(
            "business_type", "cause", "complainant", "consumer", "handler", "registered_by", "created_by",
            "decision_approved_by", "redress_approved_by",
        )
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**31
        else None
    )  # fmt: skip
    if complaint is None:
        raise ValidationError({"complaint": [_("No such complaint in your scope.")]})
    if complaint.status not in CLOSED_STATUSES:
        raise ValidationError({"complaint": [_("Only a closed complaint becomes a case library entry.")]})
    return complaint


@transaction.atomic
def entry_create(*, actor: Any, data: dict[str, Any], complaint: Any = None) -> CaseEntry:
    """A draft entry: from a closed complaint (prefilled and anonymised, `data` overriding) or from fields."""
    _require_manage(actor)
    if actor.org_unit_id is None and not data.get("org_unit"):
        raise ValidationError({"org_unit": [_("Choose a unit in your scope.")]})
    fields: dict[str, Any] = {}
    entry = CaseEntry(created_by=actor, year=localdate().year)
    if complaint is not None:
        if CaseEntry.objects.filter(source_complaint=complaint).exists():
            raise Conflict(_("This complaint is already in the case library."), code="exists")
        fields = draft_from_complaint(complaint=complaint)
        entry.source_complaint = complaint
    fields.update({k: v for k, v in data.items() if v is not None})
    if actor.org_unit_id is not None:
        entry.org_unit = actor.org_unit
    entry.audience = Audience.INSTITUTION if sees_all(actor) else Audience.SUBTREE
    _apply(entry, actor, fields)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise Conflict(_("This complaint is already in the case library."), code="exists") from exc
    audit_change(actor=actor, obj=entry, before=None)
    return entry


@transaction.atomic
def entry_update(*, actor: Any, entry: CaseEntry, data: dict[str, Any]) -> CaseEntry:
    _require_manage(actor, entry)
    entry = CaseEntry.objects.select_for_update().select_related("org_unit").get(pk=entry.pk)
    before = snapshot(entry)
    _apply(entry, actor, data)
    entry.save()
    audit_change(actor=actor, obj=entry, before=before)
    return entry


@transaction.atomic
def entry_publish(*, actor: Any, entry: CaseEntry, audience: str = "") -> CaseEntry:
    """Publish a draft (checked once more for personal data); the audience may be chosen at the same time."""
    _require_manage(actor, entry)
    entry = CaseEntry.objects.select_for_update().select_related("org_unit").get(pk=entry.pk)
    if entry.is_published:
        raise Conflict(_("This entry is already published."), code="published")
    before = snapshot(entry)
    _apply(entry, actor, {"audience": audience} if audience else {})
    entry.status, entry.published_by, entry.published_at = EntryStatus.PUBLISHED, actor, now()
    entry.save()
    audit_change(actor=actor, obj=entry, before=before)
    return entry


@transaction.atomic
def entry_withdraw(*, actor: Any, entry: CaseEntry) -> CaseEntry:
    """Back to draft: no longer shown to readers (circulations keep their receipts)."""
    _require_manage(actor, entry)
    entry = CaseEntry.objects.select_for_update().get(pk=entry.pk)
    before = snapshot(entry)
    entry.status, entry.published_at = EntryStatus.DRAFT, None
    entry.save()
    audit_change(actor=actor, obj=entry, before=before)
    return entry


# --- circulations ------------------------------------------------------------------------------------


def readers_of(units: Iterable[OrgUnit], *, exclude: Any = None) -> list[Any]:
    """Active users holding the view permission (through a role or directly) in the units' subtrees."""
    User = get_user_model()
    units = list(units)
    if not units:
        return []
    where = Q()
    for unit in units:
        where |= subtree_q(unit.path, "org_unit__path")
    app, codename = VIEW.split(".")
    perm = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app
    )
    ids = set(User.objects.filter(where, is_active=True).filter(perm).values_list("pk", flat=True).distinct())
    if exclude is not None:
        ids.discard(exclude.pk)
    return list(User.objects.filter(pk__in=ids).select_related("org_unit").order_by("pk"))


def _ids(values: Any, field: str, limit: int) -> list[int]:
    if not isinstance(values, list | tuple) or not values:
        raise ValidationError({field: [_("Choose at least one.")]})
    out: list[int] = []
    for v in values:
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise ValidationError({field: [_("Give numeric ids.")]}) from None
        if not 0 < n < 2**31:
            raise ValidationError({field: [_("No such id: %(id)s.") % {"id": v}]})
        if n not in out:
            out.append(n)
    if len(out) > limit:
        raise ValidationError({field: [_("At most %(n)d.") % {"n": limit}]})
    return out


@transaction.atomic
def circulation_send(*, actor: Any, entry_ids: Any, unit_ids: Any, message: str = "") -> Circulation:
    """Send published entries the actor sees to units in the actor's subtree (any unit for head office);
    every reader there gets a notification and a receipt."""
    if not actor.has_perm(MANAGE) or not actor.has_perm(VIEW):
        raise PermissionDenied(_("You may not circulate case library entries."))
    if actor.org_unit_id is None:
        raise PermissionDenied(_("You have no unit to send from."))
    errors: dict[str, list[str]] = {}
    try:
        e_ids = _ids(entry_ids, "case_ids", MAX_ENTRIES_PER_CIRCULATION)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        e_ids = []
    try:
        u_ids = _ids(unit_ids, "unit_ids", MAX_UNITS_PER_CIRCULATION)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        u_ids = []
    entries = list(CaseEntry.objects.visible_to(actor).published().filter(pk__in=e_ids))
    if e_ids and len(entries) != len(e_ids):
        missing = sorted(set(e_ids) - {e.pk for e in entries})
        errors.setdefault("case_ids", []).append(
            _("Not a published entry you can see: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
        )
    units = list(OrgUnit.objects.filter(pk__in=u_ids, is_active=True))
    outside = sorted(set(u_ids) - {u.pk for u in units if unit_in_scope(actor, u)})
    if outside:
        errors.setdefault("unit_ids", []).append(
            _("You may circulate only to open units in your own subtree: %(ids)s.")
            % {"ids": ", ".join(map(str, outside))}
        )
    message = str(message or "").strip()
    if len(message) > 2000:
        errors.setdefault("message", []).append(_("At most %(n)d characters.") % {"n": 2000})
    elif leaks(message) or contains_c3(message):
        errors.setdefault("message", []).append(_("The message must not contain personal data."))
    if errors:
        raise ValidationError(errors)
    circulation = Circulation.objects.create(
        org_unit=actor.org_unit, sender=actor, message=message, sent_at=now()
    )
    circulation.entries.set(entries)
    CirculationUnit.objects.bulk_create([CirculationUnit(circulation=circulation, unit=u) for u in units])
    readers = readers_of(units, exclude=actor)
    Receipt.objects.bulk_create(
        [Receipt(circulation=circulation, user=u, unit_id=u.org_unit_id) for u in readers]
    )
    audit_record(
        actor=actor,
        action="create",
        obj=circulation,
        changes={
            "entries": [None, [e.pk for e in entries]],
            "units": [None, [u.code for u in units]],
            "readers": [None, len(readers)],
        },
    )
    _tell(circulation, [u.pk for u in readers], kind="case_circulated", key=f"caselib-circ:{circulation.pk}")
    return circulation


def _tell(
    circulation: Circulation, user_ids: list[int], *, kind: str, key: str, reminder: bool = False
) -> None:
    if not user_ids:
        return
    n = circulation.entries.count()
    text = (
        _("Reminder: please read the %(n)d typical cases circulated by %(unit)s.")
        if reminder
        else _("%(unit)s circulated %(n)d typical cases for you to read.")
    ) % {"n": n, "unit": circulation.org_unit.name}
    if circulation.message:
        text += " " + circulation.message[:200]
    notify_on_commit(users=user_ids, subject=circulation, kind=kind, message=text[:300], key=key)


def receipt_for(*, user: Any, circulation: Circulation) -> Receipt:
    """The user's receipt of a circulation addressed to them (made on first sight for a later joiner)."""
    receipt = Receipt.objects.filter(circulation=circulation, user=user).first()
    if receipt is None:
        if not Circulation.objects.addressed_to(user).filter(pk=circulation.pk).exists():
            raise PermissionDenied(_("This circulation was not sent to your unit."))
        receipt, _created = Receipt.objects.get_or_create(
            circulation=circulation, user=user, defaults={"unit_id": user.org_unit_id}
        )
    return receipt


@transaction.atomic
def receipt_open(*, user: Any, circulation: Circulation) -> Receipt:
    """Record that the reader opened the circulation (first time only)."""
    receipt = receipt_for(user=user, circulation=circulation)
    if receipt.opened_at is None:
        Receipt.objects.filter(pk=receipt.pk, opened_at__isnull=True).update(opened_at=now())
        receipt.refresh_from_db()
    return receipt


@transaction.atomic
def receipt_acknowledge(*, user: Any, circulation: Circulation) -> Receipt:
    """ "I have read": the reader confirms (idempotent; opening is recorded too)."""
    receipt = receipt_open(user=user, circulation=circulation)
    if receipt.acknowledged_at is None:
        Receipt.objects.filter(pk=receipt.pk, acknowledged_at__isnull=True).update(acknowledged_at=now())
        receipt.refresh_from_db()
        audit_record(actor=user, action="update", obj=circulation, changes={"read_by": [None, user.username]})
    return receipt


@transaction.atomic
def circulation_remind(*, actor: Any, circulation: Circulation) -> int:
    """Remind the readers who have not confirmed reading; returns how many were reminded."""
    if not actor.has_perm(MANAGE) or not unit_in_scope(actor, circulation.org_unit):
        raise PermissionDenied(_("You may not remind the readers of this circulation."))
    unread = list(
        Receipt.objects.select_for_update().filter(circulation=circulation, acknowledged_at__isnull=True)
    )
    if not unread:
        return 0
    at = now()
    Receipt.objects.filter(pk__in=[r.pk for r in unread]).update(reminded_at=at, reminders=F("reminders") + 1)
    audit_record(actor=actor, action="update", obj=circulation, changes={"reminded": [None, len(unread)]})
    _tell(
        circulation,
        [r.user_id for r in unread],
        kind="case_reminder",
        key=f"caselib-remind:{circulation.pk}:{at.isoformat()}",
        reminder=True,
    )
    return len(unread)
