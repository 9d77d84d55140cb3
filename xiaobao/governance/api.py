"""Governance API (/api/v1/governance/...): bodies and members, meetings, action items (list, detail, steps,
evidence), liaisons (and the units without one), supervisors and their feedback. Lists are paginated
(limit/offset) and scoped like the pages; errors in the shared /api/v1 shape."""

from __future__ import annotations

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
from xiaobao.core.clock import localdate
from xiaobao.core.errors import field_error
from xiaobao.core.models import OrgUnit, User
from xiaobao.governance import selectors as sel
from xiaobao.governance import services as svc
from xiaobao.governance.models import ActionItem, Body, Meeting, Supervisor
from xiaobao.governance.workflow import ACTIONS, VIEW

router = Router(tags=["governance"])
P = "/governance"
MAX_ID = 2**31 - 1  # ids beyond a 32-bit integer match nothing (and must not reach the database)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- schemas ------------------------------------------------------------------------------------------


class BodyIn(Schema):
    kind: str = Field(..., description="leadership_group, board_committee or other")
    org_unit: str = Field(..., max_length=32)
    name: str = Field(..., max_length=100)
    established_on: dt.date | None = None
    description: str = Field("", max_length=5000)


class MemberIn(Schema):
    user: str = Field("", max_length=150, description="Username of a member of staff, or give `name`")
    name: str = Field("", max_length=100)
    position: str = Field("", max_length=100)
    role: str = Field(..., description="leader, deputy_leader, member, secretary, chair, committee_member")
    term_start: dt.date
    term_end: dt.date | None = None


class MemberOut(Schema):
    id: int
    name: str
    username: str | None
    position: str
    role: str
    term_start: dt.date
    term_end: dt.date | None


class BodyOut(Schema):
    id: int
    kind: str
    org_unit: str
    name: str
    established_on: dt.date | None
    description: str


class BodyDetailOut(BodyOut):
    members: list[MemberOut]


class AttendanceIn(Schema):
    member: int
    present: bool = True
    reason: str = Field("", max_length=200)


class MeetingIn(Schema):
    held_on: dt.date
    kind: str = Field(..., description="regular, extraordinary or special")
    title: str = Field(..., max_length=200)
    place: str = Field("", max_length=100)
    topics: list[str] = Field(..., description="The topics studied, one each")
    resolutions: list[str] = []
    attendance: list[AttendanceIn] = Field([], description="Members absent (with reason); the others present")


class AttendanceOut(Schema):
    member: int
    name: str
    present: bool
    reason: str


class MeetingOut(Schema):
    id: int
    body: int
    body_name: str
    held_on: dt.date
    kind: str
    title: str
    place: str
    topics: list[str]
    resolutions: list[str]
    minutes: str | None


class MeetingDetailOut(MeetingOut):
    attendance: list[AttendanceOut]
    action_items: list[int]


class ActionItemIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=10000)
    owner: str = Field(..., max_length=150, description="Username of the owner")
    org_unit: str = Field("", max_length=32, description="Responsible unit (default: the owner's unit)")
    due_on: dt.date | None = Field(None, description="Default: the rule's 30 days after the meeting")


class ActionExtensionOut(Schema):
    id: int
    from_date: dt.date
    to_date: dt.date
    reason: str
    state: str
    requested_by: str
    decided_by: str | None


class ActionItemOut(Schema):
    id: int
    reference: str
    status: str
    version: int
    source: str
    title: str
    org_unit: str
    owner: str | None
    meeting: int | None
    feedback: int | None
    assigned_on: dt.date
    due_on: dt.date
    clock_state: str
    overdue: bool
    escalation_level: int
    result: str
    allowed_actions: list[str]
    extensions: list[ActionExtensionOut]


class ActionEvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    caption: str


class LiaisonIn(Schema):
    org_unit: str = Field(..., max_length=32)
    user: str = Field("", max_length=150)
    name: str = Field("", max_length=100)
    phone: str = Field(..., max_length=20)
    since: dt.date


class LiaisonOut(Schema):
    id: int
    org_unit: str
    name: str
    username: str | None
    phone: str = Field(..., description="Masked")
    since: dt.date
    until: dt.date | None


class UnitOut(Schema):
    code: str
    name: str
    kind: str


class SupervisorIn(Schema):
    org_unit: str = Field(..., max_length=32, description="The unit the supervisor watches")
    name: str = Field(..., max_length=50)
    phone: str = Field("", max_length=20)
    occupation: str = Field(..., max_length=100)
    term_start: dt.date
    term_end: dt.date | None = None


class SupervisorOut(Schema):
    id: int
    org_unit: str
    name: str = Field(..., description="Masked")
    phone: str = Field(..., description="Masked")
    occupation: str
    term_start: dt.date
    term_end: dt.date | None


class FeedbackIn(Schema):
    received_on: dt.date
    channel: str = Field(..., description="phone, letter, visit, meeting, online or other")
    content: str = Field(..., max_length=5000)
    owner: str = Field(..., max_length=150, description="Who answers it (username)")
    due_on: dt.date | None = Field(None, description="Default: 15 working days after receipt")


class FeedbackOut(Schema):
    id: int
    supervisor: int
    received_on: dt.date
    channel: str
    content: str
    action_item: int | None
    status: str | None
    answer: str
    due_on: dt.date | None


# --- shaping ------------------------------------------------------------------------------------------


def _member(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "name": m.display_name,
        "username": m.user.username if m.user_id else None,
        "position": m.position,
        "role": m.role,
        "term_start": m.term_start,
        "term_end": m.term_end,
    }


def _body(b: Body) -> dict[str, Any]:
    return {
        "id": b.pk,
        "kind": b.kind,
        "org_unit": b.org_unit.code,
        "name": b.name,
        "established_on": b.established_on,
        "description": b.description,
    }


def _meeting(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "body": m.body_id,
        "body_name": m.body.name,
        "held_on": m.held_on,
        "kind": m.kind,
        "title": m.title,
        "place": m.place,
        "topics": m.topic_list,
        "resolutions": m.resolution_list,
        "minutes": m.minutes_name or None,
    }


def _item(item: ActionItem, user: Any) -> dict[str, Any]:
    clock = next(iter(item.clocks.all()), None)
    return {
        "id": item.pk,
        "reference": item.reference,
        "status": item.status,
        "version": item.version,
        "source": item.source,
        "title": item.title,
        "org_unit": item.org_unit.code,
        "owner": item.handler.username if item.handler else None,
        "meeting": item.meeting_id,
        "feedback": item.feedback_id,
        "assigned_on": item.assigned_on,
        "due_on": item.due_on,
        "clock_state": item.clock_state,
        "overdue": bool(item.status in sel.OPEN and item.due_date and item.due_date < localdate()),
        "escalation_level": clock.escalation_level if clock else 0,
        "result": item.result,
        "allowed_actions": [a.code for a in svc.allowed_actions(user, item)],
        "extensions": [
            {
                "id": x.pk,
                "from_date": x.from_date,
                "to_date": x.to_date,
                "reason": x.reason,
                "state": x.state,
                "requested_by": x.requested_by.username,
                "decided_by": x.decided_by.username if x.decided_by else None,
            }
            for x in item.extensions.all()
        ],
    }


def _feedback(f: Any) -> dict[str, Any]:
    item = getattr(f, "action_item", None)
    return {
        "id": f.pk,
        "supervisor": f.supervisor_id,
        "received_on": f.received_on,
        "channel": f.channel,
        "content": f.content,
        "action_item": item.pk if item else None,
        "status": item.status if item else None,
        "answer": item.result if item else "",
        "due_on": item.due_on if item else None,
    }


def _visible_body(request: HttpRequest, body_id: int) -> Body:
    require_perm(request.user, VIEW)
    return get_visible(Body.objects.visible_to(request.user).select_related("org_unit"), pk=body_id)  # type: ignore[no-any-return]


def _visible_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    require_perm(request.user, VIEW)
    m = sel.meeting_detail(request.user, meeting_id)
    if m is None:
        get_visible(Meeting.objects.none(), pk=meeting_id)
    return m  # type: ignore[return-value]


def _visible_item(request: HttpRequest, item_id: int) -> ActionItem:
    require_perm(request.user, VIEW)
    item = sel.item_detail(request.user, item_id)
    if item is None:
        get_visible(ActionItem.objects.none(), pk=item_id)
    return item  # type: ignore[return-value]


# --- bodies ---------------------------------------------------------------------------------------------


@router.get(f"{P}/bodies", response=list[BodyOut], summary="Governance bodies in your scope")
@paginate(LimitOffsetPagination)
def body_list(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [_body(b) for b in sel.bodies(request.user)]


@router.post(f"{P}/bodies", response={201: BodyOut})
def body_create(request: HttpRequest, payload: BodyIn):
    body = svc.body_create(actor=_user(request), data=payload.dict())
    return Status(201, _body(body))


@router.get(f"{P}/bodies/{{body_id}}", response=BodyDetailOut)
def body_get(request: HttpRequest, body_id: int):
    body = _visible_body(request, body_id)
    return {**_body(body), "members": [_member(m) for m in body.members.select_related("user")]}


@router.post(f"{P}/bodies/{{body_id}}/members", response={201: MemberOut})
def member_create(request: HttpRequest, body_id: int, payload: MemberIn):
    body = _visible_body(request, body_id)
    member = svc.member_add(actor=_user(request), body=body, data=payload.dict())
    return Status(201, _member(member))


# --- meetings -------------------------------------------------------------------------------------------


@router.get(f"{P}/meetings", response=list[MeetingOut], summary="Meetings in your scope, latest first")
@paginate(LimitOffsetPagination)
def meeting_list(request: HttpRequest, body: int | None = Query(None, ge=1, le=MAX_ID)):
    require_perm(request.user, VIEW)
    qs = sel.meetings(request.user)
    if body is not None:
        qs = qs.filter(body_id=body)
    return [_meeting(m) for m in qs]


@router.post(f"{P}/bodies/{{body_id}}/meetings", response={201: MeetingDetailOut})
def meeting_create(request: HttpRequest, body_id: int, payload: MeetingIn):
    body = _visible_body(request, body_id)
    data = payload.dict()
    data["topics"] = "\n".join(t.strip() for t in data["topics"] if t and t.strip())
    data["resolutions"] = "\n".join(t.strip() for t in data["resolutions"] if t and t.strip())
    data["attendance"] = {
        a["member"]: {"present": a["present"], "reason": a["reason"]} for a in data["attendance"]
    }
    meeting = svc.meeting_create(actor=_user(request), body=body, data=data)
    return Status(201, meeting_get(request, meeting.pk))


@router.get(f"{P}/meetings/{{meeting_id}}", response=MeetingDetailOut)
def meeting_get(request: HttpRequest, meeting_id: int):
    m = _visible_meeting(request, meeting_id)
    return {
        **_meeting(m),
        "attendance": [
            {
                "member": a.member_id,
                "name": a.member.display_name,
                "present": a.present,
                "reason": a.absence_reason,
            }
            for a in m.attendance.all()
        ],
        "action_items": list(m.action_items.values_list("pk", flat=True)),
    }


# --- action items -------------------------------------------------------------------------------------


@router.get(
    f"{P}/action-items",
    response=list[ActionItemOut],
    summary="Action items (view=open|mine|overdue|to_verify)",
)
@paginate(LimitOffsetPagination)
def item_list(
    request: HttpRequest,
    view: str = "",
    status: str = "",
    source: str = "",
    body: int | None = Query(None, ge=1, le=MAX_ID),
    unit: str = "",
):
    require_perm(request.user, VIEW)
    if view not in ("", "open", "mine", "overdue", "to_verify"):
        raise field_error("view", _("Choose one of: %(s)s.") % {"s": "open, mine, overdue, to_verify"})
    filters: dict[str, Any] = {"view": view, "status": status, "source": source, "body": body}
    if unit:
        found = OrgUnit.objects.visible_to(request.user).filter(code=unit[:32]).first()
        if found is None:
            raise field_error("unit", _("No such unit in your scope."))
        filters["unit"] = found
    return [
        _item(i, request.user)
        for i in sel.items(request.user, filters).prefetch_related(
            "clocks", "extensions__requested_by", "extensions__decided_by"
        )
    ]


@router.post(f"{P}/meetings/{{meeting_id}}/action-items", response={201: ActionItemOut})
def item_create(request: HttpRequest, meeting_id: int, payload: ActionItemIn):
    meeting = _visible_meeting(request, meeting_id)
    item = svc.action_item_open(actor=_user(request), meeting=meeting, data=payload.dict())
    return Status(201, _item(sel.item_detail(request.user, item.pk) or item, request.user))


@router.get(f"{P}/action-items/{{item_id}}", response=ActionItemOut)
def item_get(request: HttpRequest, item_id: int):
    return _item(_visible_item(request, item_id), request.user)


ACTION_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "start {note?}; submit {result} (a meeting's item needs evidence first); "
                    "close {note?}; reject {reason}; extend {to_date, reason}; approve_extension {note?}; "
                    "reject_extension {note?}; cancel {reason}. The owner starts, submits and asks for a "
                    "later due date; somebody else closes, sends back and decides the extension.",
                }
            }
        },
    }
}


@router.post(
    f"{P}/action-items/{{item_id}}/actions/{{action}}",
    response=ActionItemOut,
    openapi_extra=ACTION_BODY,
    summary=(
        "Take a step: start, submit, close, reject, extend, approve_extension, reject_extension, cancel "
        "(If-Match: <version> → 409 when it changed)"
    ),
)
def item_action(request: HttpRequest, item_id: int, action: str):
    payload = action_payload(request)
    item = _visible_item(request, item_id)
    if action not in ACTIONS:
        raise field_error("action", _("Unknown action."))
    version = request.headers.get("If-Match", "").strip().strip('"')
    if version and not version.isdigit():
        raise field_error("If-Match", _("The If-Match header must be the item's version number."))
    svc.action_transition(
        actor=_user(request),
        item=item,
        action=action,
        data=payload,
        expected_version=int(version) if version else None,
    )
    return _item(sel.item_detail(request.user, item.pk) or item, request.user)


@router.post(f"{P}/action-items/{{item_id}}/evidence", response={201: ActionEvidenceOut})
def evidence_upload(request: HttpRequest, item_id: int, file: File[UploadedFile], caption: Form[str] = ""):
    """A document or photo (PDF, PNG, JPEG, .docx, .xlsx), multipart, by the item's owner."""
    item = _visible_item(request, item_id)
    if not svc.can_add_evidence(request.user, item):
        raise PermissionDenied(_("You may not add evidence to this action item."))
    ev = svc.evidence_add(
        actor=request.user, item=item, fileobj=file, name=file.name or "file", caption=caption
    )
    return Status(
        201,
        {
            "id": ev.pk,
            "name": ev.original_name,
            "content_type": ev.content_type,
            "size": ev.size,
            "sha256": ev.sha256,
            "caption": ev.caption,
        },
    )


# --- liaisons -------------------------------------------------------------------------------------------


def _liaison(x: Any) -> dict[str, Any]:
    return {
        "id": x.pk,
        "org_unit": x.org_unit.code,
        "name": x.display_name,
        "username": x.user.username if x.user_id else None,
        "phone": str(x.phone) if x.phone else "",
        "since": x.since,
        "until": x.until,
    }


@router.get(
    f"{P}/liaisons", response=list[LiaisonOut], summary="Current liaisons (all=true: with former ones)"
)
@paginate(LimitOffsetPagination)
def liaison_list(request: HttpRequest, all: bool = False):
    require_perm(request.user, VIEW)
    return [_liaison(x) for x in sel.liaisons(request.user, current_only=not all)]


@router.post(f"{P}/liaisons", response={201: LiaisonOut})
def liaison_create(request: HttpRequest, payload: LiaisonIn):
    liaison = svc.liaison_add(actor=_user(request), data=payload.dict())
    return Status(201, _liaison(liaison))


@router.get(
    f"{P}/liaisons/gaps", response=list[UnitOut], summary="Units in your scope without a current liaison"
)
@paginate(LimitOffsetPagination)
def liaison_gaps(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [
        {"code": u.code, "name": u.name, "kind": u.kind}
        for u in svc.units_without_liaison(request.user, localdate())
    ]


# --- supervisors and feedback ------------------------------------------------------------------------------


def _supervisor(s: Supervisor) -> dict[str, Any]:
    return {
        "id": s.pk,
        "org_unit": s.org_unit.code,
        "name": str(s.name),
        "phone": str(s.phone) if s.phone else "",
        "occupation": s.occupation,
        "term_start": s.term_start,
        "term_end": s.term_end,
    }


@router.get(f"{P}/supervisors", response=list[SupervisorOut], summary="External supervisors (names masked)")
@paginate(LimitOffsetPagination)
def supervisor_list(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [_supervisor(s) for s in sel.supervisors(request.user)]


@router.post(f"{P}/supervisors", response={201: SupervisorOut})
def supervisor_create(request: HttpRequest, payload: SupervisorIn):
    sup = svc.supervisor_add(actor=_user(request), data=payload.dict())
    return Status(201, _supervisor(sup))


@router.get(f"{P}/feedback", response=list[FeedbackOut], summary="Supervisors' feedback and its answers")
@paginate(LimitOffsetPagination)
def feedback_list(
    request: HttpRequest, supervisor: int | None = Query(None, ge=1, le=MAX_ID), open: bool = False
):
    require_perm(request.user, VIEW)
    qs = sel.feedback(request.user)
    if supervisor is not None:
        qs = qs.filter(supervisor_id=supervisor)
    if open:
        qs = qs.filter(action_item__status__in=sel.OPEN)
    return [_feedback(f) for f in qs]


@router.post(f"{P}/supervisors/{{supervisor_id}}/feedback", response={201: FeedbackOut})
def feedback_create(request: HttpRequest, supervisor_id: int, payload: FeedbackIn):
    require_perm(request.user, VIEW)
    sup = get_visible(
        Supervisor.objects.visible_to(request.user).select_related("org_unit"), pk=supervisor_id
    )
    f = svc.feedback_add(actor=_user(request), supervisor=sup, data=payload.dict())
    f = sel.feedback(request.user).get(pk=f.pk)
    return Status(201, _feedback(f))
