"""Notices to complainants: queueing on the complaint's events, sending with retries, resending, settings and
templates.

Flow: `work_item_event` (after the complaint's transaction commits) → `notices_for_event` writes one `Sending`
per channel with the text as it will go out and queues `tasks.send_task` once that commits → `sending_attempt`
claims the row with a conditional update (two workers never send it twice), sends it (SMTP through Django's
mail API; the SMS gateway through `core.outbound.post`) and records the outcome: sent with the provider's
reference, or a retry after 1 min, 5 min, 30 min and 2 h; after the fifth attempt it is failed and the
complaint's handler is told. `retry_due` (a `Module.periodic` job of `xiaobao sweep`) sends the due retries.
Nothing here can break the complaint's own transaction: it has committed before anything starts, and every
failure of a sending is caught and recorded on the row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from email.utils import formataddr, make_msgid
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.core.clock import now as clock_now
from xiaobao.core.errors import Conflict, DomainError, field_error
from xiaobao.core.services.audit import audit_change, audit_record, diff, mask_text, snapshot
from xiaobao.core.vault.masking import mask
from xiaobao.outreach import placeholders
from xiaobao.outreach.choices import LIVE, PENDING, BodyFormat, Channel, Kind, SendingStatus
from xiaobao.outreach.defaults import DEFAULTS
from xiaobao.outreach.models import MessageTemplate, OutreachSettings, Sending, in_clear

log = logging.getLogger(__name__)

MANAGE = "outreach.manage_outreach"
VIEW_LOG = "outreach.view_sending"
SEND = "complaints.handle_complaint"  # resend, send now: what the complaint's handler may do

BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_SENDING = dt.timedelta(minutes=15)  # a claim older than this was interrupted (worker stopped)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
GATEWAY_TOKEN = re.compile(r"\{(phone|text|signature)\}")
SAMPLE_GATEWAY = {"phone": "13800000000", "text": "测试", "signature": "【银行】"}


# --- settings and templates ------------------------------------------------------------------------------


def settings_get() -> OutreachSettings:
    obj = OutreachSettings.objects.filter(pk=1).first()
    if obj is None:
        obj, _created = OutreachSettings.objects.get_or_create(pk=1)
    return obj


def templates_ensure() -> None:
    """Seed the default text of every kind × channel that has none (idempotent)."""
    have = set(MessageTemplate.objects.values_list("kind", "channel"))
    missing = [
        MessageTemplate(kind=str(kind), channel=str(channel), subject=subject, body=body)
        for (kind, channel), (subject, body) in DEFAULTS.items()
        if (str(kind), str(channel)) not in have
    ]
    if missing:
        MessageTemplate.objects.bulk_create(missing, ignore_conflicts=True)


def template_for(kind: str, channel: str) -> MessageTemplate:
    template = MessageTemplate.objects.filter(kind=kind, channel=channel).first()
    if template is None:
        templates_ensure()
        template = MessageTemplate.objects.get(kind=kind, channel=channel)
    return template


def template_check(*, channel: str, subject: str, body: str, signature: str = "") -> tuple[dict, list[str]]:
    """Field errors (unknown placeholders, an empty text or e-mail subject) and warnings (an SMS longer
    than one message, counted with the signature and typical values)."""
    errors: dict[str, list[str]] = {}
    for name, text in (("subject", subject), ("body", body)):
        problems = placeholders.check(text)
        if problems:
            errors[name] = problems
    if not (body or "").strip():
        errors.setdefault("body", []).append(_("Enter the text."))
    if channel == Channel.EMAIL and not (subject or "").strip():
        errors.setdefault("subject", []).append(_("Enter the e-mail's subject."))
    if "\n" in (subject or "") or "\r" in (subject or ""):
        errors.setdefault("subject", []).append(_("The subject must be one line."))
    warnings: list[str] = []
    if channel == Channel.SMS:
        sample = placeholders.fill(body, SAMPLE_VALUES)
        parts = placeholders.sms_parts(signature + sample)
        if parts > 1:
            warnings.append(
                _(
                    "With typical values this SMS has %(n)s characters: more than 70 go out as %(parts)s "
                    "messages (billed and sometimes delivered separately)."
                )
                % {"n": len(signature + sample), "parts": parts}
            )
    return errors, warnings


SAMPLE_VALUES = {
    "reference": "TS202603020001",
    "received_on": "2026年3月2日",
    "due_date": "2026年3月17日",
    "extended_days": "30",
    "business_type": "信用卡",
    "unit": "海淀支行",
    "institution": "晓宝银行",
    "superior_unit": "北京分行",
    "decision": "经核实，退还多收取的年费200元。",
    "verification": "调阅了交易记录和通话录音。",
    "basis": "依据信用卡领用合约第十二条。",
    "remedies": "您可以申请核查，也可以申请调解、仲裁或者提起诉讼。",
    "lookup_url": "/public/complaints/status/",
    "today": "2026年3月3日",
}


@transaction.atomic
def template_save(*, actor: Any, template: MessageTemplate, subject: str, body: str) -> list[str]:
    """Save a template's texts after checking its placeholders; returns the warnings (SMS length)."""
    st = settings_get()
    errors, warnings = template_check(
        channel=template.channel, subject=subject, body=body, signature=st.sms_signature
    )
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, fields=errors)
    before = snapshot(template)
    template.subject = subject.strip() if template.channel == Channel.EMAIL else ""
    template.body = body.strip()
    template.updated_by = actor
    template.full_clean()
    template.save()
    audit_change(actor=actor, obj=template, before=before)
    return warnings


SETTINGS_FIELDS = (
    "sender_name",
    "email_acknowledgement",
    "email_extension",
    "email_decision",
    "sms_acknowledgement",
    "sms_extension",
    "sms_decision",
    "record_notice",
    "sms_enabled",
    "sms_url",
    "sms_format",
    "sms_body",
    "sms_auth_header",
    "sms_signature",
    "sms_timeout",
)
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")


def _gateway_errors(st: OutreachSettings) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if st.sms_url:
        from xiaobao.core.outbound import OutboundRefused, check_url

        try:
            check_url(st.sms_url)
        except OutboundRefused as exc:
            errors["sms_url"] = [exc.message]
    elif st.sms_enabled:
        errors["sms_url"] = [_("Enter the gateway's URL to switch SMS on.")]
    if st.sms_format not in BodyFormat.values:
        errors["sms_format"] = [_("Choose JSON or form.")]
    else:
        try:
            gateway_body(st, **SAMPLE_GATEWAY)
        except DomainError as exc:
            errors["sms_body"] = [exc.message]
    if st.sms_auth_header and not HEADER_NAME.match(st.sms_auth_header):
        errors["sms_auth_header"] = [_("A header name has letters, digits and dashes only.")]
    if not 1 <= int(st.sms_timeout or 0) <= 60:
        errors["sms_timeout"] = [_("Between 1 and 60 seconds.")]
    if "\n" in st.sms_signature or "\r" in st.sms_signature:
        errors["sms_signature"] = [_("The signature must be one line.")]
    return errors


@transaction.atomic
def settings_save(*, actor: Any, data: dict[str, Any], token: str | None = None) -> OutreachSettings:
    """Change the settings (fields in `data`; `token`: None keeps the gateway token, "" removes it)."""
    st = OutreachSettings.objects.select_for_update().filter(pk=1).first() or settings_get()
    before = snapshot(st)
    for name in SETTINGS_FIELDS:
        if name in data and data[name] is not None:
            value = data[name]
            setattr(st, name, value.strip() if isinstance(value, str) and name != "sms_body" else value)
    errors = _gateway_errors(st)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    token_changed = token is not None
    if token_changed:
        st.sms_token = token.strip()  # type: ignore[assignment,union-attr]
    st.updated_by = actor
    st.full_clean()
    st.save()
    changes = diff(before, snapshot(st))
    if token_changed:
        changes["sms_token"] = ["[sealed]", "[changed]"]
    if changes:
        audit_record(actor=actor, action="update", obj=st, changes=changes)
    return st


def gateway_body(st: OutreachSettings, *, phone: str, text: str, signature: str) -> tuple[bytes, str]:
    """The request body for the gateway and its content type; a template that does not make valid JSON (or
    that names no {phone} and {text}) is a DomainError for the settings form."""
    template = st.sms_body or ""
    names = set(GATEWAY_TOKEN.findall(template))
    if not {"phone", "text"} <= names:
        raise field_error("sms_body", _("The body template must contain {phone} and {text}."))
    values = {"phone": phone, "text": text, "signature": signature}
    if st.sms_format == BodyFormat.FORM:
        body = GATEWAY_TOKEN.sub(lambda m: quote_plus(values[m.group(1)]), template)
        return body.encode(), "application/x-www-form-urlencoded; charset=utf-8"
    escaped = {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()}
    body = GATEWAY_TOKEN.sub(lambda m: escaped[m.group(1)], template)
    try:
        json.loads(body)
    except ValueError:
        raise field_error(
            "sms_body", _("The body template does not give valid JSON: put each placeholder inside quotes.")
        ) from None
    return body.encode(), "application/json; charset=utf-8"


# --- queueing --------------------------------------------------------------------------------------------


def _mobile(complainant: Any) -> str:
    phone = in_clear(complainant.phone)
    phone = re.sub(r"[\s\-]", "", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone if MOBILE.match(phone) else ""


def _email(complainant: Any) -> str:
    return in_clear(complainant.email).strip()


def channels_for(st: OutreachSettings, complainant: Any) -> dict[str, str]:
    """Each usable channel → the address (e-mail when known; SMS when a mobile number is known and the
    gateway is on). Per-kind switches are not applied here."""
    found: dict[str, str] = {}
    email = _email(complainant)
    if email:
        found[Channel.EMAIL] = email
    mobile = _mobile(complainant)
    if mobile and st.sms_ready:
        found[Channel.SMS] = mobile
    return found


def render(kind: str, channel: str, complaint: Any, **extra: Any) -> tuple[str, str]:
    template = template_for(kind, channel)
    values = placeholders.complaint_values(complaint, **extra)
    subject = " ".join(placeholders.fill(template.subject, values).split())[:200]
    return subject, placeholders.fill(template.body, values).strip()


def _extension_facts(complaint: Any, extension_id: Any) -> dict[str, Any]:
    ext = complaint.extensions.filter(pk=extension_id).first() if extension_id else None
    return {"extended_days": ext.to_days if ext else None}


def sendings_queue(
    *,
    complaint: Any,
    kind: str,
    trigger: str | None,
    requested_by: Any = None,
    channels: Iterable[str] | None = None,
    automatic: bool = True,
    extension_id: Any = None,
) -> list[Sending]:
    """Write one Sending per channel and queue them for sending once this commits. `automatic`: only the
    channels the settings switch on for this kind; otherwise the `channels` asked for, when usable."""
    st = settings_get()
    usable = channels_for(st, complaint.complainant)
    wanted = [c for c in (channels or Channel.values) if c in usable]
    if automatic:
        wanted = [c for c in wanted if st.channel_enabled(kind, c)]
    extra = _extension_facts(complaint, extension_id) if kind == Kind.EXTENSION else {}
    made: list[Sending] = []
    now = clock_now()
    for channel in wanted:
        subject, body = render(kind, channel, complaint, **extra)
        address = usable[channel]
        s = Sending(
            complaint=complaint,
            kind=kind,
            channel=channel,
            recipient_masked=mask(address, "email" if channel == Channel.EMAIL else "phone"),
            subject=subject if channel == Channel.EMAIL else "",
            body=body,
            next_attempt_at=now,
            requested_by=requested_by,
            trigger=trigger,
        )
        if channel == Channel.EMAIL:
            s.recipient_email = address  # type: ignore[assignment]
        else:
            s.recipient_phone = address  # type: ignore[assignment]
        try:
            with transaction.atomic():
                s.save()
        except IntegrityError:  # this event was already told on this channel
            continue
        made.append(s)
        _enqueue_on_commit(s.pk)
    return made


def _enqueue_on_commit(sending_id: int) -> None:
    def enqueue() -> None:
        from xiaobao.outreach.tasks import send_task

        try:
            send_task.enqueue(sending_id)
        except Exception:
            log.exception("outreach: could not queue sending %s; the sweep will send it", sending_id)

    transaction.on_commit(enqueue)


def _decision_already_sent(complaint: Any, channel: str) -> bool:
    """A decision notice for the current decision (since its last draft) is sent or on its way."""
    drafted = complaint.events.filter(action="draft").order_by("-at").values_list("at", flat=True).first()
    qs = Sending.objects.filter(complaint=complaint, kind=Kind.DECISION, channel=channel, status__in=LIVE)
    if drafted is not None:
        qs = qs.filter(created_at__gte=drafted)
    return qs.exists()


EVENT_KINDS = {
    "register": Kind.ACKNOWLEDGEMENT,
    "extend": Kind.EXTENSION,
    "approve_extension": Kind.EXTENSION,
}


def notices_for_event(*, complaint_id: int, action: str, event: Any = None) -> list[Sending]:
    """The notices a complaint's step calls for: registration → acknowledgement; an extension that takes
    effect (granted without approval, or approved) → extension notice; the decision notified → decision
    notice (unless this decision's notice already went out from the complaint page)."""
    from xiaobao.complaints.models import Complaint

    data = (getattr(event, "data", None) or {}) if event is not None else {}
    if action == "extend" and data.get("needs_approval"):
        return []  # not in effect until approved
    if action not in (*EVENT_KINDS, "notify"):
        return []
    c = (
        Complaint.objects.select_related("complainant", "org_unit__parent", "business_type")
        .filter(pk=complaint_id)
        .first()
    )
    if c is None or c.anonymised_at:
        return []
    with transaction.atomic():
        if action == "notify":
            event_pk = getattr(event, "pk", None) or c.version
            channels = [ch for ch in Channel.values if not _decision_already_sent(c, ch)]
            return sendings_queue(
                complaint=c, kind=Kind.DECISION, trigger=f"notify:{event_pk}", channels=channels
            )
        if action == "register":
            return sendings_queue(complaint=c, kind=Kind.ACKNOWLEDGEMENT, trigger="register")
        ext = data.get("extension")
        return sendings_queue(complaint=c, kind=Kind.EXTENSION, trigger=f"ext:{ext}", extension_id=ext)


# --- staff actions ----------------------------------------------------------------------------------------


def _can_send(actor: Any, complaint: Any) -> None:
    if not actor.has_perm(SEND) or not complaint.workable_by(actor):
        raise PermissionDenied(_("Only those who handle this complaint may send notices about it."))
    if complaint.anonymised_at:
        raise Conflict(_("This complaint was anonymised: its complainant can no longer be reached."))


def decision_ready(complaint: Any) -> bool:
    """A decision to tell: drafted and ready to be notified (approved when it needs approval), or notified."""
    from xiaobao.complaints.choices import Status
    from xiaobao.complaints.workflow import group

    if complaint.status in group("decided"):
        return True
    return complaint.status == Status.DRAFTED and bool(
        complaint.decision_approved_by_id or not complaint.needs_approval
    )


def sending_request(*, actor: Any, complaint: Any, kind: str, channel: str) -> Sending:
    """Send a notice now from the complaint page or the API (the decision notice, or any notice again)."""
    _can_send(actor, complaint)
    if kind not in Kind.values:
        raise field_error(
            "kind", _("Choose the acknowledgement, the extension notice or the decision notice.")
        )
    if channel not in Channel.values:
        raise field_error("channel", _("Choose e-mail or SMS."))
    if kind == Kind.DECISION and not decision_ready(complaint):
        raise Conflict(
            _("There is no decision to tell yet (drafted, approved when it needs approval)."),
            code="no_decision",
        )
    if kind == Kind.EXTENSION and not complaint.is_extended:
        raise Conflict(_("The deadline of this complaint has not been extended."), code="not_extended")
    st = settings_get()
    usable = channels_for(st, complaint.complainant)
    if channel not in usable:
        raise field_error("channel", str(why_not(st, complaint.complainant, channel)))
    extension_id = None
    if kind == Kind.EXTENSION:
        extension_id = (
            complaint.extensions.filter(state="approved").order_by("-pk").values_list("pk", flat=True).first()
        )
    with transaction.atomic():
        s = sendings_queue(
            complaint=complaint,
            kind=kind,
            trigger=None,
            requested_by=actor,
            channels=[channel],
            automatic=False,
            extension_id=extension_id,
        )[0]
        audit_record(
            actor=actor,
            action="create",
            obj=s,
            object_repr=f"{complaint.reference} {kind} {channel}",
            changes={"notice": [None, kind], "channel": [None, channel], "to": [None, s.recipient_masked]},
        )
    return s


def sending_resend(*, actor: Any, sending: Sending) -> Sending:
    """Send the notice of `sending` again, to the complainant's address as it is now."""
    return sending_request(
        actor=actor, complaint=sending.complaint, kind=sending.kind, channel=sending.channel
    )


def why_not(st: OutreachSettings, complainant: Any, channel: str) -> str:
    """Why a channel cannot reach this complainant (for the panel and the 422)."""
    if channel == Channel.EMAIL:
        return "" if _email(complainant) else _("No e-mail address is recorded for the complainant.")
    if not _mobile(complainant):
        return _("No mobile number is recorded for the complainant.")
    if not st.sms_ready:
        return _("The SMS gateway is not configured or not switched on.")
    return ""


# --- sending ------------------------------------------------------------------------------------------


class SendFailed(Exception):
    """A sending did not go out; the message is safe to store (addresses masked)."""


def _claim(sending_id: int, now: dt.datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        Sending.objects.filter(due, pk=sending_id, status__in=PENDING).update(
            status=SendingStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, updated_at=now
        )
    )


def _safe(text: str, address: str) -> str:
    """An error text fit to keep: the recipient's address masked, other numbers masked as in the audit."""
    if address:
        kind = "email" if "@" in address else "phone"
        text = text.replace(address, mask(address, kind))
    return mask_text(" ".join(str(text).split()))[:500]


def _smtp_reason(exc: BaseException) -> str:
    import smtplib

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_decode(msg)}" for code, msg in exc.recipients.values()]
        return _("Recipient refused: %(reason)s") % {"reason": "; ".join(parts)}
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_decode(exc.smtp_error)}"
    if isinstance(exc, ConnectionRefusedError):
        return _("The mail server refused the connection.")
    if isinstance(exc, TimeoutError):
        return _("The mail server did not answer in time.")
    if isinstance(exc, OSError):
        return _("Could not reach the mail server: %(reason)s") % {"reason": type(exc).__name__}
    return type(exc).__name__


def _decode(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def send_email(*, to: str, subject: str, body: str) -> str:
    """Send one e-mail through the configured backend (SMTP in production); returns its Message-ID."""
    st = settings_get()
    from_address = str(django_settings.DEFAULT_FROM_EMAIL)
    domain = from_address.rsplit("@", 1)[-1].strip(">") or "localhost"
    message_id = make_msgid(domain=domain)
    name = st.sender_name or placeholders.institution()
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=formataddr((name, from_address), charset="utf-8") if name else from_address,
        to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
        connection=get_connection(fail_silently=False),
    )
    try:
        message.send()
    except Exception as exc:
        raise SendFailed(_safe(_smtp_reason(exc), to)) from exc
    return message_id


GATEWAY_ID_KEYS = ("id", "msgid", "msg_id", "message_id", "messageId", "bizId", "sid", "serialNo", "taskId")


def _gateway_id(excerpt: str) -> str:
    try:
        data = json.loads(excerpt)
    except ValueError:
        return ""
    if isinstance(data, dict):
        inner = data.get("data")
        for holder in (data, inner if isinstance(inner, dict) else {}):
            for key in GATEWAY_ID_KEYS:
                if holder.get(key) not in (None, ""):
                    return str(holder[key])[:200]
    return ""


def send_sms(*, to: str, text: str) -> tuple[str, str]:
    """POST one SMS to the gateway (`core.outbound`: SSRF policy); returns (reference, answer excerpt)."""
    from xiaobao.core.outbound import OutboundError, OutboundRefused, post

    st = settings_get()
    if not st.sms_ready:
        raise SendFailed(_("The SMS gateway is not configured or not switched on."))
    try:
        body, content_type = gateway_body(st, phone=to, text=text, signature=st.sms_signature)
    except DomainError as exc:
        raise SendFailed(exc.message) from None
    headers = {"Content-Type": content_type}
    token = in_clear(st.sms_token)
    if st.sms_auth_header and token:
        headers[st.sms_auth_header] = token
    try:
        answer = post(st.sms_url, body, headers, timeout=float(st.sms_timeout or 10))
    except (OutboundRefused, OutboundError) as exc:
        raise SendFailed(_safe(exc.message, to)) from None
    excerpt = _safe(answer.body_excerpt or "", to)
    if not 200 <= answer.status < 300:
        raise SendFailed(
            _safe(
                _("The gateway answered %(status)s: %(answer)s")
                % {"status": answer.status, "answer": excerpt[:200]},
                to,
            )
        )
    return _gateway_id(answer.body_excerpt or "") or excerpt[:200], excerpt


def sending_attempt(*, sending_id: int, now: dt.datetime | None = None) -> Sending | None:
    """Claim a due sending and send it once; record sent, a retry, or failed. Never raises."""
    now = now or clock_now()
    try:
        if not _claim(sending_id, now):
            return None
        s = Sending.objects.select_related("complaint").get(pk=sending_id)
        try:
            if s.channel == Channel.EMAIL:
                ref, excerpt = send_email(to=s.recipient, subject=s.subject, body=s.body), ""
            else:
                ref, excerpt = send_sms(to=s.recipient, text=s.body)
        except SendFailed as exc:
            return _failed(s, str(exc), now)
        except Exception as exc:
            log.exception("outreach: sending %s raised", sending_id)
            return _failed(s, _safe(type(exc).__name__, s.recipient), now)
        return _sent(s, ref, excerpt)
    except Exception:
        log.exception("outreach: sending %s could not be processed", sending_id)
        return None


def _sent(s: Sending, ref: str, excerpt: str) -> Sending:
    at = clock_now()
    s.status, s.provider_ref, s.response_excerpt, s.sent_at = SendingStatus.SENT, ref[:200], excerpt, at
    s.last_error, s.next_attempt_at = "", None
    s.save(
        update_fields=[
            "status",
            "provider_ref",
            "response_excerpt",
            "sent_at",
            "last_error",
            "next_attempt_at",
            "updated_at",
        ]
    )
    log.info("outreach: sending %s (%s %s) sent", s.pk, s.kind, s.channel)
    if s.kind == Kind.EXTENSION and s.trigger and s.trigger.startswith("ext:"):
        from xiaobao.complaints.models import Extension

        ext_id = s.trigger[4:]
        if ext_id.isdigit():  # the extension's "complainant told at" (Art 18): when the notice went out
            Extension.objects.filter(pk=int(ext_id), complainant_told_at__isnull=True).update(
                complainant_told_at=at
            )
    if s.kind == Kind.DECISION and s.requested_by_id:
        _record_notice(s)
    return s


def _failed(s: Sending, reason: str, now: dt.datetime) -> Sending:
    s.last_error = reason[:500]
    if s.attempts >= MAX_ATTEMPTS:
        s.status, s.next_attempt_at = SendingStatus.FAILED, None
    else:
        s.status, s.next_attempt_at = SendingStatus.RETRYING, now + BACKOFF[max(s.attempts, 1) - 1]
    s.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
    log.warning("outreach: sending %s attempt %s failed: %s", s.pk, s.attempts, s.last_error)
    if s.status == SendingStatus.FAILED:
        _tell_handler(s)
    return s


def _tell_handler(s: Sending) -> None:
    from xiaobao.casework.notifications import notify

    c = s.complaint
    user_id = c.handler_id or c.registered_by_id
    if user_id:
        message = _(
            "Complaint %(ref)s: the %(notice)s by %(channel)s could not be sent; "
            "tell the complainant another way."
        ) % {
            "ref": c.reference,
            "notice": s.get_kind_display(),
            "channel": s.get_channel_display(),
        }
        notify(
            users=[user_id], subject=c, kind="outreach_failed", message=message, key=f"outreach:failed:{s.pk}"
        )


def _record_notice(s: Sending) -> None:
    """The decision notice sent from the complaint page is the notice: record it (`notify`) with the sending
    as its proof when the decision is ready to be notified and the person who sent it may record it. What
    happened is kept on the sending (`notify_result`); a refusal leaves the sending as the proof to cite."""
    from xiaobao.complaints.choices import NotifyMethod, Status
    from xiaobao.complaints.services import complaint_transition
    from xiaobao.core.models import User

    if not settings_get().record_notice:
        return
    c = s.complaint
    c.refresh_from_db()
    if c.status != Status.DRAFTED:
        return
    actor = User.objects.filter(pk=s.requested_by_id, is_active=True).first()
    at = timezone.localtime(s.sent_at)
    with translation.override(django_settings.LANGUAGE_CODE):  # stored text: the institution's language
        label = _("E-mail") if s.channel == Channel.EMAIL else _("SMS")
        proof = (
            _("%(channel)s %(ref)s sent %(at)s")
            % {"channel": label, "ref": s.provider_ref, "at": f"{at:%Y-%m-%d %H:%M}"}
        )[:200]
    method = NotifyMethod.EMAIL if s.channel == Channel.EMAIL else NotifyMethod.SMS
    try:
        if actor is None:
            raise PermissionDenied
        complaint_transition(
            actor=actor,
            complaint=c,
            action="notify",
            data={"method": method, "at": s.sent_at, "proof": proof},
        )
        result = _("Recorded as the decision notice (%(proof)s).") % {"proof": proof}
    except (DomainError, PermissionDenied, ValidationError) as exc:
        reason = getattr(exc, "message", "") or str(exc) or _("not allowed")
        result = _("Not recorded as notified: %(reason)s Cite this sending as the proof.") % {
            "reason": reason
        }
    Sending.objects.filter(pk=s.pk).update(notify_result=str(result)[:300])
    s.notify_result = str(result)[:300]


def retry_due(*, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """The periodic job (`xiaobao sweep`): send the sendings whose (re)try is due, and put back those whose
    worker stopped mid-way."""
    now = now or clock_now()
    stale = Sending.objects.filter(status=SendingStatus.SENDING, last_attempt_at__lt=now - STALE_SENDING)
    revived = stale.update(
        status=SendingStatus.RETRYING, next_attempt_at=now, last_error=_("Interrupted; retried.")
    )
    due = list(
        Sending.objects.filter(status__in=PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    report = {"due": len(due), "revived": revived, "sent": 0, "failed": 0}
    for pk in due:
        s = sending_attempt(sending_id=pk, now=now)
        if s is not None and s.status == SendingStatus.SENT:
            report["sent"] += 1
        elif s is not None and s.status == SendingStatus.FAILED:
            report["failed"] += 1
    return report


def test_send(*, actor: Any, channel: str, address: str) -> str:
    """Send a test message to an address an administrator typed (synchronously); returns the reference."""
    address = (address or "").strip()
    text = _("Test message from %(institution)s's complaint system: notices to complainants work.") % {
        "institution": placeholders.institution()
    }
    if channel == Channel.EMAIL:
        from django.core.validators import validate_email

        try:
            validate_email(address)
        except ValidationError:
            raise field_error("address", _("Enter a valid e-mail address.")) from None
        masked = mask(address, "email")
        send = lambda: send_email(to=address, subject=_("Test e-mail"), body=text)  # noqa: E731
    elif channel == Channel.SMS:
        phone = re.sub(r"[\s\-]", "", address).removeprefix("+86")
        if not MOBILE.match(phone):
            raise field_error("address", _("Enter a mobile number (11 digits)."))
        masked, address = mask(phone, "phone"), phone
        send = lambda: send_sms(to=phone, text=text)[0]  # noqa: E731
    else:
        raise field_error("channel", _("Choose e-mail or SMS."))
    try:
        ref = send()
    except SendFailed as exc:
        _audit_test(actor, channel, masked, str(exc))
        raise DomainError(_("Not sent: %(reason)s") % {"reason": exc}, code="send_failed") from None
    _audit_test(actor, channel, masked, ref)
    return ref


def _audit_test(actor: Any, channel: str, masked: str, result: str) -> None:
    audit_record(
        actor=actor,
        action="create",
        object_type="outreach.test",
        object_repr=f"test {channel} {masked}",
        changes={"channel": [None, channel], "to": [None, masked], "result": [None, result[:200]]},
    )
