"""The training-and-exams section of the statistics page and the organisers' home card in a real Chromium, on
the fixed set of test_figures_fixtures.py: head office reads March 2026 (the sentence, cards, charts drawn,
tables), drills down to Beijing, and sees the next sessions and the coverage so far on its home page.
Screenshots: var/screenshots/."""

from __future__ import annotations

import importlib
import re

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.training.tests.test_figures_fixtures import NOW, build_training_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _layers(_presets):
    """A transactional test flushes the data migration's position layers: put them back."""
    from django.apps import apps

    importlib.import_module("xiaobao.training.migrations.0002_position_layers").load(apps, None)


def _unstick(page):
    """The sticky top bar would cover the section's top in an element screenshot."""
    page.evaluate(
        "document.querySelectorAll('body *').forEach(e => { const p = getComputedStyle(e).position;"
        " if (p === 'sticky' || p === 'fixed') e.style.position = 'static'; })"
    )


def test_head_office_reads_the_training_section_and_drills_down(page, login, shot, org):
    # given the fixed set and head office
    build_training_set(org)
    user = make_user("hq_cp", org.cpd, ["hq_cp_officer"])
    login(page, user.username)
    # when
    page.goto("/statistics/?period=2026-03")
    section = page.get_by_test_id("training-figures")
    section.scroll_into_view_if_needed()
    # then the banks' sentence, the cards with their change on February, the charts drawn, the tables
    expect(page.get_by_test_id("training-sentence")).to_contain_text(
        "开展培训 3 场、覆盖 9 人次、考试 2 场、通过率 75%"
    )
    expect(page.get_by_test_id("training-person_times")).to_contain_text("9")
    expect(page.locator("[data-testid=chart-training-units][data-ready='1']")).to_be_visible()
    expect(page.locator("[data-testid=chart-training-layers][data-ready='1']")).to_be_visible()
    expect(page.get_by_test_id("table-training-layers")).to_contain_text("一线员工")
    _unstick(page)
    section.screenshot(path=str(SCREENSHOT_DIR / "head_office_reads_the_training_section--01-section.png"))
    # and Beijing's row opens the statistics page for Beijing, at the section
    page.get_by_test_id("table-training-units").get_by_role("link", name="北京分行").click()
    expect(page).to_have_url(re.compile(r"/statistics/\?unit=B1&period=2026-03#training-figures"))
    expect(page.get_by_test_id("training-sentence")).to_contain_text(
        "开展培训 1 场、覆盖 5 人次、考试 1 场、通过率 100%"
    )
    expect(page.get_by_test_id("table-training-units")).to_contain_text("北京分行（本级）")
    _unstick(page)
    page.get_by_test_id("training-figures").screenshot(
        path=str(SCREENSHOT_DIR / "head_office_reads_the_training_section--02-beijing.png")
    )


def test_head_office_home_card(page, login, shot, org):
    # given the fixed set and head office
    build_training_set(org)
    user = make_user("hq_cp", org.cpd, ["hq_cp_officer"])
    login(page, user.username)
    # when
    page.goto("/")
    # then the next sessions and the coverage so far
    card = page.get_by_test_id("training-home")
    expect(card).to_contain_text("S4 北京分行四月培训")
    expect(page.get_by_test_id("training-coverage")).to_contain_text("60.00%")
    shot(page, "01-home")
