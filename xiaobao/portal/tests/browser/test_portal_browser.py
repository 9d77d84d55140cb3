"""A consumer on a 360 px phone: sends a complaint with a photo, sees the reference, looks it up, and once
the decision is notified sees it; screenshots at 360 and 1280 px (var/screenshots)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_power_user
from xiaobao.complaints.models import Complaint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)


def test_submit_and_look_up_on_a_phone(new_context, shot, org, tmp_path):
    from django.core.cache import cache

    from xiaobao.complaints.services import complaint_transition

    cache.clear()
    photo = tmp_path / "扣费短信.png"
    photo.write_bytes(PNG)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=True):
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        phone.goto("/public/complaints/new/")
        expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
        # every field reached by its label, as a screen reader would
        phone.get_by_label("您的姓名").fill("李小红")
        phone.get_by_label("手机号码", exact=False).first.fill("138 1234 9876")
        phone.get_by_label("电子邮箱（选填）").fill("li.xiaohong@example.com")
        phone.get_by_label("投诉涉及的业务").select_option(label="银行卡")
        phone.get_by_label("产品或服务（选填）").fill("白金信用卡")
        phone.get_by_label("事情经过").fill("信用卡年费600元未经同意被扣收，客服说无法退还。")
        phone.get_by_label("您的诉求").fill("退还年费600元")
        phone.get_by_label("附件（选填）").set_input_files(str(photo))
        shot(phone, "form-360")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
        phone.get_by_test_id("send").click()
        # the consent box is required: the form says so and keeps what was typed
        expect(phone.locator(".pp-consent .errorlist")).to_be_visible()
        expect(phone.get_by_label("您的姓名")).to_have_value("李小红")
        phone.get_by_label("附件（选填）").set_input_files(str(photo))
        phone.get_by_label("我已阅读并同意上述个人信息处理告知。", exact=False).check()
        phone.get_by_test_id("send").click()
        reference = phone.get_by_test_id("reference").inner_text().strip()
        complaint = Complaint.objects.get()
        assert reference == complaint.reference and complaint.attachments.count() == 1
        shot(phone, "done-360")

        # the consumer looks it up
        phone.get_by_role("link", name="查询投诉").first.click()
        phone.get_by_label("投诉编号").fill(reference)
        phone.get_by_label("手机号码后四位").fill("9876")
        phone.get_by_test_id("look-up").click()
        expect(phone.get_by_test_id("result-status")).to_have_text("已受理")
        shot(phone, "status-360")

        # the head office decides and notifies; the consumer sees the decision
        worker = make_power_user("ho_browser", org.ho)
        for action, data in (
            ("assign", {"handler": worker.username}),
            ("accept", {}),
            (
                "draft",
                {
                    "verification": "调取扣费记录",
                    "basis": "合同第5条",
                    "result": "经核实，同意退还年费600元，3个工作日内到账。",
                },
            ),
            ("notify", {"method": "sms", "proof": "短信回执"}),
        ):
            complaint = complaint_transition(actor=worker, complaint=complaint, action=action, data=data)
        phone.reload()
        expect(phone.get_by_test_id("result-decision")).to_contain_text("同意退还年费600元")
        shot(phone, "decision-360")

        # the same pages on a desktop
        desk = new_context().new_page()
        desk.set_viewport_size({"width": 1280, "height": 900})
        desk.goto("/public/complaints/new/")
        shot(desk, "form-1280")
        desk.goto("/public/complaints/status/")
        desk.get_by_label("投诉编号").fill(reference)
        desk.get_by_label("手机号码后四位").fill("9876")
        desk.get_by_test_id("look-up").click()
        expect(desk.get_by_test_id("result-decision")).to_be_visible()
        shot(desk, "decision-1280")
