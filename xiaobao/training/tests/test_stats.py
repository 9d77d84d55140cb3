"""The training-and-exams section of the statistics page, on the fixed set of test_figures_fixtures.py."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import Permission

from conftest import make_user
from xiaobao.analytics.periods import Period
from xiaobao.core.models import User
from xiaobao.training.stats import stats_section
from xiaobao.training.tests.test_figures_fixtures import NOW, build_training_set

MARCH = Period.month(2026, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tset(org):
    return build_training_set(org)


def test_section_has_the_cards_with_the_change_on_the_previous_period(tset, hq_officer):
    # given / when March against February
    section = stats_section(user=hq_officer, unit=tset.org.ho, period=MARCH)
    # then
    assert section is not None
    cards = {c.key: c for c in section["cards"]}
    assert (cards["sessions"].figure.value, cards["sessions"].previous) == (3, 1)
    assert cards["sessions"].change == pytest.approx(2.0) and cards["sessions"].change_class == "up"
    assert (cards["person_times"].figure.value, cards["person_times"].previous) == (9, 1)
    assert cards["pass_rate"].previous == pytest.approx(1.0)  # February: one candidate, passed
    assert (
        cards["pass_rate"].change == pytest.approx(-0.25) and cards["pass_rate"].change_class == "down worse"
    )
    assert cards["headcount"].change is None or cards["headcount"].change_class in ("flat", "neutral")
    assert section["previous_period"] == Period.month(2026, 2)
    assert section["charts"]["by_unit"]["labels"] == ["北京分行", "上海分行", "消费者权益保护部"]
    assert section["charts"]["by_unit"]["values"] == [5, 3, 1]
    assert section["charts"]["by_layer"]["values"] == [0.0, 100.0]  # middle management, front line
    assert section["export_query"] == "unit=HO&period=2026-03"


def test_no_section_without_the_permission_or_outside_the_scope(tset, branch_officer, org):
    # given a member of staff without training permissions, and the Beijing officer asking for Shanghai
    nobody = make_user("fig_nobody", org.b1, [])
    # when / then
    assert stats_section(user=nobody, unit=org.b1, period=MARCH) is None
    assert stats_section(user=branch_officer, unit=org.b2, period=MARCH) is None


def test_statistics_page_shows_the_section_with_the_sentence_and_drill_down(tset, hq_officer, client_for):
    # given head office on the statistics page for March 2026
    # when
    response = client_for(hq_officer).get("/statistics/", {"period": "2026-03"})
    # then the section is there with the banks' sentence, the tables and the drill-down to each branch
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="training-figures"' in html
    assert "开展培训 3 场、覆盖 9 人次、考试 2 场、通过率 75%" in html
    assert 'data-testid="table-training-units"' in html and 'data-testid="table-training-layers"' in html
    assert "/statistics/?unit=B2&amp;period=2026-03#training-figures" in html
    assert "学时达标率" in html and "考试通过率" in html and "一线员工" in html


def test_drilling_down_to_a_branch_shows_its_units(tset, hq_officer, client_for):
    # given head office following the drill-down link to Beijing
    # when
    html = client_for(hq_officer).get("/statistics/", {"period": "2026-03", "unit": "B1"}).content.decode()
    # then Beijing's figures by its own units
    assert "开展培训 1 场、覆盖 5 人次、考试 1 场、通过率 100%" in html
    assert "海淀支行" in html and "北京分行（本级）" in html


def test_branch_statistics_page_counts_its_own_only(tset, branch_officer, client_for):
    # given the Beijing officer
    # when
    html = client_for(branch_officer).get("/statistics/", {"period": "2026-03"}).content.decode()
    # then Shanghai is neither counted nor named
    assert "开展培训 1 场、覆盖 5 人次、考试 1 场、通过率 100%" in html
    assert "上海分行" not in html


def test_section_is_absent_for_a_statistics_user_without_training_access(tset, org, client_for):
    # given a complaints statistics user with no training permission
    user = make_user("fig_stats_only", org.b1, [])
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="complaints", codename="view_complaint")
    )
    user = User.objects.get(pk=user.pk)
    # when
    html = client_for(user).get("/statistics/", {"period": "2026-03"}).content.decode()
    # then
    assert 'data-testid="training-figures"' not in html


def test_the_year_coverage_is_computed_once_for_the_period_and_the_one_before(tset, hq_officer, monkeypatch):
    from xiaobao.training import coverage as coverage_module

    # given a count of coverage computations
    calls = []
    real = coverage_module.coverage

    def counted(**kwargs):
        calls.append((kwargs["year"], kwargs["by"]))
        return real(**kwargs)

    monkeypatch.setattr(coverage_module, "coverage", counted)
    # when March and February (the same year) are computed for the section
    stats_section(user=hq_officer, unit=tset.org.ho, period=MARCH)
    # then the year's coverage by unit and by layer once each
    assert sorted(calls) == [(2026, "layer"), (2026, "unit")]
