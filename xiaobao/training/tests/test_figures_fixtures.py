"""A small fixed set of training and exams for the figures, statistics, export, report-section and home
panel tests (rows written directly on the models; dates pinned, "today" is 2026-04-10).

Head office's 2026 plan: front line 4 h, middle management 6 h (no target for new hires or senior managers).

Staff (active unless said): f1 front line B1-S1 (account u_f1), f2 front line B1-S1-O1, m1 middle B1 (u_m1),
n1 new hire B1, f4 front line B1 inactive, f3 front line B2-S1 (u_f3), m2 middle B2, s1 senior HO-CPD.
u_x is a B1 account without a staff entry.

Sessions:
- S0 B1 lecture 2 h, 02-10: f2.
- S1 HO-CPD lecture by an external expert 3 h, 03-05: f1, f3, m2, s1.
- S2 B1 case study online 2 h, 03-10: f1, f2, m1, n1.
- S3 B2-S1 lecture 2 h, 03-20: f3.
- S4 B1 lecture 2 h, 04-20 (upcoming), S5 HO-CPD 05-08 (upcoming).

March: 3 sessions, 7 h; 9 person-times (B1 5, B2 3, HO-CPD 1), 7 people, 22 h attended.
Coverage 2026: people with a target f1 f2 m1 (B1) f3 m2 (B2) = 5; reached: f1 5 h, f2 4 h, f3 5 h = 3 (60 %).

Exams (opening in March unless said; organiser in brackets):
- E1 exam (HO-CPD) 03-15, two attempts allowed, candidates u_f1 u_f3 u_m1 u_x: u_f1 50 failed then 80
  passed, u_f3 40 failed, u_x 90 passed, u_m1 did not sit.
- E2 contest (B1) 03-25, candidates u_f1 u_m1: u_m1 70 passed, u_f1 still in progress.
- P1 practice (HO-CPD) 03-12: u_f1 submitted (never counted in rates).
- D1 draft (HO-CPD) 03-18: not counted.
- E0 exam (HO-CPD) 02-20: u_f3 passed.
- E3 exam (HO-CPD) open now (04-09 → 04-30): candidates u_f1 (learner) and u_x; u_x used its one attempt.
March, head office: exams 2 (1 contest), practice 1, invited 6, examined 4, passed 3 (75 %), attempts 5.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from conftest import make_user
from xiaobao.exams.models import Attempt, Exam, ExamCandidate
from xiaobao.training.models import (
    Attendance,
    LayerTarget,
    PositionLayer,
    StaffMember,
    TrainingPlan,
    TrainingSession,
)

CST = ZoneInfo("Asia/Shanghai")
NOW = "2026-04-10 10:00 +0800"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def layer(code: str) -> PositionLayer:
    return PositionLayer.objects.get(code=code)


def staff(no: str, unit, code: str, *, active: bool = True, user=None) -> StaffMember:
    return StaffMember.objects.create(
        employee_no=no, name=f"员工{no}", org_unit=unit, layer=layer(code), active=active, user=user
    )


def session(unit, actor, day: str, hours: str, title: str, attendees=(), **extra) -> TrainingSession:
    s = TrainingSession.objects.create(
        title=title,
        org_unit=unit,
        date=dt.date.fromisoformat(day),
        hours=Decimal(hours),
        created_by=actor,
        **extra,
    )
    for person in attendees:
        Attendance.objects.create(
            session=s, staff=person, date=s.date, hours=s.hours, method="manual", signed_at=timezone.now()
        )
    return s


def exam(unit, actor, title: str, opens: str, closes: str, *, kind="exam", status="closed", **extra) -> Exam:
    return Exam.objects.create(
        title=title,
        kind=kind,
        status=status,
        org_unit=unit,
        opens_at=at(opens),
        closes_at=at(closes),
        time_limit_minutes=30,
        pass_mark=60,
        created_by=actor,
        **extra,
    )


def invite(e: Exam, *users) -> None:
    for u in users:
        ExamCandidate.objects.create(exam=e, user=u, team=None)


def attempt(e: Exam, user, number: int, score: int | None, *, start: str, done: bool = True) -> Attempt:
    staff_member = StaffMember.objects.filter(user=user).first()
    started = at(start)
    return Attempt.objects.create(
        exam=e,
        user=user,
        number=number,
        status="submitted" if done else "in_progress",
        seed=number,
        started_at=started,
        ends_at=started + dt.timedelta(minutes=e.time_limit_minutes),
        submitted_at=started + dt.timedelta(minutes=20) if done else None,
        points=Decimal(score) if done else None,
        max_points=Decimal(100),
        score=Decimal(score) if done else None,
        passed=(score >= e.pass_mark) if done and score is not None else None,
        org_unit=user.org_unit,
        layer=staff_member.layer if staff_member else None,
    )


def build_training_set(org) -> SimpleNamespace:
    actor = make_user("fig_organiser", org.cpd, ["hq_cp_officer"])
    plan = TrainingPlan.objects.create(
        year=2026, org_unit=org.ho, title="2026年消保培训计划", created_by=actor
    )
    LayerTarget.objects.create(plan=plan, layer=layer("front_line"), target_hours=Decimal("4"))
    LayerTarget.objects.create(plan=plan, layer=layer("middle_management"), target_hours=Decimal("6"))
    u_f1 = make_user("fig_learner", org.b1s, ["learner"])
    u_m1 = make_user("fig_m1", org.b1, ["complaint_handler"])
    u_f3 = make_user("fig_f3", org.b2s, ["learner"])
    u_x = make_user("fig_x", org.b1, ["complaint_handler"])
    f1 = staff("F001", org.b1s, "front_line", user=u_f1)
    f2 = staff("F002", org.b1o, "front_line")
    m1 = staff("M001", org.b1, "middle_management", user=u_m1)
    n1 = staff("N001", org.b1, "new_hire")
    staff("F004", org.b1, "front_line", active=False)
    f3 = staff("F003", org.b2s, "front_line", user=u_f3)
    m2 = staff("M002", org.b2, "middle_management")
    s1 = staff("S001", org.cpd, "senior_management")
    session(org.b1, actor, "2026-02-10", "2", "S0 二月消保培训", [f2])
    session(org.cpd, actor, "2026-03-05", "3", "S1 消保专题讲座", [f1, f3, m2, s1], trainer_kind="external")
    session(
        org.b1,
        actor,
        "2026-03-10",
        "2",
        "S2 投诉案例分析",
        [f1, f2, m1, n1],
        kind="case_study",
        mode="online",
    )
    session(org.b2s, actor, "2026-03-20", "2", "S3 浦东支行培训", [f3])
    s4 = session(org.b1, actor, "2026-04-20", "2", "S4 北京分行四月培训", signin_open=True)
    s5 = session(org.cpd, actor, "2026-05-08", "2", "S5 总行五月讲座")
    e1 = exam(
        org.cpd, actor, "E1 三月消保知识考试", "2026-03-15 09:00", "2026-03-16 18:00", attempts_allowed=2
    )
    invite(e1, u_f1, u_f3, u_m1, u_x)
    attempt(e1, u_f1, 1, 50, start="2026-03-15 10:00")
    attempt(e1, u_f1, 2, 80, start="2026-03-15 11:00")
    attempt(e1, u_f3, 1, 40, start="2026-03-15 10:00")
    attempt(e1, u_x, 1, 90, start="2026-03-15 10:00")
    e2 = exam(org.b1, actor, "E2 北京分行知识竞赛", "2026-03-25 09:00", "2026-03-31 18:00", kind="contest")
    invite(e2, u_f1, u_m1)
    attempt(e2, u_m1, 1, 70, start="2026-03-25 10:00")
    attempt(e2, u_f1, 1, None, start="2026-03-31 17:55", done=False)
    p1 = exam(
        org.cpd, actor, "P1 练习", "2026-03-12 09:00", "2026-04-30 18:00", kind="practice", status="published"
    )
    invite(p1, u_f1)
    attempt(p1, u_f1, 1, 30, start="2026-03-12 10:00")
    exam(org.cpd, actor, "D1 草稿", "2026-03-18 09:00", "2026-03-19 18:00", status="draft")
    e0 = exam(org.cpd, actor, "E0 二月考试", "2026-02-20 09:00", "2026-02-21 18:00")
    invite(e0, u_f3)
    attempt(e0, u_f3, 1, 85, start="2026-02-20 10:00")
    e3 = exam(org.cpd, actor, "E3 四月考试", "2026-04-09 09:00", "2026-04-30 18:00", status="published")
    invite(e3, u_f1, u_x)
    attempt(e3, u_x, 1, 75, start="2026-04-09 10:00")
    return SimpleNamespace(
        org=org,
        actor=actor,
        learner=u_f1,
        u_m1=u_m1,
        u_f3=u_f3,
        u_x=u_x,
        e1=e1,
        e2=e2,
        e3=e3,
        p1=p1,
        s4=s4,
        s5=s5,
    )
