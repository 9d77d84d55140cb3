"""In the browser: a branch officer adds a closed complaint to the case library from its page (an anonymised
draft), tags and publishes it, circulates it to a sub-branch; a handler there is told on the home page, reads
it and confirms; the officer sees the receipt. Also the library and an entry at 360 px. Screenshots in
var/screenshots/case_library-*.png (looked at, zh-Hans)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.case_library.models import CaseEntry, Receipt
from xiaobao.case_library.tests.conftest import CARD, ID_NO, NAME, PHONE
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_VIEWPORT = {"width": 360, "height": 740}


def _shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=".topbar, .selection-bar { position: static !important; }")
    page.screenshot(path=str(SCREENSHOT_DIR / f"case_library-{name}.png"), full_page=True)


def test_entry_from_a_closed_complaint_published_circulated_and_read(
    new_context, login, org, closed_complaint
):
    officer = make_user("cl_officer", org.b1, ["branch_cp_officer"])
    officer.full_name = "赵敏"
    officer.save(update_fields=["full_name"])
    reader = make_user("cl_reader", org.b1s, ["complaint_handler"])
    reader.full_name = "钱磊"
    reader.save(update_fields=["full_name"])

    desk = new_context().new_page()
    login(desk, officer.username)
    # the closed complaint's page offers "add to the case library"
    desk.goto(f"/complaints/{closed_complaint.pk}/")
    desk.get_by_test_id("add-to-case-library").click()
    # an anonymised draft: none of the complainant's data
    expect(desk.get_by_test_id("entry-form")).to_be_visible()
    facts = desk.locator("#id_facts").input_value()
    for value in (NAME, PHONE, ID_NO, CARD, "刘明"):
        assert value not in facts
    assert "客户A女士" in facts
    desk.fill("#id_title", "信用卡首年免年费承诺未兑现")
    desk.fill("#id_tags", "费用收取 销售误导")
    _shot(desk, "01-draft-from-complaint")
    desk.get_by_test_id("save-publish").click()
    expect(desk.get_by_test_id("entry-title")).to_contain_text("已发布")
    _shot(desk, "02-published")
    entry = CaseEntry.objects.get()
    assert entry.is_published and entry.tags == ["费用收取", "销售误导"]

    # circulate it to the sub-branch with a message
    desk.get_by_test_id("circulate-entry").click()
    desk.select_option("#id_units", str(org.b1s.pk))
    desk.fill("#id_message", "请于本周内组织学习。")
    _shot(desk, "03-circulate")
    desk.get_by_test_id("send-circulation").click()
    expect(desk.get_by_test_id("read-summary")).to_contain_text("2 人中已有 0 人确认阅读")
    _shot(desk, "04-receipts-unread")

    # the handlers of the sub-branch (刘明 of the complaint, 钱磊) are its readers;
    # 钱磊 sees it on the home page and reads it on a phone
    phone = new_context().new_page()
    phone.set_viewport_size(PHONE_VIEWPORT)
    login(phone, reader.username)
    expect(phone.get_by_test_id("case-library-panel")).to_be_visible()
    _shot(phone, "05-phone-home-panel")
    phone.get_by_test_id("case-library-panel").get_by_role("link", name="北京分行").click()
    expect(phone.get_by_test_id("reading-entry")).to_contain_text("信用卡首年免年费承诺未兑现")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(phone, "06-phone-reading")
    phone.get_by_test_id("acknowledge").click()
    expect(phone.get_by_test_id("acknowledge-box")).to_contain_text("已读")
    assert Receipt.objects.get(user=reader).acknowledged_at is not None

    # the library and the entry fit the phone too
    phone.goto("/case-library/")
    expect(phone.get_by_test_id("case-list")).to_contain_text("信用卡首年免年费承诺未兑现")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(phone, "07-phone-library")

    # the officer sees who has read it
    desk.reload()
    expect(desk.get_by_test_id("read-summary")).to_contain_text("2 人中已有 1 人确认阅读")
    expect(desk.get_by_test_id("receipt-unit")).to_contain_text("钱磊")
    _shot(desk, "08-receipts-read")
    desk.goto("/case-library/")
    _shot(desk, "09-library-desk")
