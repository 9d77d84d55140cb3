"""Scoping-quartet entries for the special-group services pages and API operations (see
core/tests/route_table.py). Branch 1's outlet has a facilities register and a home service (B1SSMARK in its
notes is what another branch's lists must not show)."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = [
    "special_services.view_special_services",
    "special_services.manage_special_services",
]


def setup(ctx: Any) -> None:
    import time_machine

    from conftest import make_user
    from xiaobao.special_services.models import FacilityItem
    from xiaobao.special_services.services import facility_set, home_service_create

    officer = make_user("b1_ss_officer", ctx.org.b1, ["branch_cp_officer"])
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        ctx.ss_item = FacilityItem.objects.get(code="wheelchair")
        facility_set(actor=officer, outlet=ctx.org.b1o, item=ctx.ss_item, present=True, note="B1SSMARK")
        ctx.home_service = home_service_create(
            actor=officer,
            data={
                "org_unit": ctx.org.b1o.code,
                "served_on": "2026-03-09",
                "name": "王秀英",
                "phone": "13911112222",
                "reason": "limited_mobility",
                "service": "password_reset",
                "notes": "B1SSMARK 上门办理",
            },
        )


def _service(c: Any) -> dict[str, Any]:
    import datetime as dt

    from xiaobao.core.clock import localdate

    # the service refuses days over a year back from today: yesterday, whatever today is
    return {
        "org_unit": c.org.b1o.code,
        "served_on": (localdate() - dt.timedelta(days=1)).isoformat(),
        "name": "李桂兰",
        "phone": "13922223333",
        "reason": "advanced_age",
        "service": "withdrawal",
        "place": "home",
        "staff_involved": 2,
        "outcome": "done",
        "notes": "",
    }


PAGE_ROUTES: list[Route] = [
    Route("special_services:home", "get", kind="global"),
    Route("special_services:facilities", "get", kind="list", marker=lambda c: c.org.b1o.name),
    Route("special_services:outlet", "get", lambda c: {"unit_id": c.org.b1o.pk}),
    Route(
        "special_services:tick",
        "post",
        lambda c: {"unit_id": c.org.b1o.pk, "item_id": c.ss_item.pk},
        lambda c: {"present": "no", "note": "维修中"},
        ok=(302,),
    ),
    Route("special_services:items", "get", kind="global"),
    Route(
        "special_services:item_edit", "get", lambda c: {"pk": c.ss_item.pk}, kind="global", actor="hq_officer"
    ),
    Route("special_services:home_services", "get", kind="list", marker=lambda c: "王*英"),
    Route("special_services:home_services_export", "get", kind="global"),
    Route("special_services:home_service_new", "get", kind="global"),
    Route("special_services:home_service", "get", lambda c: {"pk": c.home_service.pk}),
    Route("special_services:home_service_edit", "get", lambda c: {"pk": c.home_service.pk}),
    Route("special_services:home_service_delete", "post", lambda c: {"pk": c.home_service.pk}, ok=(302,)),
    Route(
        "special_services:home_service_reveal",
        "post",
        lambda c: {"pk": c.home_service.pk},
        lambda c: {"field": "phone", "reason": "回访客户核实"},
    ),
    Route("special_services:figures", "get", kind="global"),
    Route("special_services:figures_export", "get", kind="global"),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/special-services/facility-items", "get", kind="global"),
    Route(
        "GET /api/v1/special-services/outlets/{code}/facilities", "get", lambda c: {"code": c.org.b1o.code}
    ),
    Route(
        "PUT /api/v1/special-services/outlets/{code}/facilities/{item}",
        "put",
        lambda c: {"code": c.org.b1o.code, "item": "wheelchair"},
        lambda c: {"present": False, "note": "维修中"},
    ),
    Route("GET /api/v1/special-services/home-services", "get", kind="list", marker=lambda c: "B1SSMARK"),
    Route("POST /api/v1/special-services/home-services", "post", data=_service, kind="global", ok=(201,)),
    Route(
        "GET /api/v1/special-services/home-services/{service_id}",
        "get",
        lambda c: {"service_id": c.home_service.pk},
    ),
    Route(
        "PATCH /api/v1/special-services/home-services/{service_id}",
        "patch",
        lambda c: {"service_id": c.home_service.pk},
        lambda c: {"staff_involved": 3},
    ),
    Route(
        "DELETE /api/v1/special-services/home-services/{service_id}",
        "delete",
        lambda c: {"service_id": c.home_service.pk},
        ok=(204,),
    ),
    Route("GET /api/v1/special-services/figures", "get", kind="global"),
]
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()
