"""Complaints API: /api/v1/codes, /api/v1/complaints (create, list, detail, actions, events, attachments)."""

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.casework.api import action_payload
from xiaobao.complaints import workflow
from xiaobao.complaints.attachments import attachment_add, attachment_response
from xiaobao.complaints.choices import CodeDimension
from xiaobao.complaints.filtersets import ComplaintFilter
from xiaobao.complaints.models import Complaint, ComplaintCode, DeadlineRule
from xiaobao.complaints.selectors import (
    LIST_COUNT_CAP,
    SEARCH_COUNT_CAP,
    IdsFirst,
    complaint_detail,
    complaint_list,
    newest_search_window,
)
from xiaobao.complaints.services import (
    allowed_actions,
    can_work,
    code_save,
    complaint_register,
    complaint_transition,
    rule_save,
)
from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError, field_error
from xiaobao.core.models import User

router = Router(tags=["complaints"])


class CodeOut(Schema):
    code: str
    name: str
    parent: str | None
    active: bool


class RuleOut(Schema):
    code: str
    name: str
    clock: str
    days: int
    unit: str
    roll_forward: bool
    extensions: list[dict[str, Any]]
    sources: list[str]


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254, description="For notices to the complainant (optional)")
    account_number: str = Field("", max_length=40)
    address: str = Field("", max_length=200)
    kind: str = Field("person", pattern="^(person|organisation)$")
    id_type: str = Field("resident_id", max_length=20)


class ComplaintIn(Schema):
    received_at: dt.datetime
    channel: str = Field(..., max_length=20)
    business_type: str = Field(..., max_length=20)
    cause: str = Field(..., max_length=20)
    source: str = Field("direct", max_length=20)
    org_unit: str = Field(..., max_length=32, description="Responsible unit code")
    complainant: PersonIn
    complainant_role: str = Field("self", max_length=20)
    request: str = Field(..., min_length=1, max_length=5000)
    description: str = Field(..., min_length=1, max_length=20000)
    product: str = Field("", max_length=100)
    amount_in_dispute: Decimal | None = Field(None, ge=0, lt=Decimal("1e14"))
    special_groups: list[str] = []
    sensitivity_tags: list[str] = []
    people_count: int = Field(1, ge=1, le=100000)
    face_to_face: bool = False
    is_major: bool = False
    major_reason: str = Field("", max_length=200)
    staff_named: list[str] = []
    external_reference: str = Field("", max_length=64)


class ClockOut(Schema):
    name: str
    rule: str
    start_date: dt.date
    days: int
    paused_days: int
    due_date: dt.date
    state: str
    provisional: bool


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    kind: str = Field("evidence", description="evidence, recording, notice, …")


class ExtensionOut(Schema):
    id: int
    to_days: int = Field(..., description="The decision deadline extended to this many days")
    state: str = Field(..., description="pending, approved or rejected")
    reason: str
    requested_at: dt.datetime


class AssistanceOut(Schema):
    id: int
    unit: str = Field(..., description="Code of the unit asked to assist")
    question: str
    answer: str
    answered_at: dt.datetime | None


class ComplaintOut(Schema):
    """A complaint as its page shows it; personal data masked as there (the complainant's name)."""

    id: int
    reference: str
    status: str
    version: int
    source: str
    received_at: dt.datetime
    receipt_date: dt.date
    channel: str
    business_type: str
    cause: str
    org_unit: str
    pending_unit: str | None
    handler: str | None
    complainant: str = Field(..., description="Masked name")
    is_major: bool
    priority: str
    clocks: list[ClockOut]
    allowed_actions: list[str]
    # what the complaint is about
    external_reference: str = Field(..., description="The regulator's or other system's reference")
    registering_unit: str = Field(..., description="Code of the first responder's unit")
    registered_by: str = Field(..., description="Username of the first responder")
    complainant_role: str = Field(..., description="self, agent, guardian, …")
    consumer: str | None = Field(..., description="Masked name of the consumer represented, if any")
    product: str
    amount_in_dispute: Decimal | None
    request: str
    description: str
    special_groups: list[str]
    sensitivity_tags: list[str]
    people_count: int
    face_to_face: bool
    major_reason: str
    is_repeat: bool
    is_secondary: bool
    staff_named: list[str] = Field(..., description="Usernames of the staff complained about")
    merged_into: str | None = Field(..., description="Reference of the case this one was merged into")
    # the decision and its notice
    decision_verification: str
    decision_basis: str
    decision_result: str
    decision_remedies: str
    needs_approval: bool = Field(..., description="The drafted decision needs approval before notice")
    decision_approved_by: str | None
    notify_method: str
    notified_at: dt.datetime | None
    notify_proof: str
    # the outcome
    liability: str
    root_cause: str
    redress_amount: Decimal | None
    redress_approved_by: str | None
    redress_approved_at: dt.datetime | None
    redress_paid_at: dt.date | None
    case_library: bool
    satisfaction: int | None
    satisfaction_comment: str
    closed_at: dt.datetime | None
    review_unit: str | None
    review_requested_on: dt.date | None
    review_result: str
    decline_reason: str
    legal_hold: bool
    legal_hold_reason: str
    anonymised_at: dt.datetime | None
    extensions: list[ExtensionOut]
    assistances: list[AssistanceOut]
    attachments: list[AttachmentOut]


class ComplaintListOut(Schema):
    id: int
    reference: str
    status: str
    received_at: dt.datetime
    org_unit: str
    handler: str | None
    business_type: str
    cause: str
    decision_due: dt.date | None
    decision_state: str | None
    is_major: bool

    @staticmethod
    def resolve_org_unit(obj: Complaint) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_handler(obj: Complaint) -> str | None:
        return obj.handler.username if obj.handler else None

    @staticmethod
    def resolve_business_type(obj: Complaint) -> str:
        return obj.business_type.code

    @staticmethod
    def resolve_cause(obj: Complaint) -> str:
        return obj.cause.code


class EventOut(Schema):
    at: dt.datetime
    effective_date: dt.date
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class ListFilter(Schema):
    q: str = Field("", max_length=100)
    status: list[str] = []
    open: bool | None = None
    source: str = ""
    unit: str = ""
    channel: str = ""
    business_type: str = ""
    cause: str = ""
    handler: str = ""
    major: bool | None = None
    clock_state: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    ordering: str = ""


def _clock_out(clock: Any) -> dict[str, Any]:
    return {
        "name": clock.name,
        "rule": clock.rule.code,
        "start_date": clock.start_date,
        "days": clock.days,
        "paused_days": clock.paused_days,
        "due_date": clock.due_date,
        "state": clock.state,
        "provisional": clock.provisional,
    }


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


def _attachment_out(att: Any) -> dict[str, Any]:
    return {
        "id": att.pk,
        "name": att.original_name,
        "content_type": att.content_type,
        "size": att.size,
        "sha256": att.sha256,
        "kind": att.kind,
    }


def _work_out(c: Complaint, fresh: bool) -> dict[str, Any]:
    """Staff named, extensions, assistance and attachments (a complaint just registered has only staff)."""
    if fresh:
        staff = c.registered_staff
        return {"staff_named": sorted(u.username for u in staff), **{key: [] for key in WORK_LISTS}}
    return {
        "staff_named": sorted(u.username for u in c.staff_named.all()),
        "extensions": [
            {
                "id": x.pk,
                "to_days": x.to_days,
                "state": x.state,
                "reason": x.reason,
                "requested_at": x.created_at,
            }
            for x in c.extensions.all()
        ],
        "assistances": [
            {
                "id": a.pk,
                "unit": a.unit.code,
                "question": a.question,
                "answer": a.answer,
                "answered_at": a.answered_at,
            }
            for a in c.assistances.all()
        ],
        "attachments": [_attachment_out(att) for att in c.attachments.all()],
    }


WORK_LISTS = ("extensions", "assistances", "attachments")
# fields given as stored (texts, numbers, dates, flags)
PLAIN_FIELDS = (
    "external_reference", "complainant_role", "product", "amount_in_dispute", "request", "description",
    "special_groups", "sensitivity_tags", "people_count", "face_to_face", "major_reason", "is_repeat",
    "is_secondary", "decision_verification", "decision_basis", "decision_result", "decision_remedies",
    "needs_approval", "notify_method", "notified_at", "notify_proof", "liability", "root_cause",
    "redress_amount", "redress_approved_at", "redress_paid_at", "case_library", "satisfaction",
    "satisfaction_comment", "closed_at", "review_requested_on", "review_result", "decline_reason",
    "legal_hold", "legal_hold_reason", "anonymised_at",
)  # fmt: skip


def _more_out(c: Complaint, fresh: bool) -> dict[str, Any]:
    """Everything else the complaint page shows: the request, the decision, the outcome."""
    return {
        **{name: getattr(c, name) for name in PLAIN_FIELDS},
        "registering_unit": c.registering_unit.code,
        "registered_by": c.registered_by.username,
        "consumer": c.consumer.masked_name if c.consumer_id else None,  # type: ignore[union-attr]
        "merged_into": c.merged_into.reference if c.merged_into_id else None,  # type: ignore[union-attr]
        "decision_approved_by": _username(c.decision_approved_by),
        "redress_approved_by": _username(c.redress_approved_by),
        "review_unit": c.review_unit.code if c.review_unit_id else None,  # type: ignore[union-attr]
        **_work_out(c, fresh),
    }


def detail_out(c: Complaint, user: Any, clocks: list[Any] | None = None) -> dict[str, Any]:
    """`clocks` when the caller holds them already (a complaint just registered), else read."""
    return {
        "id": c.pk,
        "reference": c.reference,
        "status": c.status,
        "version": c.version,
        "source": c.source,
        "received_at": c.received_at,
        "receipt_date": c.receipt_date,
        "channel": c.channel.code,
        "business_type": c.business_type.code,
        "cause": c.cause.code,
        "org_unit": c.org_unit.code,
        "pending_unit": c.pending_unit.code if c.pending_unit else None,
        "handler": c.handler.username if c.handler else None,
        "complainant": c.complainant.masked_name,
        "is_major": c.is_major,
        "priority": c.priority,
        "clocks": [_clock_out(k) for k in (c.clocks.all() if clocks is None else clocks)],
        "allowed_actions": [a.code for a in allowed_actions(user, c)],
        **_more_out(c, fresh=clocks is not None),
    }


def _user(request: HttpRequest) -> User:
    """The authenticated user (every operation here requires authentication)."""
    return cast(User, request.user)


def _visible(request: HttpRequest, complaint_id: int) -> Complaint:
    require_perm(request.user, "complaints.view_complaint")
    c = complaint_detail(user=request.user, pk=complaint_id)
    if c is None:
        get_visible(Complaint.objects.none(), pk=complaint_id)  # raises the shared 404
    return c  # type: ignore[return-value]


@router.get("/codes/{dimension}", response=list[CodeOut], summary="A JR/T 0169 code table")
def codes(request: HttpRequest, dimension: CodeDimension, include_inactive: bool = False):
    qs = ComplaintCode.objects.of(dimension).select_related("parent")
    if not include_inactive:
        qs = qs.active()
    return [
        {"code": c.code, "name": c.name, "parent": c.parent.code if c.parent else None, "active": c.is_active}
        for c in qs
    ]


@router.get("/deadline-rules", response=list[RuleOut], summary="Deadline rules (presets are data)")
def deadline_rules(request: HttpRequest):
    return list(
        DeadlineRule.objects.filter(is_active=True).values(
            "code", "name", "clock", "days", "unit", "roll_forward", "extensions", "sources"
        )
    )


class CodeIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    parent: str | None = Field(None, max_length=20)
    sort_order: int = Field(0, ge=-10000, le=10000)
    is_active: bool = True


class RuleIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    clock: str | None = Field(None, pattern="^(decision|first_contact|review)$")
    days: int | None = Field(None, ge=1, le=3650)
    unit: str | None = Field(None, pattern="^(calendar|working)$")
    roll_forward: bool | None = None
    extensions: list[dict[str, Any]] | None = None
    sources: list[str] | None = None
    source_document: str | None = Field(None, max_length=200)
    is_active: bool | None = None


@router.put("/codes/{dimension}/{code}", response=CodeOut, summary="Create or update a code (admin)")
def code_put(request: HttpRequest, dimension: CodeDimension, code: str, payload: CodeIn):
    require_perm(request.user, "complaints.manage_codes")
    if not code or len(code) > 20:
        raise field_error("code", _("A code has 1 to 20 characters."))
    obj = code_save(actor=_user(request), dimension=dimension, code=code, **payload.dict())
    return {
        "code": obj.code,
        "name": obj.name,
        "parent": obj.parent.code if obj.parent else None,
        "active": obj.is_active,
    }


@router.put("/deadline-rules/{code}", response=RuleOut, summary="Create or edit a deadline rule (admin)")
def rule_put(request: HttpRequest, code: str, payload: RuleIn):
    require_perm(request.user, "complaints.manage_codes")
    if not code or len(code) > 40:
        raise field_error("code", _("A rule code has 1 to 40 characters."))
    rule = rule_save(actor=_user(request), code=code, **payload.dict())
    return {
        k: getattr(rule, k)
        for k in ("code", "name", "clock", "days", "unit", "roll_forward", "extensions", "sources")
    }


@router.post(
    "/complaints",
    response={200: ComplaintOut, 201: ComplaintOut},
    summary="Register a complaint (send Idempotency-Key to make retries safe)",
)
def complaint_create(request: HttpRequest, payload: ComplaintIn):
    require_perm(request.user, "complaints.register_complaint")
    key = request.headers.get("Idempotency-Key", "").strip()[:100] or None
    c, created = complaint_register(actor=_user(request), data=payload.dict(), idempotency_key=key)
    if created:  # everything the answer shows is in memory: the row, its relations, its new clocks
        return Status(201, detail_out(c, request.user, clocks=c.registered_clocks))
    return Status(200, detail_out(complaint_detail(user=request.user, pk=c.pk) or c, request.user))


class ComplaintPagination(LimitOffsetPagination):
    """Limit and offset, the total counted as the list page counts it: up to SEARCH_COUNT_CAP + 1 with a text
    search `q`, else up to LIST_COUNT_CAP + 1, and `count_capped` says when the total is larger (counting
    every complaint took 0.4 s at 10M; a common word matches a fifth of them). Paging on past the cap works:
    keep asking while `items` is full. Search pages within the cap are read from the newest window that
    holds them (`newest_search_window`)."""

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool = False

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        q = request.GET.get("q", "").strip()
        offset, limit = pagination.offset, min(pagination.limit, self.max_limit)
        cap = SEARCH_COUNT_CAP if q else LIST_COUNT_CAP
        rows = IdsFirst(queryset)
        count = rows.capped_count(cap)
        if q and offset + limit <= cap + 1:
            filters = {"q": q, "ordering": request.GET.get("ordering", "")}
            rows = IdsFirst(newest_search_window(queryset, filters, cap), count=rows.counted)
        return {"items": rows[offset : offset + limit], "count": count, "count_capped": count > cap}


@router.get(
    "/complaints",
    response=list[ComplaintListOut],
    summary="Complaints in your scope, filtered (the count stops above 10,000, with `q` above 1,000: "
    "see count_capped)",
)
@paginate(ComplaintPagination)
def complaints(request: HttpRequest, filters: Query[ListFilter]):
    require_perm(request.user, "complaints.view_complaint")
    form = ComplaintFilter({k: v for k, v in filters.dict().items() if v not in (None, "", [])})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return complaint_list(user=request.user, filters=form.cleaned_data)  # sliced by the paginator in SQL


@router.get("/complaints/{complaint_id}", response=ComplaintOut)
def complaint_get(request: HttpRequest, complaint_id: int):
    return detail_out(_visible(request, complaint_id), request.user)


@router.get("/complaints/{complaint_id}/events", response=list[EventOut], summary="The timeline")
def complaint_events(request: HttpRequest, complaint_id: int):
    c = _visible(request, complaint_id)
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
        for e in c.events.select_related("actor")
    ]


def _action_inputs() -> tuple[str, dict[str, Any]]:
    """What each action takes, from the input schemas the workflow declares (`complaints.workflow`)."""
    inputs = {code: a.schema.model_json_schema() for code, a in workflow.ACTIONS.items() if a.schema}
    fields = [
        f"{code} {{{', '.join(k for k in s.get('properties', {}) if k != 'note')}}}"
        for code, s in inputs.items()
    ]
    return "; ".join(fields), inputs


_ACTION_FIELDS, _ACTION_INPUTS = _action_inputs()
ACTION_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "The action's data (every action also takes an optional note): "
                    + _ACTION_FIELDS
                    + ". answer_assist is the only action of a unit asked to assist. The input schema of "
                    "each action is under x-action-inputs.",
                    "x-action-inputs": _ACTION_INPUTS,
                }
            }
        },
    }
}


@router.post(
    "/complaints/{complaint_id}/actions/{action}",
    response=ComplaintOut,
    openapi_extra=ACTION_BODY,
    summary="Take an action (If-Match: <version> makes concurrent edits safe → 409)",
)
def complaint_action(request: HttpRequest, complaint_id: int, action: str):
    payload = action_payload(request)
    c = _visible(request, complaint_id)
    if action not in workflow.ACTIONS:
        raise field_error("action", _("Unknown action."))
    version = request.headers.get("If-Match", "").strip().strip('"')
    if version and not version.isdigit():
        raise field_error("If-Match", _("The If-Match header must be the complaint's version number."))
    complaint_transition(
        actor=_user(request),
        complaint=c,
        action=action,
        data=payload or {},
        expected_version=int(version) if version else None,
    )
    return detail_out(complaint_detail(user=request.user, pk=c.pk) or c, request.user)


@router.post("/complaints/{complaint_id}/attachments", response={201: AttachmentOut})
def attachment_upload(
    request: HttpRequest, complaint_id: int, file: File[UploadedFile], kind: str = "evidence"
):
    c = _visible(request, complaint_id)
    require_perm(request.user, "complaints.handle_complaint")
    if not can_work(request.user, c):  # a unit asked to assist reads and answers; a receiving one takes it
        raise PermissionDenied(_("Your unit is not responsible for this complaint."))
    att = attachment_add(actor=request.user, complaint=c, fileobj=file, name=file.name or "file", kind=kind)
    return Status(201, _attachment_out(att))


@router.get("/complaints/{complaint_id}/attachments/{attachment_id}", response={200: None})
def attachment_download(request: HttpRequest, complaint_id: int, attachment_id: int):
    c = _visible(request, complaint_id)
    att = get_visible(c.attachments.all(), pk=attachment_id)
    return attachment_response(att)


class LegalHoldIn(Schema):
    hold: bool
    reason: str = Field("", max_length=200)


class LegalHoldOut(Schema):
    reference: str
    legal_hold: bool
    legal_hold_reason: str
    anonymised_at: dt.datetime | None


@router.post("/complaints/{complaint_id}/legal-hold", response=LegalHoldOut)
def complaint_legal_hold(request: HttpRequest, complaint_id: int, payload: LegalHoldIn):
    """Put the complaint on legal hold (`hold: true` with the reason, e.g. a court case number) so the
    retention purge never anonymises it, or release it (`hold: false`). Audited."""
    from xiaobao.complaints.retention import complaint_set_legal_hold

    c = _visible(request, complaint_id)
    require_perm(request.user, "complaints.hold_complaint")
    c = complaint_set_legal_hold(actor=request.user, complaint=c, hold=payload.hold, reason=payload.reason)
    return {
        "reference": c.reference,
        "legal_hold": c.legal_hold,
        "legal_hold_reason": c.legal_hold_reason,
        "anonymised_at": c.anonymised_at,
    }
