"""Early-warning pages: the list (+ Excel export), one warning with its acknowledgement, the watch words."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.complaints.views.common import safe_next
from xiaobao.core.errors import Conflict
from xiaobao.core.exports import xlsx_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import add_service_errors, bound_filter, paginate, query_without_page
from xiaobao.early_warning.exports import warning_sheet
from xiaobao.early_warning.filtersets import WarningFilter
from xiaobao.early_warning.forms import AcknowledgeForm, WatchWordForm
from xiaobao.early_warning.models import EarlyWarning, WatchWord
from xiaobao.early_warning.selectors import (
    last_scan,
    warning_complaints,
    warning_detail,
    warning_list,
    watch_word_list,
)
from xiaobao.early_warning.services import (
    ACKNOWLEDGE,
    MANAGE_WORDS,
    VIEW,
    may_see_words,
    warning_acknowledge,
    watch_word_create,
    watch_word_delete,
    watch_word_update,
)

EXPORT_LIMIT = 50_000


def _filters(request: HttpRequest) -> tuple[WarningFilter, dict[str, Any]]:
    return bound_filter(request, WarningFilter)


def _get(request: AuthedRequest, pk: int) -> EarlyWarning:
    warning = warning_detail(user=request.user, pk=pk)
    if warning is None:
        raise Http404
    return warning


@permission_required(VIEW, raise_exception=True)
def warning_list_view(request: AuthedRequest) -> HttpResponse:
    """Warnings in the user's scope, newest first, filtered; HTMX filter changes get the results only."""
    form, filters = _filters(request)
    page = paginate(request, warning_list(user=request.user, filters=filters))
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "early_warning/list.html#results" if request.htmx else "early_warning/list.html"
    context = {"form": form, "page": page, "query": query_without_page(request), "last_scan": last_scan()}
    return render(request, template, context, status=status)


@permission_required(VIEW, raise_exception=True)
def warning_export(request: AuthedRequest) -> HttpResponse:
    """The filtered list as Excel (figures only: warnings carry no personal data); the export is audited."""
    form, filters = _filters(request)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "early_warning/list.html",
            {"form": form, "page": paginate(request, warning_list(user=request.user)), "query": ""},
            status=400,
        )
    headers, rows = warning_sheet(warning_list(user=request.user, filters=filters)[:EXPORT_LIMIT])
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="early_warning.earlywarning",
        object_repr="early warning list export",
        changes={
            "filters": {k: str(v) for k, v in filters.items() if v not in (None, "")},
            "rows": len(rows),
        },
    )
    name = f"early-warnings-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(name, _("Early warnings"), headers, rows)


@permission_required(VIEW, raise_exception=True)
def warning_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    warning = _get(request, pk)
    complaints, hidden = warning_complaints(user=request.user, warning=warning)
    context = {"w": warning, "complaints": complaints, "hidden": hidden, "form": AcknowledgeForm()}
    return render(request, "early_warning/detail.html", context)


@require_POST
@permission_required(VIEW, raise_exception=True)
def warning_acknowledge_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Acknowledge with a note. HTMX gets the acknowledgement block back (the form with errors: 400)."""
    warning = _get(request, pk)
    if not request.user.has_perm(ACKNOWLEDGE):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            warning = warning_acknowledge(actor=request.user, warning=warning, note=form.cleaned_data["note"])
            status = 200
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
    if request.htmx:
        return render(request, "early_warning/_ack.html", {"w": warning, "form": form}, status=status)
    if status == 200:
        messages.success(request, _("Warning acknowledged."))
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(safe_next(request, request.POST.get("next")) or warning.get_absolute_url())


def watch_words(request: AuthedRequest) -> HttpResponse:
    """The watch-word list; administrators add words here (POST)."""
    if not may_see_words(request.user):
        raise PermissionDenied
    form = WatchWordForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(MANAGE_WORDS):
            raise PermissionDenied
        if form.is_valid():
            try:
                watch_word_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Watch word added."))
                return redirect("early_warning:watch_words")
        status = 400
    context = {"words": watch_word_list(), "form": form, "can_manage": request.user.has_perm(MANAGE_WORDS)}
    return render(request, "early_warning/watch_words.html", context, status=status)


def _word(pk: int) -> WatchWord:
    word = watch_word_list().filter(pk=pk).first()
    if word is None:
        raise Http404
    return word


@require_POST
@permission_required(MANAGE_WORDS, raise_exception=True)
def watch_word_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Rename a word, or switch it on or off (`is_active` = 1/0)."""
    word = _word(pk)
    text = request.POST.get("word")
    active = request.POST.get("is_active")
    try:
        watch_word_update(
            actor=request.user,
            watch_word=word,
            word=text if text is not None else None,
            is_active=None if active is None else active in ("1", "true", "on"),
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("early_warning:watch_words")
    messages.success(request, _("Watch word saved."))
    return redirect("early_warning:watch_words")


@require_POST
@permission_required(MANAGE_WORDS, raise_exception=True)
def watch_word_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    watch_word_delete(actor=request.user, watch_word=_word(pk))
    messages.success(request, _("Watch word removed."))
    return redirect("early_warning:watch_words")
