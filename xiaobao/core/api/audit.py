"""Audit trail: /api/v1/audit-events (read-only; nothing can delete it)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import require_perm
from xiaobao.core.selectors import audit_event_list
from xiaobao.core.services.audit import audit_verify

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_username: str
    unit_code: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    ip: str | None
    hash: str | None


class AuditFilter(Schema):
    user: str = Field("", max_length=150)
    unit: str = Field("", max_length=32)
    object_type: str = Field("", max_length=60)
    object_id: str = Field("", max_length=64)
    action: str = Field("", max_length=20)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class VerifyOut(Schema):
    checked: int
    intact: bool
    broken_id: int | None
    reason: str


@router.get("", response=list[AuditEventOut], summary="Audit events in your scope, newest first")
@paginate(LimitOffsetPagination)
def audit_events(request: HttpRequest, filters: Query[AuditFilter]):
    require_perm(request.user, "core.view_auditevent")
    return audit_event_list(user=request.user, filters=filters.dict())


@router.get("/verify", response=VerifyOut, summary="Verify the hash chain of the whole trail")
def verify(request: HttpRequest):
    require_perm(request.user, "core.view_auditevent")
    require_perm(request.user, "core.view_all_units")
    try:
        report = audit_verify()
    except ImproperlyConfigured as exc:  # the audit key is given to the sealer, not always to the web app
        raise HttpError(503, f"{exc}; verify with `xiaobao audit_verify`") from exc
    return {
        "checked": report.checked,
        "intact": report.broken_id is None,
        "broken_id": report.broken_id,
        "reason": report.reason,
    }
