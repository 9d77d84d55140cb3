"""Inspections API: /api/v1/inspections (list, detail, answers, photos, actions),
/api/v1/inspections/findings, /api/v1/inspections/checklists."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError, field_error
from xiaobao.inspections import checklists as checklist_services
from xiaobao.inspections.choices import PlanKind, Severity
from xiaobao.inspections.choices import Status as InspectionStatus
from xiaobao.inspections.filtersets import InspectionFilter
from xiaobao.inspections.models import ChecklistTemplate, Finding, Inspection, InspectionPhoto
from xiaobao.inspections.photos import photo_response
from xiaobao.inspections.selectors import (
    checklist_detail,
    checklist_list,
    finding_list,
    inspection_detail,
    inspection_list,
    inspection_sheet,
    outlet_complaints,
)
from xiaobao.inspections.services import TRANSITIONS, answer_save, inspection_act, photo_add
from xiaobao.inspections.workflow import CHECKLISTS, VIEW, WORKFLOW

router = Router(tags=["inspections"])


# --- schemas ------------------------------------------------------------------------------------------


class InspectionOut(Schema):
    id: int
    reference: str
    status: str
    version: int
    kind: str
    unit: str = Field(..., description="Outlet code")
    unit_name: str
    inspector: str | None
    checklist: str = Field(..., description="Checklist family code")
    checklist_version: int
    plan: int | None
    due_date: dt.date | None
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None
    score: Decimal | None
    max_score: Decimal | None
    percent: Decimal | None
    stars: int | None
    is_mystery: bool


def _out(i: Inspection) -> dict[str, Any]:
    return {
        "id": i.pk,
        "reference": i.reference,
        "status": i.status,
        "version": i.version,
        "kind": i.kind,
        "unit": i.org_unit.code,
        "unit_name": i.org_unit.name,
        "inspector": i.handler.username if i.handler is not None else None,
        "checklist": i.template.code,
        "checklist_version": i.template.version,
        "plan": i.plan_id,
        "due_date": i.due_date,
        "started_at": i.started_at,
        "submitted_at": i.submitted_at,
        "score": i.score,
        "max_score": i.max_score,
        "percent": i.percent,
        "stars": i.stars,
        "is_mystery": i.is_mystery,
    }


class AnswerOut(Schema):
    item: str
    value: Any
    score: Decimal | None
    passed: bool | None
    note: str
    answered_at: dt.datetime | None
    photos: list[int]


class SectionOut(Schema):
    code: str
    name: str
    weight: Decimal
    score: Decimal | None
    max_score: Decimal | None
    percent: Decimal | None
    gated: bool


class FindingOut(Schema):
    id: int
    inspection: int | None
    reference: str | None
    unit: str
    unit_name: str
    item: str
    description: str
    severity: str
    is_repeat: bool
    repeat_of: int | None
    created_at: dt.datetime


def _finding_out(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "inspection": f.inspection_id,
        "reference": f.inspection.reference if f.inspection is not None else None,
        "unit": f.org_unit.code,
        "unit_name": f.org_unit.name,
        "item": f.item_code,
        "description": f.description,
        "severity": f.severity,
        "is_repeat": f.is_repeat,
        "repeat_of": f.repeat_of_id,
        "created_at": f.created_at,
    }


class ComplaintsOut(Schema):
    count: int | None = Field(..., description="None: the caller may not see complaints")
    days: int
    since: dt.date


class InspectionDetailOut(InspectionOut):
    sections: list[SectionOut]
    answers: list[AnswerOut]
    findings: list[FindingOut]
    allowed_actions: list[str]
    outlet_complaints: ComplaintsOut


def _detail(request: HttpRequest, i: Inspection) -> dict[str, Any]:
    sheet = inspection_sheet(i)
    answers = [
        {
            "item": r.item.code,
            "value": r.answer.value if r.answer else None,
            "score": r.answer.score if r.answer else None,
            "passed": r.answer.passed if r.answer else None,
            "note": r.answer.note if r.answer else "",
            "answered_at": r.answer.answered_at if r.answer else None,
            "photos": [p.pk for p in r.photos],
        }
        for s in sheet
        for r in s.rows
    ]
    sections = [
        {
            "code": s.section.code,
            "name": s.section.name,
            "weight": s.section.weight,
            "score": (s.result or {}).get("score"),
            "max_score": (s.result or {}).get("max_score"),
            "percent": (s.result or {}).get("percent"),
            "gated": bool((s.result or {}).get("gated")),
        }
        for s in sheet
    ]
    complaints = outlet_complaints(user=request.user, unit=i.org_unit)
    return {
        **_out(i),
        "sections": sections,
        "answers": answers,
        "findings": [_finding_out(f) for f in i.findings.select_related("org_unit", "inspection")],
        "allowed_actions": [a.code for a in TRANSITIONS.allowed_actions(request.user, i)],
        "outlet_complaints": complaints,
    }


class InspectionListFilter(Schema):
    mine: bool | None = Field(None, description="Only the inspections you are the inspector of")
    status: InspectionStatus | None = None
    kind: PlanKind | None = None
    unit: str | None = Field(None, description="Outlet or unit code: the unit and everything below it")
    plan: int | None = None
    date_from: dt.date | None = Field(None, description="Due on or after")
    date_to: dt.date | None = Field(None, description="Due on or before")


def _visible(request: HttpRequest, inspection_id: int) -> Inspection:
    require_perm(request.user, VIEW)
    i = inspection_detail(user=request.user, pk=inspection_id)
    if i is None:
        return get_visible(Inspection.objects.none(), pk=inspection_id)  # 404
    return i


# --- inspections --------------------------------------------------------------------------------------


@router.get("/inspections", response=list[InspectionOut], summary="Inspections in your scope (and your own)")
@paginate(LimitOffsetPagination)
def inspections(request: HttpRequest, filters: Query[InspectionListFilter]):
    require_perm(request.user, VIEW)
    form = InspectionFilter({k: v for k, v in filters.dict().items() if v not in (None, "")})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return [_out(i) for i in inspection_list(user=request.user, filters=form.cleaned_data)]


class FindingFilter(Schema):
    unit: str | None = None
    severity: Severity | None = None
    repeat: bool | None = None
    inspection: int | None = None


@router.get(
    "/inspections/findings", response=list[FindingOut], summary="Findings in your scope, newest first"
)
@paginate(LimitOffsetPagination)
def findings(request: HttpRequest, filters: Query[FindingFilter]):
    require_perm(request.user, VIEW)
    return [_finding_out(f) for f in finding_list(user=request.user, filters=filters.dict())]


# --- checklists ---------------------------------------------------------------------------------------


class ItemOut(Schema):
    code: str
    text: str
    kind: str
    max_score: int
    weight: Decimal
    critical: bool
    gating: bool
    photo_required: bool
    guidance: str


class ChecklistSectionOut(Schema):
    code: str
    name: str
    weight: Decimal
    gate_item_code: str
    items: list[ItemOut]


class ChecklistOut(Schema):
    id: int
    code: str
    version: int
    is_current: bool
    name: str
    kind: str
    description: str
    max_score: Decimal


class ChecklistDetailOut(ChecklistOut):
    sections: list[ChecklistSectionOut]


def _checklist_out(t: ChecklistTemplate, with_body: bool = False) -> dict[str, Any]:
    out = {
        "id": t.pk,
        "code": t.code,
        "version": t.version,
        "is_current": t.is_current,
        "name": t.name,
        "kind": t.kind,
        "description": t.description,
        "max_score": t.max_score,
    }
    if with_body:
        out["sections"] = checklist_services.checklist_as_input(t)["sections"]
    return out


class ItemIn(Schema):
    code: str
    text: str
    kind: str = "yes_no"
    max_score: int = 1
    weight: Decimal = Decimal(1)
    critical: bool = False
    gating: bool = False
    photo_required: bool = False
    guidance: str = ""


class SectionIn(Schema):
    code: str
    name: str
    weight: Decimal = Decimal(1)
    gate_item_code: str = ""
    items: list[ItemIn]


class ChecklistIn(Schema):
    code: str
    name: str
    kind: str
    description: str = ""
    sections: list[SectionIn]


class ChecklistEditIn(Schema):
    name: str
    kind: str
    description: str = ""
    sections: list[SectionIn]


@router.get("/inspections/checklists", response=list[ChecklistOut], summary="Checklists (current versions)")
def checklists(request: HttpRequest, all_versions: bool = False):
    require_perm(request.user, VIEW)
    return [_checklist_out(t) for t in checklist_list(user=request.user, include_old=all_versions)]


@router.post(
    "/inspections/checklists", response={201: ChecklistDetailOut}, summary="A new checklist (version 1)"
)
def checklist_post(request: HttpRequest, payload: ChecklistIn):
    require_perm(request.user, VIEW)
    require_perm(request.user, CHECKLISTS)
    t = checklist_services.checklist_create(actor=request.user, data=payload.dict())
    return Status(201, _checklist_out(t, with_body=True))


def _checklist(request: HttpRequest, checklist_id: int) -> ChecklistTemplate:
    require_perm(request.user, VIEW)
    t = checklist_detail(user=request.user, pk=checklist_id)
    if t is None:
        return get_visible(ChecklistTemplate.objects.none(), pk=checklist_id)
    return t


@router.get("/inspections/checklists/{checklist_id}", response=ChecklistDetailOut)
def checklist_get(request: HttpRequest, checklist_id: int):
    return _checklist_out(_checklist(request, checklist_id), with_body=True)


@router.put(
    "/inspections/checklists/{checklist_id}",
    response=ChecklistDetailOut,
    summary="Edit the current version (a version inspections use gets a new version instead)",
)
def checklist_put(request: HttpRequest, checklist_id: int, payload: ChecklistEditIn):
    t = _checklist(request, checklist_id)
    if not request.user.has_perm(CHECKLISTS):
        raise PermissionDenied
    new = checklist_services.checklist_update(actor=request.user, template=t, data=payload.dict())
    return _checklist_out(new, with_body=True)


# --- one inspection (after the fixed paths above: /inspections/{id} would take them) ---------------


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
def inspection_get(request: HttpRequest, inspection_id: int):
    return _detail(request, _visible(request, inspection_id))


class AnswerIn(Schema):
    value: bool | int | float | str = Field(
        ...,
        description="yes/no: yes | no | na; score: 0…max | na; a number; text; photo: taken | missing",
    )
    note: str = Field("", max_length=2000)
    given_at: dt.datetime | None = Field(
        None,
        description="When the answer was given on the device: an older resend never replaces a newer answer",
    )


class SavedOut(Schema):
    item: str
    value: Any
    score: Decimal | None
    passed: bool | None
    applied: bool = Field(..., description="False: a newer answer was already stored and stays")
    status: str
    version: int
    running: dict[str, Any]


@router.put(
    "/inspections/{inspection_id}/answers/{item_code}",
    response=SavedOut,
    summary="Save one answer (idempotent; the first answer starts the inspection)",
)
def answer_put(request: HttpRequest, inspection_id: int, item_code: str, payload: AnswerIn):
    i = _visible(request, inspection_id)
    saved = answer_save(
        actor=request.user,
        inspection=i,
        item_code=item_code[:40],
        value=payload.value,
        note=payload.note,
        given_at=payload.given_at,
    )
    r = saved.result
    return {
        "item": item_code,
        "value": saved.answer.value,
        "score": saved.answer.score,
        "passed": saved.answer.passed,
        "applied": saved.applied,
        "status": saved.inspection.status,
        "version": saved.inspection.version,
        "running": {
            "score": str(r.score),
            "max_score": str(r.max_score),
            "percent": None if r.percent is None else str(r.percent),
            "complete": r.complete,
            "sections": [s.as_dict() for s in r.sections],
        },
    }


class PhotoOut(Schema):
    id: int
    item: str | None
    name: str
    content_type: str
    size: int
    sha256: str
    created: bool


@router.post(
    "/inspections/{inspection_id}/photos",
    response={200: PhotoOut, 201: PhotoOut},
    summary="Upload a photo (JPEG, PNG, WebP); the same photo again answers 200 with the stored one",
)
def photo_upload(request: HttpRequest, inspection_id: int, file: File[UploadedFile], item: Form[str] = ""):
    i = _visible(request, inspection_id)
    photo, created = photo_add(
        actor=request.user, inspection=i, fileobj=file, name=file.name or "photo", item_code=item[:40]
    )
    body = {
        "id": photo.pk,
        "item": photo.item.code if photo.item is not None else None,
        "name": photo.original_name,
        "content_type": photo.content_type,
        "size": photo.size,
        "sha256": photo.sha256,
        "created": created,
    }
    return Status(201 if created else 200, body)


@router.get("/inspections/{inspection_id}/photos/{photo_id}", response={200: None}, summary="A photo")
def photo_get(request: HttpRequest, inspection_id: int, photo_id: int):
    i = _visible(request, inspection_id)
    return photo_response(get_visible(InspectionPhoto.objects.filter(inspection=i), pk=photo_id))


class ActionIn(Schema):
    note: str = Field("", max_length=2000)


@router.post(
    "/inspections/{inspection_id}/actions/{action}",
    response=InspectionDetailOut,
    summary="start | submit | cancel | reopen (cancel, reopen: with a note; stale If-Match → 409)",
)
def inspection_action(request: HttpRequest, inspection_id: int, action: str, payload: ActionIn | None = None):
    i = _visible(request, inspection_id)
    if action not in WORKFLOW:
        raise field_error("action", _("Unknown action."))
    version = request.headers.get("If-Match", "").strip().strip('"')
    if version and not version.isdigit():
        raise field_error("If-Match", _("The If-Match header must be the inspection's version number."))
    data = {"note": payload.note} if payload and payload.note else {}
    inspection_act(
        actor=request.user, inspection=i, action=action, data=data, version=int(version) if version else None
    )
    fresh = inspection_detail(user=request.user, pk=i.pk)
    return _detail(request, fresh or i)
