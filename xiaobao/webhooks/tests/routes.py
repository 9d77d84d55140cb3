"""Scoping-quartet entries for webhooks (see core/tests/route_table.py).

A subscription limited to branch 1 (B1WHMARK, the marker branch 2's lists must not show) with one failed
delivery. Its URL is a loopback port nobody allows in the sweep, so the test button and redelivery answer at
once (the outbound policy refuses, the delivery is recorded as failed) without any network.
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS: list[str] = ["webhooks.manage_subscription"]


def setup(ctx: Any) -> None:
    from xiaobao.webhooks.models import Delivery, Subscription

    ctx.webhook = Subscription.objects.create(
        name="B1WHMARK 核心系统",
        url="http://127.0.0.1:9/hook",
        secret="whsec_routes-test-secret",
        secret_hint="cret",
        event_types=["complaints.*"],
        org_unit=ctx.org.b1,
        created_by=ctx.b1_user,
    )
    ctx.webhook_delivery = Delivery.objects.create(
        subscription=ctx.webhook,
        event_type="complaints.complaint.register",
        payload={"id": "x", "type": "complaints.complaint.register", "item": None, "data": {}},
        status="failed",
        attempts=1,
        last_status_code=404,
    )


def _sub(c: Any) -> dict[str, Any]:
    return {"pk": c.webhook.pk}


def _api(c: Any) -> dict[str, Any]:
    return {"webhook_id": c.webhook.pk}


def _delivery(c: Any) -> dict[str, Any]:
    return {"pk": c.webhook.pk, "delivery_id": c.webhook_delivery.pk}


def _api_delivery(c: Any) -> dict[str, Any]:
    return {"webhook_id": c.webhook.pk, "delivery_id": c.webhook_delivery.pk}


PAGE_ROUTES: list[Route] = [
    Route("webhooks:list", "get", kind="list", marker=lambda c: "B1WHMARK"),
    Route("webhooks:create", "get", kind="global"),
    Route("webhooks:detail", "get", _sub),
    Route("webhooks:edit", "get", _sub),
    Route("webhooks:test", "post", _sub, ok=(302,)),
    Route("webhooks:rotate", "post", _sub, ok=(302,)),
    Route("webhooks:toggle", "post", _sub, ok=(302,)),
    Route("webhooks:redeliver", "post", _delivery, ok=(302,)),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/webhooks", "get", kind="list", marker=lambda c: "B1WHMARK"),
    Route(
        "POST /api/v1/webhooks",
        "post",
        kind="global",
        data=lambda c: {
            "name": "新订阅",
            "url": "https://93.184.215.14/hook",
            "event_types": ["complaints.complaint.register"],
            "org_unit": c.org.b1.code,
        },
        ok=(201,),
    ),
    Route("GET /api/v1/webhooks/event-types", "get", kind="global"),
    Route("GET /api/v1/webhooks/{webhook_id}", "get", _api),
    Route("PATCH /api/v1/webhooks/{webhook_id}", "patch", _api, lambda c: {"name": "改名"}),
    Route("DELETE /api/v1/webhooks/{webhook_id}", "delete", _api, ok=(204,)),
    Route("GET /api/v1/webhooks/{webhook_id}/deliveries", "get", _api),
    Route("POST /api/v1/webhooks/{webhook_id}/test", "post", _api),
    Route("POST /api/v1/webhooks/{webhook_id}/rotate-secret", "post", _api),
    Route("POST /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", "post", _api_delivery),
]
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()
