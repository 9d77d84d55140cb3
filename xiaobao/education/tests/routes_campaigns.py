"""Scoping-quartet entries for the education landing page, the catalogue and the editions (combined in
tests/routes.py).

Branch 1 holds `ctx.edu_edition`: an edition of 信用关爱日 in 2099 organised by branch 1 itself (theme marked
B1EDUMARK) with a target for the sub-branch — so branch 2 neither sees it (404) nor finds it in a list. The
catalogue is head office's (the hq officer acts on it); editions are changed by branch 1's power user, who
holds `manage_education` over branch 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1EDUMARK"
POWER_PERMS = [
    "education.view_education",
    "education.manage_education",
    "education.report_activity",
    "education.approve_activity",
]


def setup(ctx: Any) -> None:
    from xiaobao.education.models import Campaign, CampaignEdition, EditionTarget

    campaign, _ = Campaign.objects.get_or_create(
        code="credit_care_day", defaults={"name": "信用关爱日", "sort_order": 80}
    )
    Campaign.objects.get_or_create(code="fintech_week", defaults={"name": "金融科技宣传周", "sort_order": 60})
    ctx.edu_edition = CampaignEdition.objects.create(
        campaign=campaign,
        year=2099,
        theme=f"{MARK} 守护信用",
        starts_on=dt.date(2099, 6, 1),
        ends_on=dt.date(2099, 6, 30),
        report_by=dt.date(2099, 7, 10),
        org_unit=ctx.org.b1,
        created_by=ctx.b1_user,
    )
    EditionTarget.objects.create(
        edition=ctx.edu_edition, org_unit=ctx.org.b1s, activities=5, people_reached=300
    )


def _edition(c: Any) -> dict[str, Any]:
    return {"pk": c.edu_edition.pk}


def _api_edition(c: Any) -> dict[str, Any]:
    return {"edition_id": c.edu_edition.pk}


def _campaign_pk(kind: str) -> Any:
    def kwargs(c: Any) -> dict[str, Any]:
        from xiaobao.education.models import Campaign, Topic, Venue

        model: Any = {"campaign": Campaign, "venue": Venue, "topic": Topic}[kind]
        obj, _ = model.objects.get_or_create(code=f"scoping_{kind}", defaults={"name": f"{kind} 测试"})
        return {"kind": kind, "pk": obj.pk}

    return kwargs


PAGE_ROUTES: list[Route] = [
    Route("education:home", "get", kind="global"),
    Route("education:catalogue", "get", kind="global"),
    Route("education:catalogue_new", "get", lambda c: {"kind": "topic"}, kind="global", actor="hq_officer"),
    Route(
        "education:catalogue_new",
        "post",
        lambda c: {"kind": "venue"},
        lambda c: {"code": "street_fair", "name": "集市宣传", "sort_order": "90", "active": "on"},
        kind="global",
        actor="hq_officer",
        ok=(302,),
    ),
    Route("education:catalogue_edit", "get", _campaign_pk("campaign"), kind="global", actor="hq_officer"),
    Route(
        "education:catalogue_edit",
        "post",
        _campaign_pk("topic"),
        lambda c: {"name": "改名的主题", "sort_order": "5", "fraud": "on"},
        kind="global",
        actor="hq_officer",
        ok=(302,),
    ),
    Route("education:editions", "get", kind="list", marker=lambda c: MARK),
    Route("education:edition_new", "get", kind="global"),
    Route("education:edition", "get", _edition),
    Route("education:edition_edit", "get", _edition),
    Route(
        "education:edition_edit",
        "post",
        _edition,
        lambda c: {
            "campaign": "credit_care_day",
            "year": "2099",
            "theme": f"{MARK} 守护信用 2",
            "starts_on": "2099-06-01",
            "ends_on": "2099-06-30",
            "report_by": "2099-07-12",
            "org_unit": c.org.b1.code,
            f"t-{c.org.b1s.pk}-activities": "6",
        },
        ok=(302,),
    ),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/education/campaigns", "get", kind="global"),
    Route(
        "POST /api/v1/education/campaigns",
        "post",
        kind="global",
        ok=(201,),
        actor="hq_officer",
        data=lambda c: {"code": "anti_gambling_week", "name": "防范跨境赌博宣传周"},
    ),
    Route("GET /api/v1/education/venues", "get", kind="global"),
    Route("GET /api/v1/education/topics", "get", kind="global"),
    Route("GET /api/v1/education/editions", "get", kind="list", marker=lambda c: MARK),
    Route(
        "POST /api/v1/education/editions",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "campaign": "fintech_week",
            "year": 2098,
            "starts_on": "2098-05-10",
            "ends_on": "2098-05-16",
            "report_by": "2098-05-25",
            "org_unit": c.org.b1.code,
            "targets": [{"org_unit": c.org.b1s.code, "activities": 3}],
        },
    ),
    Route("GET /api/v1/education/editions/{edition_id}", "get", _api_edition),
    Route(
        "PATCH /api/v1/education/editions/{edition_id}",
        "patch",
        _api_edition,
        lambda c: {"theme": f"{MARK} 新主题", "targets": [{"org_unit": c.org.b1s.code, "leaflets": 800}]},
    ),
    Route("GET /api/v1/education/editions/{edition_id}/silent-outlets", "get", _api_edition),
]
