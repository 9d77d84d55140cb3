"""Rectification services: open an item (directly, from a finding, from a complaint's root cause), take a
workflow step through the one casework transition service, recompute the deadline clock.

Keyword-only, own their transaction, validate everything before writing (all field errors at once).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.casework.clocks import ClockResult, EventSpec, RuleSpec, run_clock
from xiaobao.casework.extensions import extension_request
from xiaobao.casework.models import DeadlineRule
from xiaobao.casework.notifications import notify_on_commit
from xiaobao.casework.transitions import Transitions
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change
from xiaobao.core.workdays import get_calendar
from xiaobao.rectification.choices import Source, Status
from xiaobao.rectification.models import (
    Rectification,
    RectificationClock,
    RectificationEvent,
)
from xiaobao.rectification.workflow import (
    NOT_OWNER_ACTIONS,
    OPEN_PERM,
    OPENER_ACTIONS,
    OWNER_ACTIONS,
    VIEW,
    WORK,
    WORKFLOW,
)

SUBJECT = "rectification.rectification"
CLOCK = "rectification"
DEFAULT_RULE = "rectification-10wd"
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


# --- deadline rules -----------------------------------------------------------------------------------


def rules() -> Any:
    """The active deadline rules for rectification items."""
    return DeadlineRule.objects.filter(subject=SUBJECT, clock=CLOCK, is_active=True)


def rule_for(source: str, code: str | None = None) -> DeadlineRule | None:
    """The rule named by `code`, else the rule that is the default for `source`, else the preset."""
    active = list(rules())
    if code:
        return next((r for r in active if r.code == code), None)
    by_source = next((r for r in active if source in (r.sources or [])), None)
    return by_source or next((r for r in active if r.code == DEFAULT_RULE), None)


# --- opening ----------------------------------------------------------------------------------------


def owner_candidates(unit: OrgUnit) -> Any:
    """Active users of the unit's subtree who may work on rectification items."""
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(content_type__app_label="rectification", codename="work_rectification")
    return (
        User.objects.filter(is_active=True, org_unit__path__startswith=unit.path)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
    )


def _text(
    errors: dict[str, list[str]], data: dict[str, Any], name: str, max_length: int, required: bool
) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > max_length:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": max_length})
    return value


def _opened_on(errors: dict[str, list[str]], value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        errors.setdefault("opened_on", []).append(_("Enter a date (YYYY-MM-DD)."))
        return None
    if value > recorded_date():
        errors.setdefault("opened_on", []).append(_("The opening day cannot be in the future."))
        return None
    if value.year < 2000:
        errors.setdefault("opened_on", []).append(_("Enter a date (YYYY-MM-DD)."))
        return None
    return value


def _unit(errors: dict[str, list[str]], actor: User, value: Any) -> OrgUnit | None:
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    else:
        code = str(value or "").strip()
        unit = OrgUnit.objects.filter(code=code).first() if code and len(code) <= 32 else None
    if unit is None or not unit_in_scope(actor, unit):
        errors.setdefault("org_unit", []).append(_("No such unit in your scope."))
        return None
    if not unit.is_active:
        errors.setdefault("org_unit", []).append(_("This unit is closed."))
        return None
    return unit


def _owner(errors: dict[str, list[str]], unit: OrgUnit | None, value: Any) -> User | None:
    if isinstance(value, User):
        owner: User | None = value
    else:
        name = str(value or "").strip()
        owner = User.objects.select_related("org_unit").filter(username=name).first() if name else None
    if owner is None:
        errors.setdefault("owner", []).append(_("No such user."))
        return None
    if not owner.is_active:
        errors.setdefault("owner", []).append(_("This user is not active."))
        return None
    if unit is not None and (owner.org_unit is None or not owner.org_unit.path.startswith(unit.path)):
        errors.setdefault("owner", []).append(
            _("The owner must belong to the responsible unit or a unit below it.")
        )
        return None
    if not owner.has_perm(WORK):
        errors.setdefault("owner", []).append(_("This user may not work on rectification items."))
        return None
    return owner


def _rule(errors: dict[str, list[str]], source: str, code: Any) -> DeadlineRule | None:
    rule = rule_for(source, str(code).strip() if code else None)
    if rule is None:
        field = "rule" if code else "source"
        errors.setdefault(field, []).append(
            _("No such deadline rule for rectification items.") if code else _("No deadline rule applies.")
        )
    return rule


def _clean_open(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Every field checked; a ValidationError with all field messages at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "title": _text(errors, data, "title", 200, True),
        "description": _text(errors, data, "description", 20000, True),
        "issued_by": _text(errors, data, "issued_by", 100, False),
        "external_reference": _text(errors, data, "external_reference", 64, False),
        "plan": _text(errors, data, "plan", 5000, False),
    }
    source = str(data.get("source") or "")
    if source not in Source.values:
        errors.setdefault("source", []).append(_("Choose one of: %(s)s.") % {"s": ", ".join(Source.values)})
    out["source"] = source
    out["opened_on"] = _opened_on(errors, data.get("opened_on"))
    out["org_unit"] = _unit(errors, actor, data.get("org_unit"))
    out["handler"] = _owner(errors, out["org_unit"], data.get("owner"))
    out["rule"] = _rule(errors, source, data.get("rule")) if source in Source.values else None
    if errors:
        raise ValidationError(errors)
    return out


def _require_open_perm(actor: User) -> None:
    if not actor.has_perm(OPEN_PERM):
        raise PermissionDenied(_("You may not open rectification items."))


def rectification_open(
    *, actor: User, data: dict[str, Any], finding: Any = None, complaint: Any = None
) -> Rectification:
    """Open a rectification item: `data` holds org_unit (code or unit), title, description, source,
    opened_on, rule (code, optional: default by source), owner (username or user), and optionally
    issued_by, external_reference, plan. The item, its opening event, its clock and an audit row are
    written together; the owner is told after commit."""
    _require_open_perm(actor)
    clean = _clean_open(actor, data)
    with transaction.atomic():
        item = Rectification(
            **clean,
            status=Status.OPEN,
            opened_by=actor,
            finding=finding,
            complaint=complaint,
            is_repeat=bool(getattr(finding, "is_repeat", False)),
            reference=f"tmp-{uuid.uuid4().hex[:20]}",
        )
        item.full_clean(
            exclude=["reference", "org_unit", "handler", "rule", "opened_by", "finding", "complaint"]
        )
        item.save()
        item.reference = f"RE{clean['opened_on']:%Y}{item.pk:06d}"
        Rectification.objects.filter(pk=item.pk).update(reference=item.reference)
        RectificationEvent.objects.create(
            item=item,
            at=recorded_now(),
            effective_date=item.opened_on,
            actor=actor,
            action="open",
            to_status=item.status,
            data={
                "source": item.source,
                "owner": item.handler.username if item.handler else "",
                "rule": item.rule.code,
                **({"finding": finding.pk} if finding is not None else {}),
                **({"complaint": complaint.reference} if complaint is not None else {}),
            },
        )
        rectification_recompute_clocks(item)
        audit_change(actor=actor, obj=item, before=None)
        _tell_later(
            item,
            [item.handler_id],
            "rect_assigned",
            gettext_lazy("Rectification %(ref)s is yours: %(title)s"),
        )
    return item


def rectification_from_finding(*, actor: User, finding: Any, data: dict[str, Any]) -> Rectification:
    """A finding becomes a rectification item (its unit, its description, its repeat mark); `data` gives
    the owner and may override title, description, opened_on and rule. One live item per finding."""
    _require_open_perm(actor)
    if finding.rectifications.exclude(status=Status.CANCELLED).exists():
        raise Conflict(_("This finding already has a rectification item."), code="already_open")
    item_text = str(getattr(finding, "description", "") or "")
    base = {
        "org_unit": finding.org_unit,
        "title": (item_text.splitlines() or [""])[0][:200],
        "description": item_text,
        "source": Source.INSPECTION,
        "opened_on": recorded_date(),
    }
    merged = {**base, **{k: v for k, v in data.items() if v not in (None, "")}, "source": Source.INSPECTION}
    return rectification_open(actor=actor, data=merged, finding=finding)


def rectification_from_complaint(*, actor: User, complaint: Any, data: dict[str, Any]) -> Rectification:
    """A complaint's root cause (溯源整改) opens a rectification item linked to it; the complaint's page lists
    it. `data` as for `rectification_open` (org_unit defaults to the complaint's unit)."""
    _require_open_perm(actor)
    base = {"org_unit": complaint.org_unit, "source": Source.COMPLAINT, "opened_on": recorded_date()}
    merged = {**base, **{k: v for k, v in data.items() if v not in (None, "")}, "source": Source.COMPLAINT}
    return rectification_open(actor=actor, data=merged, complaint=complaint)


# --- clocks -------------------------------------------------------------------------------------------


def compute_clock(item: Rectification, events: list[Any], today: dt.date | None = None) -> ClockResult:
    """The deadline clock from the opening day: met by the verification, stopped by a cancellation."""
    rule = item.rule
    return run_clock(
        get_calendar(),
        RuleSpec(rule.code, rule.days, rule.unit, rule.roll_forward),
        item.opened_on,
        [EventSpec(e.action, e.effective_date, e.data or {}) for e in events],
        today or recorded_date(),
        name=CLOCK,
        met_by={"verify"},
        stopped=item.status == Status.CANCELLED,
        pausable=False,
    )


def rectification_recompute_clocks(item: Rectification, today: dt.date | None = None) -> RectificationClock:
    """Recompute the clock from the events and store it, with its outcome on the item row."""
    events = list(item.events.order_by("at", "id").only("action", "effective_date", "data"))
    result = compute_clock(item, events, today)
    existing = RectificationClock.objects.filter(item=item, name=CLOCK).only("due_date").first()
    defaults: dict[str, Any] = {"rule": item.rule, **result.stored()}
    if existing is None or existing.due_date != result.due_date:  # a moved deadline: fresh warnings
        defaults |= {"warned": [], "escalation_level": 0}
    clock, _created = RectificationClock.objects.update_or_create(item=item, name=CLOCK, defaults=defaults)
    if (item.due_date, item.clock_state) != (result.due_date, result.state):
        Rectification.objects.filter(pk=item.pk).update(due_date=result.due_date, clock_state=result.state)
        item.due_date, item.clock_state = result.due_date, result.state
    return clock


# --- transitions --------------------------------------------------------------------------------------


def can_reach(user: Any, item: Rectification, action: str) -> bool:
    """The item lies in the user's scope (the permission is the action's own)."""
    return bool(user.has_perm(VIEW) and unit_in_scope(user, item.org_unit))


def role_allows(user: Any, item: Rectification, action: str) -> bool:
    """Who takes the step: the owner (start, submit, extend), anyone but the owner (verify, reject, decide an
    extension), the opener (cancel)."""
    if action in OWNER_ACTIONS:
        return item.handler_id == user.pk
    if action in NOT_OWNER_ACTIONS:
        return item.handler_id != user.pk
    if action in OPENER_ACTIONS:
        return item.opened_by_id == user.pk
    return True


TRANSITIONS = Transitions(
    model=Rectification,
    event_model=RectificationEvent,
    workflow=WORKFLOW,
    recompute=rectification_recompute_clocks,
    reach=can_reach,
    noun="rectification item",
    lock_related=("org_unit", "rule"),
    messages={
        "unreachable": gettext_lazy("This rectification item is not in your scope."),
        "invalid_state": gettext_lazy("This step is not possible while the rectification item is “%(s)s”."),
    },
)


def allowed_actions(user: Any, item: Rectification) -> list[Any]:
    """The steps the user may take now (table, permission, scope and who takes it), without the extension
    decisions when nothing waits and the request when one does."""
    pending = any(x.state == PENDING for x in item.extensions.all())
    skip = {"extend"} if pending else {"approve_extension", "reject_extension"}
    return [
        a
        for a in TRANSITIONS.allowed_actions(user, item)
        if a.code not in skip and role_allows(user, item, a.code)
    ]


def rectification_transition(
    *,
    actor: User,
    item: Rectification,
    action: str,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Rectification:
    """Take a workflow step (see `workflow.py`); 403 with a reason for the wrong person, 409 for the wrong
    state or a stale version, 422 with field messages for bad input."""
    return TRANSITIONS.run(
        actor=actor, item=item, action=action, data=data, expected_version=expected_version
    )  # type: ignore[no-any-return]


def _owner_only(actor: User, item: Rectification) -> None:
    if item.handler_id != actor.pk:
        raise PermissionDenied(_("Only the owner of this rectification item may take this step."))


def _not_owner(actor: User, item: Rectification, what: str) -> None:
    if item.handler_id == actor.pk:
        raise PermissionDenied(
            _("The owner may not %(what)s their own rectification item: somebody else must.") % {"what": what}
        )


@TRANSITIONS.handles("start")
def _start(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _owner_only(actor, item)
    if data.get("plan"):
        item.plan = data["plan"]
    return ({"plan": True} if data.get("plan") else {}), None


@TRANSITIONS.handles("submit")
def _submit(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _owner_only(actor, item)
    item.result = data["result"]
    if data.get("plan"):
        item.plan = data["plan"]
    _tell_later(
        item, [item.opened_by_id], "rect_submitted", gettext_lazy("Rectification %(ref)s awaits verification")
    )
    return {"result": data["result"][:500], "evidence": item.evidence.count()}, None


@TRANSITIONS.handles("verify")
def _verify(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _not_owner(actor, item, _("verify"))
    item.verified_by, item.verified_at = actor, recorded_now()
    _tell_later(item, [item.handler_id], "rect_verified", gettext_lazy("Rectification %(ref)s was verified"))
    return {}, None


@TRANSITIONS.handles("reject")
def _reject(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _not_owner(actor, item, _("reject"))
    _tell_later(
        item,
        [item.handler_id],
        "rect_rejected",
        gettext_lazy("Rectification %(ref)s was sent back for rework"),
    )
    return {"reason": data["reason"]}, None


@TRANSITIONS.handles("extend")
def _extend(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _owner_only(actor, item)
    to_days = int(data["to_days"])
    ext, needs_approval = extension_request(
        item, clock=CLOCK, to_days=to_days, reason=data["reason"], actor=actor
    )
    if needs_approval:
        _tell_later(
            item,
            [item.opened_by_id],
            "rect_extension",
            gettext_lazy("Rectification %(ref)s: an extension awaits approval"),
        )
    return {
        "to_days": to_days,
        "needs_approval": needs_approval,
        "extension": ext.pk,
        "reason": data["reason"],
    }, None


def _decide(actor: User, item: Rectification, approve: bool) -> tuple[dict[str, Any], None]:
    _not_owner(actor, item, _("approve an extension of"))
    ext = item.extensions.filter(state=PENDING).first()
    if ext is None:
        raise Conflict(_("No extension awaits approval."), code="no_pending_extension")
    if ext.requested_by_id == actor.pk:
        raise PermissionDenied(_("The approver must not be the person who asked."))
    ext.state = APPROVED if approve else REJECTED
    ext.decided_by, ext.decided_at = actor, recorded_now()
    ext.save()
    return {"to_days": ext.to_days, "extension": ext.pk}, None


@TRANSITIONS.handles("approve_extension")
def _approve_extension(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide(actor, item, True)


@TRANSITIONS.handles("reject_extension")
def _reject_extension(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide(actor, item, False)


@TRANSITIONS.handles("cancel")
def _cancel(actor: User, item: Rectification, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    if item.opened_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who opened this rectification item may cancel it."))
    item.extensions.filter(state=PENDING).update(state=REJECTED, decided_by=actor, decided_at=recorded_now())
    return {"reason": data["reason"]}, None


# --- notifications after commit -------------------------------------------------------------------------


def _tell_later(item: Rectification, user_ids: list[int | None], kind: str, template: Any) -> None:
    """An in-app notification about the item to each user, once the step commits (none if it rolls back)."""
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
