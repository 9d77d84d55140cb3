"""The review section of the statistics page, on the fixed set of test_figures_fixtures.py (pinned dates)."""

from __future__ import annotations

import pytest
import time_machine

from conftest import make_user
from xiaobao.analytics.periods import Period
from xiaobao.review.stats import stats_section
from xiaobao.review.tests.test_figures_fixtures import b1_figures_user, build_review_set, hq_figures_user

MARCH = Period.month(2026, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def review_set(org):
    return build_review_set(org)


@pytest.fixture
def hq_viewer(org):
    return hq_figures_user(org)


@pytest.fixture
def b1_viewer(org):
    return b1_figures_user(org)


def test_section_has_the_sentence_cards_and_the_change_on_the_previous_period(review_set, hq_viewer):
    # given / when
    section = stats_section(user=hq_viewer, unit=review_set.org.ho, period=MARCH)
    # then
    assert section is not None
    cards = {c.key: c for c in section["cards"]}
    assert cards["concluded"].figure.value == 3
    assert cards["concluded"].previous == 1  # R4 in February
    assert cards["concluded"].change == pytest.approx(2.0)
    assert section["previous_period"] == Period.month(2026, 2)
    assert section["charts"]["by_kind"]["values"] == [1, 2]  # new product, marketing (declared order)
    assert "concluded_from=2026-03-01" in section["export_query"]


def test_no_section_without_the_view_permission_or_outside_the_scope(review_set, b1_viewer, org):
    # given a member of staff without review permissions, and the Beijing officer asking for Shanghai
    nobody = make_user("fig_nobody", org.b1, [])
    # when / then
    assert stats_section(user=nobody, unit=org.b1, period=MARCH) is None
    assert stats_section(user=b1_viewer, unit=org.b2, period=MARCH) is None


def test_statistics_page_shows_the_review_section(review_set, hq_viewer, client_for):
    # given head office on the statistics page for March 2026
    # when
    response = client_for(hq_viewer).get("/statistics/", {"period": "2026-03"})
    # then the section is there with the banks' sentence and the tables
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="review-figures"' in html
    assert "审查 3 项，提出意见 6 条，采纳率 80%" in html
    assert "（采纳 3 条、部分采纳 1 条、未采纳 1 条）" in html
    assert 'data-testid="table-review-units"' in html
    assert "上海分行" in html and "北京分行" in html
    assert "采纳率" in html and "按期办结率" in html


def test_branch_statistics_page_counts_its_own_reviews_only(review_set, b1_viewer, client_for):
    # given the Beijing officer
    # when
    response = client_for(b1_viewer).get("/statistics/", {"period": "2026-03"})
    # then Shanghai's review is neither counted nor named
    html = response.content.decode()
    assert response.status_code == 200
    assert "审查 2 项，提出意见 5 条，采纳率 80%" in html
    assert "上海分行" not in html
    assert "海淀支行" in html  # its sub-branch's row


def test_section_is_absent_for_a_statistics_user_without_review_access(review_set, org, client_for):
    # given a complaints statistics user with no review permission
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    user = make_user("fig_stats_only", org.b1, [])
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="complaints", codename="view_complaint")
    )
    user = User.objects.get(pk=user.pk)
    # when
    html = client_for(user).get("/statistics/", {"period": "2026-03"}).content.decode()
    # then
    assert 'data-testid="review-figures"' not in html


def test_change_colours_follow_the_figure(review_set, hq_viewer):
    # given March against February
    section = stats_section(user=hq_viewer, unit=review_set.org.ho, period=MARCH)
    cards = {c.key: c for c in section["cards"]}
    # then a fall of the adoption rate is bad news, more reviews concluded is neither good nor bad
    assert cards["adoption_rate"].change == pytest.approx(0.8 - 1.0)
    assert cards["adoption_rate"].change_class == "down worse"
    assert cards["concluded"].change_class == "neutral"
    assert cards["rejected"].change_class == "flat" or cards["rejected"].change is None
