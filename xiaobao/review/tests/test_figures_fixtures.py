"""A small fixed set of reviews for the figures, statistics, export and report-section tests (rows written
directly on the models, dates pinned: March 2026 has no public holiday).

- R1 B1 marketing, submitted 03-02, concluded 03-09 10:00, due 03-16, pass; opinions: disclosure must-change
  adopted, marketing suggestion partly adopted (and one unissued draft).
- R2 B1-S1 new product, 03-02 → 03-20 16:00, due 03-16 (late), pass after changes; marketing must-change
  adopted, pricing suggestion not adopted, disclosure suggestion adopted.
- R3 B2 marketing, 03-03 → 03-10 09:00, due 03-17, rejected; marketing must-change unanswered.
- R4 B1 marketing, 02-20 → 02-27 11:00, pass (February); suitability must-change adopted.
- R5 B1 contract, submitted 03-25, in review. R6 B1 other, submitted 03-05, withdrawn.
- R7 B1 marketing, 03-24 → 04-01 00:30 Beijing time (31 March in UTC), pass.
- Approvals: R1's issued 03-09; R4's issued 02-27 and withdrawn 03-15.

Working days submission → conclusion: R1 5, R2 14, R3 5 (mean 8.0); calendar days 7, 18, 7.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission

from conftest import make_user
from xiaobao.casework.models import DeadlineRule
from xiaobao.core.models import User
from xiaobao.review.models import (
    Approval,
    DocumentVersion,
    ProductKind,
    Review,
    ReviewDocument,
    ReviewOpinion,
)

CST = ZoneInfo("Asia/Shanghai")
REVIEW_PERMS = ["view_review", "submit_review", "conduct_review"]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def with_review_perms(user: User, *codenames: str) -> User:
    for codename in codenames or REVIEW_PERMS:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="review", codename=codename))
    return User.objects.get(pk=user.pk)


_seq = {"n": 0}


def make_review(
    *,
    unit,
    kind: str,
    submitted: str | None,
    concluded: str | None = None,
    due: str | None = None,
    conclusion: str = "",
    status: str = "",
    by: User,
    title: str = "",
    product_kind: str = "wealth",
) -> Review:
    _seq["n"] += 1
    status = status or {
        "pass": "passed",
        "pass_with_changes": "passed_with_changes",
        "reject": "rejected",
    }.get(conclusion, "in_review")
    end = at(concluded).date() if concluded else None
    if status == "withdrawn":
        clock = "stopped"
    elif end and due:
        clock = "met" if end <= dt.date.fromisoformat(due) else "breached"
    else:
        clock = "running" if due else ""
    return Review.objects.create(
        clock_state=clock,
        reference=f"SC2026{_seq['n']:06d}",
        status=status,
        org_unit=unit,
        title=title or f"审查事项 {_seq['n']}",
        kind=kind,
        product_kind=ProductKind.objects.get(code=product_kind),
        product_name="晓宝稳盈理财 1 号",
        created_by=by,
        submitted_by=by,
        submitted_on=dt.date.fromisoformat(submitted) if submitted else None,
        rule=DeadlineRule.objects.get(code="review-10wd"),
        conclusion=conclusion,
        concluded_at=at(concluded) if concluded else None,
        due_date=dt.date.fromisoformat(due) if due else None,
    )


def opinion(
    review: Review, category: str, severity: str, response: str = "", *, author: User, issued: bool = True
) -> ReviewOpinion:
    number = review.opinions.count() + 1
    return ReviewOpinion.objects.create(
        review=review,
        number=number,
        category=category,
        severity=severity,
        body=f"意见 {number}：请修改相关表述",
        quote="保本保收益",
        author=author,
        issued=issued,
        response=response,
        response_note="" if response in ("", "adopted") else "已部分调整，理由见说明",
        state="answered" if response else "open",
    )


def approval(review: Review, *, by: User, issued: str, withdrawn: str | None = None, n: int = 1) -> Approval:
    doc = ReviewDocument.objects.create(review=review, title="宣传折页")
    version = DocumentVersion.objects.create(
        document=doc,
        number=1,
        file=f"review/2026/03/{review.reference}.docx",
        original_name="宣传折页.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        size=1000,
        sha256=f"{review.pk:064d}",
        uploaded_by=by,
    )
    return Approval.objects.create(
        review=review,
        number=f"XB-SC-2026-{review.pk:04d}{n}",
        code=f"K{review.pk:03d}X{n}AB"[:8],
        version=version,
        sha256=version.sha256,
        product_name=review.product_name,
        issued_at=at(issued),
        issued_by=by,
        state="withdrawn" if withdrawn else "active",
        withdrawn_at=at(withdrawn) if withdrawn else None,
        withdrawn_by=by if withdrawn else None,
        withdrawn_reason="产品下架" if withdrawn else "",
    )


def build_review_set(org) -> SimpleNamespace:
    b1_submitter = with_review_perms(make_user("fig_b1_product", org.b1, []), "view_review", "submit_review")
    b2_submitter = with_review_perms(make_user("fig_b2_product", org.b2, []), "view_review", "submit_review")
    reviewer = with_review_perms(make_user("fig_hq_reviewer", org.cpd, ["hq_cp_officer"]))
    r1 = make_review(
        unit=org.b1, kind="marketing", submitted="2026-03-02", concluded="2026-03-09 10:00",
        due="2026-03-16", conclusion="pass", by=b1_submitter, title="理财产品宣传折页（北京）",
    )  # fmt: skip
    opinion(r1, "disclosure", "must_change", "adopted", author=reviewer)
    opinion(r1, "marketing", "suggestion", "partly_adopted", author=reviewer)
    opinion(r1, "other", "suggestion", author=reviewer, issued=False)  # a draft: never counted
    r2 = make_review(
        unit=org.b1s, kind="new_product", submitted="2026-03-02", concluded="2026-03-20 16:00",
        due="2026-03-16", conclusion="pass_with_changes", by=b1_submitter, title="新产品：海淀养老储蓄",
    )  # fmt: skip
    opinion(r2, "marketing", "must_change", "adopted", author=reviewer)
    opinion(r2, "pricing", "suggestion", "not_adopted", author=reviewer)
    opinion(r2, "disclosure", "suggestion", "adopted", author=reviewer)
    r3 = make_review(
        unit=org.b2, kind="marketing", submitted="2026-03-03", concluded="2026-03-10 09:00",
        due="2026-03-17", conclusion="reject", by=b2_submitter, title="上海分行基金海报",
    )  # fmt: skip
    opinion(r3, "marketing", "must_change", author=reviewer)
    r4 = make_review(
        unit=org.b1, kind="marketing", submitted="2026-02-20", concluded="2026-02-27 11:00",
        due="2026-03-06", conclusion="pass", by=b1_submitter, title="二月份宣传单",
    )  # fmt: skip
    opinion(r4, "suitability", "must_change", "adopted", author=reviewer)
    r5 = make_review(unit=org.b1, kind="contract", submitted="2026-03-25", due="2026-04-08", by=b1_submitter)
    r6 = make_review(unit=org.b1, kind="other", submitted="2026-03-05", status="withdrawn", by=b1_submitter)
    r7 = make_review(
        unit=org.b1, kind="marketing", submitted="2026-03-24", concluded="2026-04-01 00:30",
        due="2026-04-07", conclusion="pass", by=b1_submitter,
    )  # fmt: skip
    approval(r1, by=reviewer, issued="2026-03-09 10:00")
    approval(r4, by=reviewer, issued="2026-02-27 11:00", withdrawn="2026-03-15 14:00")
    return SimpleNamespace(
        org=org,
        reviewer=reviewer,
        b1_submitter=b1_submitter,
        b2_submitter=b2_submitter,
        r1=r1,
        r2=r2,
        r3=r3,
        r4=r4,
        r5=r5,
        r6=r6,
        r7=r7,
    )


def hq_figures_user(org) -> User:
    """Head office consumer protection with the review permissions (sees every unit)."""
    return with_review_perms(make_user("hq_figures", org.cpd, ["hq_cp_officer"]))


def b1_figures_user(org) -> User:
    """Beijing branch's consumer-protection officer with the review view permission."""
    return with_review_perms(make_user("b1_figures", org.b1, ["branch_cp_officer"]), "view_review")
