"""Desk API (/api/v1/...): bulk actions on complaints and saved views of the complaint list and queue.

Registered before the complaints router, so /complaints/bulk and /complaints/views are not taken for
/complaints/{complaint_id}. Someone else's run or view answers 404, as an invisible complaint does."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from xiaobao.core.api.common import require_perm
from xiaobao.desk.models import BulkRun, SavedView
from xiaobao.desk.selectors import bulk_runs, saved_view, saved_views, view_count
from xiaobao.desk.services import BULK_LIMIT, bulk_request, parse_items, view_delete, view_save, view_update

router = Router(tags=["Desk"])

VIEW = "complaints.view_complaint"


class DeskBulkIn(Schema):
    action: str = Field(..., max_length=20, description="assign, transfer, mark_major or export")
    ids: list[int] | None = Field(None, max_length=BULK_LIMIT, description="Complaint ids (or give `filter`)")
    filter: dict[str, Any] | None = Field(
        None,
        description="The complaint list's filter parameters (as GET /complaints takes them): every match",
    )
    scope: Literal["list", "queue"] = Field(
        "list", description="With `filter`: the list (your scope) or your queue"
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="assign {handler, unit, note}; transfer {unit, reason, note}; mark_major {reason, note}",
    )


class DeskBulkStarted(Schema):
    id: int
    status: str = Field(..., description="queued, running, done or failed")
    total: int


class DeskBulkFailure(Schema):
    id: int
    reference: str = Field(..., description="Empty when the complaint is not (or no longer) in your scope")
    reason: str


class DeskBulkOut(Schema):
    id: int
    action: str
    status: str = Field(..., description="queued, running, done or failed")
    total: int
    done: int
    succeeded: int
    failed: list[DeskBulkFailure]
    error: str = Field("", description="Why the whole run failed, if it did")
    export_job: int | None = Field(None, description="The complaint export holding the workbook (export)")


class DeskViewIn(Schema):
    name: str = Field(..., max_length=60)
    scope: Literal["list", "queue"] = "list"
    query: str = Field(
        "", max_length=1000, description="The list's query string, e.g. open=true&ordering=due"
    )
    shared: bool = False


class DeskViewPatch(Schema):
    name: str | None = Field(None, max_length=60)
    scope: Literal["list", "queue"] | None = None
    query: str | None = Field(None, max_length=1000)
    shared: bool | None = None


class DeskViewOut(Schema):
    id: int
    name: str
    scope: str
    query: str
    shared: bool
    own: bool = Field(..., description="Yours (else shared with your unit by its owner)")
    owner: str
    count: int = Field(..., description="Complaints matching within your scope (counted up to 10,001)")


def _run_out(run: BulkRun) -> dict[str, Any]:
    summary = run.summary or {}
    return {
        "id": run.pk,
        "action": run.action,
        "status": run.state,
        "total": run.progress_total or len(run.items or []),
        "done": run.progress_total if run.state == "done" else run.progress_done,
        "succeeded": run.succeeded,
        "failed": run.failed,
        "error": run.error,
        "export_job": summary.get("export_job"),
    }


def _view_out(view: SavedView, user: Any, count: int | None = None) -> dict[str, Any]:
    return {
        "id": view.pk,
        "name": view.name,
        "scope": view.scope,
        "query": view.query,
        "shared": view.shared,
        "own": view.owner_id == user.pk,
        "owner": view.owner.username,
        "count": view_count(user=user, view=view) if count is None else count,
    }


@router.post(
    "/complaints/bulk",
    response={202: DeskBulkStarted},
    summary="Run an action on many complaints (each through the transition service); progress on GET",
)
def bulk_start(request: HttpRequest, payload: DeskBulkIn):
    require_perm(request.user, VIEW)
    run = bulk_request(
        actor=request.user,
        action=payload.action,
        items=parse_items(payload.ids) if payload.ids is not None else None,
        match=payload.filter,
        scope=payload.scope,
        params=payload.params,
    )
    return Status(202, {"id": run.pk, "status": run.state, "total": run.progress_total})


@router.get("/complaints/bulk/{run_id}", response=DeskBulkOut, summary="A bulk run's progress and summary")
def bulk_get(request: HttpRequest, run_id: int):
    require_perm(request.user, VIEW)
    run = bulk_runs(user=request.user).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return _run_out(run)


@router.get(
    "/complaints/views", response=list[DeskViewOut], summary="Your saved views and your unit's shared ones"
)
def views_list(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [_view_out(v, request.user) for v in saved_views(user=request.user)[:100]]


@router.post("/complaints/views", response={201: DeskViewOut}, summary="Save a view of the list or the queue")
def views_create(request: HttpRequest, payload: DeskViewIn):
    require_perm(request.user, VIEW)
    view = view_save(actor=request.user, **payload.dict())
    return Status(201, _view_out(view, request.user))


def _own(request: HttpRequest, view_id: int) -> SavedView:
    require_perm(request.user, VIEW)
    view = saved_view(user=request.user, pk=view_id)
    if view is None or view.owner_id != request.user.pk:
        raise Http404
    return view


@router.patch("/complaints/views/{view_id}", response=DeskViewOut, summary="Change your saved view")
def views_patch(request: HttpRequest, view_id: int, payload: DeskViewPatch):
    view = view_update(actor=request.user, view=_own(request, view_id), **payload.dict(exclude_unset=True))
    return _view_out(view, request.user)


@router.delete("/complaints/views/{view_id}", response={204: None}, summary="Delete your saved view")
def views_delete(request: HttpRequest, view_id: int):
    view_delete(actor=request.user, view=_own(request, view_id))
    return Status(204, None)
