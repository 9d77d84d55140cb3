"""Demo surveys (`Module.demo`): head office's standard customer-satisfaction questionnaire (scales that count
for the satisfaction rate, choices, a comment), a questionnaire for education events, and for each demo branch
a satisfaction survey of its outlets' customers over the last three months with a few hundred synthetic
answers given at its outlets (per-unit links), a few with consent and a contact (sealed). An event survey on
an approved education activity when the education demo has one. Questionnaires and surveys go through the
services; answers are written in bulk in the form `response_submit` stores them (one statement each). Loads
once (skipped when a survey exists)."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiaobao.core.clock import localdate
from xiaobao.core.demo import synthetic_name, synthetic_phone
from xiaobao.core.models import OrgUnit, User
from xiaobao.surveys import services as svc
from xiaobao.surveys.models import Answer, Question, QuestionKind, Response, Survey, SurveyStatus

SATISFACTION = {
    "title": "网点客户满意度调查问卷",
    "intro": "感谢您在本行办理业务。请花一分钟评价本次服务，问卷匿名填写。",
    "questions": [
        {"kind": "scale", "text": "您对本次业务办理的整体满意度", "counts_for_satisfaction": True},
        {"kind": "scale", "text": "工作人员的服务态度", "counts_for_satisfaction": True},
        {"kind": "scale", "text": "业务办理效率（等候时间）", "counts_for_satisfaction": True},
        {
            "kind": "choice_one",
            "text": "工作人员是否向您充分说明了产品的风险和收费？",
            "options": ["充分说明", "有说明但不够清楚", "没有说明", "不适用"],
        },
        {
            "kind": "choice_many",
            "text": "您认为哪些方面需要改进？",
            "required": False,
            "options": ["等候时间", "服务态度", "业务流程", "网点环境", "适老化设施", "收费透明度"],
        },
        {"kind": "scale", "text": "您向亲友推荐本行的可能性", "scale_min": 0, "scale_max": 10},
        {"kind": "text", "text": "其他意见或建议", "required": False},
    ],
}
EVENT = {
    "title": "金融知识宣传活动反馈问卷",
    "intro": "感谢参加本次金融知识宣传活动，请告诉我们您的收获。",
    "questions": [
        {"kind": "scale", "text": "您对本次宣传活动的满意度", "counts_for_satisfaction": True},
        {
            "kind": "choice_many",
            "text": "本次活动中您最有收获的内容",
            "options": ["防范电信网络诈骗", "防范非法集资", "个人信息保护", "征信知识", "存款保险"],
        },
        {
            "kind": "choice_one",
            "text": "您以后还愿意参加类似活动吗？",
            "options": ["愿意", "看情况", "不愿意"],
        },
        {"kind": "text", "text": "您希望下次了解哪些金融知识？", "required": False},
    ],
}
COMMENTS = [
    "柜员很耐心，讲解清楚。",
    "排队时间有点长，希望多开窗口。",
    "大堂经理主动帮助老人填单，点赞。",
    "希望增加周末营业时间。",
    "手机银行操作指引可以再简单一些。",
    "环境整洁，服务热情。",
    "理财产品风险说明很详细。",
    "叫号系统偶尔失灵。",
]
EVENT_COMMENTS = ["养老诈骗防范", "手机银行安全使用", "如何识别理财骗局", "医保和社保卡知识"]


def _weights(rng: random.Random, values: list[int], good: float) -> int:
    """A rating skewed to the top of the scale (a bank's customers are mostly satisfied)."""
    top = values[-3:]
    if rng.random() < good:
        return rng.choice(top[1:]) if rng.random() < 0.8 else top[0]
    return rng.choice(values[: max(1, len(values) - 2)])


def _answers(rng: random.Random, questions: list[Question], good: float, comments: list[str]) -> list[Answer]:
    rows: list[Answer] = []
    for q in questions:
        options = list(q.options.all())
        if q.kind == QuestionKind.SCALE:
            rows.append(Answer(question=q, value=_weights(rng, q.scale_values, good)))
        elif q.kind == QuestionKind.CHOICE_ONE:
            rows.append(Answer(question=q, option=options[0] if rng.random() < good else rng.choice(options)))
        elif q.kind == QuestionKind.CHOICE_MANY:
            if not q.required and rng.random() < 0.4:
                continue
            for option in rng.sample(options, rng.randint(1, min(3, len(options)))):
                rows.append(Answer(question=q, option=option))
        elif rng.random() < 0.3:
            rows.append(Answer(question=q, text=rng.choice(comments)))
    return rows


def _respond(
    rng: random.Random, survey: Survey, units: list[OrgUnit], n: int, good: float, comments: list[str]
) -> int:
    questions = list(survey.questionnaire.questions.prefetch_related("options"))
    tz = timezone.get_current_timezone()
    days = max(1, (min(survey.closes_on, localdate()) - survey.opens_on).days + 1)
    pending: list[tuple[Response, list[Answer]]] = []
    for _ in range(n):
        day = survey.opens_on + dt.timedelta(days=rng.randrange(days))
        at = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=tz)
        consent = rng.random() < 0.06
        response = Response(
            survey=survey,
            org_unit=rng.choice(units),
            submitted_at=at,
            submitted_on=day,
            nonce=secrets.token_urlsafe(16),
            consent=consent,
        )
        if consent:
            response.contact_name = synthetic_name(rng)  # type: ignore[assignment]
            response.contact_phone = synthetic_phone(rng)  # type: ignore[assignment]
        pending.append((response, _answers(rng, questions, good, comments)))
    Response.objects.bulk_create([r for r, _ in pending])
    answers = []
    for response, rows in pending:
        for row in rows:
            row.response = response
            answers.append(row)
    Answer.objects.bulk_create(answers, batch_size=2000)
    return n


@transaction.atomic
def surveys_demo_load(*, seed: int = 20261124, today: dt.date | None = None) -> dict[str, int]:
    today = today or localdate()
    rng = random.Random(seed)
    hq = User.objects.filter(username="hq_cp").first() or User.objects.filter(is_superuser=True).first()
    if hq is None:
        return {}
    standard = svc.questionnaire_create(actor=hq, data={**SATISFACTION, "org_unit": hq.org_unit.code})
    event = svc.questionnaire_create(actor=hq, data={**EVENT, "org_unit": hq.org_unit.code})
    counts = {"surveys": 0, "responses": 0}
    branches = OrgUnit.objects.filter(kind="branch", is_active=True).order_by("path")
    for n, branch in enumerate(branches, start=1):
        officer = User.objects.filter(username=f"branch{n}_cp").first() or hq
        if not (officer.org_unit and branch.path.startswith(officer.org_unit.path)):
            officer = hq
        survey = svc.survey_create(
            actor=officer,
            data={
                "title": f"{branch.name}{today.year}年网点客户满意度调查",
                "questionnaire": standard.pk,
                "target": "outlet_customers",
                "org_unit": branch.code,
                "opens_on": today - dt.timedelta(days=85),
                "closes_on": today + dt.timedelta(days=20),
            },
        )
        svc.survey_set_status(actor=officer, survey=survey, status=SurveyStatus.OPEN)
        outlets = list(OrgUnit.objects.filter(path__startswith=branch.path, kind="outlet", is_active=True))
        counts["surveys"] += 1
        counts["responses"] += _respond(
            rng, survey, outlets or [branch], rng.randint(180, 320), 0.78 + 0.04 * (n % 3), COMMENTS
        )
    # an education event's audience, on an approved activity when the education demo made one
    from xiaobao.education.models import Activity

    activity = Activity.objects.filter(status="approved").order_by("-held_on").first()
    unit = activity.org_unit if activity else hq.org_unit
    held = activity.held_on if activity else today - dt.timedelta(days=10)
    survey = svc.survey_create(
        actor=hq,
        data={
            "title": f"{activity.title if activity else '金融知识进万家'}活动反馈",
            "questionnaire": event.pk,
            "target": "event_audience",
            "org_unit": unit.code,
            "activity": activity.pk if activity else None,
            "opens_on": held,
            "closes_on": held + dt.timedelta(days=7),
            "one_per_browser": False,
        },
    )
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status"])
    counts["responses"] += _respond(rng, survey, [unit], 46, 0.9, EVENT_COMMENTS)
    svc.survey_set_status(actor=hq, survey=survey, status=SurveyStatus.CLOSED)
    counts["surveys"] += 1
    return counts


def load(command: Any, *, seed: int = 20261124, **opts: Any) -> None:
    out = command.stdout
    if Survey.objects.exists():
        out.write("Demo surveys already loaded.")
        return
    counts = surveys_demo_load(seed=seed)
    out.write(
        command.style.SUCCESS(
            f"Demo surveys loaded: {counts.get('surveys', 0)} surveys, "
            f"{counts.get('responses', 0):,} answers."
        )
    )
