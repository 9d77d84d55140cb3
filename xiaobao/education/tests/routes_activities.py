"""Scoping-quartet entries: activities. Also the small helpers the activity tests share (the catalogue rows,
an edition, a JPEG with an EXIF date, a valid report payload).

Branch 1's outlet holds a submitted activity (reported by the outlet's clerk, with a photo); the allowed
user — branch 1's power user, who did not report it — approves it.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = [
    "education.view_education",
    "education.report_activity",
    "education.approve_activity",
]
HELD_ON = "2026-03-12"


def catalogue() -> None:
    """The catalogue rows the activity tests use (data migration 0002 loads them; a transactional test's
    flush takes them, so they are made again here)."""
    from xiaobao.education.models import Campaign, Topic, Venue

    Campaign.objects.get_or_create(
        code="consumer_rights_week", defaults={"name": "3·15 消费者权益保护教育宣传周", "sort_order": 10}
    )
    Campaign.objects.get_or_create(
        code="financial_literacy_month", defaults={"name": "金融知识普及月", "sort_order": 20}
    )
    for code, name, order, online in (
        ("community", "进社区", 10, False),
        ("campus", "进校园", 30, False),
        ("online", "线上", 70, True),
    ):
        Venue.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order, "online": online})
    for code, name, order, fraud in (
        ("telecom_fraud", "电信网络诈骗", 20, True),
        ("pension_fraud", "养老诈骗", 40, True),
        ("deposit_insurance", "存款保险", 50, False),
    ):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order, "fraud": fraud})


def edition(org: Any, user: Any, code: str = "consumer_rights_week", year: int = 2026) -> Any:
    from xiaobao.education.models import Campaign, CampaignEdition

    catalogue()
    campaign = Campaign.objects.get(code=code)
    ed, _ = CampaignEdition.objects.get_or_create(
        campaign=campaign,
        year=year,
        defaults={
            "theme": "守住钱袋子",
            "starts_on": dt.date(year, 3, 9),
            "ends_on": dt.date(year, 3, 15),
            "report_by": dt.date(year, 3, 31),
            "org_unit": org.ho,
            "created_by": user,
        },
    )
    return ed


def jpeg(day: dt.date | None = None, size: tuple[int, int] = (64, 48), color: str = "#3b82f6") -> bytes:
    """A small JPEG; with `day` its EXIF DateTimeOriginal is that day at 10:00."""
    from PIL import Image

    img = Image.new("RGB", size, color)
    buf = io.BytesIO()
    if day is None:
        img.save(buf, "JPEG")
    else:
        exif = Image.Exif()
        exif.get_ifd(0x8769)[36867] = f"{day:%Y:%m:%d} 10:00:00"
        img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def payload(unit_code: str, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "org_unit": unit_code,
        "held_on": HELD_ON,
        "campaign": "consumer_rights_week",
        "venue": "community",
        "topics": ["telecom_fraud", "pension_fraud"],
        "audience": {
            "elderly": 40,
            "students": 0,
            "young": 5,
            "new_citizens": 0,
            "rural": 0,
            "disabled": 2,
            "other": 3,
        },
        "people_reached": 50,
        "leaflets": 120,
        "online_reads": 0,
        "media_reports": 0,
        "place": "中关村社区活动中心",
    }
    data.update(over)
    return data


def setup(ctx: Any) -> None:
    from conftest import make_user
    from xiaobao.education.photos import photo_add
    from xiaobao.education.services import activity_report

    ho_user = make_user("edu_route_hq", ctx.org.cpd, ["hq_cp_officer"])
    edition(ctx.org, ho_user)
    clerk = make_user("edu_route_clerk", ctx.org.b1s, ["complaint_handler"])  # not at b1o: core closes it
    item = activity_report(actor=clerk, data=payload(ctx.org.b1o.code, title="B1EDUMARK 反诈进社区"))
    ctx.edu_photo = photo_add(actor=clerk, item=item, name="site.jpg", data=jpeg(dt.date(2026, 3, 12)))
    ctx.edu_activity = item


def _photo(c: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"photo": SimpleUploadedFile("more.jpg", jpeg(dt.date(2026, 3, 12))), "caption": "现场"}


def _form(c: Any) -> dict[str, Any]:
    p = payload(c.org.b1o.code)
    return {
        "org_unit": p["org_unit"],
        "held_on": p["held_on"],
        "campaign": p["campaign"],
        "venue": p["venue"],
        "topics": p["topics"],
        **{f"audience_{k}": v for k, v in p["audience"].items()},
        "people_reached": 50,
        "staff_involved": 3,
        "leaflets": 120,
        "online_articles": 0,
        "online_reads": 0,
        "videos": 0,
        "media_reports": 0,
    }


def _edit(c: Any) -> dict[str, Any]:
    return {**_form(c), "version": c.edu_activity.version, "place": "中关村社区"}


PAGE_ROUTES: list[Route] = [
    Route("education:activities", "get", kind="list", marker=lambda c: c.edu_activity.reference),
    Route("education:activities_export", "get", kind="global"),  # scope: test_activities_views
    Route("education:activity_new", "get", kind="global"),
    Route("education:activity", "get", lambda c: {"pk": c.edu_activity.pk}),
    Route("education:activity_edit", "post", lambda c: {"pk": c.edu_activity.pk}, _edit, ok=(302,)),
    Route(
        "education:activity_action",
        "post",
        lambda c: {"pk": c.edu_activity.pk, "action": "approve"},
        lambda c: {"version": c.edu_activity.version, "note": "同意"},
        ok=(302,),
    ),
    Route("education:activity_photo_upload", "post", lambda c: {"pk": c.edu_activity.pk}, _photo, ok=(302,)),
    Route("education:activity_photo", "get", lambda c: {"pk": c.edu_activity.pk, "photo_id": c.edu_photo.pk}),
]
API_ROUTES: list[Route] = [
    Route(
        "POST /api/v1/education/activities",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: payload(c.org.b1o.code),
    ),
    Route("GET /api/v1/education/activities", "get", kind="list", marker=lambda c: c.edu_activity.reference),
    Route(
        "GET /api/v1/education/activities/{activity_id}", "get", lambda c: {"activity_id": c.edu_activity.pk}
    ),
    Route(
        "PATCH /api/v1/education/activities/{activity_id}",
        "patch",
        lambda c: {"activity_id": c.edu_activity.pk},
        lambda c: {"place": "中关村社区服务站"},
    ),
    Route(
        "POST /api/v1/education/activities/{activity_id}/actions/{action}",
        "post",
        lambda c: {"activity_id": c.edu_activity.pk, "action": "approve"},
        lambda c: {"note": "同意"},
    ),
    Route(
        "POST /api/v1/education/activities/{activity_id}/photos",
        "post",
        lambda c: {"activity_id": c.edu_activity.pk},
        ok=(201,),
        extra={"multipart": True, "file": ("more.jpg", jpeg(dt.date(2026, 3, 12)))},
    ),
    Route(
        "GET /api/v1/education/activities/{activity_id}/photos",
        "get",
        lambda c: {"activity_id": c.edu_activity.pk},
    ),
    Route(
        "GET /api/v1/education/activities/{activity_id}/photos/{photo_id}",
        "get",
        lambda c: {"activity_id": c.edu_activity.pk, "photo_id": c.edu_photo.pk},
    ),
]
