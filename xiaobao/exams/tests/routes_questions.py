"""Scoping-quartet entries for the question bank's pages and API operations (combined by tests/routes.py).

Branch 1 holds a question of its own (`ctx.question`, stem marked B1QUESTIONMARK) tagged with a regulation
tag (`ctx.question_tag`), flagged for review (the regulation was marked revised after it was written). Tags
are one vocabulary shared by the whole institution: their routes are "global" (another branch's user sees
the same tags).
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1QUESTIONMARK"
POWER_PERMS = ["exams.view_exams", "exams.manage_questions"]


def setup(ctx: Any) -> None:
    import datetime

    import time_machine

    from conftest import make_user
    from xiaobao.exams.questions import question_create, regulation_revised, regulation_tag

    author = make_user("b1_question_author", ctx.org.b1, ["branch_cp_officer"])
    with time_machine.travel("2026-02-02 10:00 +0800", tick=False):
        ctx.question_tag = regulation_tag("《金融消费者权益保护实施办法》", "第二十条")
        ctx.question = question_create(
            actor=author,
            data={
                "kind": "single",
                "stem": f"{MARK} 金融消费者投诉的处理时限是多少日？",
                "options": ["7日", "15日", "30日"],
                "answer": [1],
                "explanation": "15日内作出处理决定。",
                "tags": [ctx.question_tag, "投诉处理"],
                "difficulty": 2,
            },
            unit=ctx.org.b1s,
        )
    # the regulation was revised since: the question is flagged (its page shows the "checked" form)
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        regulation_revised(ctx.question_tag, on=datetime.date(2026, 3, 1))
        ctx.question.refresh_from_db()


def _question(c: Any) -> dict[str, Any]:
    return {
        "kind": "single",
        "stem": "银行应当在多少日内处理投诉？",
        "options": ["7日", "15日"],
        "answer": [1],
        "tags": ["投诉处理"],
        "difficulty": 3,
    }


def _question_form(c: Any) -> dict[str, Any]:
    return {
        "kind": "single",
        "stem": "银行应当在多少日内处理投诉？",
        "option_0": "7日",
        "option_1": "15日",
        "correct_1": "on",
        "difficulty": "3",
        "new_tags": "投诉处理",
        "org_unit": c.org.b1.code,
    }


def _kw(c: Any) -> dict[str, Any]:
    return {"pk": c.question.pk}


PAGE_ROUTES: list[Route] = [
    Route("exams:questions", "get", kind="list", marker=lambda c: MARK),
    Route("exams:question_export", "get", kind="global"),
    Route("exams:question_template", "get", kind="global"),
    Route("exams:question_create", "get", kind="global"),
    Route("exams:question_create", "post", kind="global", data=_question_form, ok=(302,)),
    Route("exams:question_import", "get", kind="global"),
    Route("exams:question_detail", "get", _kw),
    Route("exams:question_edit", "get", _kw),
    Route(
        "exams:question_edit",
        "post",
        _kw,
        lambda c: {**_question_form(c), "stem": f"{MARK} 修改后的题干", "active": "on"},
        ok=(302,),
    ),
    Route("exams:question_reviewed", "post", _kw, ok=(302,)),
    Route("exams:question_tags", "get", kind="global"),
    Route(
        "exams:question_tags",
        "post",
        kind="global",
        data=lambda c: {"kind": "topic", "name": "适当性管理"},
        ok=(302,),
    ),
    Route("exams:question_tag_edit", "get", lambda c: {"pk": c.question_tag.pk}, kind="global"),
    Route(
        "exams:question_tag_revised",
        "post",
        lambda c: {"pk": c.question_tag.pk},
        lambda c: {"on": "2026-03-01"},
        kind="global",
        ok=(302,),
    ),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/questions", "get", kind="list", marker=lambda c: MARK),
    Route("POST /api/v1/questions", "post", kind="global", ok=(201,), data=_question),
    Route("GET /api/v1/questions/{question_id}", "get", lambda c: {"question_id": c.question.pk}),
    Route(
        "PUT /api/v1/questions/{question_id}",
        "put",
        lambda c: {"question_id": c.question.pk},
        lambda c: {"explanation": "处理时限为15日。"},
    ),
    Route("GET /api/v1/question-tags", "get", kind="global"),
    Route(
        "POST /api/v1/question-tags",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"kind": "topic", "name": "适当性管理"},
    ),
    Route(
        "POST /api/v1/question-tags/{tag_id}/revised",
        "post",
        lambda c: {"tag_id": c.question_tag.pk},
        lambda c: {"on": "2026-03-01"},
        kind="global",
    ),
]
