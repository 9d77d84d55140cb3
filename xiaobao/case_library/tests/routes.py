"""Scoping-quartet entries for case_library (see core/tests/route_table.py).

Branch 1 holds a closed complaint proposed for the library, a published entry (B1CASEMARK, published to
branch 1's subtree), a draft, and a circulation of the entry to branch 1 (B1CIRCMARK) sent by a branch-1
officer; the power user of branch 1 reads it as a member of the unit it was sent to. The exports are binary
files: their scope is tested in test_case_library (`test_export_holds_only_what_the_user_sees`)."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["case_library.view_caseentry", "case_library.manage_caseentry"]


def setup(ctx: Any) -> None:
    from conftest import make_user
    from xiaobao.case_library.services import circulation_send, entry_create, entry_publish

    officer = make_user("b1_caselib_officer", ctx.org.b1, ["branch_cp_officer"])
    entry = entry_create(
        actor=officer,
        data={
            "title": "B1CASEMARK 信用卡年费争议",
            "facts": "客户A女士反映信用卡年费未按宣传减免。",
            "handling": "核实营销话术录音。",
            "outcome": "退还年费。",
            "lessons": "营销宣传须与合同一致。",
            "business_type": "B01",
            "tags": ["费用收取"],
            "year": 2026,
        },
    )
    ctx.case_entry = entry_publish(actor=officer, entry=entry)
    ctx.case_draft = entry_create(
        actor=officer, data={"title": "B1CASEDRAFT 理财销售", "facts": "客户B先生反映理财风险提示不足。"}
    )
    ctx.case_complaint = _closed_flagged_complaint(ctx, officer)
    ctx.circulation = circulation_send(
        actor=officer,
        entry_ids=[ctx.case_entry.pk],
        unit_ids=[ctx.org.b1.pk],
        message="B1CIRCMARK 请组织学习",
    )


def _closed_flagged_complaint(ctx: Any, officer: Any) -> Any:
    """A closed complaint of branch 1 its handler proposed for the library (the officers' proposals list)."""
    from xiaobao.complaints.models import Complaint
    from xiaobao.complaints.services import complaint_register

    complaint, _ = complaint_register(
        actor=officer,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B0303",
            "cause": "C07",
            "org_unit": ctx.org.b1s.code,
            "complainant": {"name": "赵小红", "phone": "13711112222"},
            "request": "退还年费",
            "description": "赵小红称信用卡年费未按承诺减免，联系电话13711112222。",
        },
    )
    Complaint.objects.filter(pk=complaint.pk).update(
        status="closed", case_library=True, decision_result="退还年费。", root_cause="规则未同步。"
    )
    return complaint


PAGE_ROUTES: list[Route] = [
    Route("case_library:home", "get", kind="list", marker=lambda c: c.case_entry.title),
    Route("case_library:create", "get", kind="global"),
    # a closed complaint proposed for the library: an anonymised draft, then its edit page
    Route("case_library:from_complaint", "post", lambda c: {"complaint_pk": c.case_complaint.pk}, ok=(302,)),
    Route("case_library:detail", "get", lambda c: {"pk": c.case_entry.pk}),
    Route("case_library:edit", "get", lambda c: {"pk": c.case_draft.pk}),
    Route("case_library:publish", "post", lambda c: {"pk": c.case_draft.pk}, ok=(302,)),
    Route("case_library:withdraw", "post", lambda c: {"pk": c.case_entry.pk}, ok=(302,)),
    Route("case_library:export_docx", "get", kind="global"),
    Route("case_library:export_xlsx", "get", kind="global"),
    Route("case_library:circulate", "get", kind="global"),
    Route("case_library:circulations", "get", kind="list", marker=lambda c: "B1CIRCMARK"),
    Route("case_library:circulation", "get", lambda c: {"pk": c.circulation.pk}),
    Route("case_library:remind", "post", lambda c: {"pk": c.circulation.pk}, ok=(302,)),
    Route("case_library:reading_list", "get", kind="list", marker=lambda c: "B1CIRCMARK"),
    Route("case_library:reading", "get", lambda c: {"pk": c.circulation.pk}),
    Route("case_library:acknowledge", "post", lambda c: {"pk": c.circulation.pk}, ok=(302,)),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/case-library/cases", "get", kind="list", marker=lambda c: c.case_entry.title),
    Route(
        "POST /api/v1/case-library/cases",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"title": "柜面服务态度投诉", "facts": "客户反映柜员态度生硬。", "tags": ["服务态度"]},
    ),
    Route("GET /api/v1/case-library/cases/{case_id}", "get", lambda c: {"case_id": c.case_entry.pk}),
    Route(
        "PATCH /api/v1/case-library/cases/{case_id}",
        "patch",
        lambda c: {"case_id": c.case_draft.pk},
        lambda c: {"lessons": "加强理财销售双录抽查。", "status": "published"},
    ),
    Route(
        "POST /api/v1/case-library/circulations",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"case_ids": [c.case_entry.pk], "unit_ids": [c.org.b1s.pk], "message": "请学习"},
    ),
    Route(
        "GET /api/v1/case-library/circulations/{circulation_id}",
        "get",
        lambda c: {"circulation_id": c.circulation.pk},
    ),
    Route(
        "POST /api/v1/case-library/circulations/{circulation_id}/read",
        "post",
        lambda c: {"circulation_id": c.circulation.pk},
    ),
]
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()
