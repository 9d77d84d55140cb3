"""Scoping-quartet entries for portal (see core/tests/route_table.py).

Branch 1 holds a complaint a consumer submitted on the portal, picking branch 1 (its reference is the marker
another branch must not see on /portal/). The settings are one row for the institution (global). The
consumer's pages (no login, /public/complaints/) and the public API operations are listed in PUBLIC_PAGES
and PUBLIC_API: portal/tests prove what they show (nothing but status, dates and the notified decision), their
throttles, the audit and the same 404 for a known and an unknown reference."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["portal.view_portalsubmission", "portal.manage_portal"]
PUBLIC_PAGES = {
    "portal_public:new",
    "portal_public:done",
    "portal_public:status",
    "portal_public:result",
    "portal_public:review",
    "portal_public:rate",
}
PUBLIC_API = {
    "GET /api/v1/public/status",
    "GET /api/v1/public/complaint-form",
    "POST /api/v1/public/complaints",
    "POST /api/v1/public/review-requests",
    "POST /api/v1/public/ratings",
}


def setup(ctx: Any) -> None:
    from xiaobao.portal.models import PortalSettings
    from xiaobao.portal.services import portal_settings, portal_submit

    portal_settings()
    PortalSettings.objects.filter(pk=1).update(branch_choice=True, submissions_per_address=1000)
    ctx.portal_complaint = portal_submit(
        data={
            "name": "周小雨",
            "phone": "13911112222",
            "business_type": "B03",
            "unit": ctx.org.b1.code,
            "description": "B1PORTALMARK 信用卡被扣年费",
            "request": "退还年费",
            "consent": True,
        }
    )


PAGE_ROUTES: list[Route] = [
    Route("portal:home", "get", kind="list", marker=lambda c: c.portal_complaint.reference),
    Route("portal:settings", "get", kind="global"),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/portal/settings", "get", kind="global"),
    Route("PATCH /api/v1/portal/settings", "patch", kind="global", data=lambda c: {"enabled": True}),
]
