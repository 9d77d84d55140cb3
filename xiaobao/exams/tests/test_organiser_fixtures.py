"""Builders for the organisers' page tests: a head-office bank of 12 consumer-protection questions, 32
learners in two branches and head office (staff entries in the four layers), and a contest over the 12
questions taken by 30 of them — 28 submitted, 2 still taking it, 2 not started — through the engine's
services, with answers chosen so that the item analysis has something to flag: an item nearly everybody
gets right (too easy), one nearly nobody does (too hard), one the weaker candidates get right more often than
the stronger (negative discrimination).

Times: the contest is open 2026-03-02 09:00 – 2026-03-09 18:00 (+08:00), 30 minutes per attempt; attempts
start from 10:00 on the opening day. Tests travel to 2026-03-02 12:00 +0800 after building it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from conftest import make_user

TZ = dt.timezone(dt.timedelta(hours=8))
OPENS = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
CLOSES = dt.datetime(2026, 3, 9, 18, 0, tzinfo=TZ)
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
LATER = "2026-03-02 12:00 +0800"  # after every attempt of the fixture

QUESTIONS: list[tuple[str, str, list[str], Any, int, tuple[str, ...]]] = [
    # kind, stem, options, answer, difficulty, tags
    ("true_false", "金融消费者享有财产安全权。", ["正确", "错误"], [0], 1, ("消费者权利",)),
    (
        "single",
        "《银行保险机构消费投诉处理管理办法》规定，复杂投诉的处理期限最长可延长至多少日？",
        ["15日", "30日", "45日", "60日"],
        [1],
        5,
        ("投诉处理",),
    ),
    (
        "single",
        "银行业保险业消费投诉处理工作的第一责任人是：",
        ["分管副行长", "主要负责人", "消保部门负责人", "客服中心主任"],
        [1],
        3,
        ("投诉处理",),
    ),
    (
        "multiple",
        "下列属于金融消费者基本权利的有：",
        ["知情权", "自主选择权", "公平交易权", "无理由退款权"],
        [0, 1, 2],
        3,
        ("消费者权利",),
    ),
    (
        "single",
        "银行保险机构应当自收到投诉之日起多少日内作出处理决定？",
        ["7日", "15日", "30日", "60日"],
        [1],
        2,
        ("投诉处理",),
    ),
    ("true_false", "理财产品宣传材料可以使用“保本”“无风险”等表述。", ["正确", "错误"], [1], 1, ("营销宣传",)),
    (
        "blank",
        "金融机构收集消费者个人金融信息，应当遵循合法、正当、____的原则。",
        [],
        "必要",
        4,
        ("个人信息保护",),
    ),
    (
        "multiple",
        "向老年客户销售理财产品时应当：",
        ["评估风险承受能力", "录音录像", "代为签字", "充分揭示风险"],
        [0, 1, 3],
        3,
        ("营销宣传",),
    ),
    (
        "single",
        "金融机构不得通过格式条款：",
        ["明确告知费用", "免除自身责任、加重消费者责任", "提示重要条款", "以显著方式标注"],
        [1],
        2,
        ("消费者权利",),
    ),
    (
        "true_false",
        "消费者撤回对个人信息处理的同意后，金融机构应当停止处理。",
        ["正确", "错误"],
        [0],
        2,
        ("个人信息保护",),
    ),
    (
        "single",
        "金融消费者权益保护工作应纳入公司治理、企业文化建设和：",
        ["经营发展战略", "年度团建", "广告投放", "网点装修"],
        [0],
        3,
        ("消费者权利",),
    ),
    (
        "multiple",
        "投诉处理结果告知投诉人时应包含：",
        ["处理结果", "依据和理由", "救济途径", "处理人的手机号"],
        [0, 1, 2],
        4,
        ("投诉处理",),
    ),
]
EASY_ITEM, HARD_ITEM, NEGATIVE_ITEM = 0, 1, 2  # indexes into QUESTIONS
LAYERS = ("front_line", "middle_management", "new_hire", "senior_management")


def make_bank(unit: Any, by: Any) -> list[Any]:
    """The 12 questions, each with its first version (as the bank's services keep them)."""
    from xiaobao.exams.models import Question, QuestionVersion, Tag

    out = []
    for kind, stem, options, answer, difficulty, tags in QUESTIONS:
        q = Question.objects.create(
            org_unit=unit,
            kind=kind,
            stem=stem,
            options=options,
            answer=answer,
            explanation="依据《银行保险机构消费者权益保护管理办法》。",
            difficulty=difficulty,
            created_by=by,
        )
        for name in tags:
            tag, _ = Tag.objects.get_or_create(kind="topic", name=name)
            q.tags.add(tag)
        version = QuestionVersion.objects.create(
            question=q,
            number=1,
            kind=kind,
            stem=stem,
            options=options,
            answer=answer,
            explanation=q.explanation,
            difficulty=difficulty,
        )
        q.current_version = version
        q.save(update_fields=["current_version"])
        out.append(q)
    return out


def make_learner(username: str, unit: Any, layer: str, number: str) -> Any:
    from xiaobao.training.models import PositionLayer, StaffMember

    user = make_user(username, unit, ["learner"])
    user.full_name = f"学员{username[-2:]}"
    user.save(update_fields=["full_name"])
    StaffMember.objects.create(
        employee_no=number,
        name=user.full_name,
        org_unit=unit,
        layer=PositionLayer.objects.get(code=layer),
        user=user,
    )
    return user


def make_learners(org: Any) -> list[Any]:
    """32 learners: 14 in branch 1 (branch, sub-branch, outlet), 2 in head office, 16 in branch 2 (the last
    four, in its sub-branch, are the two taking it and the two not started)."""
    units = [org.b1] * 4 + [org.b1s] * 5 + [org.b1o] * 5 + [org.cpd] * 2 + [org.b2] * 8 + [org.b2s] * 8
    return [
        make_learner(f"learner{i:02d}", unit, LAYERS[i % len(LAYERS)], f"1000{i:02d}")
        for i, unit in enumerate(units)
    ]


def _answer(q: Any, right: bool, rng: random.Random) -> Any:
    """An answer in ORIGINAL option indexes (the fixture converts to display order): the key, or wrong."""
    if q.kind == "blank":
        return q.answer if right else "合理"
    if right:
        return list(q.answer)
    wrong = [i for i in range(len(q.options)) if i not in q.answer]
    return [rng.choice(wrong)] if q.kind != "multiple" else [q.answer[0], wrong[0]]


def _right(i: int, j: int, rng: random.Random) -> bool:
    skill = 0.2 + 0.75 * i / 29  # learner i of 30: weaker to stronger
    if j == EASY_ITEM:
        return i != 3
    if j == HARD_ITEM:
        return i == 29
    if j == NEGATIVE_ITEM:
        return skill < 0.55
    return rng.random() < skill + (0.35 - 0.1 * QUESTIONS[j][4])


def take_contest(
    exam: Any, learners: list[Any], questions: list[Any], *, submitted: int = 28, started: int = 30
) -> list[Any]:
    """The first `started` learners start (one a minute from 10:00) and answer every question (learner i
    of 30 is right more often the higher i); the first `submitted` of them submit after 8–22 minutes."""
    from xiaobao.exams.attempts import answer_save, attempt_start_or_resume, attempt_submit, to_display
    from xiaobao.exams.models import AttemptItem

    rng = random.Random(20260302)
    by_id = {q.pk: (j, q) for j, q in enumerate(questions)}
    attempts = []
    for i, user in enumerate(learners[:started]):
        at = START + dt.timedelta(minutes=i)
        attempt, _ = attempt_start_or_resume(user=user, exam_id=exam.pk, now=at)
        for item in AttemptItem.objects.filter(attempt=attempt).order_by("position"):
            j, q = by_id[item.question_id]
            original = _answer(q, _right(i, j, rng), rng)
            shown = to_display(q.kind, item.option_order or [], original)
            answer_save(
                user=user,
                attempt_id=attempt.pk,
                question_id=q.pk,
                answer=shown,
                now=at + dt.timedelta(minutes=1),
            )
        if i < submitted:
            attempt = attempt_submit(attempt=attempt, now=at + dt.timedelta(minutes=8 + i % 15))
        attempts.append(attempt)
    return attempts


def make_contest(org: Any, organiser: Any, *, kind: str = "contest") -> dict[str, Any]:
    """The whole fixture: bank, learners, the published contest and its 30 attempts."""
    import time_machine

    from xiaobao.exams.services import exam_create, exam_publish

    questions = make_bank(org.ho, organiser)
    learners = make_learners(org)
    with time_machine.travel("2026-03-01 09:00 +0800", tick=False):
        exam = exam_create(
            actor=organiser,
            data={
                "title": "2026年消保知识竞赛初赛",
                "kind": kind,
                "org_unit": org.ho.code,
                "question_ids": [q.pk for q in questions],
                "points": ["10" if j in (HARD_ITEM, 11) else "5" for j in range(len(questions))],
                "opens_at": OPENS,
                "closes_at": CLOSES,
                "time_limit_minutes": 30,
                "pass_mark": 60,
                "candidates": [u.username for u in learners],
                "multiple_choice_scoring": "all_or_nothing",
                "seed": 20260302,
            },
        )
        exam = exam_publish(actor=organiser, exam=exam)
    attempts = take_contest(exam, learners, questions)
    return {"exam": exam, "questions": questions, "learners": learners, "attempts": attempts}
