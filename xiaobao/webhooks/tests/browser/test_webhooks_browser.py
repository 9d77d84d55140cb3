"""In the browser: the administrator subscribes the local receiver to complaint events, copies the secret
shown once, presses "send test event" and sees the delivery in the log; the pages at 1280 and 360 px.
Screenshots in var/screenshots/webhooks_browser--*.png (looked at, zh-Hans)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xiaobao.webhooks.models import Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_subscribe_test_and_see_the_delivery(new_context, login, shot, admin, receiver):
    page = new_context().new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, admin.username)
    page.goto("/webhooks/")
    page.get_by_test_id("webhook-new").click()
    page.fill("#id_name", "核心系统投诉同步")
    page.fill("#id_url", "http://169.254.169.254/latest/meta-data/")
    page.locator("input[name=event_types][value='complaints.*']").check()
    page.get_by_test_id("webhook-save").click()
    expect(page.get_by_test_id("error-url")).to_contain_text("一律不允许")
    shot(page, "01-metadata-refused-1280")
    page.fill("#id_url", receiver.url)
    page.get_by_test_id("webhook-save").click()
    expect(page.get_by_test_id("new-secret")).to_be_visible()
    secret = page.get_by_test_id("secret-value").inner_text()
    assert secret == Subscription.objects.get().secret.reveal()
    shot(page, "02-created-secret-once-1280")
    page.get_by_test_id("webhook-test").click()
    row = page.get_by_test_id("delivery-row").first
    expect(row).to_have_attribute("data-status", "succeeded")
    expect(row).to_contain_text("HTTP 200")
    expect(page.get_by_test_id("new-secret")).to_have_count(0)  # shown once
    assert receiver.received[0].signed_with(secret)
    shot(page, "03-test-delivered-1280")
    page.goto("/webhooks/")
    expect(page.get_by_test_id("webhook-row")).to_contain_text("已送达")
    shot(page, "04-list-1280")

    phone = new_context().new_page()
    phone.set_viewport_size({"width": 360, "height": 740})
    login(phone, admin.username)
    phone.goto(f"/webhooks/{Subscription.objects.get().pk}/")
    expect(phone.get_by_test_id("delivery-row").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "05-detail-360")
    phone.goto("/webhooks/new/")
    shot(phone, "06-form-360")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
