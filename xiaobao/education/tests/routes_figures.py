"""Scoping-quartet entries: figures, the summary API and an edition's regulator table and campaign summary.

They are global routes (the figures are of the caller's scope; a unit outside it is a 404, tested in
test_figures.py / test_summary_documents.py). `ctx.edu_fig_edition`: a head-office edition every viewer sees.
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["education.view_education"]


def setup(ctx: Any) -> None:
    import datetime as dt

    from conftest import make_user
    from xiaobao.education.models import Campaign, CampaignEdition

    campaign, _ = Campaign.objects.get_or_create(
        code="fig_route_campaign", defaults={"name": "路由测试宣传活动"}
    )
    creator = make_user("edu_fig_creator", ctx.org.ho, ["hq_cp_officer"])
    ctx.edu_fig_edition = CampaignEdition.objects.create(
        campaign=campaign,
        year=2026,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 9, 30),
        report_by=dt.date(2026, 10, 10),
        org_unit=ctx.org.ho,
        created_by=creator,
    )


def _edition(c: Any) -> dict[str, int]:
    return {"pk": c.edu_fig_edition.pk}


def _edition_id(c: Any) -> dict[str, int]:
    return {"edition_id": c.edu_fig_edition.pk}


PAGE_ROUTES = [
    Route("education:figures", "get", kind="global"),
    Route("education:figures_export", "get", kind="global"),
    Route("education:edition_table", "get", _edition, kind="global"),
    Route("education:edition_summary", "get", _edition, kind="global"),
]
API_ROUTES = [
    Route("GET /api/v1/education/summary", "get", kind="global"),
    Route("GET /api/v1/education/editions/{edition_id}/table.xlsx", "get", _edition_id, kind="global"),
    Route("GET /api/v1/education/editions/{edition_id}/summary.docx", "get", _edition_id, kind="global"),
]
