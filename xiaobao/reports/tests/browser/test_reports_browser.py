"""Asking for reports in a real Chromium: pick the kind (the period field follows), generate, download.

Screenshots go to var/screenshots/reports-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=".topbar { position: static !important; }")
    page.screenshot(path=str(SCREENSHOT_DIR / f"reports-{name}.png"), full_page=True)


def test_branch_officer_generates_and_downloads_the_monthly_table(page, login, complaints, branch_officer):
    login(page, "branch1_cp")
    page.goto("/reports/")
    form = page.get_by_test_id("report-form")
    expect(form).to_be_visible()
    # switching the kind swaps the period field (HTMX) for a list of quarters, then back to a month picker
    page.get_by_test_id("report-kind").select_option("quarterly")
    expect(page.locator("select#id_period")).to_be_visible()
    expect(page.get_by_test_id("report-template")).to_have_count(0)
    _shot(page, "01-quarterly-form")
    page.get_by_test_id("report-kind").select_option("monthly")
    expect(page.locator("input#id_period[type=month]")).to_be_visible()
    page.locator("input#id_period").fill("2026-10")
    page.locator("select[name=org_unit]").select_option("B1")
    page.get_by_test_id("report-submit").click()
    # the report page shows the finished job and the download
    expect(page.get_by_test_id("job")).to_have_attribute("data-state", "done")
    _shot(page, "02-done")
    with page.expect_download() as info:
        page.get_by_test_id("report-file").get_by_test_id("report-download").click()
    assert info.value.suggested_filename == "月度投诉统计表_2026-10_B1.xlsx"
    page.goto("/reports/")
    expect(page.get_by_test_id("report-list")).to_contain_text("2026-10")
    _shot(page, "03-list")


def test_templates_page(page, login, hq_officer):
    login(page, "hq_cp")
    page.goto("/reports/templates/")
    expect(page.get_by_test_id("placeholder-grammar")).to_contain_text("{{count")
    _shot(page, "04-templates")
