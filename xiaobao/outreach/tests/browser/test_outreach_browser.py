"""In a real Chromium: a handler opens a complaint with a failed and a sent notice, sees the panel (failure in
red, recipients masked), presses "resend", and the acknowledgement reaches the SMTP server (aiosmtpd).
Screenshots: var/screenshots/outreach_*.png at 1280 and 360 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.outreach.models import Sending
from xiaobao.outreach.tests.conftest import EMAIL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _complaint(handler, org):
    from xiaobao.complaints.services import complaint_register

    c, _ = complaint_register(
        actor=handler,
        data={
            "received_at": timezone.now() - dt.timedelta(hours=3),
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b1s.code,
            "complainant": {"name": "张三", "email": EMAIL},
            "request": "退还年费",
            "description": "信用卡年费被多扣。",
        },
    )
    return c


def test_handler_sees_the_notices_and_resends_the_failed_one(page, login, shot, org, smtp):
    # given a complaint whose acknowledgement failed after five attempts (the mail server refused it)
    handler = make_user("b1_handler", org.b1s, ["complaint_handler"])
    smtp.refuse = "550 5.1.1 mailbox unavailable"
    c = _complaint(handler, org)
    s = Sending.objects.get(complaint=c)
    Sending.objects.filter(pk=s.pk).update(status="failed", attempts=5, next_attempt_at=None)
    extra = Sending(
        complaint=c, kind="extension", channel="email", recipient_masked=s.recipient_masked,
        subject="延期告知", body="…", status="sent", attempts=1, provider_ref="<170000.1@bank.example>",
        sent_at=timezone.now(),
    )  # fmt: skip
    extra.recipient_email = EMAIL  # type: ignore[assignment]
    extra.save()
    smtp.refuse = ""
    # when the handler opens the complaint
    login(page, "b1_handler")
    page.goto(f"/complaints/{c.pk}/#outreach")
    panel = page.get_by_test_id("outreach")
    expect(panel.get_by_test_id("outreach-failed")).to_be_visible()
    expect(panel.get_by_test_id("outreach-row")).to_have_count(2)
    assert EMAIL not in panel.inner_text() and "z********@example.com" in panel.inner_text()
    panel.scroll_into_view_if_needed()
    shot(page, "1280")
    panel.screenshot(path=str(shot(page, "1280-page").with_name("outreach--panel-1280.png")))
    # and presses "resend" on the failed acknowledgement
    panel.locator("[data-status=failed] [data-testid=outreach-resend]").click()
    # then a new sending is sent and shown; the mail server received it
    expect(page.locator("[data-testid=outreach-row][data-status=sent]")).to_have_count(2)
    assert len(smtp.messages) == 1 and c.reference in smtp.messages[0]["Subject"]
    expect(page.get_by_test_id("outreach-failed")).to_have_count(0)  # the failure is no longer news
    # at 360 px the panel fits the screen
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"/complaints/{c.pk}/#outreach")
    panel = page.get_by_test_id("outreach")
    panel.scroll_into_view_if_needed()
    shot(page, "360")
    panel.screenshot(path=str(shot(page, "360-page").with_name("outreach--panel-360.png")))
