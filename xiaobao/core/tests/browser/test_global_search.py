"""The header's global search in a real Chromium, at 1280 and 360 px: the live dropdown as the user types,
the results page on Enter (grouped by kind, the query never in the URL), an ID/phone number searched only on
Enter and shown masked, and another branch's complaint never among the results. Screenshots go to
var/screenshots/global_search*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.complaints.services import complaint_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13812345678"


@pytest.fixture
def complaints(org):
    """One complaint in branch 1 (王小明, his phone), one in branch 2 about the same fee."""
    officer = make_user("branch1_cp", org.b1, ["branch_cp_officer"])
    other = make_user("branch2_cp", org.b2, ["branch_cp_officer"])
    mine, _ = complaint_register(
        actor=officer,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b1s.code,
            "complainant": {"name": "王小明", "phone": PHONE},
            "request": "退还信用卡年费",
            "description": "客户称信用卡年费未经同意扣收。",
        },
    )
    theirs, _ = complaint_register(
        actor=other,
        data={
            "received_at": "2026-03-02T11:00:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b2s.code,
            "complainant": {"name": "赵六", "phone": "13700002222"},
            "request": "退还信用卡年费",
            "description": "上海客户称信用卡年费重复扣收。",
        },
    )
    return mine, theirs


def _no_wider_than(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 360])
def test_header_search_live_then_enter(page, login, shot, complaints, width):
    mine, theirs = complaints
    page.set_viewport_size({"width": width, "height": 800 if width > 400 else 740})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, "branch1_cp")
    box = page.locator("#global-search input[name=q]")

    # given the box is behind the icon below 1500 px: the icon opens it
    toggle = page.locator("#global-search .gsearch-toggle")
    expect(toggle).to_be_visible()
    expect(box).to_be_hidden()
    toggle.click()
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    _no_wider_than(page, width)

    # when typing text: the dropdown lists branch 1's complaint, grouped, never branch 2's
    box.press_sequentially("信用卡年费", delay=40)
    results = page.locator("#global-search-results")
    expect(results.locator(".gs-kind", has_text="投诉")).to_be_visible()
    expect(results.locator("a.gs-hit", has_text=mine.reference)).to_be_visible()
    expect(results).not_to_contain_text(theirs.reference)
    expect(results).to_contain_text("王*")
    _no_wider_than(page, width)
    shot(page, f"{width}-dropdown")

    # then Enter opens the results page: grouped, and the query is not in the address
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/$"))
    group = page.get_by_test_id("search-group").filter(has_text="投诉")
    expect(group.locator("a.gs-hit", has_text=mine.reference)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(theirs.reference)
    _no_wider_than(page, width)
    shot(page, f"{width}-results")

    # when a phone number is typed: no live search, a hint; Enter searches it and shows it masked only
    if width <= 1499:
        page.locator("#global-search .gsearch-toggle").click()
    box = page.locator("#global-search input[name=q]")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    box.press_sequentially(PHONE, delay=30)
    expect(page.get_by_text("证件号、电话、账号等个人号码只在按回车后查找")).to_be_visible()
    page.wait_for_timeout(600)  # past the debounce: still no request
    assert posts == []
    shot(page, f"{width}-phone-hint")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/$"))
    expect(page.get_by_test_id("search-summary")).to_contain_text("138****5678")
    expect(page.locator("main a.gs-hit", has_text=mine.reference)).to_be_visible()
    assert PHONE not in page.content()
    assert page.get_by_test_id("search-page-input").input_value() == ""
    _no_wider_than(page, width)
    shot(page, f"{width}-phone-results")
    assert not errors, errors
