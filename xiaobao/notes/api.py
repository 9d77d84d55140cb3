"""Notes and templates API (/api/v1/...): a complaint's internal notes, reply templates, the decision notice
as Word and PDF. Every complaint is read through `complaint_detail` (visible_to): outside the scope → 404."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xiaobao.complaints.models import Complaint
from xiaobao.complaints.selectors import complaint_detail
from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import field_error
from xiaobao.core.models import User
from xiaobao.notes import notice_docs, services
from xiaobao.notes.models import Note, ReplyTemplate, TemplateKind

router = Router(tags=["Notes and templates"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _complaint(request: HttpRequest, complaint_id: int) -> Complaint:
    require_perm(request.user, "complaints.view_complaint")
    c = complaint_detail(user=request.user, pk=complaint_id)
    if c is None:
        get_visible(Complaint.objects.none(), pk=complaint_id)  # the shared 404
    return cast(Complaint, c)


# --- notes ------------------------------------------------------------------------------------------------


class NoteIn(Schema):
    text: str = Field(..., max_length=5000)


class NoteOut(Schema):
    id: int
    text: str
    author: str
    author_name: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    mentions: list[str]


def _note_out(n: Note) -> dict[str, Any]:
    return {
        "id": n.pk,
        "text": n.text,
        "author": n.author.username,
        "author_name": str(n.author),
        "created_at": n.created_at,
        "edited_at": n.edited_at,
        "mentions": [u.username for u in n.mentions.all()],
    }


@router.get(
    "/complaints/{complaint_id}/notes",
    response=list[NoteOut],
    summary="The complaint's internal notes (staff only: never shown to the complainant)",
)
def notes_list(request: HttpRequest, complaint_id: int):
    c = _complaint(request, complaint_id)
    return [_note_out(n) for n in Note.objects.on(c)]


@router.post(
    "/complaints/{complaint_id}/notes",
    response={201: NoteOut},
    summary="Add an internal note; @username or @姓名 tells people who can see the complaint",
)
def note_create(request: HttpRequest, complaint_id: int, payload: NoteIn):
    c = _complaint(request, complaint_id)
    require_perm(request.user, services.WRITE)
    note = services.note_add(actor=_user(request), complaint=c, text=payload.text)
    return Status(201, _note_out(note))


def _note(request: HttpRequest, complaint_id: int, note_id: int) -> Note:
    c = _complaint(request, complaint_id)
    return get_visible(Note.objects.on(c), pk=note_id)


@router.patch(
    "/complaints/{complaint_id}/notes/{note_id}",
    response=NoteOut,
    summary="Correct a note (its author, within 15 minutes)",
)
def note_update(request: HttpRequest, complaint_id: int, note_id: int, payload: NoteIn):
    note = _note(request, complaint_id, note_id)
    require_perm(request.user, services.WRITE)
    note = services.note_edit(actor=_user(request), note=note, text=payload.text)
    return _note_out(note)


@router.delete(
    "/complaints/{complaint_id}/notes/{note_id}",
    response={204: None},
    summary="Withdraw a note (its author, within 15 minutes; the audit trail keeps it)",
)
def note_remove(request: HttpRequest, complaint_id: int, note_id: int):
    note = _note(request, complaint_id, note_id)
    require_perm(request.user, services.WRITE)
    services.note_delete(actor=_user(request), note=note)
    return Status(204, None)


class NoteMentionOut(Schema):
    username: str
    name: str
    unit: str


@router.get(
    "/complaints/{complaint_id}/mention-candidates",
    response=list[NoteMentionOut],
    summary="People who can see the complaint, by username or name (for @mentions)",
)
def mention_candidates(request: HttpRequest, complaint_id: int, q: str = ""):
    c = _complaint(request, complaint_id)
    require_perm(request.user, services.WRITE)
    return [
        {"username": u.username, "name": str(u), "unit": u.org_unit.name if u.org_unit else ""}
        for u in services.mention_candidates(c, q[:30])
    ]


# --- reply templates --------------------------------------------------------------------------------------


class ReplyTemplateOut(Schema):
    id: int
    name: str
    kind: str
    business_type: str | None
    business_type_name: str | None
    cause: str | None
    cause_name: str | None
    org_unit: str
    org_unit_name: str
    verification: str
    basis: str
    result: str
    remedies: str
    body: str
    is_active: bool


class ReplyTemplateIn(Schema):
    name: str = Field(..., max_length=100)
    kind: TemplateKind = TemplateKind.DECISION
    business_type: str | None = Field(None, max_length=20, description="Business type code; empty = any")
    cause: str | None = Field(None, max_length=20, description="Cause code; empty = any")
    org_unit: str | None = Field(None, max_length=32, description="Owning unit code (default: your unit)")
    verification: str = Field("", max_length=5000)
    basis: str = Field("", max_length=5000)
    result: str = Field("", max_length=5000)
    remedies: str = Field("", max_length=5000)
    body: str = Field("", max_length=10000)
    is_active: bool = True


class ReplyTemplatePatch(Schema):
    name: str | None = Field(None, max_length=100)
    kind: TemplateKind | None = None
    business_type: str | None = Field(None, max_length=20)
    cause: str | None = Field(None, max_length=20)
    org_unit: str | None = Field(None, max_length=32)
    verification: str | None = Field(None, max_length=5000)
    basis: str | None = Field(None, max_length=5000)
    result: str | None = Field(None, max_length=5000)
    remedies: str | None = Field(None, max_length=5000)
    body: str | None = Field(None, max_length=10000)
    is_active: bool | None = None


class ReplyTemplateRenderOut(Schema):
    id: int
    name: str
    kind: str
    fields: dict[str, str]


class ReplyTemplateFilter(Schema):
    business_type: str = Field("", max_length=20)
    cause: str = Field("", max_length=20)
    kind: TemplateKind | None = None


def template_out(t: ReplyTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "kind": t.kind,
        "business_type": t.business_type.code if t.business_type else None,
        "business_type_name": t.business_type.name if t.business_type else None,
        "cause": t.cause.code if t.cause else None,
        "cause_name": t.cause.name if t.cause else None,
        "org_unit": t.org_unit.code,
        "org_unit_name": t.org_unit.name,
        **{name: getattr(t, name) for name in ReplyTemplate.TEXT_FIELDS},
        "is_active": t.is_active,
    }


def _can_use(user: Any) -> bool:
    return bool(user.has_perm("complaints.handle_complaint") or user.has_perm(services.MANAGE))


@router.get(
    "/reply-templates",
    response=list[ReplyTemplateOut],
    summary="Templates you may use or manage for a business type and cause, best match first",
)
def reply_templates(request: HttpRequest, filters: Query[ReplyTemplateFilter]):
    from xiaobao.complaints.models import ComplaintCode

    if not _can_use(request.user):
        raise PermissionDenied
    qs = services.usable_by(_user(request)).select_related("org_unit", "business_type", "cause")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    codes: dict[str, Any] = {}
    for dim in ("business_type", "cause"):
        value = getattr(filters, dim)
        if value:
            codes[dim] = (
                ComplaintCode.objects.filter(dimension=dim, code=value).select_related("parent").first()
            )
            if codes[dim] is None:
                raise field_error(dim, _("Unknown code."))
    rows = list(qs)
    if codes:
        rows = services.rank(rows, codes.get("business_type"), codes.get("cause"))
    else:
        rows.sort(key=lambda t: (t.kind, t.name, t.pk))
    return [template_out(t) for t in rows]


def _managed(request: HttpRequest, template_id: int) -> ReplyTemplate:
    require_perm(request.user, services.MANAGE)
    return get_visible(
        ReplyTemplate.objects.manageable_by(request.user).select_related(
            "org_unit", "business_type", "cause"
        ),
        pk=template_id,
    )


@router.post("/reply-templates", response={201: ReplyTemplateOut}, summary="Create a template")
def reply_template_create(request: HttpRequest, payload: ReplyTemplateIn):
    require_perm(request.user, services.MANAGE)
    data = payload.dict()
    if not data.get("org_unit"):
        data.pop("org_unit")
    t = services.template_save(actor=_user(request), data=data)
    return Status(201, template_out(t))


@router.patch("/reply-templates/{template_id}", response=ReplyTemplateOut, summary="Change a template")
def reply_template_update(request: HttpRequest, template_id: int, payload: ReplyTemplatePatch):
    t = _managed(request, template_id)
    data = payload.dict(exclude_unset=True)
    t = services.template_save(actor=_user(request), data=data, template=t)
    return template_out(t)


@router.delete("/reply-templates/{template_id}", response={204: None}, summary="Delete a template")
def reply_template_delete(request: HttpRequest, template_id: int):
    t = _managed(request, template_id)
    services.template_delete(actor=_user(request), template=t)
    return Status(204, None)


@router.get(
    "/complaints/{complaint_id}/reply-templates/{template_id}/render",
    response=ReplyTemplateRenderOut,
    summary="A template's texts filled in for the complaint (placeholders replaced)",
)
def reply_template_render(request: HttpRequest, complaint_id: int, template_id: int):
    c = _complaint(request, complaint_id)
    if not _can_use(request.user):
        raise PermissionDenied
    t = get_visible(ReplyTemplate.objects.usable_at(c.org_unit.path), pk=template_id)
    return {
        "id": t.pk,
        "name": t.name,
        "kind": t.kind,
        "fields": services.template_render(_user(request), c, t),
    }


# --- the decision notice as files -------------------------------------------------------------------------


def _notice_file(request: HttpRequest, complaint_id: int, fmt: str) -> HttpResponse:
    c = _complaint(request, complaint_id)
    content = (
        notice_docs.build_docx(_user(request), c)
        if fmt == "docx"
        else notice_docs.build_pdf(_user(request), c)
    )
    notice_docs.record_generated(actor=request.user, c=c, fmt=fmt)
    return notice_docs.file_response(content, c, fmt)


@router.get(
    "/complaints/{complaint_id}/notice.docx",
    response={200: None},
    summary="The decision notice as a Word file (A4); 409 no_decision while none is drafted",
)
def notice_docx(request: HttpRequest, complaint_id: int):
    return _notice_file(request, complaint_id, "docx")


@router.get(
    "/complaints/{complaint_id}/notice.pdf",
    response={200: None},
    summary="The decision notice as PDF (A4; 503 pdf_unavailable without LibreOffice on the server)",
)
def notice_pdf(request: HttpRequest, complaint_id: int):
    return _notice_file(request, complaint_id, "pdf")
