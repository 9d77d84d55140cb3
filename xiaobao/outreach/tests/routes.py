"""Scoping-quartet entries for outreach (see core/tests/route_table.py).

A complaint of branch 1 (ctx.outreach_complaint, in B1-S1) with a drafted decision, the complainant's e-mail
and one sent acknowledgement (ctx.sending, written directly: the sweep has no mail server). Its reference is
the marker the other branch's log must not show. The console e-mail backend of the tests takes what is sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["outreach.manage_outreach", "outreach.view_sending"]


def setup(ctx: Any) -> None:
    from xiaobao.complaints.services import complaint_register, complaint_transition
    from xiaobao.outreach.models import Sending

    c, _ = complaint_register(
        actor=ctx.b1_user,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": ctx.org.b1s.code,
            "complainant": {"name": "钱七", "email": "qian.qi@example.com"},
            "request": "请求",
            "description": "描述",
        },
    )
    complaint_transition(actor=ctx.b1_user, complaint=c, action="accept", data={})
    draft = {"verification": "核实", "basis": "依据", "result": "退还年费"}
    complaint_transition(actor=ctx.b1_user, complaint=c, action="draft", data=draft)
    c.refresh_from_db()
    ctx.outreach_complaint = c
    s = Sending(
        complaint=c,
        kind="acknowledgement",
        channel="email",
        recipient_masked="q*******@example.com",
        subject="受理告知",
        body="已受理",
        status="sent",
        attempts=1,
        provider_ref="<route@bank.example>",
        sent_at=dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC),
    )
    s.recipient_email = "qian.qi@example.com"  # type: ignore[assignment]
    s.save()
    ctx.sending = s


def _template_id(ctx: Any) -> dict[str, Any]:
    from xiaobao.outreach.models import MessageTemplate
    from xiaobao.outreach.services import templates_ensure

    templates_ensure()
    return {"pk": MessageTemplate.objects.get(kind="acknowledgement", channel="email").pk}


def _template_api(ctx: Any) -> dict[str, Any]:
    return {"template_id": _template_id(ctx)["pk"]}


PAGE_ROUTES: list[Route] = [
    Route("outreach:home", "get", kind="list", marker=lambda c: c.outreach_complaint.reference),
    Route("outreach:settings", "get", kind="global"),
    Route(
        "outreach:settings",
        "post",
        kind="global",
        data=lambda c: {
            "sender_name": "消保部",
            "sms_format": "json",
            "sms_body": '{"p": "{phone}", "t": "{text}"}',
            "sms_timeout": "10",
        },
        ok=(302,),
    ),
    Route(
        "outreach:test_send",
        "post",
        kind="global",
        data=lambda c: {"channel": "email", "address": "test@example.com"},
        ok=(302,),
    ),
    Route("outreach:templates", "get", kind="global"),
    Route("outreach:template_edit", "get", _template_id, kind="global"),
    Route(
        "outreach:send",
        "post",
        lambda c: {"pk": c.outreach_complaint.pk},
        lambda c: {"kind": "decision", "channel": "email"},
        ok=(302,),
    ),
    Route("outreach:resend", "post", lambda c: {"pk": c.sending.pk}, ok=(302,)),
]

API_ROUTES: list[Route] = [
    Route(
        "GET /api/v1/complaints/{complaint_id}/sendings",
        "get",
        lambda c: {"complaint_id": c.outreach_complaint.pk},
    ),
    Route(
        "POST /api/v1/complaints/{complaint_id}/sendings",
        "post",
        lambda c: {"complaint_id": c.outreach_complaint.pk},
        lambda c: {"kind": "decision", "channel": "email"},
        ok=(202,),
    ),
    Route(
        "GET /api/v1/outreach/sendings", "get", kind="list", marker=lambda c: c.outreach_complaint.reference
    ),
    Route("GET /api/v1/outreach/settings", "get", kind="global"),
    Route(
        "PATCH /api/v1/outreach/settings", "patch", kind="global", data=lambda c: {"sender_name": "消保部"}
    ),
    Route("GET /api/v1/outreach/templates", "get", kind="global"),
    Route("GET /api/v1/outreach/templates/{template_id}", "get", _template_api, kind="global"),
    Route(
        "PATCH /api/v1/outreach/templates/{template_id}",
        "patch",
        _template_api,
        kind="global",
        data=lambda c: {"body": "您的投诉{reference}已受理。"},
    ),
]
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()
