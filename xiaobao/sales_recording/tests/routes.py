"""Scoping-quartet entries for the sales-recording pages and API operations (see core/tests/route_table.py).

Branch 1 holds Q1 2025 sales at its outlet (one marked B1SALEMARK, one to an applicant aged 70) and a drawn
sample of its sub-branch; the allowed user is branch 1's power user."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

MARK = "B1SALEMARK"
POWER_PERMS = [
    "sales_recording.view_recordedsale",
    "sales_recording.import_recordedsale",
    "sales_recording.check_recordedsale",
    "inspections.view_inspection",
    "inspections.conduct_inspection",
]


def setup(ctx):
    from conftest import make_user
    from xiaobao.sales_recording.models import SamplingRule
    from xiaobao.sales_recording.services import sample_draw
    from xiaobao.sales_recording.tests.conftest import grant, make_sale

    make_sale(ctx.org.b1o, at="2025-02-03 10:00", ext="B1-SR-1").__class__.objects.filter(
        external_id="B1-SR-1"
    ).update(product=MARK)
    make_sale(ctx.org.b1o, at="2025-02-04 10:00", age=70, ext="B1-SR-2")
    checker = grant(make_user("b1_sr_checker", ctx.org.b1, []))
    ctx.sr_sample = sample_draw(
        actor=checker,
        org_unit=ctx.org.b1s,
        year=2025,
        quarter=1,
        rule=SamplingRule.objects.get(code="bank-sales-zone"),
        seed=1,
    )
    ctx.sr_item = ctx.sr_sample.items.order_by("pk").first()


PAGE_ROUTES: list[Route] = [
    Route("sales_recording:list", "get", kind="list", marker=lambda c: MARK),
    Route("sales_recording:progress", "get", kind="global"),
    Route("sales_recording:import", "get", kind="global"),
    Route(
        "sales_recording:samples",
        "get",
        kind="list",
        marker=lambda c: f"/sales-recording/samples/{c.sr_sample.pk}/",
    ),
    Route("sales_recording:sample_detail", "get", lambda c: {"pk": c.sr_sample.pk}),
    Route("sales_recording:item_check", "post", lambda c: {"pk": c.sr_item.pk}, ok=(302,)),
    Route(
        "sales_recording:rule_edit",
        "get",
        lambda c: {"code": "bank-sales-zone"},
        kind="global",
        actor="hq_officer",
    ),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/sales-recording/sales", "get", kind="list", marker=lambda c: MARK),
    Route("GET /api/v1/sales-recording/progress", "get", kind="global"),
    Route("GET /api/v1/sales-recording/rules", "get", kind="global"),
    Route(
        "POST /api/v1/sales-recording/rules",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"code": "route-rule", "name": "测试规则", "count": 2},
        actor="hq_officer",
    ),
    Route(
        "PUT /api/v1/sales-recording/rules/{code}",
        "put",
        lambda c: {"code": "bank-sales-zone"},
        lambda c: {"min_per_unit": 2},
        kind="global",
        actor="hq_officer",
    ),
    Route("GET /api/v1/sales-recording/samples", "get", kind="list", marker=lambda c: c.org.b1s.code),
    Route(
        "POST /api/v1/sales-recording/samples",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"unit": c.org.b1.code, "year": 2025, "quarter": 2, "rule": "bank-sales-zone"},
    ),
    Route("GET /api/v1/sales-recording/samples/{sample_id}", "get", lambda c: {"sample_id": c.sr_sample.pk}),
    Route(
        "POST /api/v1/sales-recording/items/{item_id}/check",
        "post",
        lambda c: {"item_id": c.sr_item.pk},
        ok=(201,),
    ),
]
