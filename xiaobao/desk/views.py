"""The desk's pages: a bulk run's progress and summary, saved views (save, rename, share, delete)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.desk.models import BulkRun, SavedView, ViewScope
from xiaobao.desk.selectors import bulk_runs, saved_view, saved_views, view_count
from xiaobao.desk.services import (
    ACTION_PARAMS,
    bulk_request,
    parse_filter,
    parse_items,
    view_delete,
    view_save,
    view_update,
)

VIEW = "complaints.view_complaint"
FAILED_SHOWN = 500  # failures listed on the page (the API gives every one)
VIEWS_SHOWN = 50


def _first_error(exc: DomainError) -> str:
    for errors in exc.fields.values():
        if errors:
            return errors[0]
    return exc.message


def _back(scope: str, query: str) -> str:
    """The list (or queue) the form was posted from, with its filters (never a posted URL)."""
    base = reverse("complaints:queue" if scope == ViewScope.QUEUE else "complaints:list")
    try:
        normalised, _filters = parse_filter(query or "", prefix="")
    except DomainError:
        normalised = ""
    return f"{base}?{normalised}" if normalised else base


def _scope(post: QueryDict) -> str:
    scope = post.get("scope", "")
    return scope if scope in ViewScope.values else ViewScope.LIST


# --- bulk runs ------------------------------------------------------------------------------------------


@require_POST
@permission_required(VIEW, raise_exception=True)
def bulk_create(request: AuthedRequest) -> HttpResponse:
    """Start a bulk action on the rows selected (or all matching the filters) and show its progress."""
    post = request.POST
    scope, query, action = _scope(post), post.get("query", ""), post.get("action", "")
    params = {k: post[k] for k in ACTION_PARAMS.get(action, {}) if post.get(k)}
    every = post.get("all") in ("1", "on", "true")
    try:
        run = bulk_request(
            actor=request.user,
            action=action,
            items=None if every else parse_items(post.getlist("ids")),
            match=query if every else None,
            scope=scope,
            params=params,
        )
    except DomainError as exc:
        messages.error(request, _first_error(exc))
        return redirect(_back(scope, query))
    return redirect("desk:bulk_detail", pk=run.pk)


def _run(request: AuthedRequest, pk: int) -> BulkRun:
    run = bulk_runs(user=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def _run_context(run: BulkRun, **extra: Any) -> dict[str, Any]:
    failed = run.failed
    reasons: dict[str, int] = {}
    for row in failed:
        reasons[row["reason"]] = reasons.get(row["reason"], 0) + 1
    return {
        "run": run,
        "failed": failed[:FAILED_SHOWN],
        "failed_count": len(failed),
        "failed_more": max(0, len(failed) - FAILED_SHOWN),
        "reasons": sorted(reasons.items(), key=lambda kv: -kv[1]),
        "back": reverse("complaints:queue" if run.scope == ViewScope.QUEUE else "complaints:list"),
        **extra,
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def bulk_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "desk/bulk_run.html", _run_context(_run(request, pk)))


@require_GET
@permission_required(VIEW, raise_exception=True)
def bulk_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress partial the page polls (with the summary out of band once the run has finished)."""
    return render(request, "desk/bulk_run.html#status", _run_context(_run(request, pk), oob=True))


# --- saved views ----------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def views_page(request: AuthedRequest) -> HttpResponse:
    """The user's saved views and those shared with the unit, with their counts; the owner edits here."""
    views = list(saved_views(user=request.user)[:VIEWS_SHOWN])
    rows = [
        {"view": v, "count": view_count(user=request.user, view=v), "own": v.owner_id == request.user.pk}
        for v in views
    ]
    return render(request, "desk/views.html", {"rows": rows, "cap": 10_000})


@require_POST
@permission_required(VIEW, raise_exception=True)
def view_create(request: AuthedRequest) -> HttpResponse:
    post = request.POST
    scope, query = _scope(post), post.get("query", "")
    try:
        view = view_save(
            actor=request.user,
            name=post.get("name", ""),
            scope=scope,
            query=query,
            shared=post.get("shared") in ("1", "on", "true"),
        )
    except DomainError as exc:
        messages.error(request, _first_error(exc))
        return redirect(_back(scope, query))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(view.url)


def _own_view(request: AuthedRequest, pk: int) -> SavedView:
    """One's own view; another's (also one shared with the unit, which only its owner changes) is a 404."""
    view = saved_view(user=request.user, pk=pk)
    if view is None or view.owner_id != request.user.pk:
        raise Http404
    return view


@require_POST
@permission_required(VIEW, raise_exception=True)
def view_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    view = _own_view(request, pk)
    try:
        view_update(
            actor=request.user,
            view=view,
            name=request.POST.get("name", ""),
            shared=request.POST.get("shared") in ("1", "on", "true"),
        )
    except DomainError as exc:
        messages.error(request, _first_error(exc))
        return redirect("desk:views")
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect("desk:views")


@require_POST
@permission_required(VIEW, raise_exception=True)
def view_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    view = _own_view(request, pk)
    view_delete(actor=request.user, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("desk:views")
