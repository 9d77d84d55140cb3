"""Shared builders for the candidates' page tests (pages, learner role, browser): a small bank of real
consumer-protection questions of every kind, written by a head-office officer through the bank's services, and
a published paper over them through the engine's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import make_user

QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "single",
        "stem": "银行保险机构应当自收到投诉之日起多少日内作出处理决定并告知投诉人（情况复杂的除外）？",
        "options": ["7日", "15日", "30日", "60日"],
        "answer": [1],
        "explanation": "《银行保险机构消费投诉处理管理办法》：收到投诉之日起15日内作出处理决定；"
        "情况复杂的可延长至30日。",
        "difficulty": 2,
        "tags": ["投诉处理"],
    },
    {
        "kind": "multiple",
        "stem": "下列属于金融消费者基本权利的有：",
        "options": ["财产安全权", "知情权", "自主选择权", "无条件退款权"],
        "answer": [0, 1, 2],
        "explanation": "八项基本权利：财产安全权、知情权、自主选择权、公平交易权、依法求偿权、受教育权、"
        "受尊重权、信息安全权。",
        "difficulty": 2,
        "tags": ["消费者权利"],
    },
    {
        "kind": "true_false",
        "stem": "银行可以在理财产品宣传材料中承诺保本保收益。",
        "answer": [1],
        "explanation": "不得以任何形式承诺保本保收益，理财非存款、产品有风险、投资须谨慎。",
        "difficulty": 1,
        "tags": ["营销宣传"],
    },
    {
        "kind": "blank",
        "stem": "金融消费者享有依法获得个人信息保护的权利，即____权。",
        "answer": "信息安全|个人信息安全",
        "explanation": "《中国人民银行金融消费者权益保护实施办法》规定了金融消费者的信息安全权。",
        "difficulty": 3,
        "tags": ["消费者权利"],
    },
    {
        "kind": "single",
        "stem": "向老年客户销售理财产品时，下列做法正确的是：",
        "options": ["只介绍收益不提示风险", "按规定进行风险评估并录音录像", "代客户签字", "承诺到期兑付"],
        "answer": [1],
        "explanation": "销售专区录音录像（双录）并在评估客户风险承受能力后匹配产品。",
        "difficulty": 2,
        "tags": ["营销宣传"],
    },
    {
        "kind": "true_false",
        "stem": "金融机构不得在格式合同中设置免除自身责任、加重消费者责任的不公平条款。",
        "answer": [0],
        "explanation": "格式条款不得不合理地免除或减轻自身责任、加重消费者责任、限制或排除消费者权利。",
        "difficulty": 1,
        "tags": ["公平交易"],
    },
]
# Display indexes of the key with options not shuffled: what a candidate taps to answer right.
RIGHT = {0: [1], 1: [0, 1, 2], 2: [1], 3: "信息安全", 4: [1], 5: [0]}


def learner(org: Any, username: str = "b1_learner", unit: Any = None) -> Any:
    """A member of a branch-1 sub-branch with the learner role only (take exams, see the own record)."""
    user = make_user(username, unit or org.b1s, ["learner"])
    user.full_name = "李学员"
    user.save(update_fields=["full_name"])
    return user


def bank(author: Any, questions: list[dict[str, Any]] | None = None) -> list[Any]:
    from xiaobao.exams.questions import question_create

    return [question_create(actor=author, data=dict(q)) for q in (questions or QUESTIONS)]


def paper(
    author: Any,
    questions: list[Any],
    candidates: list[Any],
    *,
    now: dt.datetime,
    title: str = "2026年消保知识测试",
    kind: str = "exam",
    minutes: int = 30,
    opens: dt.timedelta = dt.timedelta(hours=-1),
    closes: dt.timedelta = dt.timedelta(days=7),
    attempts_allowed: int = 1,
    pass_mark: int = 60,
    shuffle: bool = False,
) -> Any:
    """A published paper over `questions` (equal points, in order unless `shuffle`) for `candidates`."""
    from xiaobao.exams.services import exam_create, exam_publish

    exam = exam_create(
        actor=author,
        data={
            "title": title,
            "kind": kind,
            "question_ids": [q.pk for q in questions],
            "opens_at": (now + opens).isoformat(),
            "closes_at": (now + closes).isoformat(),
            "time_limit_minutes": minutes,
            "pass_mark": pass_mark,
            "attempts_allowed": attempts_allowed,
            "shuffle_questions": shuffle,
            "shuffle_options": shuffle,
            "candidates": [c.username for c in candidates],
        },
    )
    return exam_publish(actor=author, exam=exam)
