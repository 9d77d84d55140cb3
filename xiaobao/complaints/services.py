"""Write side of complaints: register (idempotent), and one transition service for every action."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.casework.events import announce
from xiaobao.casework.transitions import Handler as TransitionHandler
from xiaobao.casework.transitions import Transitions, lock
from xiaobao.complaints import sla, workflow
from xiaobao.complaints.choices import (
    CodeDimension,
    ComplainantRole,
    Liability,
    NotifyMethod,
    PauseReason,
    Priority,
    SensitivityTag,
    Source,
    SpecialGroup,
    Status,
)
from xiaobao.complaints.models import (
    Assistance,
    Clock,
    Complaint,
    ComplaintCode,
    ComplaintEvent,
    DeadlineRule,
    Extension,
)
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.clock import recording_at
from xiaobao.core.errors import Conflict
from xiaobao.core.models import Consumer, OrgUnit, User
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, snapshot
from xiaobao.core.services.consumers import consumer_create, consumer_update
from xiaobao.core.vault import crypto
from xiaobao.core.workdays import get_calendar, receipt_date

MAJOR_GROUP_SIZE = 20  # NFRA 2020 Art 29(2): 20 or more complainants face to face
DEFAULT_REMEDIES = gettext_lazy(
    "If you disagree with this decision you may apply to our superior institution for a review "
    "within 30 days of receiving it, or seek mediation, arbitration or litigation."
)


def _approval_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "COMPLAINT_APPROVAL_AMOUNT", "50000")))


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- registration -------------------------------------------------------------------------------------


def _codes(data: dict[str, Any]) -> dict[str, ComplaintCode]:
    """The channel, business type and cause of a new complaint in one query (each must be active)."""
    wanted = {
        field: (dimension, str(data.get(field) or ""))
        for field, dimension in (
            ("channel", CodeDimension.CHANNEL),
            ("business_type", CodeDimension.BUSINESS_TYPE),
            ("cause", CodeDimension.CAUSE),
        )
    }
    match = Q()
    for dimension, code in wanted.values():
        match |= Q(dimension=dimension, code=code)
    found = {(c.dimension, c.code): c for c in ComplaintCode.objects.active().filter(match)}
    for field, key in wanted.items():
        if key not in found:
            raise _err(field, _("Unknown or inactive code."))
    return {field: found[key] for field, key in wanted.items()}


DECIDED_STATUSES = set(workflow.group("decided"))


def _repeat_flags(complaint: Complaint) -> tuple[bool, bool]:
    """(repeat, secondary) from the complainant's earlier complaints about the same business type."""
    if complaint.complainant.pk is None:
        return False, False
    since = complaint.receipt_date - dt.timedelta(days=settings.REPEAT_WINDOW_DAYS)
    earlier = Complaint.objects.filter(
        complainant_id=complaint.complainant.pk,
        business_type_id=complaint.business_type_id,
        receipt_date__gte=since,
        received_at__lte=complaint.received_at,
    ).values_list("status", "source")
    rows = list(earlier[:50])
    if not rows:
        return False, False
    escalated = complaint.source != Source.DIRECT and any(src == Source.DIRECT for _, src in rows)
    decided = any(status in DECIDED_STATUSES for status, _ in rows)
    return True, escalated or decided


def _complainant(actor: User, unit: OrgUnit, data: dict[str, Any]) -> Consumer:
    """Reuse the consumer with the same ID number (blind index) in the actor's scope, else register one."""
    person = data.get("complainant") or {}
    if not isinstance(person, dict) or not str(person.get("name") or "").strip():
        raise _err("complainant.name", _("The complainant's name is required."))
    id_number = str(person.get("id_number") or "").strip()
    if id_number:
        digest = crypto.blind_index(id_number, "id_number")
        existing = Consumer.objects.visible_to(actor).filter(id_number_bidx=digest).first()
        if existing is not None:
            email = str(person.get("email") or "").strip()
            known: Any = existing.email  # Sealed (read from the database) or ""
            if email and email != (known.reveal() if known else ""):
                # the address given now is where the notices go (validated and audited like any change)
                try:
                    return consumer_update(actor=actor, consumer=existing, email=email)
                except ValidationError as exc:
                    raise ValidationError(
                        {f"complainant.{k}": v for k, v in exc.message_dict.items()}
                    ) from exc
            return existing
    personal = ("id_number", "phone", "account_number", "address", "email")
    fields = {k: str(person.get(k) or "") for k in personal}
    try:
        return consumer_create(
            actor=actor,
            org_unit=unit,
            name=str(person["name"]),
            kind=str(person.get("kind") or "person"),
            id_type=str(person.get("id_type") or "resident_id"),
            **fields,
        )
    except ValidationError as exc:
        raise ValidationError({f"complainant.{k}": v for k, v in exc.message_dict.items()}) from exc


def _choices(values: Any, allowed: type, field: str) -> list[str]:
    values = list(values or [])
    known = {c.value for c in allowed}  # type: ignore[attr-defined]
    bad = [v for v in values if v not in known]
    if bad:
        raise _err(field, _("Unknown value: %(v)s") % {"v": ", ".join(map(str, bad))})
    return sorted(set(values))


def _datetime(value: Any, field: str, receipt: bool = False) -> dt.datetime:
    """A date and time, not in the future: `receipt` words the errors for the time of receipt."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise _err(field, _("Enter a valid date and time.")) from exc
    if not isinstance(value, dt.datetime):
        raise _err(field, _("Enter a valid date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > recorded_now() + dt.timedelta(minutes=5):
        future = _("The time of receipt cannot be in the future.") if receipt else None
        raise _err(field, future or _("The time cannot be in the future."))
    if value.year < 2000:
        past = _("The time of receipt is too far in the past.") if receipt else None
        raise _err(field, past or _("The time is too far in the past."))
    return value.astimezone(dt.UTC)  # as the database gives it back


def _received_at(value: Any) -> dt.datetime:
    return _datetime(value, "received_at", receipt=True)


def _past_datetime(data: dict[str, Any], field: str) -> dt.datetime | None:
    """An optional date and time (None when not given), its errors on `field`."""
    value = data.get(field)
    return None if value in (None, "") else _datetime(value, field)


def _amount(value: Any, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise _err(field, _("Enter a number.")) from exc
    if amount.is_nan():
        raise _err(field, _("Enter a number."))
    if amount < 0 or amount >= Decimal("1e14"):
        raise _err(field, _("Enter an amount between 0 and 99,999,999,999,999."))
    return amount.quantize(Decimal("0.01"))


def _staff(actor: User, usernames: Any) -> list[User]:
    names = [str(n) for n in (usernames or [])]
    users = list(User.objects.filter(username__in=names))
    missing = set(names) - {u.username for u in users}
    if missing:
        raise _err("staff_named", _("Unknown staff: %(v)s") % {"v": ", ".join(sorted(missing))})
    return users


def _build(actor: User, data: dict[str, Any]) -> tuple[Complaint, list[User]]:
    unit = (
        OrgUnit.objects.visible_to(actor).filter(code=str(data.get("org_unit") or ""), is_active=True).first()
    )
    if unit is None:
        raise _err("org_unit", _("Unknown or closed unit."))
    received = _received_at(data.get("received_at"))
    source = str(data.get("source") or Source.DIRECT)
    if source not in Source.values:
        raise _err("source", _("Unknown source."))
    role = str(data.get("complainant_role") or ComplainantRole.SELF)
    if role not in ComplainantRole.values:
        raise _err("complainant_role", _("Unknown value."))
    people = int(data.get("people_count") or 1)
    if not 1 <= people <= 100000:
        raise _err("people_count", _("Enter a number of people between 1 and 100000."))
    groups = _choices(data.get("special_groups"), SpecialGroup, "special_groups")
    face_to_face = bool(data.get("face_to_face"))
    codes = _codes(data)
    c = Complaint(
        reference=f"tmp-{uuid.uuid4().hex[:16]}",
        source=source,
        external_reference=str(data.get("external_reference") or "")[:64],
        channel=codes["channel"],
        business_type=codes["business_type"],
        cause=codes["cause"],
        received_at=received,
        receipt_date=receipt_date(received),
        registered_by=actor,
        registering_unit=actor.org_unit or unit,
        org_unit=unit,
        product=str(data.get("product") or "")[:100],
        amount_in_dispute=_amount(data.get("amount_in_dispute"), "amount_in_dispute"),
        complainant_role=role,
        special_groups=groups,
        request=str(data.get("request") or "").strip(),
        description=str(data.get("description") or "").strip(),
        sensitivity_tags=_choices(data.get("sensitivity_tags"), SensitivityTag, "sensitivity_tags"),
        people_count=people,
        face_to_face=face_to_face,
        created_by=actor,
        priority=Priority.HIGH if groups else Priority.NORMAL,
    )
    if face_to_face and people >= MAJOR_GROUP_SIZE:
        c.is_major, c.major_reason = (
            True,
            _("%(n)d people complained face to face together (Art 29)") % {"n": people},
        )
        c.priority = Priority.URGENT
    if data.get("is_major") and not c.is_major:
        c.is_major, c.major_reason = True, str(data.get("major_reason") or "")[:200]
    return c, _staff(actor, data.get("staff_named"))


def complaint_register(
    *, actor: User, data: dict[str, Any], idempotency_key: str | None = None, at: dt.datetime | None = None
) -> tuple[Complaint, bool]:
    """Register a complaint. With an idempotency key, a retry by the same client returns the first one.

    `at`: enter a registration made earlier, recorded at that time (`xiaobao.core.clock.recording_at`)."""
    if at is not None:
        with recording_at(at):
            return complaint_register(actor=actor, data=data, idempotency_key=idempotency_key)
    if idempotency_key:
        existing = Complaint.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return _register(actor, data, idempotency_key), True
    except IntegrityError:
        existing = Complaint.objects.filter(created_by=actor, idempotency_key=idempotency_key).first()
        if idempotency_key and existing is not None:
            return existing, False
        raise


# Not re-validated by `full_clean`: the temporary reference, and the foreign keys `_build` and `_register`
# looked up themselves in this transaction (`full_clean` would query each one again to check it exists).
_NOT_REVALIDATED = [
    "reference",
    "channel",
    "business_type",
    "cause",
    "registered_by",
    "registering_unit",
    "org_unit",
    "complainant",
    "created_by",
]


def _register(actor: User, data: dict[str, Any], idempotency_key: str | None) -> Complaint:
    """One complaint, its register event, its clocks and one audit row, in a fixed number of statements.

    The clocks are computed before the complaint row is written (a new complaint's only event is its
    registration), so the row goes in with its decision state and the clocks in one INSERT; the reference,
    which needs the row's id, is the one UPDATE."""
    complaint, staff = _build(actor, data)
    complaint.complainant = _complainant(actor, complaint.org_unit, data)
    complaint.is_repeat, complaint.is_secondary = _repeat_flags(complaint)
    complaint.idempotency_key = idempotency_key or None
    # The idempotency constraint is left to the database: a concurrent retry surfaces as IntegrityError.
    complaint.full_clean(exclude=_NOT_REVALIDATED, validate_constraints=False)
    now = recorded_now()
    event = ComplaintEvent(
        at=now,
        effective_date=complaint.receipt_date,
        actor=actor,
        action="register",
        to_status=complaint.status,
        data={"source": complaint.source, "major": complaint.is_major},
    )
    rules = rules_for(complaint)
    results = _compute_clocks(complaint, rules, [event])
    decision = next((r for r in results if r.name == "decision"), None)
    values = _decision_values(decision, rules["decision"].days if decision else 0)
    for field, value in values.items():
        setattr(complaint, field, value)
    complaint.save()
    complaint.reference = f"TS{complaint.receipt_date:%Y%m%d}{complaint.pk:07d}"
    Complaint.objects.filter(pk=complaint.pk).update(reference=complaint.reference)
    if staff:
        complaint.staff_named.set(staff)
    event.complaint = complaint
    event.save(force_insert=True)
    clocks = Clock.objects.bulk_create(
        [Clock(complaint=complaint, name=r.name, rule=rules[r.name], **r.stored()) for r in results]
    )
    complaint.registered_clocks = clocks  # the API answers with them
    complaint.registered_staff = staff
    audit_change(actor=actor, obj=complaint, before=None)
    if complaint.is_major:
        _on_commit_notify_major(complaint)
    announce(item=complaint, action="register", event=event, actor=actor)
    return complaint


def _on_commit_notify_major(complaint: Complaint) -> None:
    def send() -> None:
        from xiaobao.complaints.notifications import notify

        officers = User.objects.filter(groups__name="hq_cp_officer", is_active=True)
        notify(
            users=list(officers),
            complaint=complaint,
            kind="major",
            message=_("Major complaint %(ref)s registered") % {"ref": complaint.reference},
            key=f"major:{complaint.pk}",
        )

    transaction.on_commit(send)


# --- clocks -------------------------------------------------------------------------------------------


def _rule_spec(rule: DeadlineRule) -> sla.RuleSpec:
    return sla.RuleSpec(rule.code, rule.days, rule.unit, rule.roll_forward)


COMPLAINT_SUBJECT = "complaints.complaint"


def rules_for(complaint: Complaint) -> dict[str, DeadlineRule]:
    """The rule of each clock: the decision rule whose sources include the complaint's source. Only rules
    for complaints: other modules' rules may name a clock the same way (review's "review")."""
    rules = list(DeadlineRule.objects.filter(is_active=True, subject=COMPLAINT_SUBJECT))
    decision = next((r for r in rules if r.clock == "decision" and complaint.source in r.sources), None)
    decision = decision or next((r for r in rules if r.code == "nfra-2020"), None)
    out = {"decision": decision} if decision else {}
    for clock in ("first_contact", "review"):
        rule = next((r for r in rules if r.clock == clock), None)
        if rule:
            out[clock] = rule
    return out  # type: ignore[return-value]


def _compute_clocks(
    complaint: Complaint,
    rules: dict[str, DeadlineRule],
    events: list[ComplaintEvent],
    today: dt.date | None = None,
) -> list[sla.ClockResult]:
    return sla.compute_clocks(
        get_calendar(),
        rules={k: _rule_spec(r) for k, r in rules.items()},
        receipt=complaint.receipt_date,
        events=[sla.EventSpec(e.action, e.effective_date, e.data) for e in events],
        status=complaint.status,
        today=today or recorded_date(),
        review_requested_on=complaint.review_requested_on,
    )


def complaint_recompute_clocks(complaint: Complaint, today: dt.date | None = None) -> list[Clock]:
    """Recompute every clock from the event history and store them (called inside each transition)."""
    rules = rules_for(complaint)
    events = list(complaint.events.order_by("at", "id").only("action", "effective_date", "data"))
    results = _compute_clocks(complaint, rules, events, today)
    existing = {
        k.name: k.due_date for k in Clock.objects.filter(complaint=complaint).only("name", "due_date")
    }
    clocks = []
    for r in results:
        defaults = {"rule": rules[r.name], **r.stored()}
        if existing.get(r.name) != r.due_date:  # a moved deadline earns fresh warnings and a fresh ladder
            defaults |= {"warned": [], "escalation_level": 0}
        clock, _created = Clock.objects.update_or_create(complaint=complaint, name=r.name, defaults=defaults)
        clocks.append(clock)
    decision = next((r for r in results if r.name == "decision"), None)
    _sync_decision(complaint, decision, rules["decision"].days if decision else 0)
    return clocks


def _decision_values(result: sla.ClockResult | None, base_days: int) -> dict[str, Any]:
    """The decision clock's outcome as the complaint row keeps it (what statistics count and lists sort)."""
    return {
        "decision_state": result.state if result else "",
        "decided_on": result.met_on if result else None,
        "decision_due": result.due_date if result else None,
        "is_extended": bool(result and result.days > base_days),
    }


def _sync_decision(complaint: Complaint, result: sla.ClockResult | None, base_days: int) -> None:
    """Copy the decision clock's outcome onto the complaint row."""
    values = _decision_values(result, base_days)
    if any(getattr(complaint, k) != v for k, v in values.items()):
        Complaint.objects.filter(pk=complaint.pk).update(**values)
        for k, v in values.items():
            setattr(complaint, k, v)


# --- transitions ----------------------------------------------------------------------------------------

# What a unit asked to assist may do on a complaint it only reads (Complaint.objects.visible_to).
ASSISTING_ACTIONS = frozenset({"answer_assist"})
# What the unit a transfer is pending with may do before it has taken the complaint: take it (accept), or
# take it and hand it to one of its handlers (assign); anything else waits until it is the unit's own.
RECEIVING_ACTIONS = frozenset({"accept", "assign"})


def can_reach(user: User, complaint: Complaint, action: str) -> bool:
    """The user may act on this complaint at all: its own work, a receiving unit taking it, or an assisting
    unit's answer."""
    if action in ASSISTING_ACTIONS:
        return True
    if not complaint.workable_by(user):
        return False
    return action in RECEIVING_ACTIONS or not complaint.only_receives(user)


def can_work(user: Any, complaint: Complaint) -> bool:
    """The complaint is the user's own work (not only asked to assist on, not only pending with his unit):
    he may add to it (attachments) as well as act."""
    return complaint.workable_by(user) and not complaint.only_receives(user)


LOCK_RELATED = (
    "channel",
    "business_type",
    "cause",
    "registered_by",
    "registering_unit",
    "org_unit",
    "pending_unit",
    "handler",
    "complainant",
    "consumer",
    "merged_into",
    "review_unit",
    "decision_approved_by",
    "redress_approved_by",
    "created_by",
)

# The one transition service of complaints: lock, version, table, permission, input schema, handler, event,
# status, clocks, audit (`xiaobao.casework.transitions`). The handlers below register with `@handles`.
TRANSITIONS = Transitions(
    model=Complaint,
    event_model=ComplaintEvent,
    workflow=workflow.WORKFLOW,
    recompute=lambda c: complaint_recompute_clocks(c),
    reach=can_reach,
    lock_related=LOCK_RELATED,
    item_field="complaint",
    messages={
        "unreachable": gettext_lazy("Your unit is not responsible for this complaint."),
        "conflict": gettext_lazy(
            "Someone else changed this complaint in the meantime. Reload and try again."
        ),
        "invalid_state": gettext_lazy("This action is not possible while the complaint is “%(s)s”."),
    },
)
Handler = TransitionHandler
HANDLERS: dict[str, Handler] = TRANSITIONS.handlers
handles = TRANSITIONS.handles
_lock = lock


def can_act(user: User, complaint: Complaint, action: str) -> bool:
    """Permission, reach and table check only (no data validation): used to show buttons."""
    return TRANSITIONS.can_act(user, complaint, action)


def allowed_actions(user: User, complaint: Complaint) -> list[workflow.Action]:
    return TRANSITIONS.allowed_actions(user, complaint)


def _locked(pk: int) -> Complaint:
    """The complaint row locked for this transaction, with the objects the audit snapshot names loaded."""
    return TRANSITIONS.locked(pk)  # type: ignore[no-any-return]


def complaint_transition(
    *,
    actor: User,
    complaint: Complaint,
    action: str,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Complaint:
    """Lock, check the table and the actor, validate the action's input, apply it, write the event,
    recompute the clocks, audit (`TRANSITIONS.run`).

    Two people acting at once: the second waits for the lock, then finds the state changed → Conflict (409).
    `at`: enter an action taken earlier, recorded at that time (`xiaobao.core.clock.recording_at`).
    """
    return TRANSITIONS.run(  # type: ignore[no-any-return]
        actor=actor, item=complaint, action=action, data=data, expected_version=expected_version, at=at
    )


def _date(
    data: dict[str, Any], field: str, *, default_today: bool = True, not_before: dt.date | None = None
) -> dt.date:
    value = data.get(field)
    if value in (None, "") and default_today:
        return recorded_date()
    try:
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _err(field, _("Enter a valid date.")) from exc
    if d > recorded_date():
        raise _err(field, _("The date cannot be in the future."))
    if not_before and d < not_before:
        raise _err(field, _("The date cannot be before %(d)s.") % {"d": not_before})
    return d


def _text(data: dict[str, Any], field: str, required: bool = True, max_length: int = 5000) -> str:
    from xiaobao.core.vault.detect import validate_no_c3

    value = str(data.get(field) or "").strip()
    if required and not value:
        raise _err(field, _("This field is required."))
    if len(value) > max_length:
        raise _err(field, _("At most %(n)d characters.") % {"n": max_length})
    try:
        validate_no_c3(value)
    except ValidationError as exc:
        raise _err(field, exc.messages[0]) from exc
    return value


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _recusal(user: User, complaint: Complaint, field: str = "handler") -> None:
    if complaint.staff_named.filter(pk=user.pk).exists():
        raise _err(
            field,
            _("%(u)s is named in this complaint and must not handle or decide it (recusal).") % {"u": user},
        )


def _unit(actor: User, data: dict[str, Any], field: str = "unit") -> OrgUnit:
    code = str(data.get(field) or "")
    unit = OrgUnit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise _err(field, _("Unknown or closed unit."))
    return unit


@handles("assign")
def _assign(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    unit = _unit(actor, data) if data.get("unit") else c.org_unit
    if not unit_in_scope(actor, unit):
        raise _err("unit", _("The unit is outside your part of the institution."))
    handler = None
    if data.get("handler"):
        handler = (
            User.objects.filter(username=str(data["handler"]), is_active=True, is_service=False)
            .select_related("org_unit")
            .first()
        )
        if handler is None or handler.org_unit is None or not handler.has_perm("complaints.handle_complaint"):
            raise _err("handler", _("Unknown user, or the user does not handle complaints."))
        if not handler.org_unit.path.startswith(unit.path) and not handler.has_perm("core.view_all_units"):
            raise _err("handler", _("The handler must belong to the responsible unit."))
        _recusal(handler, c)
    c.org_unit, c.handler, c.pending_unit = unit, handler, None
    _notify_later(c, handler, "assigned", _("Complaint %(ref)s was assigned to you"))
    return {"unit": unit.code, "handler": handler.username if handler else None}, None


@handles("accept")
def _accept(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    if c.handler_id and c.handler_id != actor.pk:
        raise PermissionDenied(_("Only the assigned handler can accept this complaint."))
    target = c.pending_unit or c.org_unit
    if c.handler_id != actor.pk and not unit_in_scope(actor, target):
        raise PermissionDenied(_("Only the receiving unit can accept this complaint."))
    _recusal(actor, c)
    c.org_unit, c.pending_unit, c.handler = target, None, actor
    return {"unit": target.code, "handler": actor.username}, None


@handles("transfer")
def _transfer(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    unit = _unit(actor, data)
    if unit == c.org_unit:
        raise _err("unit", _("The complaint is already with this unit."))
    reason = _text(data, "reason")
    c.pending_unit, c.handler = unit, None  # the first responder's unit stays responsible until accepted
    return {"unit": unit.code, "reason": reason}, None


@handles("contact")
def _contact(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date]:
    day = _date(data, "date", not_before=c.receipt_date)
    method = str(data.get("method") or "phone")
    if method not in NotifyMethod.values:
        raise _err("method", _("Unknown value."))
    return {"method": method, "summary": _text(data, "summary", required=False)}, day


@handles("assist")
def _assist(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    unit = _unit(actor, data)
    question = _text(data, "question")
    task = Assistance.objects.create(complaint=c, unit=unit, requested_by=actor, question=question)
    responders = User.objects.filter(
        org_unit=unit, groups__name__in=["business_responder", "complaint_handler"], is_active=True
    )
    for user in responders:
        _notify_later(c, user, f"assist:{task.pk}", _("Complaint %(ref)s: your unit is asked to assist"))
    return {"unit": unit.code, "assistance": task.pk}, None


@handles("answer_assist")
def _answer_assist(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    task = (
        c.assistances.filter(pk=_int(data.get("assistance")), answered_at__isnull=True)
        .select_related("unit")
        .first()
    )
    if task is None:
        raise _err("assistance", _("No open assistance request with this number."))
    if not unit_in_scope(actor, task.unit):
        raise PermissionDenied(_("Only the asked unit can answer."))
    task.answer, task.answered_by, task.answered_at = _text(data, "answer"), actor, recorded_now()
    task.save()
    return {"assistance": task.pk}, None


@handles("pause")
def _pause(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date]:
    reason = str(data.get("reason") or "")
    if reason not in PauseReason.values:
        raise _err("reason", _("Choose appraisal or mediation."))
    day = _date(data, "date", not_before=c.receipt_date)
    return {"reason": reason, "detail": _text(data, "detail", required=False)}, day


@handles("resume")
def _resume(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date]:
    paused_on = (
        c.events.filter(action="pause").order_by("-at").values_list("effective_date", flat=True).first()
    )
    day = _date(data, "date", not_before=paused_on or c.receipt_date)
    return {}, day


@handles("extend")
def _extend(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    rule = rules_for(c)["decision"]
    clock = c.clocks.filter(name="decision").first()
    try:
        to_days = int(data.get("to_days") or 0)
    except (TypeError, ValueError) as exc:
        raise _err("to_days", _("Enter a number of days.")) from exc
    step = rule.step_for(to_days)
    if step is None or (clock and to_days <= clock.days):
        allowed = ", ".join(str(s["to_days"]) for s in rule.extensions) or "—"
        raise _err(
            "to_days",
            _("Under %(rule)s the deadline can be extended to: %(allowed)s days.")
            % {"rule": rule.code, "allowed": allowed},
        )
    if c.extensions.filter(state=Extension.State.PENDING).exists():
        raise Conflict(_("An extension is already awaiting approval."), code="pending_extension")
    needs_approval = bool(step.get("approval"))
    told = _past_datetime(data, "complainant_told_at")
    ext = Extension.objects.create(
        complaint=c,
        to_days=to_days,
        reason=_text(data, "reason"),
        requested_by=actor,
        state=Extension.State.PENDING if needs_approval else Extension.State.APPROVED,
        complainant_told_at=told,
    )
    if needs_approval:
        _notify_approvers(c, f"ext:{ext.pk}", _("Complaint %(ref)s: an extension awaits your approval"))
    return {"to_days": to_days, "needs_approval": needs_approval, "extension": ext.pk}, None


def _decide_extension(actor: User, c: Complaint, approve: bool) -> tuple[dict[str, Any], None]:
    ext = c.extensions.filter(state=Extension.State.PENDING).first()
    if ext is None:
        raise Conflict(_("No extension awaits approval."), code="no_pending_extension")
    if ext.requested_by_id == actor.pk:
        raise PermissionDenied(_("The approver must not be the person who asked."))
    _recusal(actor, c, "approver")
    ext.state = Extension.State.APPROVED if approve else Extension.State.REJECTED
    ext.decided_by, ext.decided_at = actor, recorded_now()
    ext.save()
    return {"to_days": ext.to_days, "extension": ext.pk}, None


@handles("approve_extension")
def _approve_extension(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide_extension(actor, c, True)


@handles("reject_extension")
def _reject_extension(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide_extension(actor, c, False)


def _needs_approval(c: Complaint) -> bool:
    big = c.amount_in_dispute is not None and c.amount_in_dispute >= _approval_threshold()
    return c.is_major or c.source != Source.DIRECT or big


@handles("draft")
def _draft(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _recusal(actor, c, "decision_result")
    c.decision_verification = _text(data, "verification")
    c.decision_basis = _text(data, "basis")
    c.decision_result = _text(data, "result")
    c.decision_remedies = _text(data, "remedies", required=False) or str(DEFAULT_REMEDIES)
    c.needs_approval = _needs_approval(c)
    c.decision_approved_by = None
    return {"needs_approval": c.needs_approval}, None


@handles("submit")
def _submit(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _notify_approvers(
        c, f"decision:{c.pk}:{c.version}", _("Complaint %(ref)s: a decision awaits your approval")
    )
    return {}, None


@handles("approve")
def _approve(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _recusal(actor, c, "approver")
    c.decision_approved_by = actor
    return {}, None


@handles("return")
def _return(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    c.decision_approved_by = None
    return {"reason": _text(data, "reason")}, None


# Actions after which an earlier approval of the decision no longer covers it: a new draft, new facts.
_APPROVAL_RESET = ("draft", "mark_major", "return")


def _approved_since_last_change(c: Complaint) -> bool:
    """The decision was approved after its last draft and after the last change of the facts."""
    last = (
        c.events.filter(action__in=[*_APPROVAL_RESET, "approve"])
        .order_by("-at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    return last == "approve" and c.decision_approved_by_id is not None


@handles("notify")
def _notify(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date]:
    # Decided now, on the facts as they are now: marking the complaint major after drafting needs approval.
    c.needs_approval = c.needs_approval or _needs_approval(c)
    if c.needs_approval and not _approved_since_last_change(c):
        raise Conflict(
            _(
                "This decision needs approval (major complaint, forwarded by a regulator, or a large amount) "
                "and has not been approved since it last changed: submit it for approval first."
            ),
            code="approval_required",
        )
    _recusal(actor, c, "decision_result")
    method = str(data.get("method") or "")
    if method not in NotifyMethod.values:
        raise _err("method", _("Choose how the complainant was notified."))
    at = _past_datetime(data, "at") or recorded_now()
    if at < c.received_at:
        raise _err("at", _("The notice cannot be before the complaint was received."))
    c.notify_method, c.notified_at, c.notify_proof = method, at, _text(data, "proof", max_length=200)
    return {"method": method, "at": at.isoformat()}, receipt_date(at)


@handles("follow_up")
def _follow_up(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    try:
        score = int(data.get("satisfaction") or 0)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise _err("satisfaction", _("Choose a satisfaction score from 1 to 5."))
    c.satisfaction, c.satisfaction_comment = score, _text(data, "comment", required=False)
    if score <= 2:
        officers = User.objects.filter(
            groups__name="branch_cp_officer",
            is_active=True,
            org_unit__in=c.org_unit.ancestors() | OrgUnit.objects.filter(pk=c.org_unit_id),
        )
        for user in officers:
            _notify_later(c, user, f"low:{c.pk}", _("Complaint %(ref)s: low satisfaction, follow up needed"))
    return {"satisfaction": score}, None


@handles("close")
def _close(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    liability = str(data.get("liability") or "")
    if liability not in {v for v in Liability.values if v}:
        raise _err("liability", _("Determine the liability before closing."))
    c.liability = liability
    c.root_cause = _text(data, "root_cause", required=liability == Liability.AT_FAULT)
    amount = _amount(data.get("redress_amount"), "redress_amount")
    if amount is not None and amount != c.redress_amount:
        c.redress_approved_by, c.redress_approved_at = None, None  # a changed amount is a new amount
    c.redress_amount = amount if amount is not None else c.redress_amount
    threshold = _redress_threshold()
    if (
        threshold is not None
        and c.redress_amount
        and c.redress_amount >= threshold
        and not c.redress_approved_by_id
    ):
        raise _err(
            "redress_amount",
            _("A redress of %(min)s or more must be approved before closing.") % {"min": threshold},
        )
    if data.get("redress_paid_at"):
        c.redress_paid_at = _date(data, "redress_paid_at")
    c.case_library = bool(data.get("case_library"))
    c.closed_at = recorded_now()
    return {"liability": liability}, None


@handles("approve_redress")
def _approve_redress(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """An approver (not the handler, not someone named in the complaint) approves the redress amount."""
    amount = _amount(data.get("amount"), "amount")
    if amount is None or amount <= 0:
        raise _err("amount", _("Enter the redress amount to approve."))
    if c.handler_id == actor.pk:
        raise PermissionDenied(_("The handler cannot approve the redress of their own case."))
    _recusal(actor, c, "amount")
    c.redress_amount, c.redress_approved_by, c.redress_approved_at = amount, actor, recorded_now()
    return {"amount": str(amount)}, None


def _redress_threshold() -> Decimal | None:
    value = getattr(settings, "REDRESS_APPROVAL_AMOUNT", "")
    return Decimal(str(value)) if value not in (None, "") else None


@handles("archive")
def _archive(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return {}, None


@handles("reopen")
def _reopen(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    c.closed_at = None
    return {"reason": _text(data, "reason")}, None


@handles("withdraw")
def _withdraw(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date]:
    return {}, _date(data, "date", not_before=c.receipt_date)  # ends on the day the withdrawal is received


@handles("merge")
def _merge(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    target = (
        _lock(Complaint.objects.workable_by(actor))
        .filter(reference=str(data.get("into") or ""))
        .exclude(pk=c.pk)
        .first()
    )
    if target is None or target.status not in Status.open_statuses():
        raise _err("into", _("No open complaint with this reference."))
    if target.complainant_id != c.complainant_id:
        raise _err("into", _("Only a repeat by the same complainant can be merged."))
    c.merged_into = target
    new_facts = bool(data.get("new_facts"))
    ComplaintEvent.objects.create(
        complaint=target,
        at=recorded_now(),
        effective_date=c.receipt_date,
        actor=actor,
        action="merge_restart" if new_facts else "merged_repeat",
        from_status=target.status,
        to_status=target.status,
        data={"repeat": c.reference, "new_facts": new_facts},
    )
    complaint_recompute_clocks(target)
    return {"into": target.reference, "new_facts": new_facts}, None


@handles("decline")
def _decline(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    c.decline_reason = _text(data, "reason")
    return {"notice": _text(data, "notice")}, None


@handles("request_review")
def _request_review(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date]:
    if c.notified_at is None:
        raise Conflict(_("No decision was notified."), code="no_decision")
    notified = receipt_date(c.notified_at)
    day = _date(data, "date", not_before=notified)
    if (day - notified).days > 30:
        raise _err("date", _("A review must be requested within 30 days of receiving the decision (Art 20)."))
    c.review_unit = c.org_unit.parent or c.org_unit
    c.review_requested_on = day
    return {"review_unit": c.review_unit.code}, day


@handles("decide_review")
def _decide_review(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    if c.review_unit is None or not unit_in_scope(actor, c.review_unit):
        raise PermissionDenied(_("Only the superior unit decides the review."))
    c.review_result = _text(data, "result")
    c.closed_at = recorded_now()
    return {}, None


@handles("mark_major")
def _mark_major(actor: User, c: Complaint, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    c.is_major, c.major_reason, c.priority = True, _text(data, "reason", max_length=200), Priority.URGENT
    if c.decision_result:  # a drafted decision now needs approval, and an earlier approval no longer counts
        c.needs_approval, c.decision_approved_by = True, None
    _on_commit_notify_major(c)
    return {"reason": c.major_reason}, None


# --- notifications after commit -------------------------------------------------------------------------


def _notify_later(c: Complaint, user: User | None, kind: str, template: str) -> None:
    if user is None:
        return
    reference, pk, version = c.reference, c.pk, c.version

    def send() -> None:
        from xiaobao.complaints.notifications import notify

        notify(
            users=[user],
            complaint=Complaint(pk=pk, reference=reference),
            kind=kind.split(":")[0],
            message=template % {"ref": reference},
            key=f"{kind}:{pk}:{version}",
        )

    transaction.on_commit(send)


def _notify_approvers(c: Complaint, key: str, template: str) -> None:
    approvers = User.objects.filter(groups__name="approver", is_active=True).select_related("org_unit")
    for user in approvers:
        if user.org_unit and c.org_unit.path.startswith(user.org_unit.path):
            _notify_later(c, user, key, template)


# --- code tables and deadline rules (admin-editable data) -------------------------------------------------


@transaction.atomic
def code_save(
    *,
    actor: User,
    dimension: str,
    code: str,
    name: str,
    parent: str | None = None,
    sort_order: int = 0,
    is_active: bool = True,
) -> ComplaintCode:
    """Create or update one code of a JR/T 0169 dimension (codes in use are deactivated, never deleted)."""
    if dimension not in CodeDimension.values:
        raise _err("dimension", _("Unknown dimension."))
    parent_obj = None
    if parent:
        parent_obj = ComplaintCode.objects.filter(dimension=dimension, code=parent).first()
        if parent_obj is None or parent_obj.code == code:
            raise _err("parent", _("Unknown parent code."))
    obj = ComplaintCode.objects.select_for_update().filter(dimension=dimension, code=code).first()
    before = snapshot(obj) if obj else None
    obj = obj or ComplaintCode(dimension=dimension, code=code)
    obj.name, obj.parent, obj.sort_order, obj.is_active = name.strip(), parent_obj, sort_order, is_active
    obj.full_clean()
    obj.save()
    audit_change(actor=actor, obj=obj, before=before)
    return obj


def _valid_step(step: Any, base_days: int) -> bool:
    if not isinstance(step, dict):
        return False
    to_days = step.get("to_days")
    return isinstance(to_days, int) and not isinstance(to_days, bool) and base_days < to_days <= 3650


@transaction.atomic
def rule_save(*, actor: User, code: str, **fields: Any) -> DeadlineRule:
    """Edit a deadline rule (days, unit, roll-forward, extension steps, sources, active)."""
    rule = DeadlineRule.objects.select_for_update().filter(code=code).first()
    before = snapshot(rule) if rule else None
    rule = rule or DeadlineRule(code=code)
    for name in (
        "name",
        "clock",
        "days",
        "unit",
        "roll_forward",
        "extensions",
        "sources",
        "source_document",
        "is_active",
    ):
        if fields.get(name) is not None:
            setattr(rule, name, fields[name])
    if not isinstance(rule.days, int) or isinstance(rule.days, bool) or not 1 <= rule.days <= 3650:
        raise _err("days", _("Give the number of days (1 to 3650)."))
    steps = rule.extensions or []
    if not isinstance(steps, list) or any(not _valid_step(s, rule.days) for s in steps):
        raise _err(
            "extensions", _("Each extension step must set a total number of days above the base days.")
        )
    unknown = set(rule.sources or []) - set(Source.values)
    if unknown:
        raise _err("sources", _("Unknown source: %(v)s") % {"v": ", ".join(sorted(unknown))})
    if rule.unit not in ("calendar", "working"):
        raise _err("unit", _("Choose calendar or working days."))
    rule.full_clean()
    rule.save()
    audit_change(actor=actor, obj=rule, before=before)
    return rule
