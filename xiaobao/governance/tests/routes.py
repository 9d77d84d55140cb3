"""Scoping-quartet entries for the governance pages and API operations (see core/tests/route_table.py).

Branch 1 holds a leadership group with a member, a meeting with a submitted action item (owned by the
branch-1 clerk, with evidence), a liaison and a supervisor with feedback; the allowed user — branch 1's power
user, who is not the item's owner — closes it."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
POWER_PERMS = [
    "governance.view_governance",
    "governance.manage_governance",
    "governance.work_actionitem",
    "governance.verify_actionitem",
]


def setup(ctx):
    from io import BytesIO

    from django.contrib.auth.models import Permission

    from conftest import make_user
    from xiaobao.core.models import User
    from xiaobao.governance import services as svc

    def with_perms(user, *codenames):
        for codename in codenames:
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label="governance", codename=codename)
            )
        return User.objects.get(pk=user.pk)

    keeper = with_perms(make_user("b1_gov_keeper", ctx.org.b1, []), "view_governance", "manage_governance")
    clerk = with_perms(ctx.b1_user, "view_governance", "work_actionitem")
    body = svc.body_create(
        actor=keeper,
        data={"kind": "leadership_group", "org_unit": ctx.org.b1.code, "name": "B1GOVMARK 领导小组"},
    )
    ctx.gov_member = svc.member_add(
        actor=keeper, body=body, data={"name": "王组长", "role": "leader", "term_start": "2026-01-01"}
    )
    meeting = svc.meeting_create(
        actor=keeper,
        body=body,
        data={
            "held_on": "2026-03-02",
            "kind": "regular",
            "title": "B1GOVMARK 一季度会议",
            "topics": "投诉分析",
        },
        minutes=BytesIO(PDF),
        minutes_name="minutes.pdf",
    )
    item = svc.action_item_open(
        actor=keeper,
        meeting=meeting,
        data={"title": "B1GOVMARK 整改投诉热点", "owner": clerk.username, "due_on": "2026-03-31"},
    )
    ctx.gov_evidence = svc.evidence_add(actor=clerk, item=item, fileobj=BytesIO(PDF), name="report.pdf")
    ctx.gov_item = svc.action_transition(actor=clerk, item=item, action="submit", data={"result": "已完成"})
    ctx.gov_body, ctx.gov_meeting = body, meeting
    ctx.gov_liaison = svc.liaison_add(
        actor=keeper,
        data={
            "org_unit": ctx.org.b1s.code,
            "name": "B1GOVMARK 联络员",
            "phone": "13800001111",
            "since": "2026-01-01",
        },
    )
    ctx.gov_supervisor = svc.supervisor_add(
        actor=keeper,
        data={
            "org_unit": ctx.org.b1.code,
            "name": "李监督",
            "occupation": "B1GOVMARK 教师",
            "term_start": "2026-01-01",
        },
    )
    ctx.gov_feedback = svc.feedback_add(
        actor=keeper,
        supervisor=ctx.gov_supervisor,
        data={
            "received_on": "2026-03-03",
            "channel": "phone",
            "content": "B1GOVMARK 等候时间长",
            "owner": clerk.username,
        },
    )


def _pdf(c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("more.pdf", PDF)}


MARK = "B1GOVMARK"


def _mark(c):
    return MARK


PAGE_ROUTES: list[Route] = [
    Route("governance:home", "get", kind="global"),
    Route("governance:bodies", "get", kind="list", marker=_mark),
    Route("governance:body", "get", lambda c: {"pk": c.gov_body.pk}),
    Route(
        "governance:member_add",
        "post",
        lambda c: {"pk": c.gov_body.pk},
        lambda c: {"name": "赵委员", "role": "member", "term_start": "2026-01-01"},
        ok=(302,),
    ),
    Route(
        "governance:member_end",
        "post",
        lambda c: {"pk": c.gov_member.pk},
        lambda c: {"day": "2026-06-30"},
        ok=(302,),
    ),
    Route("governance:meeting_new", "get", lambda c: {"pk": c.gov_body.pk}),
    Route("governance:meetings", "get", kind="list", marker=_mark),
    Route("governance:meeting", "get", lambda c: {"pk": c.gov_meeting.pk}),
    Route(
        "governance:item_new",
        "post",
        lambda c: {"pk": c.gov_meeting.pk},
        lambda c: {"title": "复核", "owner": c.b1_user.username, "due_on": "2026-04-30"},
        ok=(302,),
    ),
    Route("governance:minutes", "get", lambda c: {"pk": c.gov_meeting.pk}),
    Route("governance:items", "get", kind="list", marker=_mark),
    Route("governance:item", "get", lambda c: {"pk": c.gov_item.pk}),
    Route(
        "governance:item_action",
        "post",
        lambda c: {"pk": c.gov_item.pk, "action": "close"},
        lambda c: {"version": c.gov_item.version, "note": "核实"},
        ok=(302,),
    ),
    Route(
        "governance:evidence_upload",
        "post",
        lambda c: {"pk": c.gov_feedback.action_item.pk},
        _pdf,
        ok=(302,),
    ),
    Route("governance:evidence", "get", lambda c: {"pk": c.gov_item.pk, "evidence_id": c.gov_evidence.pk}),
    Route("governance:liaisons", "get", kind="list", marker=_mark),
    Route(
        "governance:liaison_end",
        "post",
        lambda c: {"pk": c.gov_liaison.pk},
        lambda c: {"day": "2026-06-30"},
        ok=(302,),
    ),
    Route("governance:supervisors", "get", kind="list", marker=lambda c: "B1GOVMARK 教师"),
    Route("governance:supervisor", "get", lambda c: {"pk": c.gov_supervisor.pk}),
    Route("governance:feedback", "get", kind="list", marker=_mark),
    Route("governance:export", "get", kind="global"),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/governance/bodies", "get", kind="list", marker=_mark),
    Route(
        "POST /api/v1/governance/bodies",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"kind": "board_committee", "org_unit": c.org.b1.code, "name": "委员会"},
    ),
    Route("GET /api/v1/governance/bodies/{body_id}", "get", lambda c: {"body_id": c.gov_body.pk}),
    Route(
        "POST /api/v1/governance/bodies/{body_id}/members",
        "post",
        lambda c: {"body_id": c.gov_body.pk},
        lambda c: {"name": "钱成员", "role": "member", "term_start": "2026-01-01"},
        ok=(201,),
    ),
    Route("GET /api/v1/governance/meetings", "get", kind="list", marker=_mark),
    Route(
        "POST /api/v1/governance/bodies/{body_id}/meetings",
        "post",
        lambda c: {"body_id": c.gov_body.pk},
        lambda c: {"held_on": "2026-03-05", "kind": "special", "title": "专题会", "topics": ["适老化"]},
        ok=(201,),
    ),
    Route("GET /api/v1/governance/meetings/{meeting_id}", "get", lambda c: {"meeting_id": c.gov_meeting.pk}),
    Route("GET /api/v1/governance/action-items", "get", kind="list", marker=_mark),
    Route(
        "POST /api/v1/governance/meetings/{meeting_id}/action-items",
        "post",
        lambda c: {"meeting_id": c.gov_meeting.pk},
        lambda c: {"title": "复核", "owner": c.b1_user.username},
        ok=(201,),
    ),
    Route("GET /api/v1/governance/action-items/{item_id}", "get", lambda c: {"item_id": c.gov_item.pk}),
    Route(
        "POST /api/v1/governance/action-items/{item_id}/actions/{action}",
        "post",
        lambda c: {"item_id": c.gov_item.pk, "action": "close"},
        lambda c: {"note": "核实"},
    ),
    Route(
        "POST /api/v1/governance/action-items/{item_id}/evidence",
        "post",
        lambda c: {"item_id": c.gov_feedback.action_item.pk},
        ok=(201,),
        extra={"multipart": True, "file": ("more.pdf", PDF)},
    ),
    Route("GET /api/v1/governance/liaisons", "get", kind="list", marker=_mark),
    Route(
        "POST /api/v1/governance/liaisons",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "org_unit": c.org.b1o.code,
            "name": "周联络",
            "phone": "13900002222",
            "since": "2026-02-01",
        },
    ),
    Route("GET /api/v1/governance/liaisons/gaps", "get", kind="list", marker=lambda c: c.org.b1o.code),
    Route("GET /api/v1/governance/supervisors", "get", kind="list", marker=lambda c: "B1GOVMARK 教师"),
    Route(
        "POST /api/v1/governance/supervisors",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "org_unit": c.org.b1.code,
            "name": "孙监督",
            "occupation": "退休干部",
            "term_start": "2026-01-01",
        },
    ),
    Route("GET /api/v1/governance/feedback", "get", kind="list", marker=_mark),
    Route(
        "POST /api/v1/governance/supervisors/{supervisor_id}/feedback",
        "post",
        lambda c: {"supervisor_id": c.gov_supervisor.pk},
        lambda c: {
            "received_on": "2026-03-04",
            "channel": "letter",
            "content": "建议增加爱心座椅",
            "owner": c.b1_user.username,
        },
        ok=(201,),
    ),
]
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()
