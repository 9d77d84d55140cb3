"""Rectification API: /api/v1/rectifications (open, list, detail, timeline, actions, evidence)."""

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.casework.api import action_payload
from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError, field_error
from xiaobao.core.models import User
from xiaobao.rectification.evidence import can_add_evidence, evidence_add, evidence_response
from xiaobao.rectification.filtersets import RectificationFilter
from xiaobao.rectification.models import Rectification
from xiaobao.rectification.selectors import rectification_detail, rectification_list
from xiaobao.rectification.services import (
    allowed_actions,
    rectification_from_complaint,
    rectification_from_finding,
    rectification_open,
    rectification_transition,
)
from xiaobao.rectification.workflow import ACTIONS, OPEN_PERM, VIEW, WORKFLOW

router = Router(tags=["rectification"])


class RectificationIn(Schema):
    org_unit: str = Field(..., max_length=32, description="Responsible unit code")
    title: str = Field(..., max_length=200)
    description: str = Field(..., max_length=20000)
    source: str = Field(..., description="regulator, inspection, complaint, audit or self_check")
    opened_on: dt.date = Field(..., description="The opening day; working days count from the day after")
    rule: str | None = Field(None, max_length=40, description="Deadline rule code (default: by source)")
    owner: str = Field(..., max_length=150, description="Username of the owner")
    issued_by: str = Field("", max_length=100, description="Optional: the regulator or auditor")
    external_reference: str = Field("", max_length=64, description="Optional: the opinion's number")
    plan: str = Field("", max_length=5000, description="Optional: the rectification plan")
    finding: int | None = Field(
        None, description="Optional: the inspection finding it rectifies (source inspection)"
    )
    complaint: str | None = Field(
        None,
        max_length=24,
        description="Optional: reference of the complaint whose root cause it is (source complaint)",
    )


class RectificationClockOut(Schema):
    name: str
    rule: str
    due_date: dt.date
    state: str
    provisional: bool


class RectificationCreated(Schema):
    id: int
    reference: str
    status: str
    clocks: list[RectificationClockOut]
    allowed_actions: list[str]


class RectificationExtensionOut(Schema):
    id: int
    to_days: int
    state: str
    reason: str
    requested_by: str
    requested_at: dt.datetime


class EvidenceOut(Schema):
    id: int
    kind: str = Field(..., description="before, after or document")
    name: str
    content_type: str
    size: int
    sha256: str
    caption: str


class RectificationOut(RectificationCreated):
    version: int
    title: str
    description: str
    source: str
    org_unit: str
    owner: str | None
    opened_on: dt.date
    opened_by: str
    rule: str
    due_date: dt.date | None
    overdue: bool
    issued_by: str
    external_reference: str
    finding: int | None
    complaint: str | None = Field(..., description="Reference of the complaint whose root cause it is")
    is_repeat: bool
    plan: str
    result: str
    verified_by: str | None
    verified_at: dt.datetime | None
    extensions: list[RectificationExtensionOut]
    evidence: list[EvidenceOut]


class RectificationListOut(Schema):
    id: int
    reference: str
    status: str
    title: str
    source: str
    org_unit: str
    owner: str | None
    opened_on: dt.date
    due_date: dt.date | None
    clock_state: str
    overdue: bool
    is_repeat: bool

    @staticmethod
    def resolve_org_unit(obj: Rectification) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_owner(obj: Rectification) -> str | None:
        return obj.handler.username if obj.handler else None

    @staticmethod
    def resolve_overdue(obj: Rectification) -> bool:
        return _overdue(obj)


class RectificationListFilter(Schema):
    q: str = Field("", max_length=100)
    status: list[str] = []
    source: str = ""
    unit: str = Field("", description="Unit code: the unit and every unit below it")
    owner: str = Field("", description="Owner's username")
    overdue: bool | None = None
    repeat: bool | None = None
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    ordering: str = ""


class RectificationEventOut(Schema):
    at: dt.datetime
    effective_date: dt.date
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


def _overdue(item: Rectification) -> bool:
    from xiaobao.core.clock import localdate

    return bool(item.status in WORKFLOW.group("open") and item.due_date and item.due_date < localdate())


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _clocks(item: Rectification) -> list[dict[str, Any]]:
    return [
        {
            "name": k.name,
            "rule": k.rule.code,
            "due_date": k.due_date,
            "state": k.state,
            "provisional": k.provisional,
        }
        for k in item.clocks.all()
    ]


def created_out(item: Rectification, user: Any) -> dict[str, Any]:
    return {
        "id": item.pk,
        "reference": item.reference,
        "status": item.status,
        "clocks": _clocks(item),
        "allowed_actions": [a.code for a in allowed_actions(user, item)],
    }


def detail_out(item: Rectification, user: Any) -> dict[str, Any]:
    return {
        **created_out(item, user),
        "version": item.version,
        "title": item.title,
        "description": item.description,
        "source": item.source,
        "org_unit": item.org_unit.code,
        "owner": item.handler.username if item.handler else None,
        "opened_on": item.opened_on,
        "opened_by": item.opened_by.username,
        "rule": item.rule.code,
        "due_date": item.due_date,
        "overdue": _overdue(item),
        "issued_by": item.issued_by,
        "external_reference": item.external_reference,
        "finding": item.finding_id,
        "complaint": item.complaint.reference if item.complaint else None,
        "is_repeat": item.is_repeat,
        "plan": item.plan,
        "result": item.result,
        "verified_by": item.verified_by.username if item.verified_by else None,
        "verified_at": item.verified_at,
        "extensions": [
            {
                "id": x.pk,
                "to_days": x.to_days,
                "state": x.state,
                "reason": x.reason,
                "requested_by": x.requested_by.username,
                "requested_at": x.created_at,
            }
            for x in item.extensions.all()
        ],
        "evidence": [_evidence_out(e) for e in item.evidence.all()],
    }


def _evidence_out(e: Any) -> dict[str, Any]:
    return {
        "id": e.pk,
        "kind": e.kind,
        "name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "sha256": e.sha256,
        "caption": e.caption,
    }


def _visible(request: HttpRequest, rectification_id: int) -> Rectification:
    require_perm(request.user, VIEW)
    item = rectification_detail(user=request.user, pk=rectification_id)
    if item is None:
        get_visible(Rectification.objects.none(), pk=rectification_id)  # raises the shared 404
    return item  # type: ignore[return-value]


def _finding(request: HttpRequest, pk: int, data: dict[str, Any]) -> Any:
    from xiaobao.inspections.models import Finding

    if data.get("source") != "inspection":
        raise field_error("source", _("A rectification of a finding has the source “inspection”."))
    finding = Finding.objects.visible_to(request.user).filter(pk=pk).first()
    if finding is None:
        raise field_error("finding", _("No such finding in your scope."))
    return finding


def _complaint(request: HttpRequest, reference: str, data: dict[str, Any]) -> Any:
    from xiaobao.complaints.models import Complaint

    if data.get("source") != "complaint":
        raise field_error("source", _("A complaint's root-cause rectification has the source “complaint”."))
    complaint = Complaint.objects.visible_to(request.user).filter(reference=reference).first()
    if complaint is None:
        raise field_error("complaint", _("No such complaint in your scope."))
    return complaint


@router.post(
    "/rectifications",
    response={201: RectificationCreated},
    summary="Open a rectification item (e.g. a regulator's opinion, 监管意见)",
)
def rectification_create(request: HttpRequest, payload: RectificationIn):
    require_perm(request.user, OPEN_PERM)
    data = payload.dict()
    finding_id, complaint_ref = data.pop("finding"), data.pop("complaint")
    if finding_id is not None and complaint_ref:
        raise field_error("complaint", _("Give a finding or a complaint, not both."))
    if finding_id is not None:
        item = rectification_from_finding(
            actor=_user(request), finding=_finding(request, finding_id, data), data=data
        )
    elif complaint_ref:
        complaint = _complaint(request, complaint_ref, data)
        item = rectification_from_complaint(actor=_user(request), complaint=complaint, data=data)
    else:
        item = rectification_open(actor=_user(request), data=data)
    fresh = rectification_detail(user=request.user, pk=item.pk) or item
    return Status(201, created_out(fresh, request.user))


@router.get(
    "/rectifications", response=list[RectificationListOut], summary="Rectification items in your scope"
)
@paginate(LimitOffsetPagination)
def rectifications(request: HttpRequest, filters: Query[RectificationListFilter]):
    require_perm(request.user, VIEW)
    form = RectificationFilter({k: v for k, v in filters.dict().items() if v not in (None, "", [])})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return rectification_list(user=request.user, filters=form.cleaned_data)


@router.get("/rectifications/{rectification_id}", response=RectificationOut)
def rectification_get(request: HttpRequest, rectification_id: int):
    return detail_out(_visible(request, rectification_id), request.user)


@router.get(
    "/rectifications/{rectification_id}/events", response=list[RectificationEventOut], summary="The timeline"
)
def rectification_events(request: HttpRequest, rectification_id: int):
    item = _visible(request, rectification_id)
    return [
        {
            "at": e.at,
            "effective_date": e.effective_date,
            "actor": e.actor.username if e.actor else None,
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "note": e.note,
            "data": e.data,
        }
        for e in item.events.select_related("actor")
    ]


ACTION_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": (
                        "The action's data: start {plan?}; submit {result, plan?}; verify {note?}; "
                        "reject {reason}; extend {to_days, reason} (to_days: a step of the item's rule); "
                        "approve_extension {note?}; reject_extension {note?}; cancel {reason}. The owner "
                        "starts, submits and asks for extensions; somebody else verifies, rejects and "
                        "decides extensions; the opener cancels."
                    ),
                }
            }
        },
    }
}


@router.post(
    "/rectifications/{rectification_id}/actions/{action}",
    response=RectificationOut,
    openapi_extra=ACTION_BODY,
    summary="Take a step: submit, verify, reject, extend, approve_extension, reject_extension, start, cancel "
    "(If-Match: <version> → 409 when it changed)",
)
def rectification_action(request: HttpRequest, rectification_id: int, action: str):
    payload = action_payload(request)
    item = _visible(request, rectification_id)
    if action not in ACTIONS:
        raise field_error("action", _("Unknown action."))
    version = request.headers.get("If-Match", "").strip().strip('"')
    if version and not version.isdigit():
        raise field_error("If-Match", _("The If-Match header must be the item's version number."))
    rectification_transition(
        actor=_user(request),
        item=item,
        action=action,
        data=payload,
        expected_version=int(version) if version else None,
    )
    return detail_out(rectification_detail(user=request.user, pk=item.pk) or item, request.user)


@router.post("/rectifications/{rectification_id}/evidence", response={201: EvidenceOut})
def evidence_upload(
    request: HttpRequest,
    rectification_id: int,
    file: File[UploadedFile],
    kind: Form[str] = "after",
    caption: Form[str] = "",
):
    """Before/after photos (PNG, JPEG) or documents (PDF, images, .docx, .xlsx), multipart."""
    item = _visible(request, rectification_id)
    if not can_add_evidence(request.user, item):
        raise PermissionDenied(_("You may not add evidence to this rectification item."))
    ev = evidence_add(
        actor=request.user, item=item, fileobj=file, name=file.name or "file", kind=kind, caption=caption
    )
    return Status(201, _evidence_out(ev))


@router.get("/rectifications/{rectification_id}/evidence/{evidence_id}", response={200: None})
def evidence_download(request: HttpRequest, rectification_id: int, evidence_id: int):
    item = _visible(request, rectification_id)
    ev = get_visible(item.evidence.all(), pk=evidence_id)
    return evidence_response(ev)
