"""The training and exams demo (`training.demo`, the modules' `demo` hooks): `xiaobao demo_load` loads a year
of training and exams once and prints the learner login; then what people see — the learner's home page with
the exam open now, their learning page and record, head office's home card and statistics section, a
branch's own figures — and the data behind it (staff in every layer, plans, sessions with attendance,
the question bank, exams of every kind with graded attempts)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from xiaobao.analytics.periods import Period
from xiaobao.core.demo import DEMO_PASSWORD
from xiaobao.core.models import User

pytestmark = pytest.mark.django_db

NOW = "2026-06-17 18:30 +0800"  # a Wednesday evening
TODAY = dt.date(2026, 6, 17)
# only this module's data (the others' demos have their own tests)
OPTIONS = {"complaints": 0, "reviews": 0, "inspections": 0, "sales_recording": 0, "training": 30, "exams": 10}


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def test_what_people_see_after_demo_load():
    """One load (a few seconds), checked from every side."""
    from io import StringIO

    # given the demo bank; when demo_load runs twice with this module's data only
    out, again = StringIO(), StringIO()
    call_command("demo_load", stdout=out, **OPTIONS)
    call_command("demo_load", stdout=again, **OPTIONS)
    # then
    _check_output(out.getvalue(), again.getvalue())
    _check_learner()
    _check_learner_record()
    _check_head_office()
    _check_branch()
    _check_data()


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD), username
    return client


def _check_output(out: str, again: str) -> None:
    # the first run loaded training and exams and lists the learner among the logins
    assert "Demo training loaded" in out and "Demo exams loaded" in out
    assert re.search(r"^\s+learner\s+", out, re.M)
    assert "The learner login `learner` has an exam open now." in out
    # and the second found them there
    assert "Demo training already loaded." in again and "Demo exams already loaded." in again


def _check_learner() -> None:
    # given the learner logged in with the demo password
    client = _login("learner")
    # when they open the home page and their learning page
    home = client.get("/").content.decode()
    mine = client.get("/exams/my/").content.decode()
    # then the quarter's exam is open to them, and they can start it
    assert "我可参加的考试" in home and "2026年第二季度消保知识测试" in home
    assert "2026年第二季度消保知识测试" in mine
    from xiaobao.exams.models import Exam

    exam = Exam.objects.get(title="2026年第二季度消保知识测试")
    assert f"/exams/my/{exam.pk}/" in home
    assert client.get(f"/exams/my/{exam.pk}/").status_code == 200
    # and nothing beyond a learner's menu: no statistics, no staff register
    assert client.get("/statistics/").status_code == 403
    assert client.get("/training/staff/").status_code == 403


def _check_learner_record() -> None:
    from xiaobao.exams.models import Attempt, WrongAnswer
    from xiaobao.training.models import StaffMember

    # given the learner: a new hire at 中关村网点 who sat the new hires' exam (failed once) and the contest
    learner = User.objects.get(username="learner")
    staff = StaffMember.objects.get(user=learner)
    # then
    assert staff.layer.code == "new_hire" and staff.org_unit.code == "B01-01-01"
    assert staff.attendances.exists()
    assert Attempt.objects.filter(user=learner, status="submitted").count() >= 2
    assert WrongAnswer.objects.filter(user=learner).exists()
    # and their own record page shows their name and their sessions
    html = _login("learner").get("/training/me/").content.decode()
    assert "吴小雨" in html and "新员工消保入职培训" in html


def _check_head_office() -> None:
    from xiaobao.training.figures import compute

    # given head office's consumer-protection officer
    client = _login("hq_cp")
    hq_cp = User.objects.get(username="hq_cp")
    # when they open the home page and this year's statistics
    home = client.get("/").content.decode()
    stats = client.get("/statistics/", {"period": "2026"}).content.decode()
    # then the card shows today's session with sign-in open, the next ones and the coverage so far
    assert 'data-testid="training-home"' in home and "签到中" in home
    assert "2026 年度学时达标情况" in home
    # and the statistics page has the training-and-exams section with the banks' sentence
    data = compute(user=hq_cp, unit=hq_cp.org_unit.parent, period=Period.year(2026))
    t = data.total
    assert t.sessions >= 10 and t.person_times >= 500 and t.exam.exams >= 4 and t.exam.examined >= 25
    assert 0.6 <= (t.exam.pass_rate or 0) < 1 and 0 < (t.coverage or 0) < 1
    assert data.sentence in stats and "开展培训" in data.sentence
    assert 'data-testid="table-training-units"' in stats
    assert all(name in stats for name in ("北京分行", "上海分行", "广州分行"))


def _check_branch() -> None:
    from xiaobao.training.figures import compute

    # given Beijing's officer
    branch = User.objects.get(username="branch1_cp")
    # when
    data = compute(user=branch, unit=branch.org_unit, period=Period.year(2026))
    html = _login("branch1_cp").get("/statistics/", {"period": "2026"}).content.decode()
    # then Beijing's sessions, people and results only, by its sub-branches
    assert data.total.sessions > 0 and data.total.exam.examined > 0
    assert {r.key for r in data.by_unit} <= {"B01-CP", "B01-01", "B01-02", "B01"}
    assert data.sentence in html


def _check_data() -> None:
    from xiaobao.exams.models import Attempt, Exam, Question, Tag
    from xiaobao.exams.results import ranking
    from xiaobao.training.models import Attendance, StaffMember, TrainingPlan, TrainingSession

    # staff in every layer, every account registered, a few who left
    assert set(StaffMember.objects.values_list("layer__code", flat=True)) == {
        "senior_management",
        "middle_management",
        "front_line",
        "new_hire",
    }
    # (service accounts such as the consumer portal's are programs, not staff)
    assert not User.objects.filter(is_active=True, is_service=False, staff_member__isnull=True).exists()
    assert StaffMember.objects.filter(active=False).exists()
    # plans with targets for this year and last; sessions over the past year and ahead, of several kinds
    assert set(TrainingPlan.objects.values_list("year", flat=True)) == {2025, 2026}
    sessions = TrainingSession.objects.all()
    assert sessions.count() == 30
    assert (
        sessions.filter(date__lt=TODAY - dt.timedelta(days=200)).exists()
        and sessions.filter(date__gt=TODAY).exists()
    )
    assert {"lecture", "case_study"} <= set(sessions.values_list("kind", flat=True))
    assert sessions.filter(trainer_kind="external").exists() and sessions.filter(mode="online").exists()
    # attendance of past sessions by every method; today's session has its sign-in open and the learner
    # among those signed in on the QR page
    assert not Attendance.objects.filter(date__gt=TODAY).exists()
    assert set(Attendance.objects.values_list("method", flat=True)) == {"qr", "import", "manual"}
    today = sessions.get(date=TODAY)
    assert today.signin_open and set(today.attendances.values_list("method", flat=True)) == {"qr"}
    assert today.attendances.filter(staff__user__username="learner").exists()
    # about 200 questions of every kind with topic and regulation tags
    assert Question.objects.count() >= 200
    assert set(Question.objects.values_list("kind", flat=True)) == {
        "single",
        "multiple",
        "true_false",
        "blank",
    }
    assert Tag.objects.filter(kind="regulation").count() >= 10
    # ten exams: a practice paper, a contest ranking three branches, one open now with one attempt in progress
    assert Exam.objects.count() == 10 and not Exam.objects.filter(status="draft").exists()
    assert Exam.objects.filter(kind="practice", status="published").exists()
    contest = Exam.objects.get(kind="contest")
    assert len(ranking(contest)["teams"]) == 3
    open_now = Exam.objects.get(title="2026年第二季度消保知识测试")
    assert open_now.status == "published" and open_now.attempts.filter(status="in_progress").count() == 1
    # every closed exam has graded attempts, some failed, some passed
    closed = Attempt.objects.filter(exam__status="closed")
    assert not closed.filter(status="in_progress").exists()
    assert closed.filter(passed=True).exists() and closed.filter(passed=False).exists()
    assert not closed.filter(submitted_at__gt=dt.datetime(2026, 6, 17, 10, 30, tzinfo=dt.UTC)).exists()
