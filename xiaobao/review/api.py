"""Review API: /api/v1/reviews (create, list, detail, timeline, actions), documents and their versions (upload
multipart, findings listed with each version, download, diff), opinions (write, take back, per-opinion steps),
checker findings' decisions, and the product kinds."""

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.casework.api import action_payload
from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError, field_error
from xiaobao.core.models import User
from xiaobao.review.filtersets import ReviewFilter
from xiaobao.review.models import DocumentVersion, ProductKind, Review
from xiaobao.review.selectors import review_detail, review_list, text_diff, version_of
from xiaobao.review.services import (
    allowed_actions,
    can_upload,
    document_add,
    opinion_add,
    opinion_delete,
    opinion_update,
    review_create,
    review_finding_decide,
    review_transition,
    version_add,
    version_findings,
)
from xiaobao.review.workflow import ACTIONS, CONDUCT, SUBMIT, VIEW, WORKFLOW

router = Router(tags=["review"])


class ReviewIn(Schema):
    title: str = Field(..., max_length=200)
    kind: str = Field(
        ...,
        description="new_product, product_change, fee_change, contract, marketing, service_process, other",
    )
    product_kind: str = Field(..., max_length=40, description="Product kind code (GET /review-product-kinds)")
    product_name: str = Field("", max_length=200)
    material: str = Field("", description="marketing or contract (default: contract for contract reviews)")
    track: str = Field("normal", description="normal or urgent (a shorter deadline rule)")
    planned_launch: dt.date | None = None
    description: str = Field("", max_length=20000)
    org_unit: str = Field("", max_length=32, description="Submitting unit code (default: your unit)")


class ReviewClockOut(Schema):
    name: str
    rule: str
    due_date: dt.date
    state: str
    paused_days: int
    provisional: bool


class ReviewCreatedOut(Schema):
    id: int
    reference: str
    status: str
    version: int
    clocks: list[ReviewClockOut]
    allowed_actions: list[str]


class ReviewFindingOut(Schema):
    id: int
    label: str
    rule: str
    start: int
    end: int
    excerpt: str
    severity: str
    source: str
    suggestion: str
    decision: str


class ReviewVersionOut(Schema):
    number: int
    name: str
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_by: str
    uploaded_at: dt.datetime
    extraction_error: str
    findings: list[ReviewFindingOut] | None = None


class ReviewVersionTextOut(ReviewVersionOut):
    text: str
    blocks: list[list[Any]]


class ReviewDocumentOut(Schema):
    id: int
    title: str
    versions: list[ReviewVersionOut]


class ReviewOpinionOut(Schema):
    number: int
    category: str
    severity: str
    document: int | None
    version: int | None = Field(..., description="The version number the opinion is about")
    location: str
    quote: str
    body: str
    author: str
    issued: bool
    state: str
    response: str
    response_note: str
    reviewer_note: str
    decision: str
    decision_note: str


class ReviewApprovalOut(Schema):
    number: str
    code: str
    state: str
    document: int
    version: int
    sha256: str
    valid_until: dt.date | None


class ReviewOut(ReviewCreatedOut):
    title: str
    kind: str
    product_kind: str
    product_name: str
    material: str
    track: str
    planned_launch: dt.date | None
    description: str
    org_unit: str
    created_by: str
    submitted_by: str | None
    submitted_on: dt.date | None
    reviewer: str | None
    rule: str
    due_date: dt.date | None
    overdue: bool
    conclusion: str
    conclusion_note: str
    concluded_by: str | None
    concluded_at: dt.datetime | None
    launched_on: dt.date | None
    documents: list[ReviewDocumentOut]
    opinions: list[ReviewOpinionOut]
    approvals: list[ReviewApprovalOut]


class ReviewListOut(Schema):
    id: int
    reference: str
    status: str
    title: str
    kind: str
    product_kind: str
    org_unit: str
    reviewer: str | None
    submitted_on: dt.date | None
    due_date: dt.date | None
    clock_state: str
    overdue: bool
    conclusion: str

    @staticmethod
    def resolve_product_kind(obj: Review) -> str:
        return obj.product_kind.code

    @staticmethod
    def resolve_org_unit(obj: Review) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_reviewer(obj: Review) -> str | None:
        return obj.handler.username if obj.handler else None

    @staticmethod
    def resolve_overdue(obj: Review) -> bool:
        return _overdue(obj)


class ReviewListFilter(Schema):
    q: str = Field("", max_length=100)
    status: list[str] = []
    kind: str = ""
    product_kind: str = ""
    unit: str = Field("", description="Unit code: the unit and every unit below it")
    reviewer: str = Field("", description="Reviewer's username")
    track: str = ""
    overdue: bool | None = None
    mine: bool | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    concluded_from: dt.date | None = None
    concluded_to: dt.date | None = None
    ordering: str = ""


class ReviewEventOut(Schema):
    at: dt.datetime
    effective_date: dt.date
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class ReviewOpinionIn(Schema):
    category: str = Field(
        ..., description="suitability, disclosure, pricing, contract_terms, marketing, personal_info, other"
    )
    severity: str = Field(..., description="must_change or suggestion")
    body: str = Field(..., max_length=5000)
    document: int | None = Field(None, description="Document id (default: the only document)")
    location: str = Field("", max_length=100)
    quote: str = Field("", max_length=2000)
    finding: int | None = Field(None, description="A checker finding on the review's documents it comes from")


class ReviewOpinionStepIn(Schema):
    note: str = Field("", max_length=2000)
    decision: str = Field("", description="For decide: waive or uphold")


class ReviewFindingDecisionIn(Schema):
    decision: str = Field(..., description="confirmed or dismissed")
    note: str = Field("", max_length=1000)


class ReviewProductKindOut(Schema):
    code: str
    name: str
    checker_kind: str


def _overdue(review: Review) -> bool:
    from xiaobao.core.clock import localdate

    return bool(review.status in WORKFLOW.group("live") and review.due_date and review.due_date < localdate())


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _name(user: Any) -> str | None:
    return user.username if user is not None else None


def _finding_out(f: Any) -> dict[str, Any]:
    return {
        "id": f.pk,
        "label": f.label,
        "rule": f.rule_code,
        "start": f.start,
        "end": f.end,
        "excerpt": f.excerpt,
        "severity": f.severity,
        "source": f.source,
        "suggestion": f.suggestion,
        "decision": f.decision,
    }


def _version_out(v: DocumentVersion, findings: list[Any] | None = None, text: bool = False) -> dict[str, Any]:
    out = {
        "number": v.number,
        "name": v.original_name,
        "content_type": v.content_type,
        "size": v.size,
        "sha256": v.sha256,
        "note": v.note,
        "uploaded_by": v.uploaded_by.username,
        "uploaded_at": v.created_at,
        "extraction_error": v.extraction_error,
        "findings": [_finding_out(f) for f in findings] if findings is not None else None,
    }
    if text:
        out |= {"text": v.text, "blocks": v.blocks}
    return out


def created_out(review: Review, user: Any) -> dict[str, Any]:
    return {
        "id": review.pk,
        "reference": review.reference,
        "status": review.status,
        "version": review.version,
        "clocks": [
            {
                "name": k.name,
                "rule": k.rule.code,
                "due_date": k.due_date,
                "state": k.state,
                "paused_days": k.paused_days,
                "provisional": k.provisional,
            }
            for k in review.clocks.all()
        ],
        "allowed_actions": [a.code for a in allowed_actions(user, review)],
    }


def detail_out(review: Review, user: Any) -> dict[str, Any]:
    return {
        **created_out(review, user),
        "title": review.title,
        "kind": review.kind,
        "product_kind": review.product_kind.code,
        "product_name": review.product_name,
        "material": review.material,
        "track": review.track,
        "planned_launch": review.planned_launch,
        "description": review.description,
        "org_unit": review.org_unit.code,
        "created_by": review.created_by.username,
        "submitted_by": _name(review.submitted_by),
        "submitted_on": review.submitted_on,
        "reviewer": _name(review.handler),
        "rule": review.rule.code,
        "due_date": review.due_date,
        "overdue": _overdue(review),
        "conclusion": review.conclusion,
        "conclusion_note": review.conclusion_note,
        "concluded_by": _name(review.concluded_by),
        "concluded_at": review.concluded_at,
        "launched_on": review.launched_on,
        "documents": [
            {"id": d.pk, "title": d.title, "versions": [_version_out(v) for v in d.versions.all()]}
            for d in review.documents.all()
        ],
        "opinions": [
            {
                "number": o.number,
                "category": o.category,
                "severity": o.severity,
                "document": o.document_id,
                "version": o.version.number if o.version else None,
                "location": o.location,
                "quote": o.quote,
                "body": o.body,
                "author": o.author.username,
                "issued": o.issued,
                "state": o.state,
                "response": o.response,
                "response_note": o.response_note,
                "reviewer_note": o.reviewer_note,
                "decision": o.decision,
                "decision_note": o.decision_note,
            }
            for o in review.opinions.all()
        ],
        "approvals": [
            {
                "number": a.number,
                "code": a.code,
                "state": a.state,
                "document": a.version.document_id,
                "version": a.version.number,
                "sha256": a.sha256,
                "valid_until": a.valid_until,
            }
            for a in review.approvals.select_related("version")
        ],
    }


def _visible(request: HttpRequest, review_id: int) -> Review:
    require_perm(request.user, VIEW)
    review = review_detail(user=request.user, pk=review_id)
    if review is None:
        get_visible(Review.objects.none(), pk=review_id)  # raises the shared 404
    return review  # type: ignore[return-value]


def _fresh(request: HttpRequest, review: Review) -> dict[str, Any]:
    return detail_out(review_detail(user=request.user, pk=review.pk) or review, request.user)


@router.get(
    "/review-product-kinds", response=list[ReviewProductKindOut], summary="Product kinds (code table)"
)
def review_product_kinds(request: HttpRequest):
    require_perm(request.user, VIEW)
    return list(ProductKind.objects.filter(active=True).values("code", "name", "checker_kind"))


@router.post(
    "/reviews",
    response={201: ReviewCreatedOut},
    summary="Create a review request (a draft: upload its documents, then take the action submit)",
)
def review_create_api(request: HttpRequest, payload: ReviewIn):
    require_perm(request.user, SUBMIT)
    data = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    review = review_create(actor=_user(request), data=data, files=[], submit=False)
    fresh = review_detail(user=request.user, pk=review.pk) or review
    return Status(201, created_out(fresh, request.user))


@router.get("/reviews", response=list[ReviewListOut], summary="The review register in your scope")
@paginate(LimitOffsetPagination)
def reviews(request: HttpRequest, filters: Query[ReviewListFilter]):
    require_perm(request.user, VIEW)
    form = ReviewFilter({k: v for k, v in filters.dict().items() if v not in (None, "", [])})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return review_list(user=request.user, filters=form.cleaned_data)


@router.get("/reviews/{review_id}", response=ReviewOut)
def review_get(request: HttpRequest, review_id: int):
    return detail_out(_visible(request, review_id), request.user)


@router.get("/reviews/{review_id}/events", response=list[ReviewEventOut], summary="The timeline")
def review_events(request: HttpRequest, review_id: int):
    review = _visible(request, review_id)
    return [
        {
            "at": e.at,
            "effective_date": e.effective_date,
            "actor": _name(e.actor),
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "note": e.note,
            "data": e.data,
        }
        for e in review.events.select_related("actor")
    ]


ACTION_HELP = " ".join(
    [
        "The action's data: submit {note?}; claim {note?}; assign {reviewer}; issue_opinions {note?};",
        "answer {answers: [{opinion, response: adopted|partly_adopted|not_adopted,",
        "note (required unless adopted)}], note?}; accept_reason {opinion, note};",
        "close_opinion {opinion, note?}; escalate {opinion, note};",
        "decide_escalation {decisions: [{opinion, decision: waive|uphold}], note};",
        "pass / pass_with_changes {note?, valid_until?}; reject {reason}; withdraw {reason};",
        "extend {to_days, reason}; approve_extension / reject_extension {note?};",
        "record_launch {launched_on}. The submitter submits, answers, withdraws; the reviewer",
        "(never the submitter: recusal) claims, writes and sends opinions, settles them and",
        "concludes; a department head decides escalations.",
    ]
)
ACTION_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": ACTION_HELP,
                }
            }
        },
    }
}


def _if_match(request: HttpRequest) -> int | None:
    version = request.headers.get("If-Match", "").strip().strip('"')
    if version and not version.isdigit():
        raise field_error("If-Match", _("The If-Match header must be the item's version number."))
    return int(version) if version else None


@router.post(
    "/reviews/{review_id}/actions/{action}",
    response=ReviewOut,
    openapi_extra=ACTION_BODY,
    summary="Take a step: submit, claim, assign, issue_opinions, answer, accept_reason, close_opinion, "
    "escalate, decide_escalation, pass, pass_with_changes, reject, withdraw, extend, … "
    "(If-Match: <version> → 409)",
)
def review_action(request: HttpRequest, review_id: int, action: str):
    payload = action_payload(request)
    review = _visible(request, review_id)
    if action not in ACTIONS:
        raise field_error("action", _("Unknown action."))
    review_transition(
        actor=_user(request), review=review, action=action, data=payload, expected_version=_if_match(request)
    )
    return _fresh(request, review)


# --- documents -------------------------------------------------------------------------------------------


@router.post(
    "/reviews/{review_id}/documents",
    response={201: ReviewVersionOut},
    summary="Upload a document, or a new version of one (`document`: its id), multipart; checked at once",
)
def review_document_upload(
    request: HttpRequest,
    review_id: int,
    file: File[UploadedFile],
    title: Form[str] = "",
    document: Form[int | None] = None,
    note: Form[str] = "",
):
    """Word, PDF, Excel, PowerPoint or an image; a refused file stores nothing (422 with the reason)."""
    review = _visible(request, review_id)
    if not request.user.has_perm(SUBMIT) or not can_upload(request.user, review):
        raise PermissionDenied(
            _("Only the submitter may upload, while the review is a draft, submitted or awaiting answers.")
        )
    if document:
        doc = review.documents.filter(pk=document).first()
        if doc is None:
            raise field_error("document", _("Not one of this review's documents."))
        version = version_add(
            actor=request.user, document=doc, fileobj=file, name=file.name or "file", note=note
        )
    else:
        version = document_add(
            actor=request.user, review=review, fileobj=file, name=file.name or "file", title=title
        )
    return Status(201, _version_out(version, list(version_findings(version))))


def _version(review: Review, document_id: int, number: int) -> DocumentVersion:
    version = version_of(review, document_id, number)
    if version is None:
        raise Http404
    return version


@router.get(
    "/reviews/{review_id}/documents/{document_id}/versions",
    response=list[ReviewVersionOut],
    summary="A document's versions, each with the checker's findings",
)
def review_versions(request: HttpRequest, review_id: int, document_id: int):
    review = _visible(request, review_id)
    doc = get_visible(review.documents.all(), pk=document_id)
    versions = list(doc.versions.select_related("uploaded_by").defer("text", "blocks"))
    return [_version_out(v, list(version_findings(v))) for v in versions]


@router.get(
    "/reviews/{review_id}/documents/{document_id}/versions/{number}",
    response=ReviewVersionTextOut,
    summary="One version: its extracted text, blocks and findings (offsets into the text)",
)
def review_version(request: HttpRequest, review_id: int, document_id: int, number: int):
    version = _version(_visible(request, review_id), document_id, number)
    return _version_out(version, list(version_findings(version)), text=True)


@router.get("/reviews/{review_id}/documents/{document_id}/versions/{number}/file", response={200: None})
def review_version_file(request: HttpRequest, review_id: int, document_id: int, number: int):
    version = _version(_visible(request, review_id), document_id, number)
    ext = str(version.file.name or "").rsplit(".", 1)[-1] or "bin"
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=f"document-{version.document_id}-v{version.number}.{ext}",
        content_type=version.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ReviewDiffLineOut(Schema):
    kind: str
    old: str
    new: str


class ReviewDiffOut(Schema):
    added: int
    removed: int
    changed: int
    lines: list[ReviewDiffLineOut]


@router.get(
    "/reviews/{review_id}/documents/{document_id}/diff/{number}",
    response=ReviewDiffOut,
    summary="Version `number` against the one before it, by paragraph (changed lines only)",
)
def review_diff(request: HttpRequest, review_id: int, document_id: int, number: int):
    review = _visible(request, review_id)
    new = _version(review, document_id, number)
    old = _version(review, document_id, number - 1) if number > 1 else None
    if old is None:
        raise Http404
    diff = text_diff(old.text, new.text, context=0)
    return {
        "added": diff.added,
        "removed": diff.removed,
        "changed": diff.changed,
        "lines": [
            {
                "kind": line.kind,
                "old": "".join(t for _op, t in line.old),
                "new": "".join(t for _op, t in line.new),
            }
            for line in diff.lines
        ],
    }


# --- opinions and findings -------------------------------------------------------------------------------


@router.post(
    "/reviews/{review_id}/opinions", response={201: ReviewOpinionOut}, summary="Write an opinion (reviewer)"
)
def review_opinion_create(request: HttpRequest, review_id: int, payload: ReviewOpinionIn):
    require_perm(request.user, CONDUCT)
    review = _visible(request, review_id)
    opinion = opinion_add(
        actor=request.user,
        review=review,
        data={k: v for k, v in payload.dict().items() if v not in (None, "")},
    )
    out = next(
        o
        for o in detail_out(_visible(request, review_id), request.user)["opinions"]
        if o["number"] == opinion.number
    )
    return Status(201, out)


@router.put(
    "/reviews/{review_id}/opinions/{number}",
    response=ReviewOpinionOut,
    summary="Edit an opinion not yet sent (reviewer; the whole opinion; a sent one → 409)",
)
def review_opinion_update(request: HttpRequest, review_id: int, number: int, payload: ReviewOpinionIn):
    require_perm(request.user, CONDUCT)
    review = _visible(request, review_id)
    opinion = get_visible(review.opinions.all(), number=number)
    opinion_update(
        actor=request.user,
        opinion=opinion,
        data={k: v for k, v in payload.dict().items() if v not in (None, "")},
    )
    return next(
        o for o in detail_out(_visible(request, review_id), request.user)["opinions"] if o["number"] == number
    )


@router.delete(
    "/reviews/{review_id}/opinions/{number}",
    response={204: None},
    summary="Take back an opinion not yet sent",
)
def review_opinion_delete(request: HttpRequest, review_id: int, number: int):
    require_perm(request.user, CONDUCT)
    review = _visible(request, review_id)
    opinion = get_visible(review.opinions.all(), number=number)
    opinion_delete(actor=request.user, opinion=opinion)
    return Status(204, None)


OPINION_STEPS = {
    "accept": "accept_reason",
    "close": "close_opinion",
    "escalate": "escalate",
    "decide": "decide_escalation",
}


@router.post(
    "/reviews/{review_id}/opinions/{number}/{step}",
    response=ReviewOut,
    summary="A step on one opinion: accept (the reason), close, escalate, decide {decision: waive|uphold} "
    "(If-Match: <version> → 409)",
)
def review_opinion_step(
    request: HttpRequest, review_id: int, number: int, step: str, payload: ReviewOpinionStepIn
):
    review = _visible(request, review_id)
    action = OPINION_STEPS.get(step)
    if action is None:
        raise field_error("step", _("Unknown step."))
    get_visible(review.opinions.all(), number=number)
    if action == "decide_escalation":
        data: dict[str, Any] = {
            "decisions": [{"opinion": number, "decision": payload.decision}],
            "note": payload.note,
        }
    else:
        data = {"opinion": number, "note": payload.note}
    review_transition(
        actor=_user(request), review=review, action=action, data=data, expected_version=_if_match(request)
    )
    return _fresh(request, review)


@router.post(
    "/reviews/{review_id}/findings/{finding_id}/decision",
    response=ReviewFindingOut,
    summary="Confirm or dismiss a checker finding on the review's documents (reviewer)",
)
def review_finding_decision(
    request: HttpRequest, review_id: int, finding_id: int, payload: ReviewFindingDecisionIn
):
    from django.contrib.contenttypes.models import ContentType

    from xiaobao.checker.models import CheckFinding

    require_perm(request.user, CONDUCT)
    review = _visible(request, review_id)
    ct = ContentType.objects.get_for_model(DocumentVersion)
    versions = DocumentVersion.objects.filter(document__review=review).values("pk")
    finding = get_visible(CheckFinding.objects.filter(content_type=ct, object_id__in=versions), pk=finding_id)
    decided = review_finding_decide(
        actor=request.user, review=review, finding=finding, decision=payload.decision, note=payload.note
    )
    return _finding_out(decided)


# --- approvals (api_approvals.py) ---
from xiaobao.review.api_approvals import router as approvals_router  # noqa: E402

router.add_router("", approvals_router)
