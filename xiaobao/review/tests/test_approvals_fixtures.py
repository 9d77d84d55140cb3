"""Shared builders for the approval, public-check, complaint-link, recheck and proposal tests: a review with a
Word leaflet taken through review's own services to a pass (so its approvals come from the conclusion)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from conftest import make_user

LEAFLET = [
    "“稳盈”系列理财产品说明",
    "本产品为非保本浮动收益型理财产品，业绩比较基准为年化3.2%。",
    "理财非存款、产品有风险、投资须谨慎。",
]


def leaflet(paragraphs: list[str] | None = None) -> bytes:
    from xiaobao.checker.tests.files.builders import docx_bytes

    return docx_bytes(paragraphs or LEAFLET)


def people(org: Any) -> tuple[Any, Any]:
    """A submitter in branch 1 (product department) and a head-office reviewer."""
    submitter = make_user("b1_product", org.b1, ["business_responder"])
    reviewer = make_user("hq_reviewer", org.cpd, ["hq_cp_officer"])
    return submitter, reviewer


def submitted_review(
    submitter: Any,
    *,
    title: str = "稳盈理财宣传单",
    product_name: str = "稳盈1号理财产品",
    paragraphs: list[str] | None = None,
    product_kind: str = "wealth",
    kind: str = "marketing",
) -> Any:
    from xiaobao.review.services import review_create

    return review_create(
        actor=submitter,
        data={
            "title": title,
            "kind": kind,
            "product_kind": product_kind,
            "product_name": product_name,
            "description": "新产品宣传单",
            "org_unit": submitter.org_unit.code,
        },
        files=[(io.BytesIO(leaflet(paragraphs)), "leaflet.docx", "宣传单")],
    )


def passed_review(submitter: Any, reviewer: Any, *, valid_until: dt.date | None = None, **kwargs: Any) -> Any:
    """A review submitted, claimed and passed: one active approval for its leaflet."""
    from xiaobao.review.models import Review
    from xiaobao.review.services import review_conclude, review_transition

    review = submitted_review(submitter, **kwargs)
    review = review_transition(actor=reviewer, review=review, action="claim", data={})
    review_conclude(actor=reviewer, review=review, conclusion="pass", valid_until=valid_until)
    return Review.objects.get(pk=review.pk)


def new_version(submitter: Any, review: Any, paragraphs: list[str]) -> Any:
    """A changed leaflet uploaded as the document's next version (the review must allow uploads)."""
    from xiaobao.review.services import version_add

    document = review.documents.get()
    return version_add(
        actor=submitter, document=document, fileobj=io.BytesIO(leaflet(paragraphs)), name="leaflet-v2.docx"
    )


def on(day: str) -> Any:
    """Travel to 10:00 Beijing time on `day` (the clock stands still)."""
    import time_machine

    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def complaint(org: Any, *, cause: str = "C04", description: str = "", unit: Any = None) -> Any:
    """A complaint registered in `unit` (default branch 1's sub-branch) with this cause."""
    from xiaobao.complaints.services import complaint_register

    unit = unit or org.b1s
    clerk = make_user(f"clerk_{unit.code.lower()}_{cause.lower()}", unit, ["complaint_handler"])
    found, _ = complaint_register(
        actor=clerk,
        data={
            "received_at": "2026-03-02T09:30:00+08:00",
            "channel": "A01",
            "business_type": "B05",
            "cause": cause,
            "org_unit": unit.code,
            "complainant": {"name": "王小明", "phone": "13812345678"},
            "request": "要求赔偿损失",
            "description": description or "客户称理财经理宣传该产品“保本保息”“零风险”，到期出现亏损。",
        },
    )
    return found
