"""The whole way, in the browser, against real counterparts: an administrator subscribes a webhook receiver
(a local HTTP server) to complaint events; a consumer on a 360 px phone submits a complaint on the public
page, gets the reference and the acknowledgement e-mail (a local aiosmtpd server); the branch assigns it,
the handler accepts it, drafts the decision and sends the decision notice by e-mail (which records the
notice); the consumer looks the complaint up, sees the decision and rates the handling; the receiver got
every step, each with a signature it verifies itself.

Screenshots in var/screenshots/journey--*.png (looked at, zh-Hans)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.complaints.choices import Status
from xiaobao.complaints.models import Complaint
from xiaobao.outreach.tests.conftest import smtp  # noqa: F401  (the SMTP server fixture)
from xiaobao.portal.models import ConsumerRating, PortalSettings
from xiaobao.portal.services import portal_settings
from xiaobao.webhooks.models import Subscription
from xiaobao.webhooks.tests.conftest import _server, receiver  # noqa: F401  (the receiver fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
EMAIL = "wang.fang@example.com"


def _step(page, code: str, fields: dict[str, str] | None = None) -> None:
    """Take an action on the complaint page (its form opens inline) and wait for the new version."""
    detail = page.get_by_test_id("complaint-detail")
    version = detail.get_attribute("data-version") or ""
    page.get_by_test_id(f"action-{code}").click()
    if fields is not None:
        form = page.locator("#action-panel").get_by_test_id("action-form")
        expect(form).to_be_visible()
        for selector, value in fields.items():
            if selector.startswith("select"):
                form.locator(selector).select_option(value)
            else:
                form.locator(selector).fill(value)
        form.get_by_test_id("action-submit").click()
    expect(detail).not_to_have_attribute("data-version", version)


def _look_up(page, reference: str) -> None:
    page.goto("/public/complaints/status/")
    page.get_by_label("投诉编号").fill(reference)
    page.get_by_label("手机号码后四位").fill("6688")
    page.get_by_test_id("look-up").click()


def test_consumer_branch_consumer_with_every_event_signed(new_context, login, shot, org, smtp, receiver):  # noqa: F811
    from django.core.cache import cache

    cache.clear()
    admin = make_user("j_admin", org.ho, ["sysadmin"])
    make_user("j_officer", org.b1, ["branch_cp_officer"])
    handler = make_user("j_handler", org.b1s, ["complaint_handler"])
    handler.full_name = "王处理"
    handler.save()
    portal_settings()
    PortalSettings.objects.filter(pk=1).update(receiving_unit=org.b1)  # consumers' complaints go to branch 1

    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=True):
        # 1. The administrator subscribes the bank's integration endpoint to complaint events.
        hq = new_context().new_page()
        hq.set_viewport_size(DESK)
        login(hq, admin.username)
        hq.goto("/webhooks/new/")
        hq.fill("#id_name", "核心系统投诉同步")
        hq.fill("#id_url", receiver.url)
        hq.locator("input[name=event_types][value='complaints.*']").check()
        hq.get_by_test_id("webhook-save").click()
        secret = hq.get_by_test_id("secret-value").inner_text()
        subscription = Subscription.objects.get()

        # 2. A consumer on a phone submits a complaint and gets the reference …
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        phone.goto("/public/complaints/new/")
        phone.get_by_label("您的姓名").fill("王芳")
        phone.get_by_label("手机号码", exact=False).first.fill("13900006688")
        phone.get_by_label("电子邮箱（选填）").fill(EMAIL)
        phone.get_by_label("投诉涉及的业务").select_option(label="银行卡")
        what = "<script>alert(1)</script>信用卡分期手续费未经告知被收取 350 元。"
        phone.get_by_label("事情经过").fill(what)
        phone.get_by_label("您的诉求").fill("退还手续费 350 元")
        phone.get_by_label("我已阅读并同意上述个人信息处理告知。", exact=False).check()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "journey-01-form-360")
        phone.get_by_test_id("send").click()
        reference = phone.get_by_test_id("reference").inner_text().strip()
        complaint = Complaint.objects.get(reference=reference)
        assert complaint.org_unit == org.b1 and complaint.complainant.email.reveal() == EMAIL
        shot(phone, "journey-02-reference-360")

        # … and the acknowledgement e-mail with it.
        assert [m["To"] for m in smtp.messages] == [EMAIL]
        assert reference in smtp.messages[0].get_body(preferencelist=("plain",)).get_content()

        # 3. The branch assigns it; the handler accepts, drafts the decision and sends the notice by e-mail.
        branch = new_context().new_page()
        branch.set_viewport_size(DESK)
        login(branch, "j_officer")
        branch.goto(f"/complaints/{complaint.pk}/")
        detail = branch.get_by_test_id("complaint-detail")
        expect(detail.get_by_test_id("description")).to_contain_text("<script>alert(1)</script>")  # as text
        _step(branch, "assign", {"select[name=handler]": handler.username})
        expect(detail.get_by_test_id("handler")).to_have_text("王处理")

        work = new_context().new_page()
        work.set_viewport_size(DESK)
        login(work, handler.username)
        work.goto(f"/complaints/{complaint.pk}/")
        _step(work, "accept")
        _step(
            work,
            "draft",
            {
                "textarea[name=verification]": "调取分期合同及短信告知记录，未见手续费告知。",
                "textarea[name=basis]": "按分期业务协议第 3 条，手续费须事先告知。",
                "textarea[name=result]": "退还分期手续费 350 元，3 个工作日内到账。",
            },
        )
        panel = work.get_by_test_id("outreach")
        expect(panel.get_by_test_id("outreach-row").first).to_have_attribute("data-status", "sent")
        panel.get_by_test_id("outreach-send-decision").click()
        expect(work.get_by_test_id("complaint-detail").get_by_test_id("status").first).to_have_text(
            "已作出决定并告知"
        )
        expect(work.get_by_test_id("outreach").get_by_test_id("outreach-row")).to_have_count(2)
        expect(work.locator("main")).not_to_contain_text(EMAIL)  # masked on the page
        shot(work, "journey-03-decided-1280")
        complaint.refresh_from_db()
        assert complaint.status == Status.DECIDED and complaint.notify_method == "email"
        assert "发送于 2026-03-02" in complaint.notify_proof  # the proof, in the institution's language
        assert len(smtp.messages) == 2
        assert "退还分期手续费 350 元" in smtp.messages[1].get_body(preferencelist=("plain",)).get_content()

        # 4. The consumer looks it up, sees the decision and rates the handling.
        _look_up(phone, reference)
        expect(phone.get_by_test_id("result-decision")).to_contain_text("退还分期手续费 350 元")
        expect(phone.get_by_test_id("portal-result")).not_to_contain_text("王处理")  # no staff names
        shot(phone, "journey-04-decision-360")
        phone.get_by_test_id("go-rate").click()
        phone.locator("input[name=score][value='5']").check()
        phone.get_by_test_id("send-rating").click()
        expect(phone.get_by_test_id("rated")).to_be_visible()
        shot(phone, "journey-05-rated-360")
        assert ConsumerRating.objects.get(complaint=complaint).score == 5

        # 5. The receiver got every step once, each signed with the subscription's secret.
        steps = ["register", "assign", "accept", "draft", "notify"]
        for action in steps:
            got = receiver.of_type(f"complaints.complaint.{action}")
            assert len(got) == 1, action
            assert got[0].signed_with(secret), action
            body = got[0].json
            assert body["item"]["reference"] == reference
            assert "王芳" not in got[0].body.decode() and "13900006688" not in got[0].body.decode()
        hq.goto(f"/webhooks/{subscription.pk}/")
        expect(hq.get_by_test_id("delivery-row")).to_have_count(len(steps))
        shot(hq, "journey-06-delivery-log-1280")
