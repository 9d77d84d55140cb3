"""The statistics page's review section in a real Chromium: head office looks at March 2026 (the fixed set of
test_figures_fixtures.py plus a few more reviews), sees the banks' sentence, the cards, the charts drawn and
the tables, and follows a drill-down link to the register. Screenshots: var/screenshots/."""

from __future__ import annotations

import importlib
import re

import pytest
import time_machine
from playwright.sync_api import expect

from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.review.tests.test_figures_fixtures import build_review_set, hq_figures_user, make_review, opinion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-04-10 10:00 +0800", tick=True):
        yield


@pytest.fixture(autouse=True)
def _review_presets(_presets):
    """A transactional test flushes the data migration's product kinds and deadline rules: put them back."""
    from django.apps import apps

    importlib.import_module("xiaobao.review.migrations.0002_product_kinds_deadline_rules").add_presets(
        apps, None
    )


def _more(s):
    """A few more March reviews, so every chart has several bars."""
    extra = [
        (s.org.b2s, "fee_change", "2026-03-04", "2026-03-12 15:00", "2026-03-18", "pass", ["pricing"]),
        (s.org.b1o, "contract", "2026-03-05", "2026-03-19 11:00", "2026-03-19", "pass_with_changes",
         ["contract_terms", "contract_terms", "personal_info"]),
        (s.org.cpd, "service_process", "2026-03-09", "2026-03-13 17:00", "2026-03-23", "pass",
         ["suitability"]),
        (s.org.b1, "marketing", "2026-03-10", "2026-03-27 10:00", "2026-03-24", "reject", ["marketing"]),
    ]  # fmt: skip
    for unit, kind, sub, end, due, conclusion, cats in extra:
        r = make_review(
            unit=unit, kind=kind, submitted=sub, concluded=end, due=due, conclusion=conclusion,
            by=s.b1_submitter,
        )  # fmt: skip
        for i, cat in enumerate(cats):
            opinion(r, cat, "must_change" if i == 0 else "suggestion", "adopted", author=s.reviewer)


def test_head_office_reads_the_review_section(page, login, shot, org):
    # given
    s = build_review_set(org)
    _more(s)
    user = hq_figures_user(org)
    login(page, user.username)
    # when
    page.goto("/statistics/?period=2026-03")
    section = page.get_by_test_id("review-figures")
    section.scroll_into_view_if_needed()
    # then the banks' sentence, the cards with their change on February, the charts drawn, the tables
    expect(page.get_by_test_id("review-sentence")).to_contain_text("审查 7 项，提出意见 12 条，采纳率 90.9%")
    expect(page.get_by_test_id("review-concluded")).to_contain_text("7")
    expect(page.locator("[data-testid=chart-review-kinds][data-ready='1']")).to_be_visible()
    expect(page.locator("[data-testid=chart-review-categories][data-ready='1']")).to_be_visible()
    expect(page.get_by_test_id("table-review-units")).to_contain_text("上海分行")
    shot(page, "01-statistics-page")
    page.evaluate(  # the sticky top bar would cover the section's top in an element screenshot
        "document.querySelectorAll('body *').forEach(e => { const p = getComputedStyle(e).position;"
        " if (p === 'sticky' || p === 'fixed') e.style.position = 'static'; })"
    )
    section.screenshot(path=str(SCREENSHOT_DIR / "head_office_reads_the_review_section--02-section.png"))
    # and the unit's link opens the register filtered to its March conclusions
    page.get_by_test_id("table-review-units").get_by_role("link", name="上海分行").click()
    expect(page).to_have_url(re.compile(r"/reviews/\?.*unit=B2"))
    assert "concluded_from=2026-03-01" in page.url and "concluded_to=2026-03-31" in page.url
    expect(page.locator("body")).to_contain_text(s.r3.reference)
    shot(page, "03-register-filtered")
