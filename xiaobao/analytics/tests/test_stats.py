"""Figures reconcile with the complaint list; scope; changes; the decision-time figures."""

from __future__ import annotations

import pytest
import time_machine
from django.http import Http404, QueryDict

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.complaints.filtersets import ComplaintFilter
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.selectors import complaint_list

pytestmark = pytest.mark.django_db
OCT = Period.parse("2026-10")


def _listed(user, params) -> int:
    """The complaint list's count for a drill-down — computed by the list's own filter, not by stats."""
    query = QueryDict(mutable=True)
    query.update(params)
    form = ComplaintFilter(QueryDict(query.urlencode()))
    assert form.is_valid(), form.errors
    return complaint_list(user=user, filters=form.cleaned_data).count()


def _figures(user, unit, period=OCT):
    return {f.key: f for f in stats.headline(user=user, unit=unit, period=period)}


def test_head_office_counts_everything_and_a_branch_only_its_subtree(
    dataset, org, hq_officer, branch_officer
):
    # when
    hq = _figures(hq_officer, stats.analysed_unit(user=hq_officer, code=None))
    b1 = _figures(branch_officer, stats.analysed_unit(user=branch_officer, code=None))
    # then
    assert (
        hq["received"].value
        == Complaint.objects.filter(receipt_date__month=10, receipt_date__year=2026).count()
    )
    assert hq["received"].value == 9
    assert b1["received"].value == 6
    assert b1["regulator_forwarded"].value == 1


def test_a_branch_officer_cannot_analyse_another_branch(dataset, org, branch_officer):
    with pytest.raises(Http404):
        stats.analysed_unit(user=branch_officer, code=org.b2.code)


@pytest.mark.parametrize("dimension", ["business_type", "cause", "channel", "source", "unit"])
def test_every_slice_reconciles_with_the_filtered_list(dataset, org, hq_officer, dimension):
    # given
    unit = stats.analysed_unit(user=hq_officer, code=None)
    # when
    slices = stats.breakdown(user=hq_officer, unit=unit, period=OCT, dimension=dimension)
    # then
    assert sum(s.count for s in slices) == 9
    for s in slices:
        if s.drill:
            assert _listed(hq_officer, s.drill) == s.count, (dimension, s.code)


def test_unit_breakdown_rolls_up_to_direct_children(dataset, org, branch_officer):
    unit = stats.analysed_unit(user=branch_officer, code=None)  # branch 1
    slices = {
        s.code: s.count for s in stats.breakdown(user=branch_officer, unit=unit, period=OCT, dimension="unit")
    }
    assert slices == {org.b1s.code: 5, org.b1.code: 1}  # the sub-branch with its outlet; the branch's own


@pytest.mark.parametrize(
    "key",
    ["received", "regulator_forwarded", "repeat_rate", "withdrawal_rate", "major", "extension_rate"],
)
def test_headline_drill_downs_list_what_they_count(dataset, org, hq_officer, key):
    unit = stats.analysed_unit(user=hq_officer, code=None)
    figure = _figures(hq_officer, unit)[key]
    listed = _listed(hq_officer, figure.drill)
    if figure.kind == "count":
        assert listed == figure.value
    else:
        assert figure.value is None or listed == round(figure.value * 9)


def test_repeat_flag_comes_from_the_blind_index(dataset):
    repeat = Complaint.objects.filter(is_repeat=True)
    assert list(repeat) == [dataset.b1[4]]


def test_changes_against_last_month_and_last_year(dataset, org, branch_officer):
    b1 = _figures(branch_officer, stats.analysed_unit(user=branch_officer, code=None))["received"]
    assert (b1.value, b1.previous, b1.year_ago) == (6, 4, 2)
    assert b1.pop_change == pytest.approx(0.5)
    assert b1.yoy_change == pytest.approx(2.0)


def test_on_time_rate_and_handling_days(dataset, org, branch_officer):
    # given: one decided on time after 7 days, one late after 21 days; the others are not due yet
    with pytest.MonkeyPatch.context():
        figures = _figures(branch_officer, stats.analysed_unit(user=branch_officer, code=None))
    # then
    assert figures["on_time_rate"].value == pytest.approx(0.5)
    assert figures["avg_days"].value == pytest.approx(14.0)
    assert figures["p90_days"].value == 21
    assert _listed(branch_officer, figures["on_time_rate"].drill) == 1


def test_withdrawal_rate(dataset, org, hq_officer):
    b2 = _figures(hq_officer, org.b2)
    assert b2["withdrawal_rate"].value == pytest.approx(1 / 3)


def test_normalised_by_the_tree_yearly_figures(dataset, org, hq_officer):
    # given: branch 1 has 2,000,000 retail customers and 40 outlets in 2026
    from xiaobao.core.services.org import org_figures_set

    org_figures_set(actor=None, unit=org.b1, year=2026, retail_customers=2_000_000, outlets=40)
    org_figures_set(actor=None, unit=org.b2, year=2025, retail_customers=1_000_000, outlets=10)
    # when
    b1 = _figures(hq_officer, org.b1)
    hq = _figures(hq_officer, org.ho)
    # then
    assert b1["per_10k_customers"].value == pytest.approx(6 * 10_000 / 2_000_000)
    assert b1["per_1k_outlets"].value == pytest.approx(6 * 1_000 / 40)
    # head office has no figure of its own: the branches' add up, branch 2's 2025 figure standing in for 2026
    assert hq["per_10k_customers"].value == pytest.approx(9 * 10_000 / 3_000_000)
    assert hq["per_1k_outlets"].value == pytest.approx(9 * 1_000 / 50)


def test_volume_series_has_every_bucket(dataset, org, hq_officer):
    series = stats.volume_series(user=hq_officer, unit=org.ho, period=OCT, grain="week")
    assert sum(n for _p, n in series) == 9
    assert series[0][0].start.isoformat() == "2026-09-28"  # the week containing 1 October
    days = stats.volume_series(user=hq_officer, unit=org.ho, period=OCT, grain="day")
    assert len(days) == 31


def test_no_permission_sees_nothing(dataset, org, no_role_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        stats.analysed_unit(user=no_role_user, code=None)
    assert stats.scoped_complaints(user=no_role_user, unit=org.ho, period=OCT).count() == 0


def test_the_complaint_row_keeps_the_decision_clock(dataset, org, hq_officer):
    """Statistics count from the complaint row: it must agree with the decision clock after every transition
    and after the sweeper marks a breach."""
    import datetime as dt

    from xiaobao.complaints.sweeper import sla_sweep

    # given: the sweeper runs after every October deadline has passed
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=False):
        sla_sweep(now=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC))
    # then
    rows = 0
    for c in Complaint.objects.filter(receipt_date__gte="2026-10-01"):
        clock = c.clocks.get(name="decision")
        assert (c.decision_state, c.decided_on) == (clock.state, clock.met_on), c.reference
        rows += 1
    assert rows == 9
    assert Complaint.objects.filter(decision_state="breached").count() >= 5
