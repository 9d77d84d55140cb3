"""Test objects for the exam engine: questions written straight to the bank (Question + its first
QuestionVersion, as the bank's services keep them), learners with a staff entry, exams set through the
engine's services.

Times default to an exam open from 2026-03-02 09:00 to 2026-03-09 18:00 (+08:00), 30 minutes per attempt:
tests travel to 2026-03-02 10:00 +0800 (time_machine) before using them.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conftest import make_user

TZ = dt.timezone(dt.timedelta(hours=8))
OPENS = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
CLOSES = dt.datetime(2026, 3, 9, 18, 0, tzinfo=TZ)
_numbers = itertools.count(1)

DEFAULTS: dict[str, tuple[list[str], Any]] = {
    "single": (["A 选项", "B 选项", "C 选项", "D 选项"], [1]),
    "multiple": (["A 选项", "B 选项", "C 选项", "D 选项"], [0, 2]),
    "true_false": (["正确", "错误"], [0]),
    "blank": ([], "十五|15"),
}


def make_question(
    *,
    unit: Any,
    by: Any,
    kind: str = "single",
    stem: str | None = None,
    options: list[str] | None = None,
    answer: Any = None,
    explanation: str = "依据《金融消费者权益保护实施办法》。",
    difficulty: int = 3,
    tags: tuple[str, ...] = (),
    active: bool = True,
) -> Any:
    from xiaobao.exams.models import Question, QuestionVersion, Tag

    default_options, default_answer = DEFAULTS[kind]
    question = Question.objects.create(
        org_unit=unit,
        kind=kind,
        stem=stem or f"第{next(_numbers)}题：金融消费者享有哪些权利？",
        options=default_options if options is None else options,
        answer=default_answer if answer is None else answer,
        explanation=explanation,
        difficulty=difficulty,
        active=active,
        created_by=by,
    )
    for name in tags:
        tag, _ = Tag.objects.get_or_create(kind="topic", name=name)
        question.tags.add(tag)
    version = QuestionVersion.objects.create(
        question=question,
        number=1,
        kind=question.kind,
        stem=question.stem,
        options=question.options,
        answer=question.answer,
        explanation=question.explanation,
        difficulty=question.difficulty,
    )
    question.current_version = version
    question.save(update_fields=["current_version"])
    return question


def make_learner(username: str, unit: Any, layer: str | None = "front_line") -> Any:
    """A user with the learner role and (when `layer`) a staff entry in that position layer."""
    from xiaobao.training.models import PositionLayer, StaffMember

    user = make_user(username, unit, ["learner"])
    if layer:
        StaffMember.objects.create(
            employee_no=f"E{username}",
            name=username,
            org_unit=unit,
            layer=PositionLayer.objects.get(code=layer),
            user=user,
        )
    return user


def exam_data(questions: list[Any], candidates: list[Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "消保知识测试",
        "question_ids": [q.pk for q in questions],
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "time_limit_minutes": 30,
        "pass_mark": 60,
        "candidates": [u if isinstance(u, str) else u.username for u in candidates],
        "multiple_choice_scoring": "all_or_nothing",
        "shuffle_questions": True,
        "shuffle_options": True,
        "seed": 20260302,
    }
    data.update(overrides)
    return data


def make_exam(
    *, by: Any, questions: list[Any], candidates: list[Any], publish: bool = True, **overrides: Any
):
    from xiaobao.exams.services import exam_create, exam_publish

    exam = exam_create(actor=by, data=exam_data(questions, candidates, **overrides))
    if publish:
        exam = exam_publish(actor=by, exam=exam)
    return exam


def points(value: str | int) -> Decimal:
    return Decimal(str(value))


def now() -> dt.datetime:
    return timezone.now()
