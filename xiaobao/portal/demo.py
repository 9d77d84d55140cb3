"""Demo data of the consumer portal (`Module.demo`): settings filled in (the head office's consumer-protection
department receives, consumers may pick a branch), eight complaints sent through the portal over the last five
weeks (each recorded at its own moment through `portal_submit`, as the portal's account), two consumers'
ratings and one review request on decided complaints notified within the last 30 days. Synthetic people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from xiaobao.core.clock import recording_at

PEOPLE = [
    ("陈晓燕", "13811110001", "chen.xy@example.com", "B03", "信用卡年费未经同意扣收600元。", "退还年费"),
    ("刘建国", "13811110002", "", "B02", "提前还款被收取违约金，签约时未被告知。", "免收违约金"),
    (
        "王丽",
        "13811110003",
        "wangli@example.com",
        "B04",
        "跨行转账两天未到账，客服只让等待。",
        "尽快查明并退回资金",
    ),
    ("张伟", "13811110004", "", "B05", "理财产品到期收益低于宣传的业绩比较基准。", "说明原因并补偿差额"),
    (
        "李娜",
        "13811110005",
        "lina@example.com",
        "B13",
        "催收人员多次致电我的同事和亲属。",
        "停止骚扰第三人并道歉",
    ),
    ("赵强", "13811110006", "", "B01", "网点排队一个多小时，只开一个窗口。", "改进服务并答复"),
    (
        "孙敏",
        "13811110007",
        "sunmin@example.com",
        "B08",
        "未经同意收到贷款营销短信，怀疑信息泄露。",
        "说明信息来源并停止发送",
    ),
    ("周杰", "13811110008", "", "B03", "借记卡被盗刷3笔共2,300元。", "赔付被盗刷资金"),
]


def load(command: Any, **opts: Any) -> None:
    from xiaobao.portal.models import PortalSubmission

    out = command.stdout
    if PortalSubmission.objects.exists():
        out.write("Demo consumer portal already loaded.")
        return
    r = portal_demo_load()
    out.write(
        command.style.SUCCESS(
            f"Demo consumer portal loaded: {r['submitted']} complaints, {r['ratings']} ratings, "
            f"{r['reviews']} review request."
        )
    )


def portal_demo_load(today: dt.date | None = None) -> dict[str, int]:
    from xiaobao.core.models import OrgUnit
    from xiaobao.portal.models import PortalSettings, PortalSubmission
    from xiaobao.portal.services import portal_settings, portal_submit

    today = today or timezone.localdate()
    s = portal_settings()
    cpd = OrgUnit.objects.filter(kind="department", parent__parent__isnull=True, is_active=True).first()
    PortalSettings.objects.filter(pk=s.pk).update(
        receiving_unit=cpd, branch_choice=True, file_types=["pdf", "png", "jpg"]
    )
    branches = list(
        OrgUnit.objects.filter(kind="branch", is_active=True).order_by("path").values_list("code", flat=True)
    )
    submitted = 0
    for i, (name, phone, email, business_type, description, request) in enumerate(PEOPLE):
        day = today - dt.timedelta(days=3 + i * 4)
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + i % 8, 10 + i * 5)))
        unit = branches[i % len(branches)] if branches and i % 3 else ""
        with recording_at(moment):
            complaint = portal_submit(
                data={
                    "name": name,
                    "phone": phone,
                    "email": email,
                    "business_type": business_type,
                    "unit": unit,
                    "description": description,
                    "request": request,
                    "consent": True,
                },
                via="api" if i % 4 == 3 else "page",
            )
        PortalSubmission.objects.filter(complaint=complaint).update(created_at=moment, updated_at=moment)
        submitted += 1
    ratings, reviews = _ratings_and_review(today)
    return {"submitted": submitted, "ratings": ratings, "reviews": reviews}


def _ratings_and_review(today: dt.date) -> tuple[int, int]:
    """Two ratings and one review request on decided complaints notified within the last 30 days (the
    complaints demo's), taken as the consumers would on the portal."""
    from xiaobao.complaints.models import Complaint
    from xiaobao.portal.services import portal_rate, portal_review_request

    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=25), dt.time()))
    decided = list(
        Complaint.objects.filter(status="decided", notified_at__gte=since, consumer_rating__isnull=True)
        .select_related("complainant", "org_unit")
        .order_by("-notified_at")[:3]
    )
    ratings = reviews = 0
    for complaint, (score, comment) in zip(
        decided[:2], [(5, "处理及时，解释清楚。"), (2, "等了很久才有答复。")], strict=False
    ):
        portal_rate(complaint=complaint, score=score, comment=comment)
        ratings += 1
    if len(decided) == 3:
        portal_review_request(complaint=decided[2], reason="对赔偿金额有异议，申请上级机构核查。")
        reviews = 1
    return ratings, reviews
