"""A person's training record: the year's sessions and hours against the target (nearest plan up the tree),
hours per year, exams with their best score and result (from the attempts of the linked account), the page
and its Excel export."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from xiaobao.training.records import record_workbook, training_record
from xiaobao.training.tests.test_staff_fixtures import NOW, exam_attempt, learner, person, plan, session

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def history(org, hq_officer, branch_officer):
    # given 王芳 at the outlet with an account: head office asks 12 h of front line, Beijing 8 h in 2026
    wang = person("100001", org.b1o, name="王芳")
    account = learner("100001", org.b1o)  # linked to 王芳 as it is created (username = employee number)
    wang.refresh_from_db()
    assert wang.user == account
    other = person("100002", org.b1o, name="李强")
    plan(org.ho, 2026, hq_officer, front_line="12")
    branch_plan = plan(org.b1, 2026, hq_officer, front_line="8")
    # sessions: two in 2026 (one external, online), one in 2025, one she missed
    session(org.b1, branch_officer, "2026-01-15", "3", "投诉处理实务", [wang, other], topic="投诉处理")
    session(
        org.ho,
        hq_officer,
        "2026-02-20",
        "2.5",
        "金融消费者权益保护实施办法解读",
        [wang],
        trainer_kind="external",
        trainer_name="某高校教授",
        mode="online",
    )
    session(org.b1, branch_officer, "2025-11-03", "4", "2025年度培训", [wang])
    session(org.b1, branch_officer, "2026-02-25", "2", "她没参加", [other])
    # exams: one passed at the second try, one failed, one open, one from 2025
    first = exam_attempt(account, org.cpd, hq_officer, "消保知识考试", 40, "2026-01-20 10:00")
    exam_attempt(account, org.cpd, hq_officer, "", 85, "2026-01-21 10:00", exam=first.exam)
    exam_attempt(account, org.cpd, hq_officer, "案例竞赛", 50, "2026-02-10 10:00", kind="contest")
    exam_attempt(account, org.cpd, hq_officer, "练习", None, "2026-03-01 10:00", kind="practice")
    exam_attempt(account, org.cpd, hq_officer, "旧考试", 90, "2025-12-01 10:00")
    return {"wang": wang, "account": account, "plan": branch_plan}


def test_the_years_record(history):
    record = training_record(history["wang"], 2026)
    # then: the year's two sessions, 5.5 hours against Beijing's 8 (the nearest plan)
    assert [s.title for s in record.sessions] == ["投诉处理实务", "金融消费者权益保护实施办法解读"]
    assert record.hours == Decimal("5.5")
    assert (record.target, record.plan, record.met, record.remaining) == (
        Decimal("8"),
        history["plan"],
        False,
        Decimal("2.5"),
    )
    assert record.percent == 68
    online = record.sessions[1]
    assert online.trainer.endswith("某高校教授") and online.hours == Decimal("2.5")
    # hours of every year, newest first
    assert [(y.year, y.sessions, y.hours) for y in record.years] == [
        (2026, 2, Decimal("5.5")),
        (2025, 1, Decimal("4")),
    ]
    # exams of the year: newest first, best score and passed over the attempts
    exams = {e.title: e for e in record.exams}
    assert set(exams) == {"消保知识考试", "案例竞赛", "练习"}
    assert (
        exams["消保知识考试"].attempts,
        exams["消保知识考试"].best_score,
        exams["消保知识考试"].passed,
    ) == (
        2,
        Decimal("85"),
        True,
    )
    assert exams["案例竞赛"].passed is False and exams["案例竞赛"].kind == "contest"
    assert exams["练习"].in_progress and exams["练习"].passed is None
    assert record.exams[0].title == "练习" and record.exams_passed == 1


def test_a_year_without_a_plan_or_training(history):
    record = training_record(history["wang"], 2024)
    assert (record.hours, record.target, record.met, record.percent, record.sessions, record.exams) == (
        Decimal("0"),
        None,
        None,
        None,
        [],
        [],
    )


def test_a_person_without_an_account_has_no_exams(org, hq_officer):
    wang = person("300001", org.b1)
    session(org.b1, hq_officer, "2026-01-15", "3", "培训", [wang])
    record = training_record(wang, 2026)
    assert record.exams == [] and record.hours == Decimal("3")


def test_the_workbook(history):
    content = record_workbook(training_record(history["wang"], 2026))
    wb = load_workbook(io.BytesIO(content))
    assert len(wb.worksheets) == 4
    summary = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert "100001" in summary.values() and 5.5 in summary.values() and 8 in summary.values()
    sessions = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [s[1] for s in sessions] == ["投诉处理实务", "金融消费者权益保护实施办法解读"]
    exams = list(wb.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert len(exams) == 3


def test_the_record_page_and_export(client_for, branch_officer, history):
    c = client_for(branch_officer)
    url = reverse("training:staff_record", args=[history["wang"].pk])
    response = c.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("王芳", "投诉处理实务", "消保知识考试", "案例竞赛", "北京分行2026年培训计划"):
        assert text in page
    assert "她没参加" not in page and "2025年度培训" not in page
    # another year
    older = c.get(url, {"year": "2025"}).content.decode()
    assert "2025年度培训" in older and "旧考试" in older and "投诉处理实务" not in older
    # a bad year falls back to this year
    assert c.get(url, {"year": "abc"}).context["record"].year == 2026
    export = c.get(reverse("training:staff_record_export", args=[history["wang"].pk]), {"year": "2025"})
    assert export.status_code == 200
    assert "2025" in export["Content-Disposition"]


def test_the_own_record_page_at_a_glance(client_for, history):
    response = client_for(history["account"]).get(reverse("training:my_record"))
    record = response.context["record"]
    assert (record.staff, record.hours, record.target) == (history["wang"], Decimal("5.5"), Decimal("8"))
    page = response.content.decode()
    assert "5.5" in page and "2.5" in page  # hours done and to go
