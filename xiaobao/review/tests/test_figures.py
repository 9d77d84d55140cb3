"""The review figures on the fixed set of test_figures_fixtures.py (March 2026, pinned)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from xiaobao.analytics.periods import Period
from xiaobao.review.figures import (
    Tally,
    WorkingDays,
    banks_sentence,
    compute,
    figures,
    percent_text,
)
from xiaobao.review.tests.test_figures_fixtures import b1_figures_user, build_review_set, hq_figures_user

MARCH = Period.month(2026, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture
def review_set(org):
    return build_review_set(org)


@pytest.fixture
def hq_viewer(org):
    return hq_figures_user(org)


@pytest.fixture
def b1_viewer(org):
    return b1_figures_user(org)


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False):
        yield


def _values(data):
    return {f.key: f.value for f in data.figures}


def test_head_office_figures_over_the_fixed_set(review_set, hq_viewer):
    # given the fixed set and head office
    # when
    data = compute(user=hq_viewer, unit=review_set.org.ho, period=MARCH)
    # then R1, R2 and R3 were concluded in March; R4 in February and R7 on 1 April (Beijing time) are not
    v = _values(data)
    assert v["concluded"] == 3
    assert v["received"] == 6  # R1 R2 R3 R5 R6 R7 submitted in March, whatever became of them
    assert v["opinions"] == 6  # issued opinions on R1–R3; R1's draft is not counted
    assert v["must_change"] == 3
    assert (v["adopted"], v["partly_adopted"], v["not_adopted"]) == (3, 1, 1)
    assert v["adoption_rate"] == pytest.approx(4 / 5)  # R3's unanswered opinion is outside the rate
    assert v["on_time_rate"] == pytest.approx(2 / 3)  # R2 concluded after its due date
    assert v["average_working_days"] == pytest.approx((5 + 14 + 5) / 3)
    assert data.total.average_calendar_days == pytest.approx((7 + 18 + 7) / 3)
    assert v["rejected"] == 1
    assert (v["approvals_issued"], v["approvals_withdrawn"]) == (1, 1)


def test_by_kind_by_unit_and_by_category(review_set, hq_viewer):
    # given / when
    data = compute(user=hq_viewer, unit=review_set.org.ho, period=MARCH)
    # then kinds in their declared order, with what was received but not concluded
    kinds = {r.key: r.tally for r in data.by_kind}
    assert list(kinds) == ["new_product", "contract", "marketing", "other"]
    assert (kinds["marketing"].concluded, kinds["marketing"].received, kinds["marketing"].opinions) == (
        2,
        3,
        3,
    )
    assert (kinds["contract"].concluded, kinds["contract"].received) == (0, 1)
    # the head office's direct children: the branches (B1 with its sub-branch's R2)
    units = {r.key: r.tally for r in data.by_unit}
    assert set(units) == {"B1", "B2"}
    assert (units["B1"].concluded, units["B1"].opinions, units["B1"].on_time) == (2, 5, 1)
    assert (units["B2"].concluded, units["B2"].rejected, units["B2"].adoption_rate) == (1, 1, None)
    # opinions by category
    cats = {r.key: r.tally for r in data.by_category}
    assert list(cats) == ["disclosure", "pricing", "marketing"]
    assert (cats["marketing"].opinions, cats["marketing"].must_change, cats["marketing"].adopted) == (3, 2, 1)
    assert (cats["pricing"].not_adopted, cats["pricing"].adoption_rate) == (1, 0.0)
    # and the slices add up to the total
    assert sum(r.tally.concluded for r in data.by_unit) == data.total.concluded


def test_branch_sees_its_subtree_only(review_set, b1_viewer):
    # given the Beijing branch's officer
    # when
    data = compute(user=b1_viewer, unit=review_set.org.b1, period=MARCH)
    # then Shanghai's rejected review is not counted
    v = _values(data)
    assert (v["concluded"], v["opinions"], v["rejected"]) == (2, 5, 0)
    assert v["received"] == 5
    assert {r.key for r in data.by_unit} == {"B1", "B1-S1"}
    own = next(r for r in data.by_unit if r.key == "B1")
    assert own.name.startswith("北京分行（")  # the branch's own reviews, beside its sub-branch's


def test_other_branch_unit_gives_nothing(review_set, b1_viewer):
    # given the Beijing officer asking for Shanghai
    # when
    data = compute(user=b1_viewer, unit=review_set.org.b2, period=MARCH)
    # then every figure is empty
    assert data.total.concluded == 0 and data.total.received == 0 and data.by_unit == []
    assert (data.approvals_issued, data.approvals_withdrawn) == (0, 0)


def test_no_view_permission_gives_nothing(review_set, org):
    # given a member of the branch without review.view_review
    from conftest import make_user

    user = make_user("no_review", org.b1, [])
    # when
    data = compute(user=user, unit=org.b1, period=MARCH)
    # then
    assert data.total.concluded == 0 and data.total.opinions == 0


def test_registry_figures_default_to_the_users_scope(review_set, b1_viewer):
    # given / when the registry's call with dates only
    found = {f.key: f.value for f in figures(b1_viewer, dt.date(2026, 3, 1), dt.date(2026, 3, 31))}
    # then the scope root (the branch) is analysed
    assert found["concluded"] == 2
    assert found["opinions"] == 5


def test_day_bounds_are_beijing_days(review_set, hq_viewer):
    # given R7 concluded at 00:30 on 1 April in Beijing (31 March in UTC)
    # when
    april = _values(compute(user=hq_viewer, unit=review_set.org.ho, period=Period.month(2026, 4)))
    # then it counts in April
    assert april["concluded"] == 1


def test_drill_down_links_filter_the_register(review_set, hq_viewer):
    # given / when
    data = compute(user=hq_viewer, unit=review_set.org.ho, period=MARCH)
    # then
    concluded = data.figure("concluded").url
    assert "unit=HO" in concluded
    assert "concluded_from=2026-03-01" in concluded and "concluded_to=2026-03-31" in concluded
    assert "status=rejected" in data.figure("rejected").url
    assert "submitted_from=2026-03-01" in data.figure("received").url
    marketing = next(r for r in data.by_kind if r.key == "marketing")
    assert "kind=marketing" in marketing.urls["concluded"]
    b1 = next(r for r in data.by_unit if r.key == "B1")
    assert "unit=B1" in b1.urls["concluded"]


def test_adoption_rate_definition():
    # given adopted 6, partly 2, not adopted 2 and 5 unanswered
    t = Tally(opinions=15, adopted=6, partly_adopted=2, not_adopted=2)
    # then partly adopted counts as adopted, unanswered are outside the rate
    assert t.answered == 10 and t.unanswered == 5
    assert t.adoption_rate == pytest.approx(0.8)
    # and no answered opinion: no rate
    assert Tally(opinions=3).adoption_rate is None


def test_banks_sentence_in_chinese():
    # given
    t = Tally(concluded=128, opinions=342, adopted=300, partly_adopted=29, not_adopted=13)
    # when
    with translation.override("zh-hans"):
        text = banks_sentence(t)
    # then
    assert text == "审查 128 项，提出意见 342 条，采纳率 96.2%"
    assert percent_text(1.0) == "100%" and percent_text(None) == "—"


def test_working_days_count_like_the_clock():
    # given Friday 2026-04-03 (before the Qingming holiday, 4–6 April) to Thursday 2026-04-09
    days = WorkingDays([(dt.date(2026, 4, 3), dt.date(2026, 4, 9))])
    # then the day of submission is not counted; 7, 8, 9 April are
    assert days.between(dt.date(2026, 4, 3), dt.date(2026, 4, 9)) == 3
    assert days.between(dt.date(2026, 4, 3), dt.date(2026, 4, 3)) == 0


def test_figure_queries_are_bounded(review_set, hq_viewer, django_assert_max_num_queries):
    # given / when / then: a fixed number of scans whatever the number of reviews
    with django_assert_max_num_queries(12):
        compute(user=hq_viewer, unit=review_set.org.ho, period=MARCH)
