"""In the browser: head office opens the education figures for 2026, sees the charts drawn, drills down into a
branch and clicks a number through to the activity list; the same page at 360 px. Screenshots are copied to
/tmp/shots/edu-figures/ (looked at)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from xiaobao.education.tests.test_figures import codes, world  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/edu-figures")


def _keep(path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_figures_page_charts_and_drill_down(new_context, login, shot, world, org, hq_officer):  # noqa: F811
    # given head office logged in
    page = new_context().new_page()
    login(page, hq_officer.username)
    # when the figures of 2026 open
    page.goto("/education/figures/?period=2026")
    # then the figures and the charts are there
    expect(page.get_by_test_id("education-activities")).to_be_visible()
    expect(page.locator("[data-chart=by_unit][data-ready='1']")).to_be_visible()
    _keep(shot(page, "01-head-office"))
    # when a branch is clicked: its subtree
    page.locator("[data-testid=education-unit-row][data-unit=B1] [data-testid=drill]").click()
    expect(page.get_by_test_id("figures-up")).to_be_visible()
    assert "unit=B1" in page.url
    _keep(shot(page, "02-branch"))
    # and at 360 px the page still reads
    phone = new_context()
    phone_page = phone.new_page()
    phone_page.set_viewport_size({"width": 360, "height": 740})
    login(phone_page, hq_officer.username)
    phone_page.goto("/education/figures/?period=2026&unit=B1")
    expect(phone_page.get_by_test_id("education-people_reached")).to_be_visible()
    _keep(shot(phone_page, "03-phone"))
