"""The dashboard opens on the last full month and never draws days that have not come yet; the per-outlet and
per-customer figures say what they are (issue 12 item 19)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.core.services.org import org_figures_set

pytestmark = pytest.mark.django_db
URL = reverse("analytics:dashboard")


def test_the_page_opens_on_the_last_full_month(client_for, dataset, branch_officer):
    # given today is 5 November 2026 (five days into the month)
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        response = client_for(branch_officer).get(URL)
    # then October, the last full month, is shown, compared with September
    board = response.context["board"]
    assert board.period == Period.parse("2026-10") and board.received == 6
    assert response.context["form"]["period"].value() in (None, "")
    assert 'value="2026-10"' in response.content.decode()


def test_the_api_defaults_to_the_last_full_month(api_for, dataset, branch_officer):
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        body = api_for(branch_officer).get("/api/v1/statistics/dashboard").json()
    assert body["period"]["label"] == "2026-10"


def test_the_series_stops_at_today(client_for, dataset, branch_officer):
    # given today is 12 October 2026 and the month is asked for explicitly
    with time_machine.travel("2026-10-12 10:00 +0800", tick=False):
        response = client_for(branch_officer).get(URL, {"period": "2026-10"})
    board = response.context["board"]
    # then the daily series has 1–12 October only: no zeros drawn for days to come
    days = [p.start for p, _n in board.series]
    assert days[0] == dt.date(2026, 10, 1) and days[-1] == dt.date(2026, 10, 12) and len(days) == 12
    assert response.context["charts"]["volume"]["labels"][-1] == "10-12"
    # and the page says the period is not over
    assert 'data-testid="stats-partial"' in response.content.decode()


def test_a_finished_period_draws_every_day(client_for, dataset, branch_officer):
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        response = client_for(branch_officer).get(URL, {"period": "2026-10"})
    assert len(response.context["board"].series) == 31
    assert 'data-testid="stats-partial"' not in response.content.decode()


def test_weeks_stop_at_the_current_week(dataset, org, hq_officer):
    with time_machine.travel("2026-10-12 10:00 +0800", tick=False):
        weeks = stats.volume_series(
            user=hq_officer, unit=org.ho, period=Period.parse("2026-Q4"), grain="week"
        )
    assert weeks[-1][0].start == dt.date(2026, 10, 12)  # the week of today, the last one drawn


def test_per_outlet_figure_is_labelled_for_what_it_is(client_for, dataset, org, branch_officer):
    # given branch 1 reports 40 outlets and 2,000,000 retail customers for 2026; 6 complaints in October
    org_figures_set(actor=None, unit=org.b1, year=2026, retail_customers=2_000_000, outlets=40)
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        response = client_for(branch_officer).get(URL, {"period": "2026-10"})
    figures = {f.key: f for f in response.context["board"].figures}
    # the month's complaints per 1,000 outlets: 6 / 40 × 1,000 = 150 (not annualised), and the page says so
    assert figures["per_1k_outlets"].value == pytest.approx(150.0)
    with translation.override("en"):
        assert "not annualised" in str(figures["per_1k_outlets"].label)
    html = response.content.decode()
    assert 'data-testid="stats-denominators"' in html and "40" in html and "2,000,000" in html
