"""In the browser: an administrator trains the classifier from the institution's closed complaints ("train
now", a job with progress), sees the version in use with its measured figures and, once complaints are
registered with a suggestion, the acceptance by code; a handler opens a complaint and the similar earlier
complaints load into its page (also at 360 px). Screenshots in var/screenshots/classification-*.png (looked
at, zh-Hans)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xiaobao.classification.models import ClassifierModel, Suggestion
from xiaobao.classification.tests.conftest import synthetic
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE_VIEWPORT = {"width": 360, "height": 740}


def _shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=".topbar, .selection-bar { position: static !important; }")
    page.screenshot(path=str(SCREENSHOT_DIR / f"classification-{name}.png"), full_page=True)


def test_train_now_figures_acceptance_and_similar_complaints(
    settings, new_context, login, hq_officer, b1_handler, confirmed, register
):
    settings.CLASSIFIER_MIN_COMPLAINTS = 100
    confirmed(synthetic(240))
    admin = new_context().new_page()
    login(admin, hq_officer.username)
    admin.goto("/classification/")
    expect(admin.get_by_test_id("no-model")).to_be_visible()
    _shot(admin, "01-before-training")
    admin.get_by_test_id("train-now").click()
    expect(admin.get_by_test_id("training-job")).to_contain_text("完成", timeout=60_000)
    expect(admin.get_by_test_id("active-version")).to_contain_text("1")
    expect(admin.get_by_test_id("version-1").first).to_be_visible()
    assert ClassifierModel.objects.get().is_active

    # complaints registered now carry the suggestion; two alike for the similar panel
    text = "催收人员一天打十几个电话，骚扰家人和同事，言语威胁，要求停止骚扰"
    first = register(b1_handler, business_type="B13", cause="C12", request="要求停止骚扰", description=text)
    second = register(
        b1_handler, business_type="B13", cause="C01", request="要求停止催收骚扰", description=text + "。"
    )
    register(b1_handler, business_type="B0303", cause="C07", description="信用卡账单收取了年费，乱收费")
    assert Suggestion.objects.count() == 3
    admin.reload()
    expect(admin.get_by_test_id("acceptance-business_type")).to_be_visible()
    expect(admin.get_by_test_id("acceptance-row-B13")).to_be_visible()
    _shot(admin, "02-trained-and-acceptance")

    handler = new_context().new_page()
    login(handler, b1_handler.username)
    handler.goto(f"/complaints/{second.pk}/")
    panel = handler.get_by_test_id("similar-panel")
    expect(panel.get_by_test_id("similar-item").first).to_contain_text(first.reference)
    panel.scroll_into_view_if_needed()
    _shot(handler, "03-complaint-similar")
    handler.set_viewport_size(PHONE_VIEWPORT)
    handler.reload()
    expect(handler.get_by_test_id("similar-item").first).to_contain_text(first.reference)
    _shot(handler, "04-similar-360")
