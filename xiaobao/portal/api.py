"""Consumer portal API.

Public operations (no authentication, `auth=None`), for the bank's app or mini-program and for programs that
track a complaint — the same services, validation, throttles and audit as the public pages:

- `GET /public/status?reference=&phone_last4=` → 200 `{"reference", "status", "received_on", "due_date",
  "decided_on"}`; 404 for any mismatch (the same whether the reference exists or not); 429 when throttled
  (with Retry-After).
- `GET /public/complaint-form` → what the form offers (business types, branches, limits, notice texts).
- `POST /public/complaints` (JSON, no attachments) → 201 `{"reference"}`.
- `POST /public/review-requests`, `POST /public/ratings` → 201; 404 on a mismatch, 409 when not possible.

Staff: `GET /portal/settings` (view or manage permission), `PATCH /portal/settings` (manage)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from xiaobao.core.api.common import require_perm
from xiaobao.core.middleware import request_ip
from xiaobao.portal import selectors, services
from xiaobao.portal.models import MANAGE, VIEW, PortalSettings
from xiaobao.portal.throttle import Window

router = Router(tags=["Consumer portal"])

STATUS_DESCRIPTION = (
    "The complaint's status for a consumer who knows its reference and the last four digits of the "
    "complainant's mobile number. Exactly five keys: `reference`; `status` — the complaint's status "
    "code (registered, assigned, in_progress, paused, drafted, pending_approval, decided, followed_up, "
    "closed, archived, under_review, withdrawn, declined, merged); `received_on` — the day of receipt; "
    "`due_date` — the decision's due date (null when no clock runs); `decided_on` — the day the decision "
    "was notified (null before). Dates are ISO yyyy-mm-dd. No names, no texts. 404 (`not_found`) for any "
    "mismatch, the same whether the reference exists or not; 429 (`throttled`, Retry-After in seconds) "
    "after too many lookups from one address or too many failed lookups for one reference. Every lookup "
    "is audited."
)


class PortalErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class PortalStatusOut(Schema):
    reference: str
    status: str = Field(description="The complaint's status code")
    received_on: dt.date
    due_date: dt.date | None
    decided_on: dt.date | None


class PortalStatusQuery(Schema):
    reference: str = Field(
        ..., max_length=40, description="The complaint's reference, e.g. TS202603020000123"
    )
    phone_last4: str = Field(..., max_length=4, description="Last four digits of the complainant's mobile")


class PortalComplaintIn(Schema):
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20, description="11-digit mobile number")
    email: str = Field("", max_length=254)
    business_type: str = Field(..., max_length=20, description="A code from GET /public/complaint-form")
    unit: str = Field("", max_length=32, description="A branch code from the form's list, when offered")
    product: str = Field("", max_length=100)
    description: str = Field(..., max_length=5000, description="What happened")
    request: str = Field(..., max_length=2000, description="What the consumer asks for")
    consent: bool = Field(False, description="Agreed to the personal information notice (required)")


class PortalComplaintOut(Schema):
    reference: str


class PortalReviewIn(Schema):
    reference: str = Field(..., max_length=40)
    phone_last4: str = Field(..., max_length=4)
    reason: str = Field(..., max_length=2000)


class PortalRatingIn(Schema):
    reference: str = Field(..., max_length=40)
    phone_last4: str = Field(..., max_length=4)
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class PortalAckOut(Schema):
    reference: str
    status: str


class PortalChoiceOut(Schema):
    code: str
    name: str


class PortalFormOut(Schema):
    enabled: bool
    institution: str
    business_types: list[PortalChoiceOut]
    units: list[PortalChoiceOut]
    intro: str
    privacy_notice: str


class PortalSettingsOut(Schema):
    enabled: bool
    institution_name: str
    receiving_unit: str | None
    branch_choice: bool
    listed_units: list[str]
    channel_code: str
    cause_code: str
    business_types: list[str]
    max_files: int
    max_file_mb: int
    max_total_mb: int
    file_types: list[str]
    intro: str
    privacy_notice: str
    review_window_days: int
    lookups_per_address: int
    lookup_window_minutes: int
    failures_per_reference: int
    reference_window_minutes: int
    submissions_per_address: int
    submission_window_minutes: int


class PortalSettingsPatch(Schema):
    enabled: bool | None = None
    institution_name: str | None = Field(None, max_length=100)
    receiving_unit: str | None = Field(None, max_length=32, description="Unit code; empty: the head office")
    branch_choice: bool | None = None
    listed_units: list[str] | None = Field(None, max_length=500, description="Unit codes; empty: branches")
    channel_code: str | None = Field(None, max_length=20)
    cause_code: str | None = Field(None, max_length=20)
    business_types: list[str] | None = Field(None, max_length=200)
    max_files: int | None = Field(None, ge=0, le=10)
    max_file_mb: int | None = Field(None, ge=1, le=20)
    max_total_mb: int | None = Field(None, ge=1, le=50)
    file_types: list[str] | None = Field(None, max_length=20)
    intro: str | None = Field(None, max_length=2000)
    privacy_notice: str | None = Field(None, min_length=1, max_length=4000)
    review_window_days: int | None = Field(None, ge=1, le=30)
    lookups_per_address: int | None = Field(None, ge=1, le=1000)
    lookup_window_minutes: int | None = Field(None, ge=1, le=1440)
    failures_per_reference: int | None = Field(None, ge=1, le=100)
    reference_window_minutes: int | None = Field(None, ge=1, le=1440)
    submissions_per_address: int | None = Field(None, ge=1, le=1000)
    submission_window_minutes: int | None = Field(None, ge=1, le=1440)


ERRORS: dict[int, Any] = {404: PortalErrorOut, 409: PortalErrorOut, 422: PortalErrorOut, 429: PortalErrorOut}


def _throttled(request: HttpRequest, exc: services.Throttled) -> HttpResponse:
    response = JsonResponse({"code": exc.code, "message": exc.message, "fields": {}}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _phone_digits(value: str) -> None:
    if not (len(value) == 4 and value.isdigit()):
        message = _("Enter four digits.")
        raise ValidationError({"phone_last4": [message]})


def _lookup(request: HttpRequest, reference: str, phone_last4: str) -> Any:
    _phone_digits(phone_last4)
    return services.status_lookup(
        reference=reference, phone_last4=phone_last4, address=request_ip(request), via="api"
    )


@router.get(
    "/public/status",
    auth=None,
    response={200: PortalStatusOut, **ERRORS},
    summary="A complaint's status (public)",
    description=STATUS_DESCRIPTION,
)
def public_status(request: HttpRequest, query: Query[PortalStatusQuery]) -> Any:
    try:
        complaint = _lookup(request, query.reference, query.phone_last4)
    except services.Throttled as exc:
        return _throttled(request, exc)
    return selectors.consumer_view(complaint, services.portal_settings()).public()


@router.get(
    "/public/complaint-form",
    auth=None,
    response=PortalFormOut,
    summary="What the public complaint form offers (public)",
)
def public_form(request: HttpRequest) -> Any:
    from xiaobao.reports.builders import institution_name

    s = services.portal_settings()
    return {
        "enabled": s.enabled,
        "institution": s.institution_name or institution_name(),
        "business_types": [{"code": c.code, "name": c.name} for c in services.business_types(s)],
        "units": [{"code": u.code, "name": u.name} for u in services.listed_units(s)],
        "intro": s.intro,
        "privacy_notice": s.privacy_notice,
    }


@router.post(
    "/public/complaints",
    auth=None,
    response={201: PortalComplaintOut, **ERRORS},
    summary="Submit a complaint (public, no attachments)",
    description="Registered like the public page's form: channel and unit from the portal settings, the "
    "clocks from the day of receipt. `consent` must be true. Throttled per address (429).",
)
def public_complaint(request: HttpRequest, payload: PortalComplaintIn) -> Any:
    s = services.portal_settings()
    window = Window(
        "submit-ip", request_ip(request) or "-", s.submissions_per_address, s.submission_window_minutes
    )
    if window.full():
        return _throttled(request, services.Throttled(window.retry_after()))
    complaint = services.portal_submit(data=payload.dict(), via="api")
    window.hit()
    return Status(201, {"reference": complaint.reference})


@router.post(
    "/public/review-requests",
    auth=None,
    response={201: PortalAckOut, **ERRORS},
    summary="Request a review of the decision (public)",
    description="Within the review window after the decision notice (at most 30 days, Art 20). 404 on a "
    "mismatch of reference and phone digits (throttled and audited like the status lookup).",
)
def public_review(request: HttpRequest, payload: PortalReviewIn) -> Any:
    try:
        complaint = _lookup(request, payload.reference, payload.phone_last4)
    except services.Throttled as exc:
        return _throttled(request, exc)
    services.portal_review_request(complaint=complaint, reason=payload.reason)
    complaint.refresh_from_db(fields=["status"])
    return Status(201, {"reference": complaint.reference, "status": complaint.status})


@router.post(
    "/public/ratings",
    auth=None,
    response={201: PortalAckOut, **ERRORS},
    summary="Rate the handling once the decision is notified (public, once)",
)
def public_rating(request: HttpRequest, payload: PortalRatingIn) -> Any:
    try:
        complaint = _lookup(request, payload.reference, payload.phone_last4)
    except services.Throttled as exc:
        return _throttled(request, exc)
    services.portal_rate(complaint=complaint, score=payload.score, comment=payload.comment)
    return Status(201, {"reference": complaint.reference, "status": complaint.status})


# --- staff -------------------------------------------------------------------------------------------------


def _settings_out(s: PortalSettings) -> dict[str, Any]:
    out = {name: getattr(s, name) for name in services.SETTINGS_FIELDS}
    out["receiving_unit"] = s.receiving_unit.code if s.receiving_unit else None
    out["listed_units"] = list(s.listed_units.values_list("code", flat=True))
    return out


@router.get("/portal/settings", response=PortalSettingsOut, summary="The consumer portal's settings")
def settings_get(request: HttpRequest) -> Any:
    user = request.user
    if not (user.has_perm(VIEW) or user.has_perm(MANAGE)):
        raise PermissionDenied
    return _settings_out(services.portal_settings())


@router.patch(
    "/portal/settings", response={200: PortalSettingsOut, **ERRORS}, summary="Change the portal's settings"
)
def settings_patch(request: HttpRequest, payload: PortalSettingsPatch) -> Any:
    require_perm(request.user, MANAGE)
    s = services.portal_settings_update(actor=request.user, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]
    return _settings_out(s)
