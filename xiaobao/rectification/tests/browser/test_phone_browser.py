"""The outlet's owner on a 360 px phone: the overdue list as cards, the item page, a photo from the camera
input, the submit step; then the branch officer's item page on a desk screen. Time pinned (ticking) to
2026-03-20 10:00 in Shanghai. Screenshots: var/screenshots/<test>--NN-<step>.png."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.rectification.tests.conftest import VERIFY, VIEW, WORK, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (70, 130, 180)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _rules(_presets):
    """The transactional test flushed the data migration's deadline rules: put them back."""
    from django.apps import apps

    importlib.import_module("xiaobao.rectification.migrations.0002_deadline_rules").add_rules(apps, None)


def test_owner_submits_evidence_on_a_phone(browser, live_server, page, login, shot, org, branch_officer):
    from xiaobao.rectification.services import rectification_open

    officer = grant(branch_officer, VIEW, VERIFY)
    owner = grant(make_user("o1_owner", org.b1o, ["complaint_handler"]), VIEW, WORK)
    owner.full_name = "孙网点"
    owner.save(update_fields=["full_name"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        item = rectification_open(
            actor=officer,
            data={
                "org_unit": org.b1o.code,
                "title": "适老化设施不足：未配备老花镜和轮椅",
                "description": "监管局现场检查指出网点未配备老花镜、轮椅，爱心窗口无标识。",
                "source": "regulator",
                "rule": "rectification-10wd",
                "issued_by": "北京监管局",
                "external_reference": "京金监〔2026〕5号",
                "opened_on": "2026-03-02",
                "owner": owner.username,
            },
        )
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH), tick=True):
        ctx = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="zh-CN",
            timezone_id="Asia/Shanghai", base_url=live_server.url,
        )  # fmt: skip
        phone = ctx.new_page()
        login(phone, owner.username)
        phone.goto("/rectifications/?overdue=true")
        cards = phone.get_by_test_id("rectification-cards")
        expect(cards).to_be_visible()
        expect(cards).to_contain_text(item.reference)
        expect(phone.get_by_test_id("rectification-list")).to_be_hidden()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "01-overdue-cards-phone")

        cards.get_by_role("link", name=item.reference).click()
        detail = phone.get_by_test_id("rectification-detail")
        expect(detail.get_by_test_id("status")).to_have_text(zh("Open"))
        upload = phone.get_by_test_id("upload-form")
        upload.locator("select[name=kind]").select_option("after")
        upload.locator("input[name=file]").set_input_files(
            {"name": "after.png", "mimeType": "image/png", "buffer": png()}
        )
        upload.locator("input[name=caption]").fill("已配备老花镜和轮椅")
        upload.get_by_test_id("upload-submit").click()
        expect(phone.get_by_test_id("after").locator("img")).to_have_count(1)
        phone.get_by_test_id("action-submit").click()
        form = phone.locator("#action-panel").get_by_test_id("action-form")
        form.locator("textarea[name=result]").fill("已配备老花镜两副、轮椅一台，爱心窗口已设标识。")
        shot(phone, "02-submit-form-phone")
        form.get_by_test_id("action-submit").click()
        expect(phone.get_by_test_id("rectification-detail").get_by_test_id("status")).to_have_text(
            zh("Submitted for verification")
        )
        shot(phone, "03-submitted-phone")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        # the timeline reads on the phone: people by name, each row's step and status wide enough to read
        timeline = phone.get_by_test_id("timeline")
        expect(timeline).to_contain_text("孙网点")
        expect(timeline).not_to_contain_text(owner.username)
        widths = phone.evaluate(
            "Array.from(document.querySelectorAll('[data-testid=timeline] td.tl-action'))"
            ".map(td => td.getBoundingClientRect().width)"
        )
        assert widths and min(widths) >= 60, widths
        # the deadline's state badge on one line, the upload's file input the width of the form
        badge = phone.get_by_test_id("clocks").locator(".badge").first.bounding_box()
        assert badge and badge["height"] < 30 and badge["width"] > badge["height"], badge
        file_input = phone.get_by_test_id("upload-form").locator("input[name=file]").bounding_box()
        assert file_input and file_input["width"] > 250, file_input
        timeline.scroll_into_view_if_needed()
        shot(phone, "03b-timeline-phone")
        ctx.close()

        login(page, officer.username)
        page.goto(item.get_absolute_url())
        expect(page.get_by_test_id("action-verify")).to_be_visible()
        shot(page, "04-officer-desk")
        page.get_by_test_id("new-rectification").click()
        form = page.get_by_test_id("rectification-form")
        expect(form.locator("select[name=owner]")).to_contain_text("孙网点")
        shot(page, "05-new-item-form")
