"""Scoping-quartet entries for the candidates' pages (see core/tests/route_table.py and tests/routes.py).

Branch 1 holds a learner (`ctx.cand_learner`, sub-branch B1-S1) who is a candidate of an exam set by head
office (title marked B1CANDMARK, three attempts allowed), has an attempt at it in progress
(`ctx.cand_attempt`) and a practice submitted with a wrong answer (`ctx.cand_done`; the question, stem marked
B1CANDMARK, is in the learner's wrong-answer book).

The candidates' pages only ever show the user's own exams and attempts. The allowed user (branch 1's power
user, with take_exam) is made a candidate and given attempts of its own by the routes' kwargs — called after
the test has created its acting user; in the anonymous, no-permission, other-branch and auditor tests no such
user exists and the routes point at the learner's exam and attempts, which those users must not reach (404).
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1CANDMARK"
POWER_PERMS = ["exams.take_exam"]


def setup(ctx: Any) -> None:
    from django.utils import timezone

    from conftest import make_user
    from xiaobao.exams.attempts import answer_save, attempt_start_or_resume, attempt_submit
    from xiaobao.exams.tests.test_candidate_fixtures import QUESTIONS, bank, paper

    author = make_user("hq_cand_author", ctx.org.cpd, ["hq_cp_officer"])
    learner = make_user("b1_cand_learner", ctx.org.b1s, ["learner"])
    marked = dict(QUESTIONS[2], stem=f"{MARK} {QUESTIONS[2]['stem']}")
    questions = bank(author, [QUESTIONS[0], QUESTIONS[1], marked])
    now = timezone.now()
    exam = paper(author, questions, [learner], now=now, title=f"{MARK} 消保知识测试", attempts_allowed=3)
    practice = paper(author, questions[2:], [learner], now=now, title=f"{MARK} 练习", kind="practice")
    ctx.cand_attempt, _ = attempt_start_or_resume(user=learner, exam_id=exam.pk)
    done, _ = attempt_start_or_resume(user=learner, exam_id=practice.pk)
    answer_save(user=learner, attempt_id=done.pk, question_id=questions[2].pk, answer=[0])  # wrong
    ctx.cand_done = attempt_submit(attempt=done)
    ctx.cand_exam, ctx.cand_practice, ctx.cand_learner = exam, practice, learner


def _power() -> Any:
    from xiaobao.core.models import User

    return User.objects.filter(username="power_b1").first()


def _exam(ctx: Any) -> dict[str, int]:
    """The exam; branch 1's power user, when the test has one, is made a candidate of it."""
    from xiaobao.exams.models import ExamCandidate

    power = _power()
    if power is not None:
        ExamCandidate.objects.get_or_create(exam=ctx.cand_exam, user=power)
    return {"pk": ctx.cand_exam.pk}


def _running(ctx: Any) -> dict[str, int]:
    """The power user's attempt in progress (else the learner's)."""
    from xiaobao.exams.attempts import attempt_start_or_resume

    power = _power()
    if power is None:
        return {"pk": ctx.cand_attempt.pk}
    _exam(ctx)
    attempt, _ = attempt_start_or_resume(user=power, exam_id=ctx.cand_exam.pk)
    return {"pk": attempt.pk}


def _submitted(ctx: Any) -> dict[str, int]:
    """The power user's submitted attempt (else the learner's practice)."""
    from xiaobao.exams.attempts import attempt_for, attempt_submit

    power = _power()
    if power is None:
        return {"pk": ctx.cand_done.pk}
    attempt = attempt_submit(attempt=attempt_for(power, _running(ctx)["pk"]))
    return {"pk": attempt.pk}


def _with_wrong_answer(ctx: Any) -> dict[str, int]:
    """Nothing in the URL; the power user's book gets the marked question to practise."""
    from django.utils import timezone

    from xiaobao.exams.models import WrongAnswer

    power = _power()
    if power is not None:
        question = ctx.cand_done.items.get().question
        WrongAnswer.objects.get_or_create(
            user=power, question=question, defaults={"last_wrong_at": timezone.now()}
        )
    return {}


PAGE_ROUTES: list[Route] = [
    Route("exams:my", "get", kind="list", marker=lambda c: MARK),
    Route("exams:wrong_answers", "get", kind="list", marker=lambda c: MARK),
    Route("exams:start", "get", _exam),
    Route("exams:start", "post", _exam, ok=(302,)),
    Route("exams:take", "get", _running),
    Route("exams:submit", "post", _running, ok=(302,)),
    Route("exams:result", "get", _submitted),
    Route("exams:wrong_practice", "post", _with_wrong_answer, kind="global", ok=(302,)),
]
API_ROUTES: list[Route] = []
