"""Training's write side: yearly plans (layer targets, courses), sessions (with their materials and the QR
sign-in switch) and attendance (entered by hand, signed on the QR pages, imported from a sign-in list —
`attendance_import.py`).

Rules:
- Writes need `training.manage_training` and stay inside the actor's subtree: a plan's or a session's unit
  must lie in it (a branch reads head office's plan but cannot change it). Every change is audited.
- A session may belong to a plan of its year whose unit is the session's unit or above it, and to a course
  of that plan.
- A session trains the people of its unit's subtree: attendance is for an active staff member whose unit
  lies in the session unit's subtree (entered by hand, imported or signed).
- An attendance row carries the session's date (coverage counts by it) and the hours credited (the
  session's unless changed for that person, never more). Changing the session's date moves its rows;
  changing its hours changes the rows that had the old hours.
- QR sign-in works only while the session's sign-in is open and on the session's day (local date), for the
  logged-in user's own staff record or, on the public page, for the person whose employee number and name
  match the register. Signing twice is harmless (the first row stays).
- A session with attendance cannot be deleted (remove the attendance first: coverage counts it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from xiaobao.complaints.attachments import KINDS, Kind, max_size
from xiaobao.core.clock import localdate
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import subtree_q, unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.training.choices import SessionKind, SessionMode, SignInMethod, TrainerKind
from xiaobao.training.models import (
    MANAGE,
    Attendance,
    LayerTarget,
    PlanCourse,
    PositionLayer,
    SessionMaterial,
    StaffMember,
    TrainingPlan,
    TrainingSession,
    new_signin_token,
)

MAX_HOURS = Decimal("999.9")
MAX_SESSION_HOURS = Decimal("24.0")
TENTH = Decimal("0.1")

Errors = dict[str, list[str]]


# --- shared checks ------------------------------------------------------------------------------------------


def may_manage(user: Any, unit: OrgUnit | None = None) -> bool:
    """The user may plan training and record sessions (for `unit`, when given: inside their subtree)."""
    if not user.has_perm(MANAGE):
        return False
    return unit is None or unit_in_scope(user, unit)


def _require(user: Any, unit: OrgUnit, message: str) -> None:
    if not may_manage(user, unit):
        raise PermissionDenied(message)


def _err(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(data: dict[str, Any], key: str, limit: int) -> str:
    return " ".join(str(data.get(key) or "").split())[:limit] if key in data else ""


def _unit(actor: Any, value: Any, errors: Errors, field: str = "org_unit") -> OrgUnit | None:
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    else:
        code = str(value or "").strip()
        if not code:
            _err(errors, field, _("Choose the unit."))
            return None
        unit = OrgUnit.objects.filter(code=code[:32]).first()
    if unit is None or not unit.is_active or not unit_in_scope(actor, unit):
        _err(errors, field, _("Unknown or closed unit."))
        return None
    return unit


def _decimal(
    value: Any, errors: Errors, field: str, *, low: Decimal, high: Decimal, required: bool = True
) -> Decimal | None:
    if value in (None, ""):
        if required:
            _err(errors, field, _("Enter the hours."))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        _err(errors, field, _("Enter a number."))
        return None
    if not number.is_finite() or number < low or number > high:
        _err(errors, field, _("Between %(low)s and %(high)s.") % {"low": low, "high": high})
        return None
    if number != number.quantize(TENTH):
        _err(errors, field, _("At most one decimal place."))
        return None
    return number.quantize(TENTH)


def _date(value: Any, errors: Errors, field: str = "date") -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        _err(errors, field, _("Enter a valid date."))
        return None
    if not 2000 <= day.year <= 2100:
        _err(errors, field, _("Enter a valid date."))
        return None
    return day


def _time(value: Any, errors: Errors, field: str) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        _err(errors, field, _("Enter a valid time."))
        return None


def _choice(value: Any, choices: Any, errors: Errors, field: str, default: str) -> str:
    value = str(value or "").strip() or default
    if value not in choices.values:
        _err(errors, field, _("Choose one of: %(s)s.") % {"s": ", ".join(choices.values)})
        return default
    return value


def _layer(value: Any, errors: Errors, field: str) -> PositionLayer | None:
    if value in (None, ""):
        return None
    if isinstance(value, PositionLayer):
        return value
    layer = PositionLayer.objects.filter(code=str(value).strip()[:30]).first()
    if layer is None:
        _err(errors, field, _("Unknown position layer: %(c)s.") % {"c": str(value)[:30]})
    return layer


def in_session_subtree(session: TrainingSession, staff: StaffMember) -> bool:
    return staff.org_unit.path.startswith(session.org_unit.path)


# --- plans --------------------------------------------------------------------------------------------------


def _plan_fields(
    actor: Any, data: dict[str, Any], plan: TrainingPlan | None, errors: Errors
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if plan is None or "year" in data:
        try:
            year = int(str(data.get("year") or "").strip())
        except ValueError:
            year = 0
        if not 2000 <= year <= 2100:
            _err(errors, "year", _("Enter a year between 2000 and 2100."))
        out["year"] = year
    if plan is None or "org_unit" in data:
        out["org_unit"] = _unit(actor, data.get("org_unit"), errors)
    if plan is None or "title" in data:
        out["title"] = _text(data, "title", 200)
        if not out["title"]:
            _err(errors, "title", _("Enter a title."))
    if "notes" in data:
        out["notes"] = str(data.get("notes") or "").strip()[:5000]
    return out


def _targets(data: dict[str, Any], errors: Errors) -> dict[PositionLayer, Decimal | None] | None:
    """{layer: hours or None (no target)} from `targets` ({layer code: hours}); None when not given."""
    raw = data.get("targets")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        _err(errors, "targets", _("Give the target hours per layer code."))
        return None
    out: dict[PositionLayer, Decimal | None] = {}
    layers = {layer.code: layer for layer in PositionLayer.objects.all()}
    for code, hours in raw.items():
        layer = layers.get(str(code))
        if layer is None:
            _err(errors, "targets", _("Unknown position layer: %(c)s.") % {"c": str(code)[:30]})
            continue
        out[layer] = _decimal(
            hours, errors, f"target_{code}", low=Decimal("0"), high=MAX_HOURS, required=False
        )
    return out


def _save_targets(plan: TrainingPlan, targets: dict[PositionLayer, Decimal | None]) -> dict[str, Any]:
    """Set, change or clear the plan's targets; the changes as {layer code: [before, after]}."""
    current = {t.layer_id: t for t in plan.targets.all()}
    changes: dict[str, Any] = {}
    for layer, hours in targets.items():
        row = current.get(layer.pk)
        before = row.target_hours if row else None
        if hours is None and row is not None:
            row.delete()
        elif hours is not None and row is None:
            LayerTarget.objects.create(plan=plan, layer=layer, target_hours=hours)
        elif hours is not None and row is not None and row.target_hours != hours:
            row.target_hours = hours
            row.save(update_fields=["target_hours", "updated_at"])
        if before != hours:
            changes[f"target:{layer.code}"] = [
                str(before) if before is not None else None,
                str(hours) if hours is not None else None,
            ]
    return changes


def plan_create(*, actor: Any, data: dict[str, Any]) -> TrainingPlan:
    """A unit's plan of a year: year, org_unit (code or unit), title, notes, targets ({layer code: hours}),
    courses ([{title, layer, topic, hours, planned_month}])."""
    if not may_manage(actor):
        raise PermissionDenied(_("You may not plan training."))
    errors: Errors = {}
    fields = _plan_fields(actor, data, None, errors)
    targets = _targets(data, errors) or {}
    courses = data.get("courses") or []
    if not isinstance(courses, list):
        _err(errors, "courses", _("Give a list of courses."))
        courses = []
    cleaned_courses = [
        _course_fields(c if isinstance(c, dict) else {}, None, errors, prefix=f"courses.{i}.")
        for i, c in enumerate(courses)
    ]
    unit, year = fields["org_unit"], fields["year"]
    if (
        unit is not None
        and "year" not in errors
        and TrainingPlan.objects.filter(year=year, org_unit=unit).exists()
    ):
        _err(errors, "year", _("This unit has a plan for %(y)d already.") % {"y": fields["year"]})
    if errors:
        raise ValidationError(errors)
    plan = TrainingPlan(**fields, created_by=actor)
    try:
        with transaction.atomic():
            plan.save()
            audit_change(actor=actor, obj=plan, before=None)
            changes = _save_targets(plan, {k: v for k, v in targets.items() if v is not None})
            for course in cleaned_courses:
                row = PlanCourse.objects.create(plan=plan, **course)
                audit_change(actor=actor, obj=row, before=None)
            if changes:
                audit_record(actor=actor, action=AuditAction.UPDATE, obj=plan, changes=changes)
    except IntegrityError as exc:  # the same unit and year at the same moment
        raise ValidationError(
            {"year": [_("This unit has a plan for %(y)d already.") % {"y": plan.year}]}
        ) from exc
    return plan


def plan_update(*, actor: Any, plan: TrainingPlan, data: dict[str, Any]) -> TrainingPlan:
    """Change the given fields (year, org_unit, title, notes) and targets ({layer code: hours or "" to
    clear}). Plans of units above the actor's are read-only for them."""
    _require(actor, plan.org_unit, _("You may not change this plan."))
    errors: Errors = {}
    fields = _plan_fields(actor, data, plan, errors)
    targets = _targets(data, errors)
    if not errors and ("year" in fields or "org_unit" in fields):
        year, unit = fields.get("year", plan.year), fields.get("org_unit", plan.org_unit)
        if TrainingPlan.objects.filter(year=year, org_unit=unit).exclude(pk=plan.pk).exists():
            _err(errors, "year", _("This unit has a plan for %(y)d already.") % {"y": year})
        elif "year" in fields and year != plan.year and plan.sessions.exists():
            _err(
                errors,
                "year",
                _("The plan has sessions of %(y)d: its year cannot change.") % {"y": plan.year},
            )
    if errors:
        raise ValidationError(errors)
    before = snapshot(plan)
    for key, value in fields.items():
        setattr(plan, key, value)
    try:
        with transaction.atomic():
            plan.save()
            audit_change(actor=actor, obj=plan, before=before)
            if targets is not None:
                changes = _save_targets(plan, targets)
                if changes:
                    audit_record(actor=actor, action=AuditAction.UPDATE, obj=plan, changes=changes)
    except IntegrityError as exc:
        raise ValidationError(
            {"year": [_("This unit has a plan for %(y)d already.") % {"y": plan.year}]}
        ) from exc
    return plan


def _course_fields(
    data: dict[str, Any], course: PlanCourse | None, errors: Errors, prefix: str = ""
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if course is None or "title" in data:
        out["title"] = _text(data, "title", 200)
        if not out["title"]:
            _err(errors, f"{prefix}title", _("Enter the course."))
    if "layer" in data:
        out["layer"] = _layer(data.get("layer"), errors, f"{prefix}layer")
    if "topic" in data:
        out["topic"] = _text(data, "topic", 200)
    if course is None or "hours" in data:
        hours = _decimal(
            data.get("hours", "2.0"), errors, f"{prefix}hours", low=Decimal("0.5"), high=MAX_HOURS
        )
        out["hours"] = hours or Decimal("2.0")
    if "planned_month" in data:
        month = data.get("planned_month")
        if month in (None, ""):
            out["planned_month"] = None
        else:
            try:
                out["planned_month"] = int(str(month).strip())
            except ValueError:
                out["planned_month"] = 0
            if not 1 <= out["planned_month"] <= 12:
                _err(errors, f"{prefix}planned_month", _("Choose a month from 1 to 12."))
    return out


def course_add(*, actor: Any, plan: TrainingPlan, data: dict[str, Any]) -> PlanCourse:
    _require(actor, plan.org_unit, _("You may not change this plan."))
    errors: Errors = {}
    fields = _course_fields(data, None, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        course = PlanCourse.objects.create(plan=plan, **fields)
        audit_change(actor=actor, obj=course, before=None)
    return course


def course_update(*, actor: Any, course: PlanCourse, data: dict[str, Any]) -> PlanCourse:
    _require(actor, course.plan.org_unit, _("You may not change this plan."))
    errors: Errors = {}
    fields = _course_fields(data, course, errors)
    if errors:
        raise ValidationError(errors)
    before = snapshot(course)
    for key, value in fields.items():
        setattr(course, key, value)
    with transaction.atomic():
        course.save()
        audit_change(actor=actor, obj=course, before=before)
    return course


def course_delete(*, actor: Any, course: PlanCourse) -> None:
    """Remove a course from the plan; its sessions stay (without the course)."""
    _require(actor, course.plan.org_unit, _("You may not change this plan."))
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditAction.DELETE, obj=course, changes={"title": [course.title, None]}
        )
        course.delete()


# --- sessions -----------------------------------------------------------------------------------------------

SESSION_FIELDS = (
    "plan",
    "course",
    "title",
    "topic",
    "kind",
    "org_unit",
    "date",
    "start_time",
    "end_time",
    "hours",
    "trainer_kind",
    "trainer_name",
    "mode",
    "venue",
    "description",
)


def _id(value: Any) -> int:
    """A primary key from input; 0 (matches nothing) for anything else or out of the column's range."""
    try:
        pk = int(str(value).strip())
    except ValueError:
        return 0
    return pk if 0 < pk < 2**31 else 0


def _plan_of(actor: Any, value: Any, errors: Errors) -> TrainingPlan | None:
    if value in (None, ""):
        return None
    if isinstance(value, TrainingPlan):
        return value
    pk = _id(value)
    plan = TrainingPlan.objects.visible_to(actor).select_related("org_unit").filter(pk=pk).first()
    if plan is None:
        _err(errors, "plan", _("Unknown training plan."))
    return plan


def _course_of(plan: TrainingPlan | None, value: Any, errors: Errors) -> PlanCourse | None:
    if value in (None, ""):
        return None
    if isinstance(value, PlanCourse):
        course: PlanCourse | None = value
    else:
        course = PlanCourse.objects.filter(pk=_id(value)).first()
    if course is None or plan is None or course.plan_id != plan.pk:
        _err(errors, "course", _("Choose a course of the session's plan."))
        return None
    return course


def _session_fields(
    actor: Any, data: dict[str, Any], session: TrainingSession | None
) -> tuple[dict[str, Any], list[PositionLayer] | None]:
    errors: Errors = {}
    out: dict[str, Any] = {}
    new = session is None

    def given(key: str) -> bool:
        return new or key in data

    if given("title"):
        out["title"] = _text(data, "title", 200)
        if not out["title"]:
            _err(errors, "title", _("Enter a title."))
    if given("topic"):
        out["topic"] = _text(data, "topic", 200)
    if given("kind"):
        out["kind"] = _choice(data.get("kind"), SessionKind, errors, "kind", SessionKind.LECTURE)
    if given("org_unit"):
        out["org_unit"] = _unit(actor, data.get("org_unit"), errors)
    if given("date"):
        out["date"] = _date(data.get("date"), errors)
    if given("start_time"):
        out["start_time"] = _time(data.get("start_time"), errors, "start_time")
    if given("end_time"):
        out["end_time"] = _time(data.get("end_time"), errors, "end_time")
    if given("hours"):
        out["hours"] = _decimal(
            data.get("hours"), errors, "hours", low=Decimal("0.5"), high=MAX_SESSION_HOURS
        )
    if given("trainer_kind"):
        out["trainer_kind"] = _choice(
            data.get("trainer_kind"), TrainerKind, errors, "trainer_kind", TrainerKind.INTERNAL
        )
    if given("trainer_name"):
        out["trainer_name"] = _text(data, "trainer_name", 100)
    if given("mode"):
        out["mode"] = _choice(data.get("mode"), SessionMode, errors, "mode", SessionMode.ONSITE)
    if given("venue"):
        out["venue"] = _text(data, "venue", 200)
    if given("description"):
        out["description"] = str(data.get("description") or "").strip()[:5000]
    if given("plan"):
        out["plan"] = _plan_of(actor, data.get("plan"), errors)
    if given("course") or "plan" in out:
        plan = out.get("plan", session.plan if session else None)
        if "course" in data:
            out["course"] = _course_of(plan, data.get("course"), errors)
        elif (
            session is not None
            and session.course is not None
            and session.course.plan_id == getattr(plan, "pk", None)
        ):
            out["course"] = session.course
        else:  # a new plan without a course named: the old course (of the old plan) goes
            out["course"] = None
    layers: list[PositionLayer] | None = None
    if "layers" in data:
        layers = []
        raw = data.get("layers") or []
        for code in raw if isinstance(raw, list | tuple) else [raw]:
            layer = _layer(code.code if isinstance(code, PositionLayer) else code, errors, "layers")
            if layer is not None:
                layers.append(layer)

    # the combined rules, on the values the session will have
    def value(key: str) -> Any:
        return out[key] if key in out else getattr(session, key, None)

    start, end = value("start_time"), value("end_time")
    if start and end and end <= start:
        _err(errors, "end_time", _("The end is before the start."))
    if value("trainer_kind") == TrainerKind.EXTERNAL and not value("trainer_name"):
        _err(errors, "trainer_name", _("Name the external expert."))
    plan, unit, day = value("plan"), value("org_unit"), value("date")
    if plan is not None and unit is not None and not unit.path.startswith(plan.org_unit.path):
        _err(errors, "plan", _("The plan must be the session unit's or a unit's above it."))
    if plan is not None and day is not None and plan.year != day.year:
        _err(
            errors,
            "plan",
            _("The plan is for %(y)d; the session is in %(s)d.") % {"y": plan.year, "s": day.year},
        )
    if session is not None and unit is not None and unit != session.org_unit:
        outside = (
            session.attendances.exclude(staff__org_unit__in=OrgUnit.objects.filter(subtree_q(unit.path)))
            .select_related("staff")
            .first()
        )
        if outside is not None:
            _err(
                errors,
                "org_unit",
                _("%(who)s attended and is not in that unit.") % {"who": outside.staff.employee_no},
            )
    if session is not None and "hours" in out and out["hours"] is not None:
        longer = session.attendances.filter(hours__gt=out["hours"]).exclude(hours=session.hours).first()
        if longer is not None:
            _err(errors, "hours", _("Some attendance has more hours (%(h)s).") % {"h": longer.hours})
    if errors:
        raise ValidationError(errors)
    return out, layers


def session_create(*, actor: Any, data: dict[str, Any]) -> TrainingSession:
    """A session: title, topic, kind, org_unit, date, start_time, end_time, hours, trainer_kind,
    trainer_name, mode, venue, layers (codes), description, plan (id), course (id)."""
    if not may_manage(actor):
        raise PermissionDenied(_("You may not record training sessions."))
    fields, layers = _session_fields(actor, data, None)
    session = TrainingSession(**fields, created_by=actor)
    with transaction.atomic():
        session.save()
        if layers:
            session.layers.set(layers)
        audit_change(actor=actor, obj=session, before=None)
    return session


def session_update(*, actor: Any, session: TrainingSession, data: dict[str, Any]) -> TrainingSession:
    """Change the given fields (the keys of `session_create`). The attendance follows the date, and the hours
    where a person had the session's hours."""
    _require(actor, session.org_unit, _("You may not change this session."))
    fields, layers = _session_fields(actor, data, session)
    before = snapshot(session)
    old_hours = session.hours
    for key, value in fields.items():
        setattr(session, key, value)
    with transaction.atomic():
        session.save()
        if layers is not None:
            session.layers.set(layers)
        session.attendances.exclude(date=session.date).update(date=session.date)
        if session.hours != old_hours:
            session.attendances.filter(hours=old_hours).update(hours=session.hours)
        audit_change(actor=actor, obj=session, before=before)
    return session


def session_delete(*, actor: Any, session: TrainingSession) -> None:
    _require(actor, session.org_unit, _("You may not delete this session."))
    if session.attendances.exists():
        raise Conflict(
            _("The session has attendance: remove it first (coverage counts it)."), code="has_attendance"
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=session,
            changes={"title": [session.title, None], "date": [str(session.date), None]},
        )
        for material in session.materials.all():
            material.file.delete(save=False)
        session.delete()


def session_signin_open(*, actor: Any, session: TrainingSession, open: bool) -> TrainingSession:
    """Open or close the QR sign-in of a session."""
    _require(actor, session.org_unit, _("You may not change this session."))
    if session.signin_open == open:
        return session
    with transaction.atomic():
        session.signin_open = open
        session.save(update_fields=["signin_open", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=session, changes={"signin_open": [not open, open]}
        )
    return session


def session_signin_renew(*, actor: Any, session: TrainingSession) -> TrainingSession:
    """A new sign-in address (the old QR code stops working), e.g. when a photo of it went round."""
    _require(actor, session.org_unit, _("You may not change this session."))
    with transaction.atomic():
        session.signin_token = new_signin_token()
        session.save(update_fields=["signin_token", "updated_at"])
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=session, changes={"signin_token": ["…", "…"]}
        )
    return session


# --- materials ----------------------------------------------------------------------------------------------


def _zip_with(*members: str) -> Callable[[bytes], bool]:
    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
        return all(m in names for m in members)

    return check


# Slides, handouts and photos: content and extension must both fit one kind (as complaint attachments).
MATERIAL_KINDS: dict[str, Kind] = {
    **{key: KINDS[key] for key in ("pdf", "docx", "xlsx", "png", "jpg")},
    "pptx": Kind(
        ("pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _zip_with("[Content_Types].xml", "ppt/presentation.xml"),
    ),
}
MATERIAL_BY_EXTENSION = {ext: key for key, kind in MATERIAL_KINDS.items() for ext in kind.extensions}


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def material_kind(data: bytes, name: str) -> str:
    key = MATERIAL_BY_EXTENSION.get(_extension(name))
    if key is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "Only PDF, PowerPoint (.pptx), Word/Excel (.docx, .xlsx) and images (PNG, JPEG) "
                        "can be uploaded."
                    )
                ]
            }
        )
    if not MATERIAL_KINDS[key].matches(data):
        raise ValidationError(
            {"file": [_("The file's content is not a .%(ext)s file.") % {"ext": _extension(name)}]}
        )
    return key


def material_add(*, actor: Any, session: TrainingSession, fileobj: IO[bytes], name: str) -> SessionMaterial:
    """Store a file of the session under a random name; its kind checked by content and extension."""
    _require(actor, session.org_unit, _("You may not change this session."))
    data = fileobj.read(max_size() + 1)
    if len(data) > max_size():
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": max_size() // 2**20}]}
        )
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    key = material_kind(data, name)
    ext = MATERIAL_KINDS[key].extensions[0]
    safe_name = (name.replace("/", "_").replace("\\", "_").replace("\x00", "")[-200:]) or f"file.{ext}"
    with transaction.atomic():
        material = SessionMaterial(session=session, name=safe_name, size=len(data), uploaded_by=actor)
        material.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        material.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=material,
            object_repr=safe_name,
            changes={
                "session": [None, session.pk],
                "file": [None, safe_name],
                "sha256": [None, hashlib.sha256(data).hexdigest()],
            },
        )
    return material


def material_delete(*, actor: Any, material: SessionMaterial) -> None:
    _require(actor, material.session.org_unit, _("You may not change this session."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=material,
            object_repr=material.name,
            changes={"file": [material.name, None]},
        )
        name, storage = material.file.name or "", material.file.storage
        material.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def material_response(material: SessionMaterial) -> FileResponse:
    """The file as a download under a safe name with its kind's content type (never sniffed, no scripts)."""
    key = MATERIAL_BY_EXTENSION.get(_extension(material.file.name or ""))
    kind = MATERIAL_KINDS.get(key) if key else None
    stem = material.name.rsplit(".", 1)[0] if "." in material.name else material.name
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80] or f"material-{material.pk}"
    response = FileResponse(
        material.file.open("rb"),
        as_attachment=True,
        filename=f"{stem}.{kind.extensions[0] if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- attendance ---------------------------------------------------------------------------------------------


def attendee(session: TrainingSession, employee_no: str) -> StaffMember | None:
    """The active staff member of that number in the session unit's subtree."""
    number = " ".join(str(employee_no or "").split())[:30]
    if not number:
        return None
    return (
        StaffMember.objects.filter(employee_no=number, active=True)
        .filter(subtree_q(session.org_unit.path, "org_unit__path"))
        .select_related("org_unit", "layer")
        .first()
    )


def _hours_for(session: TrainingSession, value: Any, errors: Errors) -> Decimal | None:
    if value in (None, ""):
        return session.hours
    return _decimal(value, errors, "hours", low=TENTH, high=session.hours)


def _record(
    *, session: TrainingSession, staff: StaffMember, hours: Decimal, method: str, actor: Any
) -> tuple[Attendance, bool]:
    """The person's row at the session: (row, True) when written now, (the existing row, False) otherwise."""
    existing = Attendance.objects.filter(session=session, staff=staff).first()
    if existing is not None:
        return existing, False
    row = Attendance(
        session=session,
        staff=staff,
        date=session.date,
        hours=hours,
        method=method,
        signed_at=recorded_now(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    try:
        with transaction.atomic():
            row.save()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=row,
                object_repr=f"{session.title} · {staff.employee_no}",
                changes={
                    "session": [None, session.pk],
                    "staff": [None, staff.employee_no],
                    "hours": [None, str(hours)],
                    "method": [None, method],
                },
            )
    except IntegrityError:  # signed twice at the same moment: the first row stays
        found = Attendance.objects.filter(session=session, staff=staff).first()
        if found is None:
            raise
        return found, False
    return row, True


def attendance_add(
    *,
    actor: Any,
    session: TrainingSession,
    employee_no: str,
    hours: Any = None,
    method: str = SignInMethod.MANUAL,
) -> tuple[Attendance, bool]:
    """Record a person (by employee number) at the session by hand; (row, created)."""
    _require(actor, session.org_unit, _("You may not record attendance of this session."))
    errors: Errors = {}
    staff = attendee(session, employee_no)
    if staff is None:
        _err(
            errors,
            "employee_no",
            _("No active person with this number in %(unit)s.") % {"unit": session.org_unit.name},
        )
    credited = _hours_for(session, hours, errors)
    if errors or staff is None or credited is None:
        raise ValidationError(errors)
    return _record(session=session, staff=staff, hours=credited, method=method, actor=actor)


def attendance_set_hours(*, actor: Any, attendance: Attendance, hours: Any) -> Attendance:
    session = attendance.session
    _require(actor, session.org_unit, _("You may not record attendance of this session."))
    errors: Errors = {}
    credited = _decimal(hours, errors, "hours", low=TENTH, high=session.hours)
    if errors or credited is None:
        raise ValidationError(errors)
    if credited != attendance.hours:
        before = attendance.hours
        with transaction.atomic():
            attendance.hours = credited
            attendance.save(update_fields=["hours", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=attendance,
                object_repr=f"{session.title} · {attendance.staff.employee_no}",
                changes={"hours": [str(before), str(credited)]},
            )
    return attendance


def attendance_remove(*, actor: Any, attendance: Attendance) -> None:
    session = attendance.session
    _require(actor, session.org_unit, _("You may not record attendance of this session."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=attendance,
            object_repr=f"{session.title} · {attendance.staff.employee_no}",
            changes={"staff": [attendance.staff.employee_no, None], "hours": [str(attendance.hours), None]},
        )
        attendance.delete()


# --- QR sign-in ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInState:
    """Whether a session takes sign-ins now, and why not."""

    open: bool
    reason: str = ""  # "closed" | "not_today"


def signin_state(session: TrainingSession, today: dt.date | None = None) -> SignInState:
    if not session.signin_open:
        return SignInState(False, "closed")
    if session.date != (today or localdate()):
        return SignInState(False, "not_today")
    return SignInState(True)


def _window(session: TrainingSession) -> None:
    state = signin_state(session)
    if state.reason == "closed":
        raise Conflict(_("Sign-in for this session is closed."), code="signin_closed")
    if state.reason == "not_today":
        raise Conflict(
            _("Sign-in is only possible on the day of the session (%(d)s).")
            % {"d": session.date.isoformat()},
            code="signin_not_today",
        )


def own_staff(user: Any) -> StaffMember | None:
    return StaffMember.objects.filter(user=user, active=True).select_related("org_unit", "layer").first()


def signin_self(*, user: Any, session: TrainingSession) -> tuple[Attendance, bool]:
    """The logged-in user signs in at the session as their own staff record (one tap from the QR code)."""
    _window(session)
    staff = own_staff(user)
    if staff is None:
        raise DomainError(
            _("Your account is not linked to the staff register: ask the organiser."), code="no_staff"
        )
    if not in_session_subtree(session, staff):
        raise DomainError(
            _("This session is for the staff of %(unit)s.") % {"unit": session.org_unit.name},
            code="not_for_you",
        )
    return _record(session=session, staff=staff, hours=session.hours, method=SignInMethod.QR, actor=user)


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def signin_public(*, session: TrainingSession, employee_no: str, name: str) -> tuple[Attendance, bool]:
    """Sign in without an account: the employee number and the name must both match the register (one
    message for either mismatch, so the page tells nothing about who is registered)."""
    _window(session)
    staff = attendee(session, employee_no)
    if staff is None or not _same_name(staff.name, str(name or "")):
        raise ValidationError(
            {
                "__all__": [
                    _("The employee number and name do not match the staff register of this session's unit.")
                ]
            }
        )
    return _record(session=session, staff=staff, hours=session.hours, method=SignInMethod.QR, actor=None)


def session_by_token(token: str) -> TrainingSession | None:
    token = str(token or "")[:32]
    if not token:
        return None
    return TrainingSession.objects.select_related("org_unit").filter(signin_token=token).first()


def attendance_query(session: TrainingSession) -> Any:
    return session.attendances.select_related(
        "staff", "staff__org_unit", "staff__layer", "recorded_by"
    ).order_by("staff__org_unit__path", "staff__employee_no")


def signed_count(session: TrainingSession) -> int:
    return Attendance.objects.filter(session=session).count()
