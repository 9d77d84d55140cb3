"""Notices to complainants API (/api/v1/...): a complaint's sendings (the proof of its notices) and sending
one now; the settings, the message templates and the sending log for administrators. Complaints are read
through `complaint_detail` (visible_to): outside the user's scope → 404. Recipients are only shown masked."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xiaobao.complaints.models import Complaint
from xiaobao.complaints.selectors import complaint_detail
from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.outreach import selectors, services
from xiaobao.outreach.models import MessageTemplate, OutreachSettings, Sending

router = Router(tags=["Notices to complainants"])


def _complaint(request: HttpRequest, complaint_id: int) -> Complaint:
    require_perm(request.user, "complaints.view_complaint")
    c = complaint_detail(user=request.user, pk=complaint_id)
    if c is None:
        raise Http404
    return cast(Complaint, c)


class SendingOut(Schema):
    id: int
    complaint_id: int
    complaint_reference: str
    kind: str
    channel: str
    recipient: str = Field(..., description="Masked (z****@example.com, 139****5678)")
    subject: str
    status: str = Field(..., description="queued, sending, retrying, sent or failed")
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    provider_ref: str = Field(..., description="SMTP Message-ID or the gateway's message id")
    sent_at: dt.datetime | None
    created_at: dt.datetime
    requested_by: str | None
    notify_result: str


def _sending_out(s: Sending) -> dict[str, Any]:
    return {
        "id": s.pk,
        "complaint_id": s.complaint_id,
        "complaint_reference": s.complaint.reference,
        "kind": s.kind,
        "channel": s.channel,
        "recipient": s.recipient_masked,
        "subject": s.subject,
        "status": s.status,
        "attempts": s.attempts,
        "next_attempt_at": s.next_attempt_at,
        "last_error": s.last_error,
        "provider_ref": s.provider_ref,
        "sent_at": s.sent_at,
        "created_at": s.created_at,
        "requested_by": s.requested_by.username if s.requested_by_id and s.requested_by else None,
        "notify_result": s.notify_result,
    }


@router.get(
    "/complaints/{complaint_id}/sendings",
    response=list[SendingOut],
    summary="The notices sent to the complainant by e-mail and SMS (the proof of notification, Art 21)",
)
def complaint_sendings(request: HttpRequest, complaint_id: int):
    c = _complaint(request, complaint_id)
    return [_sending_out(s) for s in selectors.complaint_sendings(c).select_related("complaint")]


class SendingIn(Schema):
    kind: str = Field(..., description="acknowledgement, extension or decision", max_length=20)
    channel: str = Field(..., description="email or sms", max_length=10)


@router.post(
    "/complaints/{complaint_id}/sendings",
    response={202: SendingOut},
    summary="Send a notice now (queued; 202): the decision notice once decided, or any notice again",
)
def complaint_send(request: HttpRequest, complaint_id: int, payload: SendingIn):
    c = _complaint(request, complaint_id)
    require_perm(request.user, services.SEND)
    s = services.sending_request(actor=request.user, complaint=c, kind=payload.kind, channel=payload.channel)
    s.refresh_from_db()
    return Status(202, _sending_out(s))


@router.get(
    "/outreach/sendings",
    response=list[SendingOut],
    summary="The sending log within your scope, failed first (status: queued, retrying, sent, failed)",
)
def sending_log(
    request: HttpRequest,
    status: str = Query("", max_length=10),
    kind: str = Query("", max_length=20),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    require_perm(request.user, services.VIEW_LOG)
    qs = selectors.sending_list(user=request.user, status=status, kind=kind).select_related("requested_by")
    return [_sending_out(s) for s in qs[offset : offset + limit]]


# --- settings ----------------------------------------------------------------------------------------------


class OutreachSettingsOut(Schema):
    sender_name: str
    email_acknowledgement: bool
    email_extension: bool
    email_decision: bool
    sms_acknowledgement: bool
    sms_extension: bool
    sms_decision: bool
    record_notice: bool
    sms_enabled: bool
    sms_url: str
    sms_format: str
    sms_body: str
    sms_auth_header: str
    sms_token_set: bool = Field(..., description="A token is saved (it is never returned)")
    sms_signature: str
    sms_timeout: int


class OutreachSettingsIn(Schema):
    sender_name: str | None = Field(None, max_length=100)
    email_acknowledgement: bool | None = None
    email_extension: bool | None = None
    email_decision: bool | None = None
    sms_acknowledgement: bool | None = None
    sms_extension: bool | None = None
    sms_decision: bool | None = None
    record_notice: bool | None = None
    sms_enabled: bool | None = None
    sms_url: str | None = Field(None, max_length=500)
    sms_format: str | None = Field(None, max_length=10)
    sms_body: str | None = Field(None, max_length=2000)
    sms_auth_header: str | None = Field(None, max_length=100)
    sms_token: str | None = Field(None, max_length=500, description='New token; "" removes it')
    sms_signature: str | None = Field(None, max_length=30)
    sms_timeout: int | None = Field(None, ge=1, le=60)


def _settings_out(st: OutreachSettings) -> dict[str, Any]:
    out = {name: getattr(st, name) for name in services.SETTINGS_FIELDS}
    return {**out, "sms_token_set": bool(st.sms_token)}


@router.get("/outreach/settings", response=OutreachSettingsOut, summary="The notice settings")
def settings_read(request: HttpRequest):
    require_perm(request.user, services.MANAGE)
    return _settings_out(services.settings_get())


@router.patch("/outreach/settings", response=OutreachSettingsOut, summary="Change the notice settings")
def settings_update(request: HttpRequest, payload: OutreachSettingsIn):
    require_perm(request.user, services.MANAGE)
    data = payload.dict(exclude_unset=True)
    token = data.pop("sms_token", None)
    st = services.settings_save(actor=request.user, data=data, token=token)
    return _settings_out(st)


# --- templates ---------------------------------------------------------------------------------------------


class MessageTemplateOut(Schema):
    id: int
    kind: str
    channel: str
    subject: str
    body: str
    updated_at: dt.datetime
    warnings: list[str] = Field(default_factory=list, description="E.g. an SMS longer than one message")


class MessageTemplateIn(Schema):
    subject: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=4000)


def _template_out(t: MessageTemplate, warnings: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": t.pk,
        "kind": t.kind,
        "channel": t.channel,
        "subject": t.subject,
        "body": t.body,
        "updated_at": t.updated_at,
        "warnings": warnings or [],
    }


@router.get("/outreach/templates", response=list[MessageTemplateOut], summary="The notices' texts")
def template_list(request: HttpRequest):
    require_perm(request.user, services.MANAGE)
    services.templates_ensure()
    return [_template_out(t) for t in MessageTemplate.objects.all()]


@router.get("/outreach/templates/{template_id}", response=MessageTemplateOut, summary="One notice's text")
def template_read(request: HttpRequest, template_id: int):
    require_perm(request.user, services.MANAGE)
    return _template_out(get_visible(MessageTemplate.objects.all(), pk=template_id))


@router.patch(
    "/outreach/templates/{template_id}",
    response=MessageTemplateOut,
    summary="Change a notice's text (placeholders from the closed list; unknown ones are field errors)",
)
def template_update(request: HttpRequest, template_id: int, payload: MessageTemplateIn):
    require_perm(request.user, services.MANAGE)
    t = get_visible(MessageTemplate.objects.all(), pk=template_id)
    subject = t.subject if payload.subject is None else payload.subject
    body = t.body if payload.body is None else payload.body
    warnings = services.template_save(actor=request.user, template=t, subject=subject, body=body)
    return _template_out(t, warnings)
