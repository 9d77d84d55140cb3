"""Scoping-quartet entries for the checker's pages and API operations (see core/tests/route_table.py).

Rules are the institution's, not a branch's: their routes are global (anonymous, no permission, allowed).
A finding is scoped by its subject: branch 1's complaint carries one, so a user of another branch gets 404
deciding it."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["checker.use_checker", "checker.manage_rules", "checker.view_checkrule"]
RULE = "b1-scoping-rule"


def setup(ctx):
    from django.contrib.contenttypes.models import ContentType

    from xiaobao.checker.models import CheckFinding
    from xiaobao.checker.services import rule_save

    ctx.check_rule = rule_save(
        rule=None,
        data={
            "code": RULE,
            "title": "绝对化用语（路由）",
            "label": "absolute",
            "kind": "terms",
            "terms": ["最高"],
            "status": "active",
        },
        by=None,
    )
    ctx.check_finding = CheckFinding.objects.create(
        rule=ctx.check_rule,
        rule_code=RULE,
        label="absolute",
        severity="medium",
        start=0,
        end=2,
        excerpt="最高",
        content_type=ContentType.objects.get_for_model(ctx.complaint),
        object_id=ctx.complaint.pk,
    )


def _rule_post(c):
    return {
        "title": "绝对化用语（修改）",
        "label": "absolute",
        "severity": "high",
        "kind": "terms",
        "status": "active",
        "terms": "最高\n第一",
        "version": c.check_rule.version,
        "note": "加词",
    }


PAGE_ROUTES: list[Route] = [
    Route("checker:list", "get", kind="global"),
    Route("checker:create", "get", kind="global"),
    Route("checker:bench", "get", kind="global"),
    Route(
        "checker:bench",
        "post",
        kind="global",
        data=lambda c: {"text": "本产品收益最高", "product_kind": "wealth", "material": "marketing"},
    ),
    Route("checker:rule", "get", lambda c: {"code": RULE}, kind="global"),
    Route("checker:rule", "post", lambda c: {"code": RULE}, _rule_post, kind="global", ok=(302,)),
]
API_ROUTES: list[Route] = [
    Route(
        "POST /api/v1/review-checks",
        "post",
        kind="global",
        data=lambda c: {"text": "本产品收益最高，零风险", "product_kind": "wealth", "material": "marketing"},
    ),
    Route("GET /api/v1/review-rules", "get", kind="global"),
    Route("GET /api/v1/review-rules/{code}", "get", lambda c: {"code": RULE}, kind="global"),
    Route(
        "POST /api/v1/review-rules",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "code": "no-risk-new",
            "title": "无风险表述",
            "label": "no_risk",
            "kind": "terms",
            "terms": ["零风险"],
        },
    ),
    Route(
        "PATCH /api/v1/review-rules/{code}",
        "patch",
        lambda c: {"code": RULE},
        lambda c: {"terms": ["最高", "顶级"], "note": "加词"},
        kind="global",
    ),
    Route("GET /api/v1/review-rules/{code}/versions", "get", lambda c: {"code": RULE}, kind="global"),
    Route(
        "POST /api/v1/review-findings/{finding_id}/decision",
        "post",
        lambda c: {"finding_id": c.check_finding.pk},
        lambda c: {"decision": "confirmed", "note": "确属绝对化用语"},
    ),
]
