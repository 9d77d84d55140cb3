"""Scoping-quartet entries for the exams-and-attempts API (api_exams).

Branch 1 holds, set by its organiser `b1_exam_org`, with a question of branch 1's bank (`ctx.exam_question`):
- `ctx.exam`: published, open from an hour ago for two days (real time: the sweep runs unpinned), title
  marked B1EXAMMARK, its candidate `b1_exam_learner` having an attempt in progress (`ctx.attempt`);
- `ctx.exam_draft`: a draft.

Candidate routes act as branch 1's power user through `as_candidate` / `as_owner` (called from a route's
kwargs, i.e. after the test made its acting user): when the power user exists in that test it becomes a
candidate of the exam / the owner of the attempt; anybody else finds neither (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1EXAMMARK"
POWER_PERMS = ["exams.view_exams", "exams.manage_exams", "exams.take_exam"]


def setup(ctx: Any) -> None:
    from django.utils import timezone

    from conftest import make_user
    from xiaobao.exams.attempts import attempt_start_or_resume
    from xiaobao.exams.tests.factories import make_exam, make_learner, make_question

    organiser = make_user("b1_exam_org", ctx.org.b1, ["branch_cp_officer"])
    learner = make_learner("b1_exam_learner", ctx.org.b1s)
    question = make_question(unit=ctx.org.b1, by=organiser, kind="single", answer=[2])
    now = timezone.now()
    window = {"opens_at": now - dt.timedelta(hours=1), "closes_at": now + dt.timedelta(days=2)}
    ctx.exam_question = question
    ctx.exam_learner = learner
    ctx.exam = make_exam(
        by=organiser,
        questions=[question],
        candidates=[learner],
        title=f"{MARK} 消保知识测试",
        time_limit_minutes=600,
        **window,
    )
    ctx.exam_draft = make_exam(
        by=organiser,
        questions=[question],
        candidates=[learner],
        title=f"{MARK} 草稿",
        publish=False,
        **window,
    )
    ctx.attempt, _ = attempt_start_or_resume(user=learner, exam_id=ctx.exam.pk)


def _power() -> Any:
    from xiaobao.core.models import User

    return User.objects.filter(username="power_b1").first()


def as_candidate(exam: Any) -> dict[str, Any]:
    from xiaobao.exams.models import ExamCandidate

    user = _power()
    if user is not None:
        ExamCandidate.objects.get_or_create(exam=exam, user=user)
    return {"exam_id": exam.pk}


def as_owner(attempt: Any) -> dict[str, Any]:
    from xiaobao.exams.models import Attempt

    user = _power()
    if user is not None:
        Attempt.objects.filter(pk=attempt.pk).update(user=user)
    return {"attempt_id": attempt.pk}


def with_wrong_answer(ctx: Any) -> dict[str, Any]:
    from django.utils import timezone

    from xiaobao.exams.models import WrongAnswer

    user = _power()
    if user is not None:
        WrongAnswer.objects.get_or_create(
            user=user, question=ctx.exam_question, defaults={"last_wrong_at": timezone.now()}
        )
    return {}


def exam_body(ctx: Any) -> dict[str, Any]:
    from django.utils import timezone

    now = timezone.now()
    return {
        "title": "新的消保测试",
        "question_ids": [ctx.exam_question.pk],
        "opens_at": now.isoformat(),
        "closes_at": (now + dt.timedelta(days=1)).isoformat(),
        "time_limit_minutes": 30,
        "pass_mark": 60,
        "candidates": [ctx.exam_learner.username],
        "multiple_choice_scoring": "partial",
    }


PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = [
    Route("POST /api/v1/exams", "post", kind="global", ok=(201,), data=exam_body),
    Route("GET /api/v1/exams", "get", kind="list", marker=lambda c: MARK),
    Route("GET /api/v1/exams/{exam_id}", "get", lambda c: {"exam_id": c.exam.pk}),
    Route("PUT /api/v1/exams/{exam_id}", "put", lambda c: {"exam_id": c.exam_draft.pk}, exam_body),
    Route("POST /api/v1/exams/{exam_id}/publish", "post", lambda c: {"exam_id": c.exam_draft.pk}),
    Route("POST /api/v1/exams/{exam_id}/close", "post", lambda c: {"exam_id": c.exam.pk}),
    Route("GET /api/v1/exams/{exam_id}/results", "get", lambda c: {"exam_id": c.exam.pk}),
    Route("GET /api/v1/exams/{exam_id}/analysis", "get", lambda c: {"exam_id": c.exam.pk}),
    Route("GET /api/v1/exams/{exam_id}/ranking", "get", lambda c: {"exam_id": c.exam.pk}),
    Route("POST /api/v1/exams/{exam_id}/attempts", "post", lambda c: as_candidate(c.exam), ok=(200, 201)),
    Route("GET /api/v1/attempts/{attempt_id}", "get", lambda c: as_owner(c.attempt)),
    Route(
        "PUT /api/v1/attempts/{attempt_id}/answers/{question_id}",
        "put",
        lambda c: {**as_owner(c.attempt), "question_id": c.exam_question.pk},
        lambda c: {"answer": [1]},
    ),
    Route("POST /api/v1/attempts/{attempt_id}/submit", "post", lambda c: as_owner(c.attempt)),
    Route("GET /api/v1/me/exams", "get", kind="global"),
    Route("GET /api/v1/me/wrong-answers", "get", kind="global"),
    Route(
        "POST /api/v1/me/wrong-answers/practice",
        "post",
        lambda c: with_wrong_answer(c),
        kind="global",
        ok=(201,),
    ),
]
