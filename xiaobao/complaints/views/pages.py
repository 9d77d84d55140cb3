"""The complaint list and its Excel export, the handler's queue, the approval inbox, notifications."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xiaobao.complaints import selectors
from xiaobao.complaints.exports import EXPORT_LIMIT, complaint_sheet, export_is_large, export_request
from xiaobao.complaints.filtersets import ComplaintFilter
from xiaobao.complaints.forms import MarkReadForm
from xiaobao.complaints.notifications import mark_read, unread_for
from xiaobao.complaints.selectors import (
    IdsFirst,
    approval_inbox,
    complaint_list,
    newest_search_window,
    unit_inbox,
)
from xiaobao.complaints.views.common import APPROVE, EXPORT, VIEW, with_due
from xiaobao.core.exports import xlsx_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import bound_filter, paginate, query_without_page

INBOX_LIMIT = 50
SEARCH_COUNT_CAP = selectors.SEARCH_COUNT_CAP
LIST_COUNT_CAP = selectors.LIST_COUNT_CAP


def _filters(request: HttpRequest) -> tuple[ComplaintFilter, dict[str, Any]]:
    return bound_filter(request, ComplaintFilter)


@permission_required(VIEW, raise_exception=True)
def complaint_list_view(request: AuthedRequest) -> HttpResponse:
    """All complaints in the user's scope, filtered; HTMX filter changes get the results partial only."""
    form, filters = _filters(request)
    # counts stop at a cap (see CappedPaginator): a search at SEARCH_COUNT_CAP, any other list at
    # LIST_COUNT_CAP — counting 35,000 matches of one filter took 0.16 s at 1M and 1.9 s at 10M
    cap = SEARCH_COUNT_CAP if filters.get("q") else LIST_COUNT_CAP
    rows = complaint_list(user=request.user, filters=filters)
    if filters.get("q"):
        rows = newest_search_window(rows, filters, cap)
    page = paginate(request, IdsFirst(rows), cap=cap)
    page.object_list = with_due(page.object_list)
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "complaints/list.html#results" if request.htmx else "complaints/list.html"
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, template, context, status=status)


@permission_required(EXPORT, raise_exception=True)
def complaint_export(request: AuthedRequest) -> HttpResponse:
    """The filtered list as Excel: masked names only, no ID numbers or phones; the export is audited."""
    form, filters = _filters(request)
    if form.is_bound and not form.is_valid():
        page = paginate(request, complaint_list(user=request.user, filters={}))
        page.object_list = with_due(page.object_list)
        context = {"form": form, "page": page, "query": query_without_page(request)}
        return render(request, "complaints/list.html", context, status=400)
    matching = complaint_list(user=request.user, filters=filters)
    if export_is_large(matching):  # a long list is built by the task worker, with progress on its page
        query = dict(form.data.lists()) if isinstance(form.data, QueryDict) else {}
        job = export_request(actor=request.user, query=query, filters=filters)
        return redirect("complaints:export_job", pk=job.pk)
    headers, rows = complaint_sheet(matching[:EXPORT_LIMIT])
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="complaints.complaint",
        object_repr="complaint list export",
        changes={
            "filters": {k: str(v) for k, v in filters.items() if v not in (None, "", [])},
            "rows": len(rows),
        },
    )
    return xlsx_response(f"complaints-{timezone.localdate():%Y%m%d}.xlsx", _("Complaints"), headers, rows)


@permission_required(VIEW, raise_exception=True)
def queue(request: AuthedRequest) -> HttpResponse:
    """My open complaints by due date (narrowed by the list's filters when given: saved views of the queue),
    and what waits for acceptance in my units."""
    from xiaobao.desk.selectors import queue_rows

    form, filters = _filters(request)
    page = paginate(request, queue_rows(user=request.user, filters=filters))
    page.object_list = with_due(page.object_list)
    inbox = unit_inbox(user=request.user)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "inbox": with_due(inbox[:INBOX_LIMIT]),
        "inbox_more": INBOX_LIMIT,
    }
    return render(request, "complaints/queue.html", context)


@permission_required(APPROVE, raise_exception=True)
def approvals(request: AuthedRequest) -> HttpResponse:
    """Extensions and decisions awaiting the approver, within the approver's scope."""
    inbox = approval_inbox(user=request.user)
    context = {"extensions": list(inbox["extensions"]), "decisions": with_due(inbox["decisions"])}
    return render(request, "complaints/approvals.html", context)


@permission_required(VIEW, raise_exception=True)
def notifications(request: AuthedRequest) -> HttpResponse:
    """The user's unread notifications; POST marks some (or all) read."""
    form = MarkReadForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ids = form.cleaned_data["ids"]
            if form.cleaned_data["all"]:
                ids = list(unread_for(request.user).values_list("pk", flat=True))
            n = mark_read(request.user, ids)
            messages.success(
                request,
                ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.", n) % {"n": n},
            )
            return redirect("complaints:notifications")
        status = 400
    page = paginate(request, unread_for(request.user))
    return render(
        request,
        "complaints/notifications.html",
        {"page": page, "form": form, "query": query_without_page(request)},
        status=status,
    )
