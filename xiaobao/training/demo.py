"""A year of staff training and exams for the demo bank, driven through the services.

`training_demo_load()` (training's `Module.demo`):
- the staff register (`training.staff.staff_create`): every demo account, linked to it, and about 270
  synthetic people in every unit — branch heads, department heads, outlet managers, tellers, wealth managers,
  new hires — each in a position layer; a few marked as left (`staff_deactivate`);
- the learner login `learner` (role learner, a new hire at 中关村网点, the demo password), printed with the
  other demo logins by `demo_load`;
- plans (`training.services.plan_create`): head office's for last year and this year with target hours per
  layer and courses, Beijing's own with a higher front-line target;
- about 60 sessions (`session_create`) over the last twelve months and the weeks ahead: head office's layered
  training (senior managers with an external expert, middle managers, new hires' onboarding, online lectures
  for everyone, an exam instead of a session) and each branch's and sub-branch's monthly sessions (lectures,
  case studies, role play); the attendance of every past session (signed on the QR page, imported from a
  sign-in list or entered by the organiser; a few people left early) written in one statement — the services
  record one person at a time with an audit row each, which for the year's ~3,600 attendances would take
  half a minute; today's session has its sign-in open and people signed in through the QR services
  (`signin_self` with an account, `signin_public` with employee number and name), the learner among them.

`exams_demo_load()` (exams' `Module.demo`, after training's):
- the question bank: about 250 questions (`demo_questions.py`, written from the rules' texts) imported from a
  workbook in the bank's Excel template (`exams.question_io.import_questions`), topic and regulation tags;
- 10 exams (`exams.services.exam_create` / `exam_publish`, set by head office and Beijing): quarterly tests
  drawn by rules, topic exams with fixed papers for layers, a new hires' exam, a contest of the branches, a
  practice paper open for weeks, and the quarter's exam open now; each candidate's attempt started, submitted
  and graded by the engine (`exams.attempts`) at its own past moment — some fail, some take a second
  attempt; practice answers and the attempt in progress now are saved one by one (`answer_save`), a finished
  exam's answers in one statement in the form `answer_save` stores them; the learner has the quarter's exam
  open and a wrong-answer book.

Both load once (skipped when synthetic staff or questions exist) and say what they made in a few seconds
(`--training N` sessions, `--exams N` exams; 0 for none).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from xiaobao.core.clock import localdate, recording_at
from xiaobao.core.demo import DEMO_PASSWORD, synthetic_name
from xiaobao.core.models import OrgUnit, User

DEFAULT_SESSIONS = 60
DEFAULT_EXAMS = 10
LEARNER = ("learner", "吴小雨", "B01-01-01")  # username, name, unit (中关村网点)
TARGETS = {"senior_management": "8", "middle_management": "12", "front_line": "16", "new_hire": "12"}
BEIJING_FRONT_LINE = "18"  # Beijing's own plan asks more of its front line
# the demo accounts' layers, by role
ROLE_LAYER = {
    "sysadmin": "middle_management",
    "hq_cp_officer": "middle_management",
    "branch_cp_officer": "middle_management",
    "auditor": "middle_management",
    "approver": "senior_management",
    "complaint_handler": "front_line",
    "business_responder": "front_line",
    "learner": "new_hire",
}
ROLE_POSITION = {
    "sysadmin": "系统管理员",
    "hq_cp_officer": "消保专员",
    "branch_cp_officer": "消保专员",
    "auditor": "审计师",
    "approver": "部门负责人",
    "complaint_handler": "投诉处理岗",
    "business_responder": "产品经理",
    "learner": "柜员",
}


def _rng_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max((end - start).days, 1)))


def _clock(hour: float) -> dt.time:
    """14.5 → 14:30."""
    minutes = round(hour * 60)
    return dt.time(minutes // 60 % 24, minutes % 60)


def _moment(day: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(day, _clock(hour), tzinfo=timezone.get_current_timezone())


def _weekday(day: dt.date, forward: bool = True) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1 if forward else -1)
    return day


# --- people -----------------------------------------------------------------------------------------------


def _organiser() -> User:
    return User.objects.get(username="hq_cp")


def ensure_learner() -> User:
    """The demo's learner login (role learner, the demo password): a new hire at an outlet."""
    from xiaobao.core.services.accounts import user_create

    username, name, unit_code = LEARNER
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    return user_create(
        actor=None,
        username=username,
        full_name=name,
        org_unit=OrgUnit.objects.get(code=unit_code),
        roles=["learner"],
        password=DEMO_PASSWORD,
    )


@dataclass
class _Numbers:
    next: int = 10001

    def take(self) -> str:
        self.next += 1
        return f"XB{self.next:05d}"


def _register_accounts(actor: User, numbers: _Numbers, today: dt.date) -> int:
    """A staff entry for every demo account without one, linked to it (its layer and position by role)."""
    from xiaobao.training.staff import staff_create

    n = 0
    users = User.objects.filter(staff_member__isnull=True, is_active=True).exclude(org_unit=None)
    for user in users.select_related("org_unit").prefetch_related("groups").order_by("pk"):
        role = next(iter(user.role_codes), "complaint_handler")
        layer = ROLE_LAYER.get(role, "front_line")
        hired = today - dt.timedelta(days=75) if layer == "new_hire" else dt.date(2012 + user.pk % 10, 7, 1)
        staff_create(
            actor=actor,
            data={
                "employee_no": numbers.take(),
                "name": user.full_name or user.username,
                "org_unit": user.org_unit,
                "layer": layer,
                "position": ROLE_POSITION.get(role, ""),
                "hire_date": hired,
                "username": user.username,
            },
        )
        n += 1
    return n


def _synthetic_people(unit: OrgUnit, rng: random.Random) -> list[tuple[str, str]]:
    """(layer, position) of the people a unit of this kind has (besides the demo accounts)."""
    if unit.kind == "head_office":
        return [
            ("senior_management", "行长"),
            ("senior_management", "副行长"),
            ("senior_management", "副行长"),
        ]
    if unit.kind == "department":
        people = [("middle_management", "部门负责人")] + [("front_line", "业务岗")] * rng.randint(2, 4)
        return people + [("new_hire", "业务岗")] * rng.randint(0, 1)
    if unit.kind == "branch":
        return (
            [("senior_management", "分行行长"), ("senior_management", "分行副行长")]
            + [("middle_management", "部门负责人")] * 3
            + [("front_line", "客户经理")] * rng.randint(4, 6)
        )
    if unit.kind == "sub_branch":
        return [("middle_management", "支行行长"), ("middle_management", "支行副行长")] + [
            ("front_line", "客户经理")
        ] * rng.randint(2, 4)
    people = [("middle_management", "网点负责人"), ("front_line", "大堂经理"), ("front_line", "理财经理")]
    people += [("front_line", "柜员")] * rng.randint(3, 6)
    return people + [("new_hire", "柜员")] * rng.randint(0, 2)


def _register_staff(actor: User, rng: random.Random, numbers: _Numbers, today: dt.date) -> int:
    from xiaobao.training.staff import staff_create

    n = 0
    for unit in OrgUnit.objects.filter(is_active=True).order_by("path"):
        for layer, position in _synthetic_people(unit, rng):
            if layer == "new_hire":
                hired = today - dt.timedelta(days=rng.randrange(20, 300))
            else:
                hired = _rng_date(rng, dt.date(2003, 1, 1), today - dt.timedelta(days=400))
            staff_create(
                actor=actor,
                data={
                    "employee_no": numbers.take(),
                    "name": synthetic_name(rng),
                    "org_unit": unit,
                    "layer": layer,
                    "position": position,
                    "hire_date": hired,
                },
            )
            n += 1
    # a few who left during the year stay in the register, inactive
    from xiaobao.training.models import StaffMember
    from xiaobao.training.staff import staff_deactivate

    leavers = list(StaffMember.objects.filter(user=None, layer__code="front_line").order_by("?")[:4])
    for person in leavers:
        staff_deactivate(actor=actor, staff=person)
    return n


def ensure_people(*, seed: int, today: dt.date, synthetic: bool = True) -> tuple[int, int]:
    """The learner login and the staff register (accounts; with `synthetic` the other people too), once."""
    from xiaobao.training.models import StaffMember

    ensure_learner()
    actor = _organiser()
    numbers = _Numbers(next=10000 + StaffMember.objects.count())
    accounts = _register_accounts(actor, numbers, today)
    others = 0
    if synthetic and not StaffMember.objects.filter(user=None).exists():
        others = _register_staff(actor, random.Random(seed), numbers, today)
    return accounts, others


# --- the question bank ------------------------------------------------------------------------------------

KIND_WORD = {"single": "单选", "multiple": "多选", "true_false": "判断", "blank": "填空"}


def question_workbook() -> bytes:
    """The demo questions as a workbook in the bank's Excel template (its column names, in Chinese)."""
    from openpyxl import Workbook

    from xiaobao.exams.question_io import COLUMNS, MAX_OPTIONS
    from xiaobao.training.demo_questions import QUESTIONS

    wb = Workbook()
    ws = wb.active
    with translation.override("zh-hans"):
        ws.append([str(c.label) for c in COLUMNS])
    for kind, stem, options, answer, explanation, difficulty, topics, regulation, article in QUESTIONS:
        if kind == "multiple":
            answer = ",".join(answer)
        values = {
            "kind": KIND_WORD[kind],
            "stem": stem,
            "answer": answer,
            "explanation": explanation,
            "difficulty": difficulty,
            "topics": topics if isinstance(topics, str) else "、".join(topics),
            "regulation": regulation,
            "article": article if regulation else "",
            **{f"option_{i}": (options[i] if i < len(options) else "") for i in range(MAX_OPTIONS)},
        }
        ws.append([values.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def import_bank(actor: User) -> list[int]:
    from xiaobao.exams.question_io import import_questions

    result = import_questions(actor=actor, unit=OrgUnit.objects.get(code="HO"), file=question_workbook())
    if not result.ok:  # the demo's own data: a mistake in it is a bug
        raise RuntimeError("; ".join(f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5]))
    return result.question_ids


# --- exams ------------------------------------------------------------------------------------------------


@dataclass
class ExamPlan:
    title: str
    kind: str  # exam | practice | contest
    unit: str  # organising unit's code
    opens: dt.datetime
    closes: dt.datetime
    minutes: int
    candidates: list[str]  # unit codes
    layers: list[str] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # fixed paper: questions of these topics
    count: int = 20  # fixed paper: how many
    pass_mark: int = 60
    attempts: int = 1
    scoring: str = "all_or_nothing"
    sit: float = 0.85  # share of candidates who sit it
    open_now: bool = False
    description: str = ""


def _rules(*parts: tuple[str, str, int, int]) -> list[dict[str, Any]]:
    return [
        {"tag": tag, "kind": kind, "count": count, "points": points} for tag, kind, count, points in parts
    ]


def exam_plans(today: dt.date, count: int) -> list[ExamPlan]:
    """The year's exams, oldest first; the practice paper and the exam open now are always among them."""

    def day(days_ago: int) -> dt.date:
        return _weekday(today - dt.timedelta(days=days_ago), forward=False)

    def window(days_ago: int, days: int = 0, until: float = 18) -> tuple[dt.datetime, dt.datetime]:
        d = day(days_ago)
        return _moment(d, 9), _moment(d + dt.timedelta(days=days), until)

    def quarter(days_ago: int) -> str:
        d = day(days_ago)
        return f"{d.year}年第{'一二三四'[(d.month - 1) // 3]}季度消保知识测试"

    all_units = ["HO"]
    branches = list(OrgUnit.objects.filter(kind="branch").order_by("code").values_list("code", flat=True))
    quarterly = _rules(
        ("投诉处理", "single", 6, 2),
        ("消费者八项权利", "single", 3, 2),
        ("营销宣传", "true_false", 4, 2),
        ("个人信息保护", "multiple", 3, 4),
        ("适当性管理", "single", 2, 2),
        ("消保审查", "true_false", 2, 2),
    )
    plans = [
        ExamPlan(
            quarter(335),
            "exam",
            "HO",
            *window(335),
            45,
            all_units,
            rules=quarterly,
            description="全体员工参加；题目按规则随机抽取。",
            sit=0.8,
        ),
        ExamPlan(
            "投诉处理专项考试",
            "exam",
            "HO",
            *window(270, days=3),
            40,
            all_units,
            layers=["front_line"],
            topics=["投诉处理"],
            count=20,
            pass_mark=70,
            attempts=2,
        ),
        ExamPlan(quarter(230), "exam", "HO", *window(230), 45, all_units, rules=quarterly, sit=0.8),
        ExamPlan(
            "个人信息保护专项考试（管理人员）",
            "exam",
            "HO",
            *window(180),
            30,
            all_units,
            layers=["senior_management", "middle_management"],
            topics=["个人信息保护"],
            count=15,
            scoring="partial",
        ),
        ExamPlan(quarter(125), "exam", "HO", *window(125), 45, all_units, rules=quarterly, sit=0.8),
        ExamPlan(
            "营销宣传合规考试（北京分行）",
            "exam",
            "B01",
            *window(95),
            30,
            ["B01"],
            topics=["营销宣传", "消保审查"],
            count=15,
        ),
        ExamPlan(
            "新员工消保入职考试",
            "exam",
            "HO",
            *window(75, days=4),
            30,
            all_units,
            layers=["new_hire"],
            topics=["消费者八项权利", "服务规范", "投诉处理"],
            count=15,
            attempts=2,
        ),
        ExamPlan(
            f"{day(45).year}年消保知识竞赛（初赛）",
            "contest",
            "HO",
            *window(45, until=12),
            30,
            branches,
            rules=_rules(
                ("投诉处理", "single", 8, 2),
                ("适当性管理", "multiple", 4, 4),
                ("营销宣传", "true_false", 6, 2),
                ("个人信息保护", "blank", 2, 4),
            ),
            sit=0.95,
        ),
        ExamPlan(
            "消保知识练习（错题可反复练）",
            "practice",
            "HO",
            _moment(day(60), 9),
            _moment(today + dt.timedelta(days=60), 18),
            20,
            all_units,
            topics=["双录与可回溯", "信息披露", "适当性管理"],
            count=10,
            pass_mark=0,
            attempts=5,
            sit=0.4,
        ),
        ExamPlan(
            quarter(1),
            "exam",
            "HO",
            _moment(day(1), 9),
            _moment(today + dt.timedelta(days=6), 18),
            45,
            all_units,
            rules=quarterly,
            sit=0.4,
            open_now=True,
            description="本季度考试已开放，请在截止前完成。",
        ),
    ]
    if count >= len(plans):
        return plans
    keep = {p.title for p in plans if p.kind != "exam" or p.open_now}
    past = [p for p in plans if p.title not in keep]
    return sorted(
        past[-max(count - len(keep), 0) :] + [p for p in plans if p.title in keep], key=lambda p: p.opens
    )


def _questions_of(topics: list[str], count: int, rng: random.Random) -> list[int]:
    from xiaobao.exams.models import Question

    ids = sorted(
        set(Question.objects.filter(tags__name__in=topics, active=True).values_list("pk", flat=True))
    )
    return sorted(rng.sample(ids, min(count, len(ids))))


def _create_exam(actor: User, plan: ExamPlan, rng: random.Random) -> Any:
    from xiaobao.exams.services import exam_create, exam_publish

    data: dict[str, Any] = {
        "title": plan.title,
        "kind": plan.kind,
        "description": plan.description,
        "org_unit": plan.unit,
        "opens_at": plan.opens,
        "closes_at": plan.closes,
        "time_limit_minutes": plan.minutes,
        "pass_mark": plan.pass_mark,
        "attempts_allowed": plan.attempts,
        "multiple_choice_scoring": plan.scoring,
        "candidate_units": plan.candidates,
        "candidate_layers": plan.layers,
        "seed": rng.randrange(1, 2**40),
    }
    if plan.rules:
        data["rules"] = plan.rules
    else:
        data["question_ids"] = _questions_of(plan.topics, plan.count, rng)
    with recording_at(plan.opens - dt.timedelta(days=7)):
        exam = exam_create(actor=actor, data=data)
        exam = exam_publish(actor=actor, exam=exam)
    return exam


def _answer(version: Any, right: bool, rng: random.Random) -> Any:
    """What a candidate answers, in the question's original option indexes (the stored form) or text: the
    key, or a plausible wrong answer (one option too many or too few, another option, a wrong word)."""
    from xiaobao.exams.grading import normalise_answer

    if version.kind == "blank":
        accepted = str(version.answer).split("|")
        if right:
            return accepted[0]
        return rng.choice([w for w in ("不知道", "无", "30", "七", "10") if w not in accepted])
    key = list(version.answer)
    shown = len(version.options)
    if right:
        return normalise_answer(version.kind, key)
    if version.kind == "multiple":
        wrong = sorted(set(key) ^ {rng.randrange(shown)}) or [i for i in range(shown) if i not in key][:1]
        return normalise_answer(version.kind, wrong)
    return [rng.choice([i for i in range(shown) if i not in key])]


def _right(version: Any, ability: float, rng: random.Random) -> bool:
    """Harder questions are missed more often."""
    return rng.random() < ability + (3 - version.difficulty) * 0.06


def _write_answers(items: list[Any]) -> None:
    """The items' answers and times in one statement run for every row (bulk_update's CASE per row costs
    more than the grading)."""
    from django.db import connection

    from xiaobao.exams.models import AttemptItem

    if not items:
        return
    meta = AttemptItem._meta
    answer, answered_at = meta.get_field("answer"), meta.get_field("answered_at")
    qn = connection.ops.quote_name
    columns = [qn(str(f.column)) for f in (answer, answered_at, meta.pk)]
    sql = f"UPDATE {qn(meta.db_table)} SET {columns[0]} = %s, {columns[1]} = %s WHERE {columns[2]} = %s"  # noqa: S608
    rows = [
        (
            answer.get_db_prep_save(item.answer, connection),
            answered_at.get_db_prep_save(item.answered_at, connection),
            item.pk,
        )
        for item in items
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _sit(
    user: User, exam: Any, start: dt.datetime, ability: float, rng: random.Random, *, finish: bool = True
) -> Any:
    """One attempt through the engine: started at `start` (`attempt_start_or_resume`), answered question
    by question about half a minute apart, submitted and graded (`attempt_submit`). Practice answers and an
    attempt left in progress go through `answer_save` one by one (practice gives its verdict at each
    answer); a finished exam's answers are written in one statement, in the form `answer_save` stores them
    (the demo's year would take minutes answer by answer) — grading reads them like any other."""
    from xiaobao.exams.attempts import answer_save, attempt_start_or_resume, attempt_submit, to_display
    from xiaobao.exams.models import AttemptItem

    with recording_at(start):
        attempt, _created = attempt_start_or_resume(user=user, exam_id=exam.pk, now=start)
    items = list(AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position"))
    one_by_one = exam.kind == "practice" or not finish
    at = start
    answered = []
    for item in items if finish else items[: max(len(items) // 3, 1)]:
        at += dt.timedelta(seconds=rng.randint(15, 75))
        if rng.random() < 0.03:
            continue  # left blank
        value = _answer(item.version, _right(item.version, ability, rng), rng)
        if one_by_one:
            shown = to_display(item.version.kind, item.option_order, value)
            with recording_at(at):
                answer_save(
                    user=user, attempt_id=attempt.pk, question_id=item.question_id, answer=shown, now=at
                )
        else:
            item.answer, item.answered_at = value, at
            answered.append(item)
    _write_answers(answered)
    if finish:
        at = min(at + dt.timedelta(seconds=rng.randint(20, 120)), attempt.ends_at)
        with recording_at(at):
            attempt = attempt_submit(attempt=attempt, now=at)
    return attempt


def _run_exam(
    exam: Any,
    plan: ExamPlan,
    now: dt.datetime,
    rng: random.Random,
    abilities: dict[int, float],
    learner: User,
) -> Counter[str]:
    from xiaobao.exams.models import ExamCandidate

    out: Counter[str] = Counter()
    users = [
        c.user for c in ExamCandidate.objects.filter(exam=exam).select_related("user").order_by("user_id")
    ]
    latest = min(plan.closes, now) - dt.timedelta(minutes=plan.minutes + 5)
    hired = learner.staff_member.hire_date if hasattr(learner, "staff_member") else None
    for user in users:
        if user.pk == learner.pk:
            if plan.open_now or (hired and plan.opens.date() < hired):
                continue  # the exam waiting for the learner; exams before the learner was hired
        elif rng.random() > plan.sit:
            continue
        if latest <= plan.opens:
            continue
        span = (latest - plan.opens).total_seconds()
        start = plan.opens + dt.timedelta(seconds=rng.uniform(0, span * (0.5 if plan.open_now else 1.0)))
        ability = abilities.setdefault(user.pk, rng.uniform(0.5, 0.9))
        if user.pk == learner.pk:
            ability = 0.45  # a new hire: fails once, then passes
        attempt = _sit(user, exam, start, ability, rng)
        out["attempts"] += 1
        retries = plan.attempts - 1
        while retries and not attempt.passed and plan.kind != "practice":
            again = attempt.submitted_at + dt.timedelta(hours=rng.randint(2, 48))
            if again >= latest:
                break
            attempt = _sit(user, exam, again, min(ability + 0.2, 0.97), rng)
            out["attempts"] += 1
            out["second attempts"] += 1
            retries -= 1
        out["passed" if attempt.passed else "failed"] += 1
        if plan.kind == "practice" and rng.random() < 0.4:
            _sit(user, exam, start + dt.timedelta(days=rng.randint(1, 20)), ability + 0.1, rng)
            out["attempts"] += 1
    if plan.open_now:  # someone is taking it right now
        busy = next(
            (u for u in users if u.pk != learner.pk and not exam.attempts.filter(user=u).exists()), None
        )
        if busy is not None:
            _sit(busy, exam, now - dt.timedelta(minutes=12), 0.8, rng, finish=False)
            out["in progress"] += 1
    return out


@dataclass
class ExamsDemo:
    questions: int = 0
    exams: int = 0
    attempts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


@transaction.atomic
def exams_demo_load(
    *, seed: int = 20261123, exams: int = DEFAULT_EXAMS, now: dt.datetime | None = None
) -> ExamsDemo:
    """The question bank and the year's exams with their attempts (see the module docstring)."""
    from xiaobao.exams.services import exam_close

    started = time.monotonic()
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    rng = random.Random(seed + 1)
    ensure_people(seed=seed, today=today, synthetic=False)
    actor = _organiser()
    learner = User.objects.get(username=LEARNER[0])
    out = ExamsDemo()
    with recording_at(now - dt.timedelta(days=365)):
        out.questions = len(import_bank(actor))
    abilities: dict[int, float] = {}
    for plan in exam_plans(today, exams):
        exam = _create_exam(
            actor if plan.unit == "HO" else User.objects.get(username="branch1_cp"), plan, rng
        )
        out.exams += 1
        out.attempts.update(_run_exam(exam, plan, now, rng, abilities, learner))
        if plan.closes <= now:
            with recording_at(plan.closes):
                exam_close(actor=None, exam=exam, now=plan.closes)
    out.seconds = time.monotonic() - started
    return out


# --- training ---------------------------------------------------------------------------------------------

COURSES = [
    # layer (None: everyone), title, topic, hours, month
    ("senior_management", "消费者权益保护履职要求与责任", "董事会与高管的消保职责、监管评价", "3", 3),
    ("middle_management", "消保审查实务", "产品设计、定价、协议、营销的消保审查", "2.5", 4),
    ("middle_management", "投诉溯源与整改", "投诉统计分析、溯源整改、考核", "2.5", 9),
    ("front_line", "投诉受理与处理规范", "受理、登记、时限、告知与核查", "2", 2),
    ("front_line", "营销宣传合规与适当性", "禁用语、风险提示、适当性、双录", "2", 5),
    ("front_line", "个人信息保护", "最小必要、单独同意、屏蔽展示", "2", 8),
    ("new_hire", "新员工消保入职培训", "八项权利、服务规范、投诉处理", "4", None),
    (None, "消保知识线上直播课", "案例讲解与政策解读", "1.5", None),
]
TOPICS = [
    ("投诉受理与处理规范", "投诉处理时限与告知要求"),
    ("营销宣传合规", "理财与保险营销禁用语"),
    ("适当性管理与双录", "风险评估、产品匹配与录音录像"),
    ("个人信息保护", "客户信息查询、展示与外发"),
    ("老年客户服务", "适老化服务与防范电信诈骗"),
    ("消费者八项权利", "典型侵权案例"),
    ("收费与信息披露", "收费公示、格式条款与年化利率"),
    ("投诉案例复盘", "本季度典型投诉案例"),
]
EXTERNAL = ["监管政策研究专家", "高校金融法学教授", "律师事务所合伙人", "消费者协会专家"]
LAYER_NAMES = {
    "senior_management": "高级管理人员",
    "middle_management": "中层管理人员",
    "front_line": "一线员工",
    "new_hire": "新入职员工",
}


@dataclass
class SessionPlan:
    day: dt.date
    unit: str  # organising unit's code
    title: str
    topic: str
    kind: str
    hours: str
    layers: list[str]  # empty: everyone
    mode: str = "onsite"
    trainer_kind: str = "internal"
    trainer_name: str = ""
    start: float = 14.0
    course: str = ""  # the plan course it delivers
    rate: float = 0.85  # share of the invited who attend
    invite: list[str] = field(default_factory=list)  # units whose people are invited (default: the unit's)


def session_plans(today: dt.date, count: int) -> list[SessionPlan]:
    """`count` sessions over the twelve months before today and the three weeks after: head office's
    layered training first, then each branch's and sub-branch's monthly sessions in turn."""
    first = today - dt.timedelta(days=360)

    def on(days_from_first: int) -> dt.date:
        return _weekday(first + dt.timedelta(days=days_from_first))

    ho: list[SessionPlan] = []
    for i, offset in enumerate((50, 230)):
        ho.append(
            SessionPlan(
                on(offset),
                "HO",
                "高级管理人员消保专题培训",
                COURSES[0][2],
                "lecture",
                "3",
                ["senior_management"],
                trainer_kind="external",
                trainer_name=EXTERNAL[i],
                start=9.5,
                course=COURSES[0][1],
                rate=0.9,
            )
        )
    for i, offset in enumerate((20, 110, 200, 290)):
        course = COURSES[1 + i % 2]
        ho.append(
            SessionPlan(
                on(offset),
                "HO",
                f"中层管理人员消保履职培训：{course[1]}",
                course[2],
                "case_study" if i % 2 else "lecture",
                course[3],
                ["middle_management"],
                trainer_kind="external" if i == 2 else "internal",
                trainer_name=EXTERNAL[2] if i == 2 else "林晓雯",
                course=course[1],
            )
        )
    for offset in (5, 95, 185, 275, 345):
        ho.append(
            SessionPlan(
                on(offset),
                "HO",
                "新员工消保入职培训",
                COURSES[6][2],
                "lecture",
                "4",
                ["new_hire"],
                start=9.0,
                trainer_name="邓若曦",
                course=COURSES[6][1],
                rate=0.95,
            )
        )
    for i, offset in enumerate(range(30, 360, 60)):
        title, topic = TOPICS[i % len(TOPICS)]
        ho.append(
            SessionPlan(
                on(offset),
                "HO",
                f"消保知识线上直播课：{title}",
                topic,
                "lecture",
                "1.5",
                [],
                mode="online",
                start=16.0,
                trainer_name="林晓雯",
                course=COURSES[7][1],
                rate=0.6,
            )
        )
    ho.append(
        SessionPlan(
            on(160),
            "HO",
            "以考代训：消保知识测试",
            "以考试代替集中培训",
            "exam_instead",
            "1",
            ["front_line"],
            mode="online",
            start=10.0,
            rate=0.7,
        )
    )
    departments = list(
        OrgUnit.objects.filter(kind="department", parent__parent=None)
        .order_by("code")
        .values_list("code", flat=True)
    )
    for i, offset in enumerate((65, 155, 245, 335)):
        title, topic = TOPICS[(i * 3) % len(TOPICS)]
        ho.append(
            SessionPlan(
                on(offset),
                "HO",
                f"总行机关员工消保培训：{title}",
                topic,
                "case_study" if i % 2 else "lecture",
                "2",
                ["middle_management", "front_line", "new_hire"],
                trainer_name="邓若曦",
                course=COURSES[3 + i % 3][1],
                invite=departments,
            )
        )
    upcoming = _weekday(today + dt.timedelta(days=9))
    ho.append(
        SessionPlan(
            upcoming,
            "HO",
            f"{upcoming.year}年度高级管理人员消保履职培训",
            COURSES[0][2],
            "lecture",
            "3",
            ["senior_management"],
            trainer_kind="external",
            trainer_name=EXTERNAL[3],
            start=9.5,
            course=COURSES[0][1],
        )
    )
    local: list[SessionPlan] = []
    branches = list(OrgUnit.objects.filter(kind="branch").order_by("code").values_list("code", "name"))
    subs = list(OrgUnit.objects.filter(kind="sub_branch").order_by("code").values_list("code", "name"))
    kinds = ["lecture", "case_study", "role_play"]
    for month in range(13):
        for b, (code, name) in enumerate(branches):
            day = _weekday(first + dt.timedelta(days=30 * month + 8 + 3 * b))
            title, topic = TOPICS[(month + b) % len(TOPICS)]
            kind = kinds[(month + b) % 3]
            local.append(
                SessionPlan(
                    day,
                    code,
                    f"{name}一线员工消保培训（{day.month}月）：{title}",
                    topic,
                    kind,
                    "2",
                    ["front_line", "middle_management", "new_hire"],
                    trainer_name="消保专员",
                    course=COURSES[3 + month % 3][1],
                )
            )
        code, name = subs[month % len(subs)]
        day = _weekday(first + dt.timedelta(days=30 * month + 20))
        title, topic = TOPICS[(month + 3) % len(TOPICS)]
        local.append(
            SessionPlan(
                day,
                code,
                f"{name}晨会消保微课堂：{title}",
                topic,
                "role_play",
                "1",
                ["front_line"],
                start=8.5,
                rate=0.9,
            )
        )
    # today's session with sign-in open (the QR page works in the demo)
    code, name = branches[0]
    title, topic = TOPICS[0]
    today_session = SessionPlan(
        today,
        code,
        f"{name}消保专题培训：{title}",
        topic,
        "case_study",
        "2",
        ["front_line", "middle_management", "new_hire"],
        start=15.0,
        trainer_name="赵敏",
    )
    chosen = ho[: max(count - 1, 0)]
    local = [p for p in local if p.day <= today + dt.timedelta(days=21)]
    wanted = min(max(count - 1 - len(chosen), 0), len(local))
    chosen += (
        [local[i * len(local) // wanted] for i in range(wanted)] if wanted else []
    )  # spread over the year
    return sorted([*chosen, today_session][:count] if count else [], key=lambda p: (p.day, p.start))


def _plans(actor: User, today: dt.date) -> tuple[int, dict[tuple[int, str], Any]]:
    """Head office's plans for last year and this year (targets per layer, courses) and Beijing's own plan
    for this year, through `plan_create`; → (plans, {(year, course title): course})."""
    from xiaobao.training.services import plan_create

    courses: dict[tuple[int, str], Any] = {}
    for year in (today.year - 1, today.year):
        with recording_at(_moment(dt.date(year - 1, 12, 15), 10)):
            plan = plan_create(
                actor=actor,
                data={
                    "year": year,
                    "org_unit": "HO",
                    "title": f"{year}年度员工消费者权益保护培训计划",
                    "notes": "分层分类开展消保培训：高级管理人员、中层管理人员、一线员工、新入职员工"
                    "每年至少一次。",
                    "targets": TARGETS,
                    "courses": [
                        {
                            "title": title,
                            "layer": layer or "",
                            "topic": topic,
                            "hours": hours,
                            "planned_month": month,
                        }
                        for layer, title, topic, hours, month in COURSES
                    ],
                },
            )
        courses.update({(year, c.title): c for c in plan.courses.all()})
    with recording_at(_moment(dt.date(today.year - 1, 12, 20), 10)):
        plan_create(
            actor=User.objects.get(username="branch1_cp"),
            data={
                "year": today.year,
                "org_unit": "B01",
                "title": f"北京分行{today.year}年度消保培训计划",
                "notes": "一线员工目标学时高于总行要求。",
                "targets": {"front_line": BEIJING_FRONT_LINE},
            },
        )
    return 3, courses


def _invited(plan: SessionPlan, people: list[tuple[int, str, str, bool, dt.date | None]]) -> list[int]:
    """The active staff of the units invited (by default the session unit's subtree) in its layers, hired by
    its day."""
    roots = tuple(OrgUnit.objects.filter(code__in=plan.invite or [plan.unit]).values_list("path", flat=True))
    return [
        pk
        for pk, path, layer, active, hired in people
        if active
        and path.startswith(roots)
        and (not plan.layers or layer in plan.layers)
        and (hired is None or hired <= plan.day)
    ]


def _session(plan: SessionPlan, by: User, course: Any, today: dt.date) -> Any:
    """The session through `session_create`, recorded a fortnight before it (its sign-in opened today)."""
    from xiaobao.training.services import session_create, session_signin_open

    layers = "、".join(LAYER_NAMES[c] for c in plan.layers) or "全体员工"
    with recording_at(_moment(plan.day, 9) - dt.timedelta(days=14)):
        session = session_create(
            actor=by,
            data={
                "title": plan.title,
                "topic": plan.topic,
                "kind": plan.kind,
                "org_unit": plan.unit,
                "date": plan.day,
                "start_time": _clock(plan.start),
                "end_time": _clock(plan.start + float(plan.hours)),
                "hours": plan.hours,
                "trainer_kind": plan.trainer_kind,
                "trainer_name": plan.trainer_name,
                "mode": plan.mode,
                "venue": "线上直播" if plan.mode == "online" else "培训室",
                "layers": plan.layers,
                "description": f"培训对象：{layers}。",
                "plan": course.plan if course else None,
                "course": course,
            },
        )
    if plan.day == today:
        with recording_at(_moment(today, plan.start - 0.5)):
            session_signin_open(actor=by, session=session, open=True)
    return session


def _sign_in_today(session: Any, invited: list[int], plan: SessionPlan, rng: random.Random) -> int:
    """Today's session is under way: a few people have signed in on the QR page (the learner among them),
    with their account or with employee number and name."""
    from xiaobao.training.models import StaffMember
    from xiaobao.training.services import signin_public, signin_self

    people = StaffMember.objects.filter(pk__in=invited).select_related("user").order_by("employee_no")
    signed = 0
    for person in people:
        if person.user is None and rng.random() > 0.3:
            continue
        at = min(_moment(plan.day, plan.start - rng.uniform(0.05, 0.25)), timezone.now())
        with recording_at(at):
            if person.user is not None:
                signin_self(user=person.user, session=session)
            else:
                signin_public(session=session, employee_no=person.employee_no, name=person.name)
        signed += 1
    return signed


def _attendance(
    session: Any, plan: SessionPlan, invited: list[int], by: User, learner: int | None, rng: random.Random
) -> list[Any]:
    """Who came to a past session, as its sign-in list, QR sign-ins or the organiser recorded them."""
    from xiaobao.training.models import Attendance

    method = "import" if plan.mode == "online" else rng.choice(["qr", "qr", "qr", "import", "manual"])
    rows = []
    for pk in invited:
        if rng.random() > plan.rate and pk != learner:  # the learner, a keen new hire, misses nothing
            continue
        hours = Decimal(plan.hours)
        if rng.random() < 0.04 and hours > 1:
            hours -= Decimal("0.5")  # left early
        rows.append(
            Attendance(
                session=session,
                staff_id=pk,
                date=plan.day,
                hours=hours,
                method=method,
                signed_at=_moment(plan.day, plan.start + rng.uniform(-0.2, 0.1)),
                recorded_by=None if method == "qr" else by,
            )
        )
    return rows


def _sessions(
    actor: User,
    plans: list[SessionPlan],
    courses: dict[tuple[int, str], Any],
    today: dt.date,
    rng: random.Random,
) -> tuple[Counter[str], int]:
    """The sessions through the services; the attendance of past ones written in one statement (the services
    record a person at a time with an audit row each: the demo's year of ~3,600 attendances would take
    half a minute), today's sign-ins through the QR services."""
    from xiaobao.training.models import Attendance, StaffMember

    people = list(
        StaffMember.objects.values_list("pk", "org_unit__path", "layer__code", "active", "hire_date")
    )
    organisers = {
        u.org_unit.code: u
        for u in User.objects.filter(username__in=[f"branch{i}_cp" for i in (1, 2, 3)]).select_related(
            "org_unit"
        )
    }
    learner = StaffMember.objects.filter(user__username=LEARNER[0]).values_list("pk", flat=True).first()
    counts: Counter[str] = Counter()
    rows: list[Attendance] = []
    signed = 0
    for plan in plans:
        branch = next((code for code in organisers if plan.unit.startswith(code)), "")
        by = organisers[branch] if branch else actor
        session = _session(plan, by, courses.get((plan.day.year, plan.course)), today)
        counts[plan.kind] += 1
        if plan.day == today:
            signed += _sign_in_today(session, _invited(plan, people), plan, rng)
        elif plan.day < today:
            rows += _attendance(session, plan, _invited(plan, people), by, learner, rng)
    Attendance.objects.bulk_create(rows, batch_size=2000)
    return counts, len(rows) + signed


@dataclass
class TrainingDemo:
    staff: int = 0
    accounts: int = 0
    plans: int = 0
    sessions: Counter[str] = field(default_factory=Counter)
    attendance: int = 0
    seconds: float = 0.0


@transaction.atomic
def training_demo_load(
    *, seed: int = 20261123, sessions: int = DEFAULT_SESSIONS, today: dt.date | None = None
) -> TrainingDemo:
    """The staff register, the plans and a year of sessions with their attendance (module docstring)."""
    started = time.monotonic()
    today = today or localdate()
    rng = random.Random(seed)
    out = TrainingDemo()
    out.accounts, out.staff = ensure_people(seed=seed, today=today)
    actor = _organiser()
    out.plans, courses = _plans(actor, today)
    out.sessions, out.attendance = _sessions(actor, session_plans(today, sessions), courses, today, rng)
    out.seconds = time.monotonic() - started
    return out


# --- the demo_load hooks ----------------------------------------------------------------------------------


def arguments(parser: Any) -> None:
    parser.add_argument(
        "--training",
        type=int,
        default=DEFAULT_SESSIONS,
        help=f"Demo training sessions over the last year, with the staff register and attendance (default "
        f"{DEFAULT_SESSIONS}; 0 for none). Skipped when the staff register has people already.",
    )
    parser.add_argument(
        "--exams",
        type=int,
        default=DEFAULT_EXAMS,
        help=f"Demo exams with the question bank and attempts (default {DEFAULT_EXAMS}; 0 for none). Skipped "
        "when the question bank has questions already.",
    )


def load(command: Any, *, seed: int = 20261123, training: int = DEFAULT_SESSIONS, **opts: Any) -> None:
    from xiaobao.training.models import StaffMember

    if training <= 0:
        return
    out = command.stdout
    if StaffMember.objects.filter(user=None).exists():
        out.write("Demo training already loaded.")
        return
    out.write(f"Loading the staff register and {training} demo training sessions …")
    r = training_demo_load(seed=seed, sessions=training)
    out.write(
        command.style.SUCCESS(
            f"Demo training loaded in {r.seconds:.1f} s: {r.staff + r.accounts} people in the staff register "
            f"({r.accounts} with a login), {r.plans} plans, {sum(r.sessions.values())} sessions, "
            f"{r.attendance:,} attendances."
        )
    )


def load_exams(command: Any, *, seed: int = 20261123, exams: int = DEFAULT_EXAMS, **opts: Any) -> None:
    from xiaobao.exams.models import Question

    if exams <= 0:
        return
    out = command.stdout
    if Question.objects.exists():
        out.write("Demo exams already loaded.")
        return
    out.write(f"Loading the question bank and {exams} demo exams …")
    r = exams_demo_load(seed=seed, exams=exams)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(r.attempts.items()))
    out.write(
        command.style.SUCCESS(
            f"Demo exams loaded in {r.seconds:.1f} s: {r.questions} questions, {r.exams} exams; {counts}. "
            f"The learner login `{LEARNER[0]}` has an exam open now."
        )
    )
