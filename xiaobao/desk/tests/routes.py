"""Scoping-quartet entries for desk (see core/tests/route_table.py).

Branch 1 holds a finished bulk run and a saved view shared with the branch, both of its power user (made
after `setup`: the routes hand them over to it, as the complaint-export routes do); another branch's user
gets 404 for them, and the list of views does not show the view's name."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

VIEW_NAME = "B1DESKVIEW-未结"


def setup(ctx: Any) -> None:
    from xiaobao.desk.models import BulkRun, SavedView

    ctx.bulk_run = BulkRun.objects.create(
        requested_by=ctx.b1_user,
        org_unit=ctx.org.b1,
        action="mark_major",
        items=[[ctx.complaint.pk, ctx.complaint.version]],
        params={"reason": "媒体关注"},
        state="done",
        progress_total=1,
        progress_done=1,
        summary={"succeeded": 0, "failed": [{"id": ctx.complaint.pk, "reference": "X", "reason": "r"}]},
    )
    ctx.saved_view = SavedView.objects.create(
        owner=ctx.b1_user, name=VIEW_NAME, query="open=true", shared=True, org_unit=ctx.org.b1
    )


def _power_b1() -> Any:
    from xiaobao.core.models import User

    return User.objects.filter(username="power_b1").first()


def _run_of_power_b1(ctx: Any, key: str = "pk") -> dict[str, int]:
    user = _power_b1()
    if user is not None:
        type(ctx.bulk_run).objects.filter(pk=ctx.bulk_run.pk).update(requested_by=user)
    return {key: ctx.bulk_run.pk}


def _view_of_power_b1(ctx: Any, key: str = "pk") -> dict[str, int]:
    user = _power_b1()
    if user is not None:
        type(ctx.saved_view).objects.filter(pk=ctx.saved_view.pk).update(owner=user)
    return {key: ctx.saved_view.pk}


def _marker(ctx: Any) -> str:
    _view_of_power_b1(ctx)
    return VIEW_NAME


PAGE_ROUTES: list[Route] = [
    Route(
        "desk:bulk_create",
        "post",
        data=lambda c: {
            "action": "mark_major",
            "ids": f"{c.complaint.pk}:{c.complaint.version}",
            "reason": "媒体关注",
            "scope": "list",
        },
        kind="global",
        ok=(302,),
    ),
    Route("desk:bulk_detail", "get", _run_of_power_b1),
    Route("desk:bulk_status", "get", _run_of_power_b1),
    Route("desk:views", "get", kind="list", marker=_marker),
    Route(
        "desk:view_create",
        "post",
        data=lambda c: {"name": "新视图", "scope": "list", "query": "open=true"},
        kind="global",
        ok=(302,),
    ),
    Route("desk:view_edit", "post", _view_of_power_b1, lambda c: {"name": "改名", "shared": "1"}, ok=(302,)),
    Route("desk:view_delete", "post", _view_of_power_b1, ok=(302,)),
]
API_ROUTES: list[Route] = [
    Route(
        "POST /api/v1/complaints/bulk",
        "post",
        data=lambda c: {"action": "mark_major", "ids": [c.complaint.pk], "params": {"reason": "媒体关注"}},
        kind="global",
        ok=(202,),
    ),
    Route("GET /api/v1/complaints/bulk/{run_id}", "get", lambda c: _run_of_power_b1(c, "run_id")),
    Route("GET /api/v1/complaints/views", "get", kind="list", marker=_marker),
    Route(
        "POST /api/v1/complaints/views",
        "post",
        data=lambda c: {"name": "新视图", "scope": "queue", "query": "major=true", "shared": False},
        kind="global",
        ok=(201,),
    ),
    Route(
        "PATCH /api/v1/complaints/views/{view_id}",
        "patch",
        lambda c: _view_of_power_b1(c, "view_id"),
        lambda c: {"name": "改名"},
    ),
    Route(
        "DELETE /api/v1/complaints/views/{view_id}",
        "delete",
        lambda c: _view_of_power_b1(c, "view_id"),
        ok=(204,),
    ),
]
