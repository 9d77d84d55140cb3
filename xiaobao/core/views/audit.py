"""The audit trail page with filters, and its Excel export (itself audited)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.exports import xlsx_response
from xiaobao.core.forms import AuditFilterForm
from xiaobao.core.models import AuditEvent
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.selectors import audit_event_list
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import paginate, query_without_page

EXPORT_LIMIT = 100_000


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@permission_required("core.view_auditevent", raise_exception=True)
def audit_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    page = paginate(request, audit_event_list(user=request.user, filters=filters))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "core/audit.html",
        {"form": form, "page": page, "query": query_without_page(request)},
        status=status,
    )


def _changes_text(event: AuditEvent) -> str:
    return "; ".join(
        f"{label}: {old} → {new}" if pair else f"{label}: {new}"
        for label, old, new, pair in event.change_rows
    )


@permission_required("core.export_auditevent", raise_exception=True)
def audit_export(request: HttpRequest) -> HttpResponse:
    _form, filters = _filters(request)
    qs = audit_event_list(user=request.user, filters=filters)[:EXPORT_LIMIT]
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="core.auditevent",
        object_repr="audit trail export",
        changes={"filters": {k: str(v) for k, v in filters.items() if v}},
    )
    rows = (
        [
            e.id,
            e.at,
            e.actor_username,
            e.unit_code,
            e.get_action_display(),
            e.object_type,
            e.object_id,
            e.object_repr,
            _changes_text(e),
            e.ip,
            e.hash,
        ]
        for e in qs.iterator()
    )
    headers = [
        _("No."),
        _("Time"),
        _("User"),
        _("Unit"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
        _("IP address"),
        _("Hash"),
    ]
    return xlsx_response(f"audit-{timezone.localdate():%Y%m%d}.xlsx", _("Audit trail"), headers, rows)
