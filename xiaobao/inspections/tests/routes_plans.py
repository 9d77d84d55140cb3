"""Scoping-quartet entries for the plan pages and API operations (collected by this app's `routes.py`).

Branch 1 plans two things: a drawn draft (draw, publish, detail) and a published plan (close). The allowed
user is the branch-1 power user, who also serves as the inspector; another branch sees neither.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from xiaobao.core.tests.route_table import Route

PLAN_MARK = "B1PLANMARK"  # the branch-1 plans' name: must not show in another branch's lists

POWER_PERMS = ["inspections.view_inspection", "inspections.plan_inspection", "inspections.conduct_inspection"]


def setup(ctx: Any) -> None:
    from conftest import make_user
    from xiaobao.inspections.plans import PlanInput, plan_create, plan_draw, plan_publish
    from xiaobao.inspections.tests.factories import small_template
    from xiaobao.inspections.tests.plan_fixtures import grant

    planner = grant(make_user("b1_planner", ctx.org.b1, []))
    template = small_template("plan_routes")
    data = PlanInput(
        name=f"{PLAN_MARK} 北京分行2099年4月检查",
        kind="routine",
        template=template,
        period_start=dt.date(2099, 4, 1),
        period_end=dt.date(2099, 4, 30),
        inspecting_unit=ctx.org.b1,
        scope_unit=ctx.org.b1,
        outlet_count=1,
    )
    ctx.plan_template = template
    ctx.plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=data), seed=1)
    published = plan_draw(actor=planner, plan=plan_create(actor=planner, data=data), seed=2)
    ctx.published_plan = plan_publish(actor=planner, plan=published, inspectors=[planner.username])


def _create_body(c: Any) -> dict[str, Any]:
    return {
        "name": "北京分行五月检查",
        "kind": "routine",
        "template": "plan_routes",
        "period_start": "2099-05-01",
        "period_end": "2099-05-31",
        "inspecting_unit": c.org.b1.code,
        "scope_unit": c.org.b1.code,
        "outlet_count": 1,
    }


PAGE_ROUTES: list[Route] = [
    Route(
        "inspections:plan_list",
        "get",
        kind="list",
        marker=lambda c: reverse("inspections:plan_detail", args=[c.plan.pk]),
    ),
    Route("inspections:plan_create", "get", kind="global"),
    Route("inspections:plan_detail", "get", lambda c: {"pk": c.plan.pk}),
    # the published plan's page: the one with the close form (swept by test_form_fuzz)
    Route("inspections:plan_detail", "get", lambda c: {"pk": c.published_plan.pk}),
    Route(
        "inspections:plan_draw",
        "post",
        lambda c: {"pk": c.plan.pk},
        lambda c: {"version": c.plan.version},
        ok=(302,),
    ),
    Route(
        "inspections:plan_publish",
        "post",
        lambda c: {"pk": c.plan.pk},
        lambda c: {"version": c.plan.version, "inspectors": ["power_b1"]},
        ok=(302,),
    ),
    Route(
        "inspections:plan_close",
        "post",
        lambda c: {"pk": c.published_plan.pk},
        lambda c: {"version": c.published_plan.version},
        ok=(302,),
    ),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/inspections/plans", "get", kind="list", marker=lambda c: PLAN_MARK),
    Route("POST /api/v1/inspections/plans", "post", kind="global", ok=(201,), data=_create_body),
    Route("GET /api/v1/inspections/plans/{plan_id}", "get", lambda c: {"plan_id": c.plan.pk}),
    Route(
        "POST /api/v1/inspections/plans/{plan_id}/draw",
        "post",
        lambda c: {"plan_id": c.plan.pk},
        lambda c: {"seed": 5},
    ),
    Route(
        "POST /api/v1/inspections/plans/{plan_id}/publish",
        "post",
        lambda c: {"plan_id": c.plan.pk},
        lambda c: {"inspectors": ["power_b1"]},
    ),
    Route(
        "POST /api/v1/inspections/plans/{plan_id}/close",
        "post",
        lambda c: {"plan_id": c.published_plan.pk},
        lambda c: {},
    ),
]
