"""Scoping-quartet entries for the review pages and API operations (see core/tests/route_table.py).

Branch 1 holds four review requests of its product department (title marked B1REVIEWMARK), each with a
leaflet (docx):
- `ctx.review`: submitted, nobody has taken it: the allowed user (branch 1's power user) claims it;
- `ctx.review_reviewing`: taken by a head-office reviewer, one opinion not yet sent, one checker finding;
- `ctx.review_answering`: the opinion sent, version 2 of the leaflet uploaded (a diff to show);
- `ctx.review_escalated`: a must-change opinion not adopted, escalated to the department head (the power
  user, who is neither the submitter nor the reviewer, decides).

Steps only the reviewer or the submitter takes (recusal, the submitter's answers) are reached by the power
user through `as_reviewer` / `as_submitter`: called from a route's kwargs, i.e. after the test has created
its acting user, they make branch 1's power user — when it exists in that test — the reviewer or the
submitter of the review. Anonymous, permission-less, other-branch and auditor calls find no such user and
leave the review as it is.
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1REVIEWMARK"
POWER_PERMS = [
    "review.view_review",
    "review.submit_review",
    "review.conduct_review",
    "review.decide_review",
    "review.manage_approval",
]
_DOCX: dict[str, bytes] = {}


def leaflet(paragraphs: tuple[str, ...] = ("稳盈理财宣传单", "本产品保本保收益，零风险！")) -> bytes:
    if paragraphs not in _DOCX:
        import io

        import docx

        doc = docx.Document()
        for text in paragraphs:
            doc.add_paragraph(text)
        out = io.BytesIO()
        doc.save(out)
        _DOCX[paragraphs] = out.getvalue()  # type: ignore[index]
    return _DOCX[paragraphs]  # type: ignore[index]


def setup(ctx: Any) -> None:
    import io

    import time_machine
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from conftest import make_user
    from xiaobao.checker.models import CheckFinding
    from xiaobao.core.models import User
    from xiaobao.review.models import DocumentVersion
    from xiaobao.review.services import opinion_add, review_create, review_transition, version_add

    def with_perms(user: Any, *codenames: str) -> Any:
        for codename in codenames:
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label="review", codename=codename)
            )
        return User.objects.get(pk=user.pk)

    product = with_perms(make_user("b1_rv_product", ctx.org.b1, []), "view_review", "submit_review")
    reviewer = with_perms(
        make_user("hq_rv_setup", ctx.org.cpd, ["hq_cp_officer"]), "view_review", "conduct_review"
    )
    head = with_perms(make_user("hq_rv_head", ctx.org.cpd, ["hq_cp_officer"]), "view_review", "decide_review")

    def new(title: str) -> Any:
        return review_create(
            actor=product,
            data={
                "title": f"{MARK} {title}",
                "kind": "marketing",
                "product_kind": "wealth",
                "product_name": "稳盈1号",
                "org_unit": ctx.org.b1.code,
                "planned_launch": "2026-04-01",
            },
            files=[(io.BytesIO(leaflet()), "leaflet.docx", "宣传单")],
        )

    def opinion(review: Any) -> Any:
        return opinion_add(
            actor=reviewer,
            review=review,
            data={"category": "marketing", "severity": "must_change", "body": "删除承诺收益表述"},
        )

    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        ctx.review = new("宣传单")
        reviewing = review_transition(actor=reviewer, review=new("审查中"), action="claim")
        opinion(reviewing)
        ctx.review_reviewing = reviewing
        version = DocumentVersion.objects.get(document__review=reviewing)
        ctx.review_finding = CheckFinding.objects.create(
            rule_code="guarantee-promise",
            label="guarantee",
            severity="high",
            start=8,
            end=13,
            excerpt=version.text[8:13],
            content_type=ContentType.objects.get_for_model(DocumentVersion),
            object_id=version.pk,
        )

        answering = review_transition(actor=reviewer, review=new("待答复"), action="claim")
        opinion(answering)
        answering = review_transition(actor=reviewer, review=answering, action="issue_opinions")
        ctx.review_document = answering.documents.get()
        version_add(
            actor=product,
            document=ctx.review_document,
            fileobj=io.BytesIO(leaflet(("稳盈理财宣传单", "理财非存款、产品有风险、投资须谨慎。"))),
            name="leaflet-v2.docx",
        )
        ctx.review_answering = answering

        escalated = review_transition(actor=reviewer, review=new("已提请"), action="claim")
        opinion(escalated)
        escalated = review_transition(actor=reviewer, review=escalated, action="issue_opinions")
        escalated = review_transition(
            actor=product,
            review=escalated,
            action="answer",
            data={"answers": [{"opinion": 1, "response": "not_adopted", "note": "业务需要"}]},
        )
        ctx.review_escalated = review_transition(
            actor=reviewer,
            review=escalated,
            action="escalate",
            data={"opinion": 1, "note": "请部门负责人决定"},
        )
    ctx.review_head = head


def _power() -> Any:
    from xiaobao.core.models import User

    return User.objects.filter(username="power_b1").first()


def as_reviewer(review: Any) -> dict[str, Any]:
    """Make branch 1's power user (if this test created it) the reviewer of `review`; its URL kwargs."""
    user = _power()
    if user is not None:
        type(review).objects.filter(pk=review.pk).update(handler=user)
    return {"pk": review.pk}


def as_submitter(review: Any) -> dict[str, Any]:
    """Make branch 1's power user (if this test created it) the submitter of `review`; its URL kwargs."""
    user = _power()
    if user is not None:
        type(review).objects.filter(pk=review.pk).update(submitted_by=user)
    return {"pk": review.pk}


def _api(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"review_id": kwargs["pk"]}


def _version_of(review: Any) -> int:
    from xiaobao.review.models import Review

    return int(Review.objects.get(pk=review.pk).version)


def _docx_upload(c: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("leaflet-v3.docx", leaflet(("稳盈理财宣传单", "投资须谨慎。")))}


PAGE_ROUTES: list[Route] = [
    Route("review:list", "get", kind="list", marker=lambda c: c.review.reference),
    Route("review:create", "get", kind="global"),
    Route("review:detail", "get", lambda c: {"pk": c.review.pk}),
    # the same page as the reviewer (opinion form, finding buttons), the submitter (answer form, upload) and
    # the department head (decision form): the form sweep (core/tests/test_form_fuzz.py) reaches them here
    Route("review:detail", "get", lambda c: as_reviewer(c.review_reviewing)),
    Route("review:detail", "get", lambda c: as_submitter(c.review_answering)),
    Route("review:detail", "get", lambda c: {"pk": c.review_escalated.pk}),
    Route(
        "review:action",
        "post",
        lambda c: {"pk": c.review.pk, "action": "claim"},
        lambda c: {"version": c.review.version},
        ok=(302,),
    ),
    Route(
        "review:answer",
        "post",
        lambda c: as_submitter(c.review_answering),
        lambda c: {"version": _version_of(c.review_answering), "response_1": "adopted"},
        ok=(302,),
    ),
    Route(
        "review:decide",
        "post",
        lambda c: {"pk": c.review_escalated.pk},
        lambda c: {"version": c.review_escalated.version, "decision_1": "waive", "note": "同意豁免"},
        ok=(302,),
    ),
    Route(
        "review:opinion_create",
        "post",
        lambda c: as_reviewer(c.review_reviewing),
        lambda c: {"category": "disclosure", "severity": "suggestion", "body": "补充风险揭示"},
        ok=(302,),
    ),
    Route(
        "review:opinion_edit",
        "post",
        lambda c: {**as_reviewer(c.review_reviewing), "number": 1},
        lambda c: {"category": "disclosure", "severity": "must_change", "body": "补充风险揭示（已修改）"},
        ok=(302,),
    ),
    Route(
        "review:opinion_delete",
        "post",
        lambda c: {**as_reviewer(c.review_reviewing), "number": 1},
        ok=(302,),
    ),
    Route("review:upload", "post", lambda c: as_submitter(c.review_answering), _docx_upload, ok=(302,)),
    Route(
        "review:version",
        "get",
        lambda c: {"pk": c.review_answering.pk, "document_id": c.review_document.pk, "number": 1},
    ),
    Route(
        "review:diff",
        "get",
        lambda c: {"pk": c.review_answering.pk, "document_id": c.review_document.pk, "number": 2},
    ),
    Route(
        "review:finding_decide",
        "post",
        lambda c: {**as_reviewer(c.review_reviewing), "finding_id": c.review_finding.pk},
        lambda c: {"decision": "confirmed"},
        ok=(302,),
    ),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/review-product-kinds", "get", kind="global"),
    Route(
        "POST /api/v1/reviews",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "title": "新理财产品宣传折页",
            "kind": "marketing",
            "product_kind": "wealth",
            "org_unit": c.org.b1.code,
        },
    ),
    Route("GET /api/v1/reviews", "get", kind="list", marker=lambda c: c.review.reference),
    Route("GET /api/v1/reviews/{review_id}", "get", lambda c: {"review_id": c.review.pk}),
    Route("GET /api/v1/reviews/{review_id}/events", "get", lambda c: {"review_id": c.review.pk}),
    Route(
        "POST /api/v1/reviews/{review_id}/actions/{action}",
        "post",
        lambda c: {"review_id": c.review.pk, "action": "claim"},
        lambda c: {},
    ),
    Route(
        "POST /api/v1/reviews/{review_id}/documents",
        "post",
        lambda c: _api(as_submitter(c.review_answering)),
        ok=(201,),
        extra={"multipart": True, "file": ("leaflet-v3.docx", leaflet(("稳盈理财宣传单", "投资须谨慎。")))},
    ),
    Route(
        "GET /api/v1/reviews/{review_id}/documents/{document_id}/versions",
        "get",
        lambda c: {"review_id": c.review_answering.pk, "document_id": c.review_document.pk},
    ),
    Route(
        "GET /api/v1/reviews/{review_id}/documents/{document_id}/versions/{number}",
        "get",
        lambda c: {"review_id": c.review_answering.pk, "document_id": c.review_document.pk, "number": 2},
    ),
    Route(
        "GET /api/v1/reviews/{review_id}/documents/{document_id}/versions/{number}/file",
        "get",
        lambda c: {"review_id": c.review_answering.pk, "document_id": c.review_document.pk, "number": 1},
    ),
    Route(
        "GET /api/v1/reviews/{review_id}/documents/{document_id}/diff/{number}",
        "get",
        lambda c: {"review_id": c.review_answering.pk, "document_id": c.review_document.pk, "number": 2},
    ),
    Route(
        "POST /api/v1/reviews/{review_id}/opinions",
        "post",
        lambda c: _api(as_reviewer(c.review_reviewing)),
        lambda c: {"category": "disclosure", "severity": "suggestion", "body": "补充风险揭示"},
        ok=(201,),
    ),
    Route(
        "PUT /api/v1/reviews/{review_id}/opinions/{number}",
        "put",
        lambda c: {**_api(as_reviewer(c.review_reviewing)), "number": 1},
        lambda c: {"category": "disclosure", "severity": "must_change", "body": "补充风险揭示（已修改）"},
    ),
    Route(
        "DELETE /api/v1/reviews/{review_id}/opinions/{number}",
        "delete",
        lambda c: {**_api(as_reviewer(c.review_reviewing)), "number": 1},
        ok=(204,),
    ),
    Route(
        "POST /api/v1/reviews/{review_id}/opinions/{number}/{step}",
        "post",
        lambda c: {"review_id": c.review_escalated.pk, "number": 1, "step": "decide"},
        lambda c: {"decision": "waive", "note": "同意豁免"},
    ),
    Route(
        "POST /api/v1/reviews/{review_id}/findings/{finding_id}/decision",
        "post",
        lambda c: {**_api(as_reviewer(c.review_reviewing)), "finding_id": c.review_finding.pk},
        lambda c: {"decision": "dismissed"},
    ),
]


# --- approvals, complaint links and rule proposals (F) ---------------------------------------------------
# Branch 1 also holds a passed review (`ctx.approved_review`) with its approval (`ctx.approval`), linked to
# the shared branch-1 complaint (`ctx.complaint_link`). The public check pages need no login (PUBLIC_PAGES).

PUBLIC_PAGES = {"review_public:verify", "review_public:verify_code"}
_review_core_setup = setup


def _approvals_setup(ctx: Any) -> None:
    import io

    import time_machine

    from xiaobao.core.models import User
    from xiaobao.review.models import ComplaintReviewLink, Review
    from xiaobao.review.services import review_conclude, review_create, review_transition

    product = User.objects.get(username="b1_rv_product")
    reviewer = User.objects.get(username="hq_rv_setup")
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        review = review_create(
            actor=product,
            data={
                "title": f"{MARK} 已批准宣传单",
                "kind": "marketing",
                "product_kind": "wealth",
                "product_name": "稳盈2号",
                "org_unit": ctx.org.b1.code,
            },
            files=[
                (
                    io.BytesIO(leaflet(("稳盈2号宣传单", "理财非存款、产品有风险、投资须谨慎。"))),
                    "leaflet.docx",
                    "宣传单",
                )
            ],
        )
        review = review_transition(actor=reviewer, review=review, action="claim")
        review_conclude(actor=reviewer, review=review, conclusion="pass")
    ctx.approved_review = Review.objects.get(pk=review.pk)
    ctx.approval = ctx.approved_review.approvals.get()
    ctx.complaint_link = ComplaintReviewLink.objects.create(
        complaint=ctx.complaint, review=ctx.approved_review, linked_by=product
    )


def setup(ctx: Any) -> None:  # type: ignore[no-redef]  # review core's setup, then the approvals'
    _review_core_setup(ctx)
    _approvals_setup(ctx)


PAGE_ROUTES += [
    Route("review:approvals", "get", kind="list", marker=lambda c: c.approval.number),
    Route(
        "review:approval_withdraw",
        "post",
        lambda c: {"pk": c.approval.pk},
        lambda c: {"reason": "营销活动结束，宣传单下架"},
        ok=(302,),
    ),
    Route("review:approval_qr", "get", lambda c: {"pk": c.approval.pk}),
    Route("review:approval_print", "get", lambda c: {"pk": c.approval.pk}),
    Route(
        "review:complaint_link",
        "post",
        lambda c: {"complaint_pk": c.complaint.pk},
        lambda c: {"reference": c.review.reference},
        ok=(302,),
    ),
    Route(
        "review:complaint_unlink",
        "post",
        lambda c: {"complaint_pk": c.complaint.pk, "link_pk": c.complaint_link.pk},
        ok=(302,),
    ),
    Route("review:rule_proposal", "get", lambda c: {"complaint_pk": c.complaint.pk}),
]
API_ROUTES += [
    Route("GET /api/v1/approvals", "get", kind="list", marker=lambda c: c.approval.number),
    Route("GET /api/v1/approvals/{number}", "get", lambda c: {"number": c.approval.number}),
    Route(
        "POST /api/v1/approvals/{number}/withdraw",
        "post",
        lambda c: {"number": c.approval.number},
        lambda c: {"reason": "营销活动结束，宣传单下架"},
    ),
    Route(
        "GET /api/v1/approvals/verify/{code}",
        "get",
        lambda c: {"code": c.approval.code},
        perm=False,
        kind="global",
    ),
]

# --- the register's Excel export (exports.py, G); scoping of its rows: review/tests/test_exports.py ---
PAGE_ROUTES += [Route("review:export", "get", kind="global")]
