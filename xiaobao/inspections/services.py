"""Inspection services: the transitions (start, submit, cancel, reopen), saving answers one at a time,
photos, and the findings a submitted inspection leaves.

Answers are saved as they are given: each save locks the inspection row, writes or replaces the one answer
and the running score in one transaction (a request that fails leaves nothing). Saving the same answer twice
changes nothing; an older answer arriving after a newer one (a phone resending after a dropped connection)
is kept out by `given_at`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.casework.transitions import Transitions
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_record
from xiaobao.inspections import photos, scoring
from xiaobao.inspections.choices import Severity, Status
from xiaobao.inspections.models import (
    Answer,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPhoto,
    RatingBand,
)
from xiaobao.inspections.workflow import CONDUCT, WORKFLOW

# --- specs for the pure scoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Specs:
    sections: list[scoring.SectionSpec]
    items: list[scoring.ItemSpec]
    by_code: dict[str, ChecklistItem]
    section_rows: dict[int, ChecklistSection]


def template_specs(template: ChecklistTemplate) -> Specs:
    """The template's sections and items as scoring specs (two queries)."""
    sections = list(ChecklistSection.objects.filter(template=template).order_by("order", "id"))
    rows = {s.pk: s for s in sections}
    items = sorted(
        ChecklistItem.objects.filter(template=template),
        key=lambda i: (rows[i.section_id].order, rows[i.section_id].pk, i.order, i.pk),
    )
    return Specs(
        [scoring.SectionSpec(s.code, s.name, s.weight, s.gate_item_code) for s in sections],
        [
            scoring.ItemSpec(
                i.code,
                rows[i.section_id].code,
                i.kind,
                i.max_score,
                i.weight,
                i.critical,
                i.gating,
                i.text,
            )
            for i in items
        ],
        {i.code: i for i in items},
        rows,
    )


def inspection_result(inspection: Inspection, specs: Specs | None = None) -> scoring.Result:
    specs = specs or template_specs(inspection.template)
    by_id = {i.pk: i.code for i in specs.by_code.values()}
    answers = {
        by_id[a.item_id]: a.value
        for a in Answer.objects.filter(inspection=inspection).only("item_id", "value")
        if a.item_id in by_id
    }
    return scoring.score(specs.sections, specs.items, answers)


def rating_bands() -> list[tuple[int, Decimal]]:
    return list(RatingBand.objects.values_list("stars", "min_percent"))


def _store_score(inspection: Inspection, result: scoring.Result, *, with_stars: bool) -> None:
    inspection.score, inspection.max_score, inspection.percent = (
        result.score,
        result.max_score,
        result.percent,
    )
    inspection.section_scores = [s.as_dict() for s in result.sections]
    if with_stars:
        inspection.stars = scoring.stars(result.percent, rating_bands())


# --- the transition service ---------------------------------------------------------------------------


def _reach(user: Any, item: Inspection, action: str) -> bool:
    """The inspector fills and submits (a task nobody holds: anyone in scope who may inspect); cancelling and
    reopening belong to the outlet's line or the plan's inspecting unit."""
    if action in ("start", "submit"):
        if item.handler_id is not None:
            return bool(item.handler_id == user.pk)
        return unit_in_scope(user, item.org_unit)
    if unit_in_scope(user, item.org_unit):
        return True
    return item.plan is not None and unit_in_scope(user, item.plan.inspecting_unit)


TRANSITIONS = Transitions(
    model=Inspection,
    event_model=InspectionEvent,
    workflow=WORKFLOW,
    recompute=lambda obj: None,  # inspections have no clocks; the due date is planned
    reach=_reach,
    noun="inspection",
    lock_related=("org_unit", "template", "plan", "plan__inspecting_unit"),
    messages={
        "unreachable": gettext_lazy("This inspection is not yours to do."),
        "conflict": gettext_lazy(
            "Someone else changed this inspection in the meantime. Reload and try again."
        ),
        "invalid_state": gettext_lazy("This is not possible while the inspection is “%(s)s”."),
    },
)


@TRANSITIONS.handles("start")
def _start(actor: Any, obj: Inspection, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date | None]:
    obj.started_at = obj.started_at or recorded_now()
    if obj.handler_id is None:
        obj.handler = actor
    return {}, None


@TRANSITIONS.handles("submit")
def _submit(actor: Any, obj: Inspection, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date | None]:
    specs = template_specs(obj.template)
    result = inspection_result(obj, specs)
    _check_complete(obj, specs, result)
    _store_score(obj, result, with_stars=True)
    obj.submitted_at = recorded_now()
    made = _findings(actor, obj, specs, result)
    return {
        "score": str(result.score),
        "max_score": str(result.max_score),
        "percent": None if result.percent is None else str(result.percent),
        "stars": obj.stars,
        "findings": [f.pk for f in made],
    }, None


@TRANSITIONS.handles("cancel")
def _cancel(actor: Any, obj: Inspection, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date | None]:
    return {}, None


@TRANSITIONS.handles("reopen")
def _reopen(actor: Any, obj: Inspection, data: dict[str, Any]) -> tuple[dict[str, Any], dt.date | None]:
    obj.submitted_at = None
    return {"stars": obj.stars, "percent": None if obj.percent is None else str(obj.percent)}, None


def inspection_act(
    *,
    actor: Any,
    inspection: Inspection,
    action: str,
    data: dict[str, Any] | None = None,
    version: int | None = None,
) -> Inspection:
    """Run one workflow action (start / submit / cancel / reopen)."""
    return TRANSITIONS.run(  # type: ignore[no-any-return]
        actor=actor, item=inspection, action=action, data=data, expected_version=version
    )


def _check_complete(obj: Inspection, specs: Specs, result: scoring.Result) -> None:
    """Every scored item answered, every photo the checklist asks for taken: field errors by item code."""
    answered = set(Answer.objects.filter(inspection=obj).values_list("item__code", flat=True))
    with_photo = set(
        InspectionPhoto.objects.filter(inspection=obj, item__isnull=False).values_list(
            "item__code", flat=True
        )
    )
    errors: dict[str, list[str]] = {}
    for spec in specs.items:
        item = specs.by_code[spec.code]
        if spec.scored and spec.code not in answered:
            errors.setdefault(spec.code, []).append(_("This item has no answer yet."))
        if item.photo_required and spec.code not in with_photo:
            errors.setdefault(spec.code, []).append(_("This item needs a photo."))
    if errors:
        raise ValidationError(errors)


# --- findings -----------------------------------------------------------------------------------------


def _severity(spec: scoring.ItemSpec, result: scoring.Result) -> str:
    if spec.critical:
        return Severity.CRITICAL
    gated = {s.code for s in result.sections if s.gated}
    return Severity.MAJOR if spec.gating or spec.section in gated else Severity.MINOR


def previous_visit(obj: Inspection) -> Inspection | None:
    """The outlet's last submitted inspection with the same checklist family before this one."""
    return (
        Inspection.objects.filter(
            org_unit_id=obj.org_unit_id, template__code=obj.template.code, status=Status.SUBMITTED
        )
        .exclude(pk=obj.pk)
        .filter(submitted_at__lt=recorded_now())
        .order_by("-submitted_at", "-pk")
        .first()
    )


def _findings(actor: Any, obj: Inspection, specs: Specs, result: scoring.Result) -> list[Finding]:
    """One finding per failed item (kept from an earlier submission when the item still fails); a finding
    whose item failed at the previous visit too is a repeat finding."""
    failed = list(result.failed)
    existing = {f.item_code: f for f in Finding.objects.filter(inspection=obj)}
    for code, f in existing.items():
        if code not in failed:
            try:
                with transaction.atomic():
                    f.delete()
            except ProtectedError:
                pass  # a rectification item already rests on it: it stays, with its history
    before = previous_visit(obj)
    earlier = (
        {f.item_code: f for f in Finding.objects.filter(inspection=before).order_by("pk")} if before else {}
    )
    answers = {a.item_id: a for a in Answer.objects.filter(inspection=obj)}
    section_names = {s.code: s.name for s in specs.sections}
    made = []
    for spec in (s for s in specs.items if s.code in failed and s.code not in existing):
        item = specs.by_code[spec.code]
        note = answers[item.pk].note if item.pk in answers else ""
        text = f"{section_names[spec.section]}：{item.text}" + (f"（{note}）" if note else "")
        prior = earlier.get(spec.code)
        made.append(
            Finding.objects.create(
                inspection=obj,
                item=item,
                item_code=spec.code,
                org_unit_id=obj.org_unit_id,
                description=text[:2000],
                severity=_severity(spec, result),
                is_repeat=prior is not None,
                repeat_of=prior,
            )
        )
    return made


# --- answers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    answer: Answer
    result: scoring.Result
    applied: bool  # False: an older answer than the one stored (left alone)
    inspection: Inspection


def _fillable(actor: Any, obj: Inspection) -> None:
    if not actor.has_perm(CONDUCT):
        raise PermissionDenied(_("You may not do this."))
    if obj.handler_id is not None and obj.handler_id != actor.pk:
        raise PermissionDenied(_("This inspection is not yours to do."))
    if obj.status not in WORKFLOW.group("fillable"):
        raise Conflict(
            _("This is not possible while the inspection is “%(s)s”.") % {"s": obj.get_status_display()},
            code="invalid_state",
        )


def _item(obj: Inspection, code: str) -> ChecklistItem:
    item = ChecklistItem.objects.filter(template_id=obj.template_id, code=code).first()
    if item is None:
        raise ValidationError({"item": [_("This checklist has no item %(c)s.") % {"c": code[:40]}]})
    return item


def answer_save(
    *,
    actor: Any,
    inspection: Inspection,
    item_code: str,
    value: Any,
    note: str = "",
    given_at: dt.datetime | None = None,
) -> Saved:
    """Save one answer (see the module docstring); the first answer starts a planned inspection."""
    if len(note) > scoring.TEXT_MAX:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": scoring.TEXT_MAX}]})
    if given_at is not None:
        if timezone.is_naive(given_at):
            given_at = timezone.make_aware(given_at)
        given_at = min(given_at, recorded_now())  # a device clock ahead must not pin its answer for ever
    with transaction.atomic():
        obj = TRANSITIONS.locked(inspection.pk)
        _fillable(actor, obj)
        item = _item(obj, item_code)
        spec = scoring.ItemSpec(
            item.code, "", item.kind, item.max_score, item.weight, item.critical, item.gating
        )
        try:
            stored = scoring.normalise(spec, value)
        except scoring.AnswerError as exc:
            raise ValidationError({"value": [str(exc)]}) from None
        if obj.status == Status.PLANNED:
            obj = inspection_act(actor=actor, inspection=obj, action="start")
        answer, applied = _upsert(actor, obj, item, stored, note, given_at)
        result = inspection_result(obj)
        _store_score(obj, result, with_stars=False)
        Inspection.objects.filter(pk=obj.pk).update(
            score=obj.score, max_score=obj.max_score, percent=obj.percent, section_scores=obj.section_scores
        )
    return Saved(answer, result, applied, obj)


def _upsert(
    actor: Any, obj: Inspection, item: ChecklistItem, stored: Any, note: str, given_at: dt.datetime | None
) -> tuple[Answer, bool]:
    res = scoring.evaluate(scoring.ItemSpec(item.code, "", item.kind, item.max_score), stored)
    answer = Answer.objects.filter(inspection=obj, item=item).first()
    if answer is not None and answer.given_at and given_at and given_at < answer.given_at:
        return answer, False
    fields = {
        "value": stored,
        "score": res.points,
        "passed": res.passed,
        "note": note,
        "answered_by": actor,
        "answered_at": recorded_now(),
        "given_at": given_at or recorded_now(),
    }
    if answer is None:
        answer = Answer.objects.create(inspection=obj, item=item, **fields)
    elif (answer.value, answer.note) != (stored, note) or answer.given_at != fields["given_at"]:
        for k, v in fields.items():
            setattr(answer, k, v)
        answer.save()
    return answer, True


# --- photos -------------------------------------------------------------------------------------------


def photo_add(
    *, actor: Any, inspection: Inspection, fileobj: IO[bytes], name: str, item_code: str = ""
) -> tuple[InspectionPhoto, bool]:
    """Store a photo (the same bytes twice: the first row, created False). A photo of a photo item answers
    it ("taken")."""
    data = fileobj.read(photos.max_size() + 1)
    key = photos.classify(data, name)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        obj = TRANSITIONS.locked(inspection.pk)
        _fillable(actor, obj)
        item = _item(obj, item_code) if item_code else None
        found = InspectionPhoto.objects.filter(inspection=obj, sha256=digest).first()
        if found is not None:
            return found, False
        ext = photos.KINDS[key].extensions[0]
        photo = InspectionPhoto(
            inspection=obj,
            item=item,
            original_name=(name.replace("/", "_").replace("\\", "_")[-200:] or f"photo.{ext}"),
            content_type=photos.KINDS[key].content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=actor,
        )
        photo.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        try:
            with transaction.atomic():
                photo.save()
                audit_record(
                    actor=actor, action=AuditAction.CREATE, obj=photo, changes={"sha256": [None, digest]}
                )
                if item is not None and item.kind == "photo":
                    answer_save(actor=actor, inspection=obj, item_code=item.code, value="taken")
        except IntegrityError:
            photo.file.delete(save=False)
            raise Conflict(_("This photo is already stored."), code="conflict") from None
        except BaseException:
            photo.file.delete(save=False)  # nothing half-written: no row, no file
            raise
    return photo, True
