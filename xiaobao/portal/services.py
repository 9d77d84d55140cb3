"""Write side of the consumer portal: its service account, its settings, a consumer's complaint (with
attachments, all or nothing), the status lookup (throttled, audited, the same answer for every mismatch), a
review request and a rating.

Everything the consumer sends goes through the complaints app's own services (`complaint_register`,
`attachment_add`, `complaint_transition`) as the portal's service account; the portal keeps only where a
complaint came from, the rating and the review request's reason."""

from __future__ import annotations

import datetime as dt
import hmac
import io
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xiaobao.complaints import attachments
from xiaobao.complaints.choices import CodeDimension, Status
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.clock import localdate
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.vault import crypto
from xiaobao.core.vault.detect import validate_no_c3
from xiaobao.core.workdays import receipt_date
from xiaobao.portal.models import (
    REVIEW_WINDOW_MAX,
    ConsumerRating,
    PortalReviewRequest,
    PortalSettings,
    PortalSubmission,
)
from xiaobao.portal.throttle import Window

ACCOUNT = "portal"
ACCOUNT_PERMS = (
    "complaints.view_complaint",
    "complaints.register_complaint",
    "complaints.handle_complaint",  # the "request_review" action
)
REVIEWABLE = (Status.DECIDED, Status.FOLLOWED_UP, Status.CLOSED)
# decrypted when the reference is unknown, so a mismatch costs the same whether the complaint exists
_DUMMY_PHONE: dict[str, str] = {}


class Throttled(DomainError):
    """Too many requests from this address (or for this reference): 429 with Retry-After."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("Too many requests. Try again in %(m)d minutes.") % {"m": max(1, (retry_after + 59) // 60)},
            code="throttled",
        )
        self.retry_after = retry_after


class NotFound(DomainError):
    """No complaint with this reference and phone number (the same whether the reference exists or not)."""

    status = 404

    def __init__(self) -> None:
        super().__init__(_("No complaint matches this reference and these phone digits."), code="not_found")


# --- the service account ---------------------------------------------------------------------------------


def portal_actor() -> User:
    """The account the portal acts as (created on first use): the root unit, so it reaches every unit; an
    unusable password, so nobody signs in as it; only the permissions registration and a review request
    need."""
    user = User.objects.filter(username=ACCOUNT).select_related("org_unit").first()
    if user is not None:
        if not user.is_service:  # made before service accounts were marked
            User.objects.filter(pk=user.pk).update(is_service=True)
            user.is_service = True
        return user
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        raise DomainError(_("The institution has no units yet."), code="not_configured")
    try:
        with transaction.atomic():
            user = User(
                username=ACCOUNT,
                full_name=_("Consumer portal (service account)"),
                org_unit=root,
                is_service=True,
            )
            user.set_unusable_password()
            user.save()
            perms = [p.split(".") for p in ACCOUNT_PERMS]
            for app, codename in perms:
                user.user_permissions.add(
                    Permission.objects.get(content_type__app_label=app, codename=codename)
                )
            audit_change(actor=None, obj=user, before=None)
    except IntegrityError:  # created by a concurrent request
        pass
    return User.objects.select_related("org_unit").get(username=ACCOUNT)


# --- settings --------------------------------------------------------------------------------------------


def portal_settings() -> PortalSettings:
    obj = PortalSettings.objects.select_related("receiving_unit").filter(pk=1).first()
    if obj is None:
        try:
            with transaction.atomic():
                obj = PortalSettings.objects.create(pk=1)
        except IntegrityError:
            obj = PortalSettings.objects.get(pk=1)
    return obj


def receiving_unit(s: PortalSettings) -> OrgUnit | None:
    if s.receiving_unit_id and s.receiving_unit and s.receiving_unit.is_active:
        return s.receiving_unit
    return OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()


def listed_units(s: PortalSettings) -> list[OrgUnit]:
    """The units a consumer may pick (when the settings allow it): those listed, else every open branch."""
    if not s.branch_choice:
        return []
    chosen = list(s.listed_units.filter(is_active=True).order_by("path"))
    if chosen:
        return chosen
    return list(OrgUnit.objects.filter(kind="branch", is_active=True).order_by("sort_order", "path"))


def business_types(s: PortalSettings) -> list[ComplaintCode]:
    """The business types offered (active codes), in their table order."""
    codes = ComplaintCode.objects.active().of(CodeDimension.BUSINESS_TYPE)
    if s.business_types:
        return list(codes.filter(code__in=s.business_types))
    return list(codes.filter(parent__isnull=True))


def file_types(s: PortalSettings) -> list[str]:
    return [k for k in (s.file_types or []) if k in attachments.KINDS]


def file_extensions(s: PortalSettings) -> list[str]:
    return [ext for key in file_types(s) for ext in attachments.KINDS[key].extensions]


SETTINGS_FIELDS = (
    "enabled", "institution_name", "receiving_unit", "branch_choice", "channel_code", "cause_code",
    "business_types", "max_files", "max_file_mb", "max_total_mb", "file_types", "intro", "privacy_notice",
    "review_window_days", "lookups_per_address", "lookup_window_minutes", "failures_per_reference",
    "reference_window_minutes", "submissions_per_address", "submission_window_minutes",
)  # fmt: skip


@transaction.atomic
def portal_settings_update(*, actor: User, data: dict[str, Any]) -> PortalSettings:
    """Change the settings: unit codes for the units, codes for the channel, cause and business types (each
    must be an active code of its dimension), attachment kinds from the complaint attachments' kinds."""
    s = portal_settings()
    s = PortalSettings.objects.select_for_update().get(pk=s.pk)
    before = snapshot(s)
    errors: dict[str, list[str]] = {}
    for name in SETTINGS_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "receiving_unit":  # a code; empty or None: the head office
            unit = OrgUnit.objects.filter(code=str(value), is_active=True).first() if value else None
            if value and unit is None:
                errors[name] = [_("Unknown or closed unit.")]
            s.receiving_unit = unit
        elif value is not None:
            setattr(s, name, value)
    for name, dimension, code in (
        ("channel_code", "channel", s.channel_code),
        ("cause_code", "cause", s.cause_code),
    ):
        if not ComplaintCode.objects.active().filter(dimension=dimension, code=code).exists():
            errors[name] = [_("Unknown or inactive code.")]
    types = s.business_types
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        errors["business_types"] = [_("Give a list of business type codes.")]
    elif types:
        known = set(
            ComplaintCode.objects.active()
            .of(CodeDimension.BUSINESS_TYPE)
            .filter(code__in=types)
            .values_list("code", flat=True)
        )
        if unknown := [t for t in types if t not in known]:
            errors["business_types"] = [_("Unknown or inactive code: %(v)s") % {"v": ", ".join(unknown)}]
    kinds = s.file_types
    if not isinstance(kinds, list) or any(k not in attachments.KINDS for k in kinds):
        errors["file_types"] = [_("Choose among: %(v)s") % {"v": ", ".join(attachments.KINDS)}]
    if "listed_units" in data and data["listed_units"] is not None:
        codes = [str(c) for c in data["listed_units"]]
        units = list(OrgUnit.objects.filter(code__in=codes, is_active=True))
        if len(units) != len(set(codes)):
            errors["listed_units"] = [_("Unknown or closed unit.")]
    else:
        units = None
    try:
        s.full_clean()
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if s.max_file_mb and s.max_total_mb and s.max_file_mb > s.max_total_mb:
        errors.setdefault("max_file_mb", []).append(_("A file cannot be larger than all files together."))
    if errors:
        raise ValidationError(errors)
    s.save()
    if units is not None:
        s.listed_units.set(units)
    audit_change(actor=actor, obj=s, before=before)
    return s


# --- a consumer's complaint ------------------------------------------------------------------------------

# what the complaints service calls a field → what the portal's form and API call it
FIELD_NAMES = {
    "complainant.name": "name",
    "complainant.phone": "phone",
    "complainant.email": "email",
    "org_unit": "unit",
}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _check_files(s: PortalSettings, files: list[Upload]) -> list[Upload]:
    """Every file within the limits and of an allowed kind by name AND content, before anything is stored."""
    if len(files) > s.max_files:
        raise ValidationError({"attachments": [_("Attach at most %(n)d files.") % {"n": s.max_files}]})
    allowed = set(file_types(s))
    total = 0
    for f in files:
        name = f.name[-200:]
        if not f.data:
            raise ValidationError({"attachments": [_("The file %(f)s is empty.") % {"f": name}]})
        if len(f.data) > s.max_file_mb * 2**20:
            raise ValidationError(
                {"attachments": [_("%(f)s is larger than %(mb)d MB.") % {"f": name, "mb": s.max_file_mb}]}
            )
        total += len(f.data)
        try:
            kind = attachments.classify(f.data, name)
        except ValidationError as exc:
            raise ValidationError(
                {"attachments": [f"{name}: {m}" for m in exc.message_dict.get("file", exc.messages)]}
            ) from exc
        if kind not in allowed:
            raise ValidationError(
                {
                    "attachments": [
                        _("%(f)s: only these kinds of files can be attached: %(v)s")
                        % {"f": name, "v": ", ".join(file_extensions(s))}
                    ]
                }
            )
    if total > s.max_total_mb * 2**20:
        raise ValidationError(
            {"attachments": [_("The files together are larger than %(mb)d MB.") % {"mb": s.max_total_mb}]}
        )
    return files


def _text(data: dict[str, Any], field: str, max_length: int, required: bool = True) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": max_length}]})
    if "\x00" in value:
        raise ValidationError({field: [_("Null characters are not allowed.")]})
    return value


def mobile_number(value: str) -> str:
    """A mainland mobile number without spaces, dashes or +86; "" when it is not one."""
    digits = crypto.normalise(str(value or ""), "phone")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else ""


def _submission(s: PortalSettings, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The registration data for the complaints service, and whether the consumer picked the unit."""
    if not data.get("consent"):
        raise ValidationError(
            {"consent": [_("Agree to the personal information notice to send the complaint.")]}
        )
    name = _text(data, "name", 50)
    digits = mobile_number(_text(data, "phone", 20))
    if not digits:
        raise ValidationError({"phone": [_("Enter your 11-digit mobile number.")]})
    email = _text(data, "email", 254, required=False)
    offered = {c.code: c for c in business_types(s)}
    business_type = str(data.get("business_type") or "")
    if business_type not in offered:
        raise ValidationError({"business_type": [_("Choose what your complaint is about.")]})
    unit, chosen = receiving_unit(s), False
    code = str(data.get("unit") or "")
    if code and s.branch_choice:
        unit = next((u for u in listed_units(s) if u.code == code), None)
        if unit is None:
            raise ValidationError({"unit": [_("Choose one of the branches listed.")]})
        chosen = True
    if unit is None:
        raise DomainError(_("The portal has no receiving unit."), code="not_configured")
    return {
        "source": "direct",
        "channel": s.channel_code,
        "business_type": business_type,
        "cause": s.cause_code,
        "org_unit": unit.code,
        "received_at": recorded_now(),
        "complainant_role": "self",
        "complainant": {"name": name, "phone": digits, "email": email},
        "product": _text(data, "product", 100, required=False),
        "description": _text(data, "description", 5000),
        "request": _text(data, "request", 2000),
    }, chosen


def _service_errors(exc: ValidationError) -> ValidationError:
    """The complaints service's field names as the portal calls them; a code or unit the settings name
    that no longer exists is the institution's problem, said without blaming the consumer."""
    out: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        if key in ("channel", "cause"):
            out.setdefault("__all__", []).append(
                _("Complaints cannot be received online just now. Call us or visit a branch.")
            )
            continue
        out.setdefault(FIELD_NAMES.get(key, key), []).extend(messages)
    return ValidationError(out)


def portal_submit(
    *, data: dict[str, Any], files: list[Upload] | None = None, via: str = PortalSubmission.Via.PAGE
) -> Complaint:
    """Register a consumer's complaint (channel and cause from the settings, the receiving unit or the
    branch picked) with its attachments: validated first, then written in one transaction; a file stored
    before a later step failed is removed, so a refusal leaves nothing behind."""
    s = portal_settings()
    if not s.enabled:
        raise Conflict(_("Complaints are not received online just now."), code="closed")
    files = _check_files(s, list(files or []))
    registration, chosen = _submission(s, data)
    actor = portal_actor()
    stored: list[Any] = []
    try:
        with transaction.atomic():
            try:
                complaint, _created = complaint_register(actor=actor, data=registration)
            except ValidationError as exc:
                raise _service_errors(exc) from exc
            for f in files:
                att = attachments.attachment_add(
                    actor=actor, complaint=complaint, fileobj=io.BytesIO(f.data), name=f.name
                )
                stored.append(att.file)
            PortalSubmission.objects.create(
                complaint=complaint, via=via, unit_chosen=chosen, attachments=len(files)
            )
    except BaseException:
        for stored_file in stored:
            stored_file.storage.delete(stored_file.name)
        raise
    return complaint


# --- status lookup ---------------------------------------------------------------------------------------


def normalise_reference(value: str) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()[:40]


def _dummy_token() -> str:
    token = _DUMMY_PHONE.get("token")
    if token is None:
        token = _DUMMY_PHONE["token"] = crypto.encrypt("13800000000", "phone")
    return token


def _phone_matches(complaint: Complaint | None, last4: str) -> bool:
    """Compare the last four digits in constant time, decrypting a phone number in either case."""
    sealed = getattr(complaint.complainant, "phone", None) if complaint is not None else None
    token = sealed.token if sealed else _dummy_token()
    try:
        phone = crypto.decrypt(token, "phone")
    except Exception:  # a key that was retired: treat as a mismatch
        phone = ""
    same = hmac.compare_digest(crypto.normalise(phone, "phone")[-4:].encode(), last4.encode())
    return same and complaint is not None and len(phone) >= 4


def _audit_lookup(reference: str, outcome: str, via: str, complaint: Complaint | None = None) -> None:
    audit_record(
        actor=None,
        action=AuditAction.REVEAL,
        object_type="portal.lookup",
        object_id=str(complaint.pk) if complaint is not None else "",
        object_repr=reference or "-",
        changes={"outcome": outcome, "via": via},
    )


def lookup_windows(s: PortalSettings, address: str, reference: str) -> tuple[Window, Window]:
    return (
        Window("lookup-ip", address, s.lookups_per_address, s.lookup_window_minutes),
        Window("lookup-ref", reference, s.failures_per_reference, s.reference_window_minutes),
    )


def status_lookup(*, reference: str, phone_last4: str, address: str | None, via: str = "page") -> Complaint:
    """The complaint with this reference whose complainant's phone ends with these four digits. Throttled
    per address (every lookup counts) and per reference (failures count, whoever sends them); every lookup
    is audited with its outcome and the address, never the digits. A mismatch and an unknown reference are
    the same NotFound."""
    s = portal_settings()
    ref = normalise_reference(reference)
    by_address, by_reference = lookup_windows(s, address or "-", ref)
    if by_address.hit() > by_address.limit:
        _audit_lookup(ref, "throttled", via)
        raise Throttled(by_address.retry_after())
    if by_reference.full():
        _audit_lookup(ref, "throttled", via)
        raise Throttled(by_reference.retry_after())
    complaint = (
        Complaint.objects.filter(reference=ref).select_related("complainant").first()
        if re.fullmatch(r"[A-Z0-9-]{4,40}", ref)
        else None
    )
    if not re.fullmatch(r"\d{4}", phone_last4 or "") or not _phone_matches(complaint, phone_last4):
        by_reference.hit()
        _audit_lookup(ref, "mismatch", via)
        raise NotFound
    assert complaint is not None
    _audit_lookup(ref, "found", via, complaint)
    return complaint


# --- what the consumer sees and may do after a lookup ----------------------------------------------------


def notified_on(complaint: Complaint) -> dt.date | None:
    return receipt_date(complaint.notified_at) if complaint.notified_at else None


def review_until(complaint: Complaint, s: PortalSettings) -> dt.date | None:
    day = notified_on(complaint)
    days = min(s.review_window_days, REVIEW_WINDOW_MAX)
    return day + dt.timedelta(days=days) if day else None


def can_request_review(complaint: Complaint, s: PortalSettings, today: dt.date | None = None) -> bool:
    until = review_until(complaint, s)
    return bool(until and complaint.status in REVIEWABLE and (today or localdate()) <= until)


def _reason(value: Any, field: str, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > 2000:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": 2000}]})
    if "\x00" in text:
        raise ValidationError({field: [_("Null characters are not allowed.")]})
    try:
        validate_no_c3(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return text


def portal_review_request(*, complaint: Complaint, reason: str) -> PortalReviewRequest:
    """The consumer asks for a review (核查) of the notified decision within the window: the complaint's
    `request_review` action, taken by the portal's account with the consumer's reason as its note."""
    s = portal_settings()
    text = _reason(reason, "reason", required=True)
    if complaint.notified_at is None:
        raise Conflict(_("No decision has been notified yet."), code="no_decision")
    if (
        complaint.status == Status.UNDER_REVIEW
        or PortalReviewRequest.objects.filter(complaint=complaint).exists()
    ):
        raise Conflict(_("A review of this decision was requested already."), code="already_requested")
    if not can_request_review(complaint, s):
        raise Conflict(
            _("A review can be requested within %(n)d days of the decision notice.")
            % {"n": min(s.review_window_days, REVIEW_WINDOW_MAX)},
            code="too_late",
        )
    with transaction.atomic():
        complaint_transition(
            actor=portal_actor(),
            complaint=complaint,
            action="request_review",
            data={"note": text, "date": localdate()},
        )
        request = PortalReviewRequest.objects.create(complaint=complaint, reason=text)
    return request


def portal_rate(*, complaint: Complaint, score: Any, comment: str = "") -> ConsumerRating:
    """The consumer's rating of the handling, once, after the decision was notified."""
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"score": [_("Choose a score from 1 to 5.")]})
    text = _reason(comment, "comment", required=False)
    if complaint.notified_at is None:
        raise Conflict(_("You can rate the handling once the decision is notified."), code="no_decision")
    try:
        with transaction.atomic():
            rating = ConsumerRating.objects.create(complaint=complaint, score=value, comment=text)
            audit_change(actor=None, obj=rating, before=None)
    except IntegrityError as exc:
        raise Conflict(_("You have rated this complaint already. Thank you!"), code="already_rated") from exc
    return rating
