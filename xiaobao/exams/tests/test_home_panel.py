"""The home page's "exams open to me now" (`exams.figures.home_panel`, inside the to-do card): every user with
take_exam, learners too; on the fixed set of training/tests/test_figures_fixtures.py (today 2026-04-10)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from xiaobao.exams.figures import home_panel, open_exams
from xiaobao.training.tests.test_figures_fixtures import NOW, at, attempt, build_training_set, exam, invite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tset(org):
    return build_training_set(org)


def test_a_learner_sees_the_exam_open_now_on_the_home_page(tset, client_for):
    # given the learner, a candidate of E3 (open 04-09 → 04-30) with no attempt yet
    # when
    response = client_for(tset.learner).get("/")
    # then it is in the to-do card with a link to its start page; the practice used up and the exams closed
    # in March are not
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="exams-open"' in html and "我可参加的考试" in html
    assert "E3 四月考试" in html and f"/exams/my/{tset.e3.pk}/" in html
    assert "P1 练习" not in html and "E1 三月消保知识考试" not in html
    assert 'data-testid="todo-empty"' not in html


def test_an_attempt_in_progress_says_continue(tset):
    # given the learner started E3 ten minutes ago
    attempt(tset.e3, tset.learner, 1, None, start="2026-04-10 09:50", done=False)
    # when
    found = open_exams(tset.learner)
    # then
    assert [o.exam.title for o in found] == ["E3 四月考试"]
    assert found[0].in_progress is not None and found[0].attempts_left == 0


def test_used_up_not_a_candidate_draft_or_not_yet_open_are_left_out(tset, org):
    # given u_x used its one attempt at E3; a draft and a future exam for the learner; u_m1 is in none open
    exam(org.cpd, tset.actor, "草稿", "2026-04-01 09:00", "2026-04-30 18:00", status="draft")
    later = exam(org.cpd, tset.actor, "五月考试", "2026-05-01 09:00", "2026-05-02 18:00", status="published")
    invite(later, tset.learner)
    # when / then
    assert home_panel(tset.u_x) == {}
    assert home_panel(tset.u_m1) == {}
    assert [o.exam.title for o in open_exams(tset.learner)] == ["E3 四月考试"]
    # and once E3 closes, nothing is open
    assert open_exams(tset.learner, now=at("2026-04-30 18:00")) == []


def test_soonest_closing_first_and_a_count_beyond_five(tset, org):
    # given six more exams open to the learner, closing one day apart
    for i in range(6):
        e = exam(
            org.cpd,
            tset.actor,
            f"加试{i}",
            "2026-04-01 09:00",
            (dt.date(2026, 4, 20) + dt.timedelta(days=i)).isoformat() + " 18:00",
            status="published",
        )
        invite(e, tset.learner)
    # when
    panel = home_panel(tset.learner)
    # then five listed, soonest closing first, and how many more
    assert [o.exam.title for o in panel["exams"]] == [f"加试{i}" for i in range(5)]
    assert (panel["total"], panel["more"], panel["todo"]) == (7, 2, True)


def test_the_panel_costs_two_queries(tset, django_assert_max_num_queries):
    # given the learner's permissions already loaded
    tset.learner.has_perm("exams.take_exam")
    # when / then
    with django_assert_max_num_queries(2):
        home_panel(tset.learner)
