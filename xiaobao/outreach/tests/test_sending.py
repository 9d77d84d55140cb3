"""Notices through a real SMTP server and a real HTTP receiver: acknowledgement, extension, decision, retries,
failures, the proof recorded."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from xiaobao.complaints.models import Complaint
from xiaobao.outreach.choices import Channel, Kind, SendingStatus
from xiaobao.outreach.models import Sending
from xiaobao.outreach.tests.conftest import EMAIL, PHONE, T0

pytestmark = pytest.mark.django_db


def test_registration_sends_the_acknowledgement_email(smtp, register):
    # given an SMTP server / when a complaint with an e-mail address is registered
    c = register()
    # then the acknowledgement arrives, in Chinese, with the reference, the due date and the lookup page
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["To"] == EMAIL
    assert c.reference in msg["Subject"] and "投诉受理告知" in msg["Subject"]
    assert msg.get_content_charset() == "utf-8"
    body = msg.get_content()
    assert c.reference in body and "2026年3月2日" in body and "/public/complaints/status/" in body
    assert "2026年3月17日" in body  # 15 days after receipt
    assert msg["Auto-Submitted"] == "auto-generated"
    # and the sending is the proof: sent, with the Message-ID the server received
    s = Sending.objects.get(complaint=c)
    assert (s.kind, s.channel, s.status, s.attempts) == (
        Kind.ACKNOWLEDGEMENT,
        Channel.EMAIL,
        SendingStatus.SENT,
        1,
    )
    assert s.provider_ref == msg["Message-ID"]
    assert s.sent_at == T0
    assert s.recipient_masked == "z********@example.com"
    assert s.recipient == EMAIL  # sealed, readable for the sending only
    raw = Sending.objects.filter(pk=s.pk).values_list("recipient_email", flat=True).get()
    assert EMAIL not in raw.token


def test_a_returning_complainant_gets_the_notices_at_the_address_given_now(
    smtp, clerk, django_capture_on_commit_callbacks
):
    # given a consumer known by ID number without an e-mail address
    from xiaobao.complaints.services import complaint_register

    def register(email: str) -> Any:
        data = {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": "B1-S1",
            "complainant": {"name": "张三", "id_number": "110108199003070016", "email": email},
            "request": "退还年费",
            "description": "信用卡年费被多扣。",
        }
        with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
            return complaint_register(actor=clerk, data=data)[0]

    first = register("")
    assert smtp.messages == []
    # when the same person complains again and gives an address, then the same consumer keeps it
    second = register(EMAIL)
    assert second.complainant_id == first.complainant_id
    assert second.complainant.email.reveal() == EMAIL
    assert [m["To"] for m in smtp.messages] == [EMAIL]
    # and a bad address is a field error, nothing registered
    from django.core.exceptions import ValidationError

    before = Complaint.objects.count()
    with pytest.raises(ValidationError) as exc:
        register("not-an-address")
    assert "complainant.email" in exc.value.message_dict and Complaint.objects.count() == before


def test_no_email_no_phone_no_sending(smtp, register):
    c = register(email="", phone="")
    assert smtp.messages == []
    assert not Sending.objects.filter(complaint=c).exists()


def test_sms_with_signature_reaches_the_gateway(smtp, sms_on, register):
    # given the gateway switched on / when a complaint with a mobile number is registered
    c = register(email="")
    # then one SMS request with the token header, the signature and the reference
    assert len(sms_on.requests) == 1
    req = sms_on.requests[0]
    assert req["headers"]["X-Api-Key"] == "tok-secret-123"
    body = json.loads(req["body"])
    assert body["phone"] == PHONE
    assert body["text"].startswith("【晓宝银行】") and c.reference in body["text"]
    s = Sending.objects.get(complaint=c)
    assert (s.channel, s.status, s.provider_ref) == (Channel.SMS, SendingStatus.SENT, "GW-1")
    assert s.recipient_masked == "139****5678"


def test_gateway_500_then_200_sends_on_retry(smtp, sms_on, register):
    from xiaobao.outreach.services import retry_due

    # given a gateway that answers 500 once
    sms_on.statuses = [500]
    c = register(email="")
    s = Sending.objects.get(complaint=c)
    assert (s.status, s.attempts) == (SendingStatus.RETRYING, 1)
    assert s.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert "500" in s.last_error
    # when the sweep runs before the retry is due nothing happens; after, it is sent
    assert retry_due(now=T0 + dt.timedelta(seconds=30))["due"] == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=2), tick=False):
        report = retry_due()
    s.refresh_from_db()
    assert report["sent"] == 1
    assert (s.status, s.attempts, s.provider_ref) == (SendingStatus.SENT, 2, "GW-2")


def test_smtp_refusal_retries_then_fails_and_tells_the_handler(smtp, register, client_for, clerk):
    from xiaobao.casework.models import Notification
    from xiaobao.outreach.services import retry_due

    # given a mail server refusing the recipient
    smtp.refuse = "550 5.1.1 <zhang.san@example.com>: mailbox unavailable"
    c = register()
    s = Sending.objects.get(complaint=c)
    assert (s.status, s.attempts, s.next_attempt_at) == (
        SendingStatus.RETRYING,
        1,
        T0 + dt.timedelta(minutes=1),
    )
    assert "550" in s.last_error and EMAIL not in s.last_error  # the address masked in the reason
    # when the sweep retries at each backoff (5 min, 30 min, 2 h after the previous one)
    moment = T0
    for wait in (1, 5, 30, 120):
        moment += dt.timedelta(minutes=wait)
        with time_machine.travel(moment, tick=False):
            retry_due()
        s.refresh_from_db()
    # then after the fifth attempt it failed, the handler (here the first responder) was told once
    assert (s.status, s.attempts, s.next_attempt_at) == (SendingStatus.FAILED, 5, None)
    told = Notification.objects.filter(user=clerk, kind="outreach_failed")
    assert told.count() == 1 and c.reference in told.get().message
    assert smtp.messages == []
    # and the complaint page shows it in red, the address masked
    page = client_for(clerk).get(f"/complaints/{c.pk}/").content.decode()
    assert 'data-testid="outreach-failed"' in page
    assert "z********@example.com" in page and EMAIL not in page


def test_extension_in_effect_sends_the_new_due_date(smtp, register, act):
    c = register()
    act(c, "accept")
    # when the deadline is extended to 30 days (no approval needed)
    act(c, "extend", {"to_days": 30, "reason": "需调取外部资料（内部）"})
    # then the extension notice tells the new due date, not the internal reason
    notice = [m for m in smtp.messages if "延期" in m["Subject"]]
    assert len(notice) == 1
    body = notice[0].get_content()
    assert "2026年4月1日" in body and "内部" not in body
    from xiaobao.complaints.models import Extension

    assert Extension.objects.get(complaint=c).complainant_told_at is not None


def test_extension_awaiting_approval_waits(smtp, register, act, approver):
    c = register()
    act(c, "accept")
    act(c, "extend", {"to_days": 30, "reason": "复杂"})
    act(c, "extend", {"to_days": 60, "reason": "特别复杂"})
    assert sum("延期" in m["Subject"] for m in smtp.messages) == 1  # only the first, in effect at once
    act(c, "approve_extension", actor=approver)
    assert sum("延期" in m["Subject"] for m in smtp.messages) == 2


def _drafted(register, act):
    c = register()
    act(c, "accept")
    act(c, "draft", {"verification": "调阅交易记录", "basis": "领用合约第十二条", "result": "退还年费200元"})
    return c


def test_notify_sends_the_decision_notice(smtp, register, act):
    c = _drafted(register, act)
    act(c, "notify", {"method": "letter", "proof": "EMS 1234"})
    notice = [m for m in smtp.messages if "处理意见" in m["Subject"]]
    assert len(notice) == 1
    body = notice[0].get_content()
    assert "退还年费200元" in body and "30日内" in body and "北京分行" in body  # review right: superior unit


def test_send_now_records_the_notice(smtp, register, act, clerk):
    from xiaobao.outreach.services import sending_request

    c = _drafted(register, act)
    c.refresh_from_db()
    # when the handler sends the decision notice from the complaint page
    with time_machine.travel(T0 + dt.timedelta(hours=2), tick=False):
        s = sending_request(actor=clerk, complaint=c, kind=Kind.DECISION, channel=Channel.EMAIL)
        from xiaobao.outreach.services import sending_attempt

        sending_attempt(sending_id=s.pk)
    # then it is sent and the complaint is recorded as notified by e-mail with the Message-ID as proof
    s.refresh_from_db()
    c.refresh_from_db()
    assert s.status == SendingStatus.SENT
    assert (c.status, c.notify_method) == ("decided", "email")
    assert s.provider_ref in c.notify_proof and c.notified_at == s.sent_at
    assert "Recorded" in s.notify_result or "已登记" in s.notify_result
    # and the notify event did not send a second decision notice
    assert sum("处理意见" in m["Subject"] for m in smtp.messages) == 1


def test_send_now_refused_before_a_decision(smtp, register, clerk):
    from xiaobao.core.errors import Conflict
    from xiaobao.outreach.services import sending_request

    c = register()
    with pytest.raises(Conflict):
        sending_request(actor=clerk, complaint=c, kind=Kind.DECISION, channel=Channel.EMAIL)
