"""Governance services: keep the registers (bodies, members, meetings with attendance and minutes, liaisons,
supervisors and their feedback), open action items (from a meeting, or for a feedback item to answer), take
workflow steps through the one casework transition service, recompute the deadline clock, add evidence.

Keyword-only, own their transaction, validate everything before writing (all field errors at once), write an
audit row for every change. Writes only inside the actor's subtree.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.casework.choices import ExtensionState
from xiaobao.casework.clocks import ClockResult, EventSpec, RuleSpec, run_clock
from xiaobao.casework.models import DeadlineRule
from xiaobao.casework.notifications import notify_on_commit
from xiaobao.casework.transitions import Transitions
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record
from xiaobao.core.workdays import get_calendar
from xiaobao.governance.choices import BodyKind, Channel, MeetingKind, MemberRole, Source, Status
from xiaobao.governance.files import check_upload
from xiaobao.governance.models import (
    ActionClock,
    ActionEvent,
    ActionExtension,
    ActionItem,
    Attendance,
    Body,
    Evidence,
    Feedback,
    Liaison,
    Meeting,
    Member,
    Supervisor,
)
from xiaobao.governance.workflow import MANAGE, NOT_OWNER_ACTIONS, OWNER_ACTIONS, VIEW, WORK, WORKFLOW

SUBJECT = "governance.actionitem"
CLOCK = "action"
RULE_FOR: dict[str, str] = {
    Source.MEETING: "governance-action-30d",
    Source.FEEDBACK: "governance-feedback-15wd",
}
Errors = dict[str, list[str]]


# --- field checks ---------------------------------------------------------------------------------------


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _text(errors: Errors, data: dict[str, Any], name: str, max_length: int, required: bool) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        _add(errors, name, _("This field is required."))
    elif len(value) > max_length:
        _add(errors, name, _("At most %(n)d characters.") % {"n": max_length})
    return value


def _date(errors: Errors, data: dict[str, Any], name: str, required: bool = True) -> dt.date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            _add(errors, name, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or value.year < 2000 or value.year > 2100:
        _add(errors, name, _("Enter a date (YYYY-MM-DD)."))
        return None
    return value


def _not_future(errors: Errors, name: str, value: dt.date | None) -> dt.date | None:
    if value is not None and value > recorded_date():
        _add(errors, name, _("This day cannot be in the future."))
        return None
    return value


def _choice(errors: Errors, data: dict[str, Any], name: str, choices: Any) -> str:
    value = str(data.get(name) or "").strip()
    if value not in choices.values:
        _add(errors, name, _("Choose one of: %(s)s.") % {"s": ", ".join(choices.values)})
    return value


def _unit(errors: Errors, actor: User, value: Any, name: str = "org_unit") -> OrgUnit | None:
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    else:
        code = str(value or "").strip()
        unit = OrgUnit.objects.filter(code=code).first() if code and len(code) <= 32 else None
    if unit is None or not unit_in_scope(actor, unit):
        _add(errors, name, _("No such unit in your scope."))
        return None
    if not unit.is_active:
        _add(errors, name, _("This unit is closed."))
        return None
    return unit


def _user(errors: Errors, actor: User, value: Any, name: str) -> User | None:
    """A user of the actor's scope by username (or the user itself)."""
    if isinstance(value, User):
        user: User | None = value
    else:
        username = str(value or "").strip()
        user = (
            User.objects.visible_to(actor).select_related("org_unit").filter(username=username).first()
            if username and len(username) <= 150
            else None
        )
    if user is None:
        _add(errors, name, _("No such user."))
        return None
    if not user.is_active:
        _add(errors, name, _("This user is not active."))
        return None
    return user


def _term(
    errors: Errors, data: dict[str, Any], start: str, end: str
) -> tuple[dt.date | None, dt.date | None]:
    a, b = _date(errors, data, start), _date(errors, data, end, required=False)
    if a and b and b < a:
        _add(errors, end, _("The end cannot be before the start."))
    return a, b


def _require(actor: User, perm: str, message: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied(message)


def _in_scope(actor: User, unit: OrgUnit) -> None:
    if not unit_in_scope(actor, unit):
        raise PermissionDenied(_("This is not in your scope."))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# --- bodies and members --------------------------------------------------------------------------------


def body_create(*, actor: User, data: dict[str, Any]) -> Body:
    """A body (kind, org_unit code, name, established_on optional, description optional)."""
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    errors: Errors = {}
    clean = {
        "kind": _choice(errors, data, "kind", BodyKind),
        "org_unit": _unit(errors, actor, data.get("org_unit")),
        "name": _text(errors, data, "name", 100, True),
        "description": _text(errors, data, "description", 5000, False),
        "established_on": _not_future(errors, "established_on", _date(errors, data, "established_on", False)),
    }
    _raise(errors)
    with transaction.atomic():
        body = Body.objects.create(**clean)
        audit_change(actor=actor, obj=body, before=None)
    return body


def member_add(*, actor: User, body: Body, data: dict[str, Any]) -> Member:
    """A seat in the body: `user` (username) or `name` (an outside person), role, term_start, term_end."""
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    _in_scope(actor, body.org_unit)
    errors: Errors = {}
    user = None
    if data.get("user"):
        user = _user(errors, actor, data.get("user"), "user")
    name = _text(errors, data, "name", 100, False)
    if not data.get("user") and not name:
        _add(errors, "name", _("Give a member of staff or the person's name."))
    role = _choice(errors, data, "role", MemberRole)
    position = _text(errors, data, "position", 100, False)
    start, end = _term(errors, data, "term_start", "term_end")
    if (
        user is not None
        and start
        and Member.objects.filter(body=body, user=user, term_end__isnull=True).exists()
    ):
        _add(errors, "user", _("This person already sits in the body; end the current term first."))
    _raise(errors)
    assert start is not None
    with transaction.atomic():
        member = Member.objects.create(
            body=body,
            user=user,
            name="" if user else name,
            position=position,
            role=role,
            term_start=start,
            term_end=end,
        )
        audit_change(actor=actor, obj=member, before=None)
    return member


def member_end_term(*, actor: User, member: Member, data: dict[str, Any]) -> Member:
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    _in_scope(actor, member.body.org_unit)
    errors: Errors = {}
    end = _date(errors, data, "term_end")
    if end and end < member.term_start:
        _add(errors, "term_end", _("The end cannot be before the start."))
    _raise(errors)
    with transaction.atomic():
        before = {"term_end": member.term_end}
        member.term_end = end
        member.save(update_fields=["term_end", "updated_at"])
        audit_change(actor=actor, obj=member, before=before)
    return member


def members_on(body: Body, day: dt.date) -> list[Member]:
    """The members whose term covers `day`."""
    return list(
        body.members.filter(term_start__lte=day)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=day))
        .select_related("user")
    )


# --- meetings ---------------------------------------------------------------------------------------------


def meeting_create(
    *,
    actor: User,
    body: Body,
    data: dict[str, Any],
    minutes: IO[bytes] | None = None,
    minutes_name: str = "",
) -> Meeting:
    """A meeting of the body: held_on, kind, title, place, topics and resolutions (one a line), attendance
    `{member_id: {"present": bool, "reason": str}}` over the members on that day (missing → present), the
    minutes document (optional; PDF/Word/image, content-checked)."""
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    _in_scope(actor, body.org_unit)
    errors: Errors = {}
    held_on = _not_future(errors, "held_on", _date(errors, data, "held_on"))
    kind = _choice(errors, data, "kind", MeetingKind)
    title = _text(errors, data, "title", 200, True)
    place = _text(errors, data, "place", 100, False)
    topics = _text(errors, data, "topics", 10000, True)
    resolutions = _text(errors, data, "resolutions", 10000, False)
    attendance = data.get("attendance") or {}
    if not isinstance(attendance, dict):
        _add(errors, "attendance", _("Give the attendance per member."))
        attendance = {}
    seated = {m.pk: m for m in members_on(body, held_on)} if held_on else {}
    rows: list[tuple[Member, bool, str]] = []
    for key in attendance:
        pk = int(key) if str(key).isdigit() else None
        if pk is None or (held_on and pk not in seated):
            _add(errors, "attendance", _("Member %(m)s does not sit in this body on that day.") % {"m": key})
    for pk, member in seated.items():
        entry = attendance.get(pk, attendance.get(str(pk), {}))
        entry = entry if isinstance(entry, dict) else {"present": bool(entry)}
        present = bool(entry.get("present", True))
        reason = str(entry.get("reason") or "").strip()[:200]
        if not present and not reason:
            _add(
                errors,
                "attendance",
                _("Give the reason %(name)s was absent.") % {"name": member.display_name},
            )
        rows.append((member, present, reason if not present else ""))
    checked = None
    if minutes is not None:
        try:
            checked = check_upload(minutes, minutes_name or "minutes", field="minutes")
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    _raise(errors)
    assert held_on is not None
    with transaction.atomic():
        meeting = Meeting(
            body=body,
            held_on=held_on,
            kind=kind,
            title=title,
            place=place,
            topics=topics,
            resolutions=resolutions,
            created_by=actor,
        )
        if checked is not None:
            meeting.minutes_name, meeting.minutes_sha256 = checked.name, checked.sha256
            meeting.minutes_file.save(checked.stored_name, checked.content, save=False)
        meeting.save()
        Attendance.objects.bulk_create(
            [Attendance(meeting=meeting, member=m, present=p, absence_reason=r) for m, p, r in rows]
        )
        audit_change(actor=actor, obj=meeting, before=None)
    return meeting


def meeting_minutes_upload(*, actor: User, meeting: Meeting, fileobj: IO[bytes], name: str) -> Meeting:
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    _in_scope(actor, meeting.body.org_unit)
    checked = check_upload(fileobj, name, field="minutes")
    with transaction.atomic():
        before = {"minutes_name": meeting.minutes_name, "minutes_sha256": meeting.minutes_sha256}
        meeting.minutes_name, meeting.minutes_sha256 = checked.name, checked.sha256
        meeting.minutes_file.save(checked.stored_name, checked.content, save=False)
        meeting.save()
        audit_change(actor=actor, obj=meeting, before=before)
    return meeting


# --- action items ------------------------------------------------------------------------------------------


def rule_for(source: str) -> DeadlineRule | None:
    """The active rule that is the default for the source (a data-migration preset, editable)."""
    return DeadlineRule.objects.filter(subject=SUBJECT, code=RULE_FOR.get(source, ""), is_active=True).first()


def _owner(errors: Errors, actor: User, unit: OrgUnit | None, value: Any) -> User | None:
    owner = _user(errors, actor, value, "owner")
    if owner is None:
        return None
    if unit is not None and (owner.org_unit is None or not owner.org_unit.path.startswith(unit.path)):
        _add(errors, "owner", _("The owner must belong to the responsible unit or a unit below it."))
        return None
    if unit is not None and not unit_in_scope(owner, unit):
        _add(errors, "owner", _("The owner cannot see items of this unit: make their own unit responsible."))
        return None
    if not owner.has_perm(WORK):
        _add(errors, "owner", _("This user may not work on action items."))
        return None
    return owner


def _default_due(rule: DeadlineRule, start: dt.date) -> dt.date:
    return get_calendar().deadline(start, rule.days, rule.unit, roll_forward=rule.roll_forward).due_date  # type: ignore[arg-type]


def _open(
    *,
    actor: User,
    data: dict[str, Any],
    source: str,
    assigned_on: dt.date | None,
    default_unit: OrgUnit,
    errors: Errors,
    meeting: Meeting | None = None,
    feedback: Feedback | None = None,
) -> ActionItem:
    title = _text(errors, data, "title", 200, True)
    description = _text(errors, data, "description", 10000, False)
    unit_value = data.get("org_unit")
    if not unit_value:  # the owner's own unit, where they can see and work on it
        someone = _user({}, actor, data.get("owner"), "owner")
        unit_value = someone.org_unit if someone is not None and someone.org_unit else default_unit
    unit = _unit(errors, actor, unit_value)
    owner = _owner(errors, actor, unit, data.get("owner"))
    due_on = _date(errors, data, "due_on", required=False)
    rule = rule_for(source)
    if rule is None:
        _add(errors, "due_on", _("No deadline rule applies."))
    if due_on and assigned_on and due_on < assigned_on:
        _add(errors, "due_on", _("The due date cannot be before the day it was assigned."))
    _raise(errors)
    assert rule is not None and assigned_on is not None and unit is not None
    due_on = due_on or _default_due(rule, assigned_on)
    item = ActionItem(
        status=Status.OPEN,
        source=source,
        title=title,
        description=description,
        meeting=meeting,
        feedback=feedback,
        assigned_on=assigned_on,
        due_on=due_on,
        opened_by=actor,
        rule=rule,
        org_unit=unit,
        handler=owner,
        reference=f"tmp-{uuid.uuid4().hex[:20]}",
    )
    item.save()
    item.reference = f"DB{assigned_on:%Y}{item.pk:06d}"
    ActionItem.objects.filter(pk=item.pk).update(reference=item.reference)
    ActionEvent.objects.create(
        item=item,
        at=recorded_now(),
        effective_date=assigned_on,
        actor=actor,
        action="open",
        to_status=item.status,
        data={
            "source": source,
            "owner": owner.username if owner else "",
            "due_on": due_on.isoformat(),
            **({"meeting": meeting.pk} if meeting else {}),
            **({"feedback": feedback.pk} if feedback else {}),
        },
    )
    action_recompute_clocks(item)
    audit_change(actor=actor, obj=item, before=None)
    _tell_later(
        item, [item.handler_id], "gov_assigned", gettext_lazy("Action item %(ref)s is yours: %(title)s")
    )
    return item


def action_item_open(*, actor: User, meeting: Meeting, data: dict[str, Any]) -> ActionItem:
    """A meeting's action item: title, description, owner (username), org_unit (default: the owner's unit),
    due_on (default: the rule's 30 days after the meeting). The clock counts from the meeting's day."""
    _require(actor, MANAGE, _("You may not open action items."))
    _in_scope(actor, meeting.body.org_unit)
    with transaction.atomic():
        return _open(
            actor=actor,
            data=data,
            source=Source.MEETING,
            assigned_on=meeting.held_on,
            default_unit=meeting.body.org_unit,
            errors={},
            meeting=meeting,
        )


# --- clocks ---------------------------------------------------------------------------------------------


def compute_clock(item: ActionItem, events: list[Any], today: dt.date | None = None) -> ClockResult:
    """The deadline clock: the calendar days from the day assigned to the stated due date (no roll-forward:
    the date given is the date), met by the closing, stopped by a cancellation."""
    days = max(0, (item.due_on - item.assigned_on).days)
    return run_clock(
        get_calendar(),
        RuleSpec(item.rule.code, days, "calendar", False),
        item.assigned_on,
        [EventSpec(e.action, e.effective_date, e.data or {}) for e in events],
        today or recorded_date(),
        name=CLOCK,
        met_by={"close"},
        unmet_by=set(),
        stopped=item.status == Status.CANCELLED,
        extendable=False,
        pausable=False,
    )


def action_recompute_clocks(item: ActionItem, today: dt.date | None = None) -> ActionClock:
    events = list(item.events.order_by("at", "id").only("action", "effective_date", "data"))
    result = compute_clock(item, events, today)
    existing = ActionClock.objects.filter(item=item, name=CLOCK).only("due_date").first()
    defaults: dict[str, Any] = {"rule": item.rule, **result.stored()}
    if existing is None or existing.due_date != result.due_date:
        defaults |= {"warned": [], "escalation_level": 0}
    clock, _created = ActionClock.objects.update_or_create(item=item, name=CLOCK, defaults=defaults)
    if (item.due_date, item.clock_state) != (result.due_date, result.state):
        ActionItem.objects.filter(pk=item.pk).update(due_date=result.due_date, clock_state=result.state)
        item.due_date, item.clock_state = result.due_date, result.state
    return clock


# --- transitions ---------------------------------------------------------------------------------------


def can_reach(user: Any, item: ActionItem, action: str) -> bool:
    return bool(user.has_perm(VIEW) and unit_in_scope(user, item.org_unit))


def role_allows(user: Any, item: ActionItem, action: str) -> bool:
    if action in OWNER_ACTIONS:
        return item.handler_id == user.pk
    if action in NOT_OWNER_ACTIONS:
        return item.handler_id != user.pk
    return True


TRANSITIONS = Transitions(
    model=ActionItem,
    event_model=ActionEvent,
    workflow=WORKFLOW,
    recompute=action_recompute_clocks,
    reach=can_reach,
    noun="action item",
    lock_related=("org_unit", "rule"),
    messages={
        "unreachable": gettext_lazy("This action item is not in your scope."),
        "invalid_state": gettext_lazy("This step is not possible while the action item is “%(s)s”."),
    },
)


def allowed_actions(user: Any, item: ActionItem) -> list[Any]:
    """The steps the user may take now, without the extension decisions when no request waits and without
    a new request while one does."""
    pending = any(x.state == ExtensionState.PENDING for x in item.extensions.all())
    skip = {"extend"} if pending else {"approve_extension", "reject_extension"}
    return [
        a
        for a in TRANSITIONS.allowed_actions(user, item)
        if a.code not in skip and role_allows(user, item, a.code)
    ]


def action_transition(
    *,
    actor: User,
    item: ActionItem,
    action: str,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> ActionItem:
    """Take a workflow step; 403 for the wrong person, 409 for the wrong state or a stale version, 422 with
    field messages for bad input."""
    return TRANSITIONS.run(  # type: ignore[no-any-return]
        actor=actor, item=item, action=action, data=data, expected_version=expected_version
    )


def _owner_only(actor: User, item: ActionItem) -> None:
    if item.handler_id != actor.pk:
        raise PermissionDenied(_("Only the owner of this action item may take this step."))


def _not_owner(actor: User, item: ActionItem) -> None:
    if item.handler_id == actor.pk:
        raise PermissionDenied(
            _("The owner may not close or send back their own action item: somebody else must.")
        )


@TRANSITIONS.handles("start")
def _start(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _owner_only(actor, item)
    return ({"note": data["note"]} if data.get("note") else {}), None


@TRANSITIONS.handles("submit")
def _submit(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _owner_only(actor, item)
    n = item.evidence.count()
    if item.source == Source.MEETING and n == 0:
        raise ValidationError({"result": [_("Upload the evidence (a document or photo) before submitting.")]})
    item.result = data["result"]
    _tell_later(
        item, [item.opened_by_id], "gov_submitted", gettext_lazy("Action item %(ref)s awaits verification")
    )
    return {"result": data["result"][:500], "evidence": n}, None


@TRANSITIONS.handles("close")
def _close(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _not_owner(actor, item)
    item.verified_by, item.verified_at = actor, recorded_now()
    _tell_later(
        item, [item.handler_id], "gov_closed", gettext_lazy("Action item %(ref)s was verified and closed")
    )
    return ({"note": data["note"]} if data.get("note") else {}), None


@TRANSITIONS.handles("reject")
def _reject(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _not_owner(actor, item)
    _tell_later(
        item, [item.handler_id], "gov_rejected", gettext_lazy("Action item %(ref)s was sent back for rework")
    )
    return {"reason": data["reason"]}, None


MAX_EXTENSION_DAYS = 366


@TRANSITIONS.handles("extend")
def _extend(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    """The owner asks for a later due date (one request may wait at a time; somebody else decides)."""
    _owner_only(actor, item)
    to_date: dt.date = data["to_date"]
    if to_date <= item.due_on:
        raise ValidationError({"to_date": [_("The new due date must be after the current one.")]})
    if (to_date - item.due_on).days > MAX_EXTENSION_DAYS:
        raise ValidationError({"to_date": [_("An extension can be at most one year.")]})
    if item.extensions.filter(state=ExtensionState.PENDING).exists():
        raise Conflict(_("An extension is already awaiting approval."), code="pending_extension")
    ext = ActionExtension.objects.create(
        item=item,
        clock=CLOCK,
        from_date=item.due_on,
        to_date=to_date,
        to_days=(to_date - item.assigned_on).days,
        reason=data["reason"],
        requested_by=actor,
    )
    _tell_later(
        item,
        [item.opened_by_id],
        "gov_extension",
        gettext_lazy("Action item %(ref)s: an extension awaits approval"),
    )
    return {"to_date": to_date.isoformat(), "reason": data["reason"], "extension": ext.pk}, None


def _decide(actor: User, item: ActionItem, approve: bool, note: str) -> tuple[dict[str, Any], None]:
    _not_owner(actor, item)
    ext = item.extensions.filter(state=ExtensionState.PENDING).first()
    if ext is None:
        raise Conflict(_("No extension awaits approval."), code="no_pending_extension")
    if ext.requested_by_id == actor.pk:
        raise PermissionDenied(_("The approver must not be the person who asked."))
    ext.state = ExtensionState.APPROVED if approve else ExtensionState.REJECTED
    ext.decided_by, ext.decided_at = actor, recorded_now()
    ext.save()
    if approve:
        item.due_on = ext.to_date  # the clock is recomputed from the new due date after the step
    _tell_later(
        item,
        [item.handler_id],
        "gov_extension_decided",
        gettext_lazy("Action item %(ref)s: the extension was approved")
        if approve
        else gettext_lazy("Action item %(ref)s: the extension was refused"),
    )
    out: dict[str, Any] = {"to_date": ext.to_date.isoformat(), "extension": ext.pk}
    if note:
        out["note"] = note
    return out, None


@TRANSITIONS.handles("approve_extension")
def _approve_extension(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide(actor, item, True, data.get("note") or "")


@TRANSITIONS.handles("reject_extension")
def _reject_extension(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide(actor, item, False, data.get("note") or "")


@TRANSITIONS.handles("cancel")
def _cancel(actor: User, item: ActionItem, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    item.extensions.filter(state=ExtensionState.PENDING).update(
        state=ExtensionState.REJECTED, decided_by=actor, decided_at=recorded_now()
    )
    return {"reason": data["reason"]}, None


def _tell_later(item: ActionItem, user_ids: list[int | None], kind: str, template: Any) -> None:
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return
    notify_on_commit(
        users=ids,
        subject=item,
        kind=kind,
        message=(str(template) % {"ref": item.reference, "title": item.title[:80]})[:300],
        key=f"{kind}:{item.pk}:{item.version}",
    )


# --- evidence ---------------------------------------------------------------------------------------------


def can_add_evidence(user: Any, item: ActionItem) -> bool:
    """The owner (with the work permission), or whoever keeps the registers (a secretary filing it for the
    owner), while the item is being worked on."""
    mine = item.handler_id == user.pk and user.has_perm(WORK)
    return bool(
        (mine or user.has_perm(MANAGE))
        and can_reach(user, item, "evidence")
        and item.status in WORKFLOW.group("working")
    )


def evidence_add(
    *, actor: Any, item: ActionItem, fileobj: IO[bytes], name: str, caption: str = ""
) -> Evidence:
    """One file of evidence on an item being worked on, by its owner, with an event and an audit row."""
    if not can_add_evidence(actor, item):
        if item.status not in WORKFLOW.group("working"):
            raise PermissionDenied(_("Evidence can only be added while the item is being worked on."))
        raise PermissionDenied(_("You may not add evidence to this action item."))
    if len(caption or "") > 200:
        raise ValidationError({"caption": [_("At most %(n)d characters.") % {"n": 200}]})
    checked = check_upload(fileobj, name)
    with transaction.atomic():
        ev = Evidence(
            item=item,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            caption=(caption or "").strip(),
            uploaded_by=actor,
        )
        ev.file.save(checked.stored_name, checked.content, save=False)
        ev.save()
        ActionEvent.objects.create(
            item=item,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="evidence",
            from_status=item.status,
            to_status=item.status,
            data={"evidence": ev.pk, "name": checked.name},
        )
        audit_record(
            actor=actor,
            action="create",
            obj=ev,
            changes={"file": [None, checked.name], "sha256": [None, ev.sha256]},
        )
    return ev


# --- liaisons -------------------------------------------------------------------------------------------


def liaison_add(*, actor: User, data: dict[str, Any]) -> Liaison:
    """A unit's liaison since a day: `user` (username) or `name`, phone (sealed), since; the unit's current
    liaison (if any) is replaced: their `until` becomes the day before."""
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    errors: Errors = {}
    unit = _unit(errors, actor, data.get("org_unit"))
    user = _user(errors, actor, data.get("user"), "user") if data.get("user") else None
    name = _text(errors, data, "name", 100, False)
    if not data.get("user") and not name:
        _add(errors, "name", _("Give a member of staff or the person's name."))
    phone = _text(errors, data, "phone", 20, True)
    if phone and not phone.replace("-", "").replace(" ", "").isdigit():
        _add(errors, "phone", _("Enter a phone number (digits)."))
    since = _date(errors, data, "since")
    _raise(errors)
    assert unit is not None and since is not None
    with transaction.atomic():
        current = list(Liaison.objects.select_for_update().filter(org_unit=unit, until__isnull=True))
        for old in current:
            if old.since >= since:
                raise ValidationError(
                    {"since": [_("The unit's current liaison started on or after that day.")]}
                )
            old.until = since - dt.timedelta(days=1)
            old.save(update_fields=["until", "updated_at"])
            audit_change(actor=actor, obj=old, before={"until": None})
        liaison = Liaison.objects.create(
            org_unit=unit, user=user, name="" if user else name, phone=phone, since=since
        )
        audit_change(actor=actor, obj=liaison, before=None)
    return liaison


def liaison_end(*, actor: User, liaison: Liaison, data: dict[str, Any]) -> Liaison:
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    _in_scope(actor, liaison.org_unit)
    errors: Errors = {}
    until = _date(errors, data, "until")
    if until and until < liaison.since:
        _add(errors, "until", _("The end cannot be before the start."))
    _raise(errors)
    with transaction.atomic():
        before = {"until": liaison.until}
        liaison.until = until
        liaison.save(update_fields=["until", "updated_at"])
        audit_change(actor=actor, obj=liaison, before=before)
    return liaison


def units_without_liaison(user: Any, day: dt.date) -> Any:
    """Active units in the user's scope (departments aside) with no liaison whose term covers `day`."""
    covered = Liaison.objects.filter(since__lte=day).filter(Q(until__isnull=True) | Q(until__gte=day))
    return (
        OrgUnit.objects.visible_to(user)
        .active()
        .exclude(kind="department")
        .exclude(pk__in=covered.values("org_unit_id"))
        .order_by("path")
    )


# --- supervisors and feedback -------------------------------------------------------------------------


def supervisor_add(*, actor: User, data: dict[str, Any]) -> Supervisor:
    """An external supervisor: name and phone (sealed), occupation, org_unit watched, term_start, term_end."""
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    errors: Errors = {}
    unit = _unit(errors, actor, data.get("org_unit"))
    name = _text(errors, data, "name", 50, True)
    phone = _text(errors, data, "phone", 20, False)
    if phone and not phone.replace("-", "").replace(" ", "").isdigit():
        _add(errors, "phone", _("Enter a phone number (digits)."))
    occupation = _text(errors, data, "occupation", 100, True)
    start, end = _term(errors, data, "term_start", "term_end")
    _raise(errors)
    assert unit is not None and start is not None
    with transaction.atomic():
        sup = Supervisor.objects.create(
            org_unit=unit, name=name, phone=phone, occupation=occupation, term_start=start, term_end=end
        )
        audit_change(actor=actor, obj=sup, before=None)
    return sup


def feedback_add(*, actor: User, supervisor: Supervisor, data: dict[str, Any]) -> Feedback:
    """A supervisor's feedback (received_on, channel, content) and its action item to answer it: owner
    (username), org_unit (default: the unit watched), due_on (default: 15 working days from receipt)."""
    _require(actor, MANAGE, _("You may not keep the governance registers."))
    _in_scope(actor, supervisor.org_unit)
    errors: Errors = {}
    received = _not_future(errors, "received_on", _date(errors, data, "received_on"))
    channel = _choice(errors, data, "channel", Channel)
    content = _text(errors, data, "content", 5000, True)
    if received and (
        received < supervisor.term_start or (supervisor.term_end and received > supervisor.term_end)
    ):
        _add(errors, "received_on", _("The supervisor's term does not cover that day."))
    with transaction.atomic():
        item_data = {
            "title": data.get("title")
            or _("Answer the supervisor's feedback of %(d)s") % {"d": received or ""},
            "description": content,
            "owner": data.get("owner"),
            "org_unit": data.get("org_unit") or "",
            "due_on": data.get("due_on"),
        }
        if errors:
            # collect the item's field errors too before refusing
            with contextlib.suppress(ValidationError):
                _open(
                    actor=actor,
                    data=item_data,
                    source=Source.FEEDBACK,
                    assigned_on=received,
                    default_unit=supervisor.org_unit,
                    errors=errors,
                )
            raise ValidationError(errors)
        assert received is not None
        feedback = Feedback(
            supervisor=supervisor, received_on=received, channel=channel, content=content, recorded_by=actor
        )
        feedback.save()
        audit_change(actor=actor, obj=feedback, before=None)
        _open(
            actor=actor,
            data=item_data,
            source=Source.FEEDBACK,
            assigned_on=received,
            default_unit=supervisor.org_unit,
            errors=errors,
            feedback=feedback,
        )
    return feedback
