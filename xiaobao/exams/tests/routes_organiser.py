"""Scoping-quartet entries for the organisers' exam pages (combined by exams/tests/routes.py).

Branch 1 sets two exams (title marked B1ORGPAGEMARK) over a question of its own bank, for one learner of its
sub-branch: `ctx.organiser_draft` (a draft: edited and published by the allowed user) and
`ctx.organiser_exam` (published; the learner has submitted an attempt: results, analysis, ranking, export;
closed by the allowed user). Branch 2's power user finds neither (404) and no mark in the list.
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1ORGPAGEMARK"
POWER_PERMS = ["exams.view_exams", "exams.manage_exams"]
OPENS, CLOSES = "2026-03-02T09:00", "2026-03-09T18:00"


def setup(ctx: Any) -> None:
    import datetime as dt

    import time_machine

    from conftest import make_user
    from xiaobao.exams.attempts import answer_save, attempt_start_or_resume, attempt_submit, to_display
    from xiaobao.exams.models import AttemptItem
    from xiaobao.exams.services import exam_create, exam_publish
    from xiaobao.exams.tests.test_organiser_fixtures import make_bank

    organiser = make_user("b1_org_page_organiser", ctx.org.b1, ["branch_cp_officer"])
    learner = make_user("b1_org_page_learner", ctx.org.b1s, ["learner"])
    questions = make_bank(ctx.org.b1, organiser)[:3]
    tz = dt.timezone(dt.timedelta(hours=8))

    def data(title: str) -> dict[str, Any]:
        return {
            "title": f"{MARK} {title}",
            "kind": "contest",
            "org_unit": ctx.org.b1.code,
            "question_ids": [q.pk for q in questions],
            "opens_at": dt.datetime(2026, 3, 2, 9, 0, tzinfo=tz),
            "closes_at": dt.datetime(2026, 3, 9, 18, 0, tzinfo=tz),
            "time_limit_minutes": 30,
            "pass_mark": 60,
            "candidates": [learner.username],
        }

    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        ctx.organiser_draft = exam_create(actor=organiser, data=data("分行草稿"))
        exam = exam_publish(actor=organiser, exam=exam_create(actor=organiser, data=data("分行竞赛")))
        attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
        for item in AttemptItem.objects.filter(attempt=attempt).select_related("question"):
            q = item.question
            answer_save(
                user=learner,
                attempt_id=attempt.pk,
                question_id=q.pk,
                answer=to_display(q.kind, item.option_order or [], q.answer),
            )
        attempt_submit(attempt=attempt)
        ctx.organiser_exam = exam
    ctx.organiser_questions = questions
    ctx.organiser_learner = learner


def _save(c: Any) -> dict[str, Any]:
    """The draft's form as a browser posts it, saved."""
    return {
        "action": "save",
        "title": f"{MARK} 分行草稿（改）",
        "org_unit": c.org.b1.code,
        "kind": "exam",
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "time_limit_minutes": "20",
        "pass_mark": "60",
        "attempts_allowed": "1",
        "multiple_choice_scoring": "partial",
        "shuffle_questions": "on",
        "selection": "fixed",
        "question": [str(q.pk) for q in c.organiser_questions],
        **{f"points_{q.pk}": "2" for q in c.organiser_questions},
        "candidate_list": c.organiser_learner.username,
    }


def _draft(c: Any) -> dict[str, Any]:
    return {"pk": c.organiser_draft.pk}


def _exam(c: Any) -> dict[str, Any]:
    return {"pk": c.organiser_exam.pk}


PAGE_ROUTES: list[Route] = [
    Route("exams:list", "get", kind="list", marker=lambda c: MARK),
    Route("exams:exam_create", "get", kind="global"),
    Route(
        "exams:exam_create",
        "post",
        kind="global",
        data=lambda c: {**_save(c), "title": "新建考试"},
        ok=(302,),
    ),
    Route("exams:exam_detail", "get", _exam),
    # the draft's edit form before its detail page's publish form: the form sweep submits them in this order
    Route("exams:exam_edit", "get", _draft),
    Route("exams:exam_detail", "get", _draft),
    Route("exams:exam_edit", "post", _draft, _save, ok=(302,)),
    Route("exams:exam_publish", "post", _draft, ok=(302,)),
    Route("exams:exam_close", "post", _exam, ok=(302,)),
    Route("exams:exam_progress", "get", _exam),
    Route("exams:exam_results", "get", _exam),
    Route("exams:exam_results_export", "get", _exam),
    Route("exams:exam_analysis", "get", _exam),
    Route("exams:exam_ranking", "get", _exam),
]
API_ROUTES: list[Route] = []
