"""The statistics dashboard in a real Chromium: charts drawn by the locally served ECharts, and a click on a
bar lands on the complaint list filtered to exactly the complaints that bar counts. Screenshots in
var/screenshots/dashboard_*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_click_a_bar_and_land_on_the_filtered_list(page, login, shot, dataset, branch_officer, live_server):
    # given: branch 1 received 6 complaints in October 2026, 5 of them about bank cards (B03)
    login(page, branch_officer.username)
    # when
    page.goto("/statistics/?period=2026-10")
    chart = page.get_by_test_id("chart-business_type")
    expect(chart).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("stat-received")).to_have_attribute("data-value", "6")
    expect(chart.locator("svg")).to_have_count(1)
    shot(page, "dashboard")
    # the first (largest) bar of the horizontal bar chart: ECharts draws it as an SVG path in the palette blue
    bars = chart.locator('path[fill="#1f5fa8"]')
    expect(bars).to_have_count(2)
    bars.first.click()
    # then
    expect(page).to_have_url(re.compile(r"/complaints/\?.*business_type=B03"))
    assert "unit=B1" in page.url and "received_from=2026-10-01" in page.url
    rows = page.locator("#results table tbody tr")
    expect(rows).to_have_count(5)
    shot(page, "drilled-list")


def test_a_headline_card_opens_the_list_it_counts(page, login, dataset, hq_officer):
    login(page, hq_officer.username)
    page.goto("/statistics/?period=2026-10")
    page.get_by_test_id("stat-regulator_forwarded").click()
    expect(page).to_have_url(re.compile(r"forwarded=true"))
    expect(page.locator("#results table tbody tr")).to_have_count(1)
