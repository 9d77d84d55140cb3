"""The organisers' training card on the home page (`training.figures.home_panel`): the next sessions of their
scope and the year's coverage so far, on the fixed set of test_figures_fixtures.py (today 2026-04-10)."""

from __future__ import annotations

import pytest
import time_machine

from xiaobao.training.figures import home_panel
from xiaobao.training.tests.test_figures_fixtures import NOW, build_training_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tset(org):
    return build_training_set(org)


def test_head_office_card_lists_upcoming_sessions_and_the_coverage_so_far(tset, hq_officer, client_for):
    # given head office on its home page
    # when
    html = client_for(hq_officer).get("/").content.decode()
    # then the next sessions from today (Beijing's with sign-in open) and the year's coverage: 3 of 5
    assert 'data-testid="training-home"' in html
    assert html.index("S4 北京分行四月培训") < html.index("S5 总行五月讲座")
    assert "S3 浦东支行培训" not in html  # March: past
    assert "签到中" in html
    assert "60.00%" in html and "5 人中 3 人已达到目标学时" in html
    assert 'data-testid="training-stats-link"' in html


def test_branch_card_shows_its_own_scope(tset, branch_officer):
    # given the Beijing officer
    # when
    panel = home_panel(branch_officer)
    # then Beijing's session only, Beijing's coverage (2 of 3 with a target)
    assert [s.title for s in panel["sessions"]] == ["S4 北京分行四月培训"]
    assert panel["unit"].code == "B1"
    assert (panel["coverage"].covered, panel["coverage"].people) == (2, 3)
    assert [r.key for r in panel["layers"]] == ["middle_management", "front_line"]


def test_no_card_for_a_learner(tset, client_for):
    # given a learner (no training figures)
    # when
    html = client_for(tset.learner).get("/").content.decode()
    # then
    assert home_panel(tset.learner) == {}
    assert 'data-testid="training-home"' not in html


def test_the_card_costs_a_few_queries(tset, hq_officer, django_assert_max_num_queries):
    # given / when / then
    from django.db import connection

    # sessions 1, units 1, coverage (its own few; on PostgreSQL a savepoint and SET LOCAL work_mem and jit)
    with django_assert_max_num_queries(16 if connection.vendor == "postgresql" else 12):
        home_panel(hq_officer)
