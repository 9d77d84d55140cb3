"""Education-activity services: report an activity (with its photos), change it while it awaits approval or
was returned, and take a workflow step (approve, return, resubmit) through the one casework transition
service. Keyword-only, own their transaction, validate everything before writing (all field errors at once).

Rules every write checks (API, pages and the demo alike):
- the unit is in the actor's scope (and open); the day is not in the future;
- the campaign, when given, is the edition of that campaign whose year is the day's year (field error on
  `campaign` when that year has no edition);
- the venue and the topics are active codes of the catalogue; at least one topic;
- the audience segments add up to the people reached (field error on `audience`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.casework.notifications import notify_on_commit
from xiaobao.casework.transitions import Transitions, lock
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, snapshot
from xiaobao.education.models import (
    SEGMENTS,
    Activity,
    ActivityEvent,
    ActivityPhoto,
    Campaign,
    CampaignEdition,
    Topic,
    Venue,
)
from xiaobao.education.workflow import (
    EDITABLE,
    NOT_REPORTER_ACTIONS,
    REPORT,
    SUBMITTED,
    VIEW,
    WORKFLOW,
)

MAX_COUNT = 10_000_000  # no activity reaches more people than this; a typo of extra digits is refused
COUNTS: tuple[str, ...] = (
    "people_reached",
    "staff_involved",
    "leaflets",
    "online_articles",
    "online_reads",
    "videos",
    "media_reports",
)
TEXTS = {"title": 200, "place": 200, "description": 20000}
# The fields of an activity (what the API and the edit page may change).
FIELDS = ("org_unit", "held_on", "campaign", "venue", "topics", "audience", *COUNTS, *TEXTS)


# --- checking the input -------------------------------------------------------------------------------


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    if message not in errors.setdefault(name, []):
        errors[name].append(message)


def _count(errors: dict[str, list[str]], name: str, value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        _add(errors, name, _("Enter a whole number of 0 or more."))
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        _add(errors, name, _("Enter a whole number of 0 or more."))
        return 0
    if value > MAX_COUNT:
        _add(errors, name, _("At most %(n)s.") % {"n": f"{MAX_COUNT:,}"})
        return 0
    return value


def _text(errors: dict[str, list[str]], name: str, value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > TEXTS[name]:
        _add(errors, name, _("At most %(n)d characters.") % {"n": TEXTS[name]})
    return text


def _day(errors: dict[str, list[str]], value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or value.year < 2000:
        _add(errors, "held_on", _("Enter a date (YYYY-MM-DD)."))
        return None
    if value > recorded_date():
        _add(errors, "held_on", _("The day of the activity cannot be in the future."))
        return None
    return value


def _unit(errors: dict[str, list[str]], actor: User, value: Any) -> OrgUnit | None:
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    else:
        code = str(value or "").strip()
        unit = OrgUnit.objects.filter(code=code).first() if code and len(code) <= 32 else None
    if unit is None or not unit_in_scope(actor, unit):
        _add(errors, "org_unit", _("No such unit in your scope."))
        return None
    if not unit.is_active:
        _add(errors, "org_unit", _("This unit is closed."))
        return None
    return unit


def _code(value: Any) -> str:
    if isinstance(value, Campaign | Venue | Topic):
        return value.code
    return str(value or "").strip()[:40]


def _edition(errors: dict[str, list[str]], value: Any, held_on: dt.date | None) -> CampaignEdition | None:
    if isinstance(value, CampaignEdition):
        value = value.campaign.code
    code = _code(value)
    if not code:
        return None
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        _add(errors, "campaign", _("No such campaign."))
        return None
    if held_on is None:
        return None
    edition = CampaignEdition.objects.filter(campaign=campaign, year=held_on.year).first()
    if edition is None:
        _add(
            errors,
            "campaign",
            _("%(campaign)s has no edition in %(year)d: choose another campaign or none.")
            % {"campaign": campaign.name, "year": held_on.year},
        )
    return edition


def _venue(errors: dict[str, list[str]], value: Any) -> Venue | None:
    code = _code(value)
    venue = Venue.objects.filter(code=code, active=True).first() if code else None
    if venue is None:
        _add(errors, "venue", _("Choose a venue type.") if not code else _("No such venue type."))
    return venue


def _topics(errors: dict[str, list[str]], value: Any) -> list[Topic]:
    if value is None or value == "":
        value = []
    if isinstance(value, str | Topic):
        value = [value]
    if not isinstance(value, list | tuple | set) and not hasattr(value, "__iter__"):
        _add(errors, "topics", _("Give a list of topic codes."))
        return []
    codes = list(dict.fromkeys(_code(v) for v in value if _code(v)))
    if not codes:
        _add(errors, "topics", _("Choose at least one topic."))
        return []
    found = {t.code: t for t in Topic.objects.filter(code__in=codes, active=True)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        _add(errors, "topics", _("No such topic: %(codes)s.") % {"codes": ", ".join(unknown)})
        return []
    return [found[c] for c in codes]


def _audience(errors: dict[str, list[str]], value: Any) -> dict[str, int]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        _add(errors, "audience", _("Give the audience as counts per segment."))
        return dict.fromkeys(SEGMENTS, 0)
    unknown = sorted(set(value) - set(SEGMENTS))
    if unknown:
        _add(
            errors,
            "audience",
            _("Unknown segment: %(keys)s (allowed: %(allowed)s).")
            % {"keys": ", ".join(map(str, unknown)), "allowed": ", ".join(SEGMENTS)},
        )
    inner: dict[str, list[str]] = {}
    out = {s: _count(inner, s, value.get(s)) for s in SEGMENTS}
    for messages in inner.values():
        for m in messages:
            _add(errors, "audience", m)
    return out


def clean_activity(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of an activity checked together; a ValidationError with all field messages at once.
    Returns the model's values (`edition`, `venue`, `topics`, `audience_<segment>`, counts, texts)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"org_unit": _unit(errors, actor, data.get("org_unit"))}
    out["held_on"] = _day(errors, data.get("held_on"))
    out["edition"] = _edition(errors, data.get("campaign"), out["held_on"])
    out["venue"] = _venue(errors, data.get("venue"))
    out["topics"] = _topics(errors, data.get("topics"))
    audience = _audience(errors, data.get("audience"))
    for name in COUNTS:
        out[name] = _count(errors, name, data.get(name))
    for name in TEXTS:
        out[name] = _text(errors, name, data.get(name))
    if "audience" not in errors and "people_reached" not in errors:
        total = sum(audience.values())
        if total != out["people_reached"]:
            _add(
                errors,
                "audience",
                _("The segments add up to %(sum)d, but %(n)d people were reached: they must be equal.")
                % {"sum": total, "n": out["people_reached"]},
            )
    out.update({f"audience_{s}": n for s, n in audience.items()})
    if errors:
        raise ValidationError(errors)
    if not out["title"]:
        venue, edition = out["venue"], out["edition"]
        out["title"] = f"{edition.campaign.name} · {venue.name}" if edition else venue.name
    return out


def current_data(item: Activity) -> dict[str, Any]:
    """The activity's fields in the input shape (what a PATCH is laid over)."""
    return {
        "org_unit": item.org_unit,
        "held_on": item.held_on,
        "campaign": item.edition.campaign.code if item.edition_id else "",  # type: ignore[union-attr]
        "venue": item.venue.code,
        "topics": [t.code for t in item.topics.all()],
        "audience": item.audience(),
        **{name: getattr(item, name) for name in COUNTS},
        **{name: getattr(item, name) for name in TEXTS},
    }


# --- who may do what ---------------------------------------------------------------------------------


def can_report(user: Any) -> bool:
    return bool(user.has_perm(REPORT) and user.has_perm(VIEW))


def can_reach(user: Any, item: Activity, action: str = "") -> bool:
    """The activity lies in the user's scope (the permission is the action's own)."""
    return bool(user.has_perm(VIEW) and unit_in_scope(user, item.org_unit))


def role_allows(user: Any, item: Activity, action: str) -> bool:
    """The reporter never approves or returns their own activity."""
    if action in NOT_REPORTER_ACTIONS:
        return item.reported_by_id != user.pk
    return True


def can_edit(user: Any, item: Activity) -> bool:
    """Change the fields (or add photos): reporters in the unit's scope while it is submitted or returned."""
    return bool(user.has_perm(REPORT) and can_reach(user, item) and item.status in EDITABLE)


def allowed_actions(user: Any, item: Activity) -> list[Any]:
    return [a for a in TRANSITIONS.allowed_actions(user, item) if role_allows(user, item, a.code)]


def approvers(unit: OrgUnit, *, exclude: Iterable[int | None] = ()) -> list[int]:
    """Who is told that an activity of `unit` awaits approval: the active users holding approve_activity in
    the nearest unit at or above it that has any (the branch's consumer-protection officers for an outlet;
    head office's for a branch's own activity when the branch officer reported it)."""
    perm = Permission.objects.filter(content_type__app_label="education", codename="approve_activity")
    skip = {i for i in exclude if i}
    chain = [*list(unit.ancestors()), unit] if hasattr(unit, "ancestors") else [unit]
    chain.sort(key=lambda u: len(u.path), reverse=True)
    rows = (
        User.objects.filter(is_active=True, org_unit__in=[u.pk for u in chain])
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .values_list("pk", "org_unit_id")
        .distinct()
    )
    by_unit: dict[int, set[int]] = {}
    for pk, unit_id in rows:
        if pk not in skip:
            by_unit.setdefault(unit_id, set()).add(pk)
    for u in chain:
        if by_unit.get(u.pk):
            return sorted(by_unit[u.pk])
    return []


def _tell_approvers(item: Activity) -> None:
    ids = approvers(item.org_unit, exclude=[item.reported_by_id])
    if ids:
        notify_on_commit(
            users=ids,
            subject=item,
            kind="edu_activity_submitted",
            message=(
                str(gettext_lazy("Education activity %(ref)s awaits approval: %(title)s"))
                % {"ref": item.reference, "title": item.title[:80]}
            )[:300],
            key=f"edu_activity_submitted:{item.pk}:{item.version}",
        )


# --- reporting ------------------------------------------------------------------------------------------


def _require_report(actor: User) -> None:
    if not can_report(actor):
        raise PermissionDenied(_("You may not report education activities."))


def _set_fields(item: Activity, clean: dict[str, Any]) -> list[Topic]:
    topics = clean.pop("topics")
    for name, value in clean.items():
        setattr(item, name, value)
    return topics


def _refresh_photo_dates(item: Activity) -> None:
    from xiaobao.education.photos import mismatch

    for photo in item.photos.all():
        flag = mismatch(photo.taken_on, item.held_on)
        if flag != photo.date_mismatch:
            ActivityPhoto.objects.filter(pk=photo.pk).update(date_mismatch=flag)


def activity_report(
    *, actor: User, data: dict[str, Any], photos: Sequence[tuple[str, bytes]] = (), at: Any = None
) -> Activity:
    """Report an activity (status `submitted`): the activity, its topics, its photos (checked first: a bad
    photo stores nothing), its event and audit rows together; the approvers are told after commit."""
    _require_report(actor)
    clean = clean_activity(actor, data)
    from xiaobao.education.photos import check_photos, store_photo

    checked = check_photos(photos)
    now = at or recorded_now()
    with transaction.atomic():
        item = Activity(status=SUBMITTED, reported_by=actor, submitted_at=now)
        topics = _set_fields(item, clean)
        item.reference = f"tmp-{uuid.uuid4().hex[:20]}"
        item.save()
        item.reference = f"ED{item.held_on:%Y}{item.pk:06d}"
        Activity.objects.filter(pk=item.pk).update(reference=item.reference)
        item.topics.set(topics)
        ActivityEvent.objects.create(
            item=item,
            at=now,
            effective_date=now.date() if isinstance(now, dt.datetime) else recorded_date(),
            actor=actor,
            action="report",
            to_status=SUBMITTED,
            data={"topics": [t.code for t in topics], "photos": len(checked)},
        )
        audit_change(actor=actor, obj=item, before=None)
        for name, content, key in checked:
            store_photo(actor=actor, item=item, name=name, data=content, key=key, event=False)
        _tell_approvers(item)
    return item


def activity_update(
    *, actor: User, item: Activity, data: dict[str, Any], expected_version: int | None = None
) -> Activity:
    """Change an activity's fields while it awaits approval or was returned (`data` holds only what
    changes); a stale version → 409, an approved activity → 409 (frozen), bad input → field errors."""
    _require_report(actor)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in unknown})
    with transaction.atomic():
        obj = lock(Activity.objects.select_related("org_unit", "edition__campaign", "venue")).get(pk=item.pk)
        if not can_reach(actor, obj):
            raise PermissionDenied(_("This activity is not in your scope."))
        if expected_version is not None and obj.version != expected_version:
            raise Conflict(
                _("Someone else changed this activity in the meantime. Reload and try again."),
                code="conflict",
            )
        if obj.status not in EDITABLE:
            raise Conflict(_("An approved activity can no longer be changed."), code="invalid_state")
        changes = _apply(actor, obj, data)
        obj.version += 1
        obj.save()
        ActivityEvent.objects.create(
            item=obj,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="edit",
            from_status=obj.status,
            to_status=obj.status,
            data={"fields": changes},
        )
    return obj


def _apply(actor: User, obj: Activity, data: dict[str, Any]) -> list[str]:
    """Lay `data` over the activity's fields, check the whole, write it; the changed fields' names."""
    before = snapshot(obj)
    old_topics = sorted(t.code for t in obj.topics.all())
    merged = {**current_data(obj), **data}
    clean = clean_activity(actor, merged)
    topics = _set_fields(obj, clean)
    obj.save()
    obj.topics.set(topics)
    _refresh_photo_dates(obj)
    after = snapshot(obj)
    changed = sorted(k for k in after if before.get(k) != after.get(k) and k not in ("updated_at",))
    if sorted(t.code for t in topics) != old_topics:
        changed.append("topics")
    audit_change(actor=actor, obj=obj, before=before, action="update")
    return changed


# --- the workflow steps ---------------------------------------------------------------------------------


def _recompute(item: Activity) -> None:
    """Activities have no deadline clock (the edition's report_by is watched by the campaigns side)."""


TRANSITIONS = Transitions(
    model=Activity,
    event_model=ActivityEvent,
    workflow=WORKFLOW,
    recompute=_recompute,
    reach=can_reach,
    noun="education activity",
    lock_related=("org_unit", "venue", "edition__campaign"),
    messages={
        "unreachable": gettext_lazy("This activity is not in your scope."),
        "conflict": gettext_lazy("Someone else changed this activity in the meantime. Reload and try again."),
        "invalid_state": gettext_lazy("This step is not possible while the activity is “%(s)s”."),
    },
)


def activity_transition(
    *,
    actor: User,
    item: Activity,
    action: str,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
    at: Any = None,
) -> Activity:
    """Take a step (see `workflow.py`): 403 with a reason for the wrong person, 409 for the wrong state or
    a stale version, field errors for bad input (a return needs a reason; a resubmission re-checks the
    whole activity with the corrections in `data`)."""
    return TRANSITIONS.run(  # type: ignore[no-any-return]
        actor=actor, item=item, action=action, data=data, expected_version=expected_version, at=at
    )


def _not_reporter(actor: User, item: Activity) -> None:
    if item.reported_by_id == actor.pk:
        raise PermissionDenied(
            _("You reported this activity: somebody else with approval rights must approve or return it.")
        )


@TRANSITIONS.handles("approve")
def _approve(actor: User, item: Activity, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _not_reporter(actor, item)
    item.approved_by, item.approved_at = actor, recorded_now()
    return {}, None


@TRANSITIONS.handles("return")
def _return(actor: User, item: Activity, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _not_reporter(actor, item)
    notify_on_commit(
        users=[item.reported_by_id],
        subject=item,
        kind="edu_activity_returned",
        message=(
            str(gettext_lazy("Education activity %(ref)s was returned for correction: %(reason)s"))
            % {"ref": item.reference, "reason": data["reason"][:120]}
        )[:300],
        key=f"edu_activity_returned:{item.pk}:{item.version}",
    )
    return {"reason": data["reason"]}, None


@TRANSITIONS.handles("resubmit")
def _resubmit(actor: User, item: Activity, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    fields = {k: v for k, v in data.items() if k in FIELDS}
    unknown = sorted(set(data) - set(FIELDS) - {"note", "version"})
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in unknown})
    changed = _apply(actor, item, fields) if fields else []
    item.submitted_at = recorded_now()
    item.version += 1  # the notification key below names the version the step produces
    _tell_approvers(item)
    item.version -= 1
    return {"fields": changed}, None
