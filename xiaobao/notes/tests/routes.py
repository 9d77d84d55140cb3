"""Scoping-quartet entries for notes and templates (see core/tests/route_table.py).

A complaint of branch 1 (ctx.noted_complaint, in B1-S1) with a drafted decision and a note by its clerk; a
template owned by branch 1 (B1TPLMARK) is the marker its list must not show to branch 2. The note's own
routes (edit, delete) belong to its author: the allowed user writes one of his own in `_own_note`.
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["notes.write_note", "notes.manage_replytemplate"]


def setup(ctx: Any) -> None:
    """A drafted complaint of B1-S1 of its own (the shared ctx.complaint stays as core's routes expect it)."""
    from xiaobao.complaints.services import complaint_register, complaint_transition
    from xiaobao.notes.services import note_add

    c, _ = complaint_register(
        actor=ctx.b1_user,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": ctx.org.b1s.code,
            "complainant": {"name": "赵六"},
            "request": "请求",
            "description": "描述",
        },
    )
    complaint_transition(actor=ctx.b1_user, complaint=c, action="accept", data={})
    draft = {"verification": "核实", "basis": "依据", "result": "退还年费", "remedies": ""}
    complaint_transition(actor=ctx.b1_user, complaint=c, action="draft", data=draft)
    c.refresh_from_db()
    ctx.noted_complaint = c
    ctx.note = note_add(actor=ctx.b1_user, complaint=c, text="内部备注")
    ctx.reply_template = _template(ctx)


def _template(ctx: Any) -> Any:
    """B1's template, written directly (no branch-1 manager exists in the sweep before the allowed user)."""
    from xiaobao.notes.models import ReplyTemplate

    return ReplyTemplate.objects.create(
        name="B1TPLMARK 信用卡",
        kind="decision",
        org_unit=ctx.org.b1,
        result="经核实，{{reference}}",
        created_by=ctx.b1_user,
    )


def _own_note(ctx: Any) -> dict[str, Any]:
    """A note of branch 1's power user (the allowed user; only the author may edit or delete a note)."""
    from xiaobao.core.models import User
    from xiaobao.notes.models import Note

    power = User.objects.filter(username="power_b1").first()
    if power is None:
        return {"pk": ctx.note.pk}
    note = Note.objects.create(complaint=ctx.noted_complaint, author=power, text="本人备注")
    return {"pk": note.pk}


def _own_note_api(ctx: Any) -> dict[str, Any]:
    return {"complaint_id": ctx.noted_complaint.pk, "note_id": _own_note(ctx)["pk"]}


PAGE_ROUTES: list[Route] = [
    Route(
        "notes:add", "post", lambda c: {"pk": c.noted_complaint.pk}, lambda c: {"text": "请核实"}, ok=(302,)
    ),
    Route("notes:mentions", "get", lambda c: {"pk": c.noted_complaint.pk}),
    Route("notes:edit", "get", _own_note),
    Route("notes:delete", "post", _own_note, ok=(302,)),
    Route(
        "notes:template_render",
        "get",
        lambda c: {"pk": c.noted_complaint.pk, "template_id": c.reply_template.pk},
    ),
    Route("notes:notice_docx", "get", lambda c: {"pk": c.noted_complaint.pk}),
    Route("notes:notice_pdf", "get", lambda c: {"pk": c.noted_complaint.pk}, ok=(200, 503)),
    Route("notes:templates", "get", kind="list", marker=lambda c: "B1TPLMARK"),
    Route("notes:template_create", "get", kind="global"),
    Route("notes:template_edit", "get", lambda c: {"pk": c.reply_template.pk}),
    Route("notes:template_preview", "get", lambda c: {"pk": c.reply_template.pk}),
    Route("notes:template_delete", "post", lambda c: {"pk": c.reply_template.pk}, ok=(302,)),
]

API_ROUTES: list[Route] = [
    Route(
        "GET /api/v1/complaints/{complaint_id}/notes",
        "get",
        lambda c: {"complaint_id": c.noted_complaint.pk},
    ),
    Route(
        "POST /api/v1/complaints/{complaint_id}/notes",
        "post",
        lambda c: {"complaint_id": c.noted_complaint.pk},
        lambda c: {"text": "请核实"},
        ok=(201,),
    ),
    Route(
        "PATCH /api/v1/complaints/{complaint_id}/notes/{note_id}",
        "patch",
        _own_note_api,
        lambda c: {"text": "已改"},
    ),
    Route(
        "DELETE /api/v1/complaints/{complaint_id}/notes/{note_id}",
        "delete",
        _own_note_api,
        ok=(204,),
    ),
    Route(
        "GET /api/v1/complaints/{complaint_id}/mention-candidates",
        "get",
        lambda c: {"complaint_id": c.noted_complaint.pk},
    ),
    Route("GET /api/v1/reply-templates", "get", kind="list", marker=lambda c: "B1TPLMARK"),
    Route(
        "POST /api/v1/reply-templates",
        "post",
        kind="global",
        data=lambda c: {"name": "新模板", "result": "经核实，{{reference}}"},
        ok=(201,),
    ),
    Route(
        "PATCH /api/v1/reply-templates/{template_id}",
        "patch",
        lambda c: {"template_id": c.reply_template.pk},
        lambda c: {"is_active": False},
    ),
    Route(
        "DELETE /api/v1/reply-templates/{template_id}",
        "delete",
        lambda c: {"template_id": c.reply_template.pk},
        ok=(204,),
    ),
    Route(
        "GET /api/v1/complaints/{complaint_id}/reply-templates/{template_id}/render",
        "get",
        lambda c: {"complaint_id": c.noted_complaint.pk, "template_id": c.reply_template.pk},
    ),
    Route(
        "GET /api/v1/complaints/{complaint_id}/notice.docx",
        "get",
        lambda c: {"complaint_id": c.noted_complaint.pk},
    ),
    Route(
        "GET /api/v1/complaints/{complaint_id}/notice.pdf",
        "get",
        lambda c: {"complaint_id": c.noted_complaint.pk},
        ok=(200, 503),
    ),
]
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()
