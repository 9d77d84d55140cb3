"""Scoping-quartet entries for the policy catalogue's pages and API operations
(see core/tests/route_table.py).

Branch 1 holds two policies in force: B1POLMARK-A (v1 approved with a clause mapped to an article, and a draft
v2 revision with its document) and B1POLMARK-B (v1 approved, no draft: revised and repealed by the routes)."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

PDF = b"%PDF-1.4\n% policy text\n"
POWER_PERMS = [
    "policies.view_policies",
    "policies.manage_policies",
    "policies.approve_policies",
    "policies.manage_regulations",
]


def approver_for(unit_code: str) -> Any:
    """An approver of the unit (the four-eyes rule: the drafter never approves), made once."""
    from conftest import make_user
    from xiaobao.core.models import OrgUnit, User

    username = f"policy_approver_{unit_code.lower()}"
    user = User.objects.filter(username=username).first()
    return user or make_user(username, OrgUnit.objects.get(code=unit_code), ["approver"])


def make_policy(actor: Any, unit_code: str, number: str, title: str, *, approved_on: Any = None) -> Any:
    """A policy with a v1 (two clauses) drafted by the actor and approved by the unit's approver."""
    import datetime as dt

    from xiaobao.policies.services import policy_create, version_approve

    policy = policy_create(
        actor=actor,
        data={
            "org_unit": unit_code,
            "number": number,
            "title": title,
            "document_number": f"{number}号",
            "owner_department": "消费者权益保护部",
            "effective_on": "2025-06-01",
            "reason": "依据监管要求制定",
            "clauses": [
                {"number": "第一条", "text": "为规范消费投诉处理工作，制定本办法。"},
                {"number": "第二条", "text": "投诉自受理之日起15日内处理完毕。"},
            ],
        },
    )
    version_approve(
        actor=approver_for(unit_code),
        version=policy.versions.get(),
        approved_on=approved_on or dt.date(2025, 6, 1),
    )
    policy.refresh_from_db()
    return policy


def setup(ctx: Any) -> None:
    from io import BytesIO

    from conftest import make_power_user
    from xiaobao.policies.models import RegulationArticle
    from xiaobao.policies.services import document_attach, mapping_add, revision_draft

    officer = make_power_user("b1_policy_officer", ctx.org.b1)
    a = make_policy(officer, ctx.org.b1.code, "B1POLMARK-A", "北京分行消费投诉处理办法")
    b = make_policy(officer, ctx.org.b1.code, "B1POLMARK-B", "北京分行营销宣传管理办法")
    ctx.article = RegulationArticle.objects.get(regulation__code="nfra-complaints-2020", number="第十八条")
    ctx.article2 = RegulationArticle.objects.get(regulation__code="nfra-complaints-2020", number="第八条")
    ctx.clause = a.current_version.clauses.get(number="第二条")
    mapping_add(actor=officer, clause=ctx.clause, article_id=ctx.article.pk)
    draft = revision_draft(actor=officer, policy=a, data={"reason": "监管新规", "effective_on": "2026-03-01"})
    ctx.draft = document_attach(actor=officer, version=draft, fileobj=BytesIO(PDF), name="revision.pdf")
    ctx.policy, ctx.policy_b = a, b


def _pdf(c: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("policy.pdf", PDF)}


PAGE_ROUTES: list[Route] = [
    Route("policies:home", "get", kind="list", marker=lambda c: c.policy.number),
    Route("policies:create", "get", kind="global"),
    Route("policies:export", "get", kind="global"),  # scope: test_the_catalogue_export
    Route("policies:detail", "get", lambda c: {"pk": c.policy.pk}),
    Route("policies:revise", "get", lambda c: {"pk": c.policy_b.pk}),
    Route("policies:repeal", "get", lambda c: {"pk": c.policy_b.pk}),
    Route(
        "policies:mark_reviewed",
        "post",
        lambda c: {"pk": c.policy.pk},
        lambda c: {"reviewed_on": "2025-12-01", "note": "年度评估无需修订"},
        ok=(302,),
    ),
    Route("policies:version", "get", lambda c: {"pk": c.draft.pk}),
    Route("policies:version_edit", "get", lambda c: {"pk": c.draft.pk}),
    Route(
        "policies:version_approve",
        "post",
        lambda c: {"pk": c.draft.pk},
        lambda c: {"approved_on": "2025-12-01", "note": ""},
        ok=(302,),
    ),
    Route("policies:version_discard", "post", lambda c: {"pk": c.draft.pk}, ok=(302,)),
    Route("policies:version_document", "get", lambda c: {"pk": c.draft.pk}),
    Route("policies:version_document_upload", "post", lambda c: {"pk": c.draft.pk}, _pdf, ok=(302,)),
    Route(
        "policies:clause_map",
        "post",
        lambda c: {"pk": c.clause.pk},
        lambda c: {"article": c.article2.pk, "note": "公示投诉渠道"},
        ok=(302,),
    ),
    Route(
        "policies:clause_unmap", "post", lambda c: {"pk": c.clause.pk, "article_id": c.article.pk}, ok=(302,)
    ),
    Route("policies:coverage", "get", kind="global"),
    Route("policies:coverage_export", "get", kind="global"),
    Route("policies:changes", "get", kind="list", marker=lambda c: c.policy.number),
    Route("policies:changes_export", "get", lambda c: {"year": 2025}, kind="global"),
    Route("policies:regulations", "get", kind="global"),
    Route("policies:regulation", "get", lambda c: {"pk": c.article.regulation_id}, kind="global"),
]

_CLAUSES = [{"number": "第一条", "text": "为规范适老化服务，制定本办法。"}]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/policies", "get", kind="list", marker=lambda c: c.policy.number),
    Route(
        "POST /api/v1/policies",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "org_unit": c.org.b1.code,
            "number": "B1-NEW-001",
            "title": "适老化服务管理办法",
            "owner_department": "个人金融部",
            "effective_on": "2026-04-01",
            "reason": "落实适老化服务要求",
            "clauses": _CLAUSES,
        },
    ),
    Route("GET /api/v1/policies/{policy_id}", "get", lambda c: {"policy_id": c.policy.pk}),
    Route(
        "POST /api/v1/policies/{policy_id}/revisions",
        "post",
        lambda c: {"policy_id": c.policy_b.pk},
        lambda c: {"reason": "按新规修订", "effective_on": "2026-04-01"},
        ok=(201,),
    ),
    Route(
        "POST /api/v1/policies/{policy_id}/repeal",
        "post",
        lambda c: {"policy_id": c.policy_b.pk},
        lambda c: {"reason": "并入新办法", "effective_on": "2026-04-01"},
        ok=(201,),
    ),
    Route(
        "POST /api/v1/policies/{policy_id}/reviews",
        "post",
        lambda c: {"policy_id": c.policy.pk},
        lambda c: {"reviewed_on": "2025-12-01", "note": "无需修订"},
        ok=(201,),
    ),
    Route("GET /api/v1/policy-versions/{version_id}", "get", lambda c: {"version_id": c.draft.pk}),
    Route(
        "PATCH /api/v1/policy-versions/{version_id}",
        "patch",
        lambda c: {"version_id": c.draft.pk},
        lambda c: {"reason": "监管新规（修改）"},
    ),
    Route(
        "DELETE /api/v1/policy-versions/{version_id}",
        "delete",
        lambda c: {"version_id": c.draft.pk},
        ok=(204,),
    ),
    Route(
        "POST /api/v1/policy-versions/{version_id}/approve",
        "post",
        lambda c: {"version_id": c.draft.pk},
        lambda c: {"approved_on": "2025-12-01"},
    ),
    Route(
        "POST /api/v1/policy-versions/{version_id}/document",
        "post",
        lambda c: {"version_id": c.draft.pk},
        extra={"multipart": True, "file": ("policy.pdf", PDF)},
    ),
    Route(
        "POST /api/v1/policy-clauses/{clause_id}/articles",
        "post",
        lambda c: {"clause_id": c.clause.pk},
        lambda c: {"article": c.article2.pk, "note": ""},
        ok=(201,),
    ),
    Route(
        "DELETE /api/v1/policy-clauses/{clause_id}/articles/{article_id}",
        "delete",
        lambda c: {"clause_id": c.clause.pk, "article_id": c.article.pk},
        ok=(204,),
    ),
    Route("GET /api/v1/policy-coverage", "get", kind="global"),
    Route(
        "GET /api/v1/policy-changes",
        "get",
        kind="list",
        marker=lambda c: c.policy.number,
        extra={"query": "?year=2025"},
    ),
    Route("GET /api/v1/policy-reviews-due", "get", kind="global"),
    Route("GET /api/v1/regulations", "get", kind="global"),
    Route(
        "POST /api/v1/regulations",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"code": "test-rule", "name": "测试规定", "document_number": "测试〔2026〕1号"},
    ),
    Route(
        "GET /api/v1/regulations/{regulation_id}",
        "get",
        lambda c: {"regulation_id": c.article.regulation_id},
        kind="global",
    ),
    Route(
        "POST /api/v1/regulations/{regulation_id}/articles",
        "post",
        lambda c: {"regulation_id": c.article.regulation_id},
        lambda c: {"number": "第九十九条", "summary": "测试条款"},
        kind="global",
        ok=(201,),
    ),
]
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()
