"""The panel, the log, the settings and templates through pages and the API: masking, scoping, validation."""

from __future__ import annotations

import json

import pytest

from conftest import make_user
from xiaobao.outreach.choices import SendingStatus
from xiaobao.outreach.models import MessageTemplate, OutreachSettings, Sending
from xiaobao.outreach.tests.conftest import EMAIL

pytestmark = pytest.mark.django_db

MASKED = "z********@example.com"


def test_panel_lists_sendings_masked_and_log_scoped(
    smtp, register, client_for, clerk, hq_officer, other_branch_officer
):
    c = register()
    # the handler's complaint page: the sending, masked, with its Message-ID
    page = client_for(clerk).get(f"/complaints/{c.pk}/").content.decode()
    s = Sending.objects.get(complaint=c)
    assert 'data-testid="outreach-sendings"' in page and MASKED in page and EMAIL not in page
    assert s.provider_ref.strip("<>") in page
    # head office's log shows it masked; another branch's officer does not see it
    log = client_for(hq_officer).get("/outreach/").content.decode()
    assert c.reference in log and MASKED in log and EMAIL not in log
    other = client_for(other_branch_officer).get("/outreach/")
    assert other.status_code == 200 and c.reference not in other.content.decode()


def test_panel_says_why_nothing_was_sent(smtp, register, client_for, clerk):
    c = register(email="", phone="")
    page = client_for(clerk).get(f"/complaints/{c.pk}/").content.decode()
    assert 'data-testid="outreach-none"' in page
    assert "No e-mail address is recorded" in page or "未登记投诉人的电子邮箱" in page


def test_resend_through_the_page_and_other_branch_404(
    smtp, register, client_for, clerk, org, django_capture_on_commit_callbacks
):
    c = register()
    s = Sending.objects.get(complaint=c)
    stranger = make_user("o_b2", org.b2, ["complaint_handler"])
    assert client_for(stranger).post(f"/outreach/sendings/{s.pk}/resend/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clerk).post(f"/outreach/sendings/{s.pk}/resend/")
    assert response.status_code == 302
    assert Sending.objects.filter(complaint=c, status=SendingStatus.SENT).count() == 2
    assert len(smtp.messages) == 2
    # the audit trail names the recipient masked only
    from xiaobao.core.models import AuditEvent

    rows = AuditEvent.objects.filter(object_type="outreach.sending")
    assert rows.exists()
    assert all(EMAIL not in json.dumps(r.changes, ensure_ascii=False) for r in rows)
    assert any(MASKED in json.dumps(r.changes, ensure_ascii=False) for r in rows)


def test_api_sendings_and_send_decision(smtp, register, act, api_for, clerk):
    c = register()
    client = api_for(clerk)
    rows = client.get(f"/api/v1/complaints/{c.pk}/sendings").json()
    assert [r["recipient"] for r in rows] == [MASKED] and rows[0]["status"] == "sent"
    # a decision notice before there is a decision: 409 in the project's shape
    r = client.post(
        f"/api/v1/complaints/{c.pk}/sendings",
        {"kind": "decision", "channel": "email"},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "no_decision"
    r = client.post(
        f"/api/v1/complaints/{c.pk}/sendings",
        {"kind": "x", "channel": "email"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "kind" in r.json()["fields"]
    r = client.post(
        f"/api/v1/complaints/{c.pk}/sendings",
        {"kind": "acknowledgement", "channel": "sms"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "channel" in r.json()["fields"]  # the gateway is off


def test_template_validation_and_sms_warning(hq_officer, api_for, client_for):
    client = api_for(hq_officer)
    templates = client.get("/api/v1/outreach/templates").json()
    assert len(templates) == 6
    email = next(t for t in templates if t["kind"] == "acknowledgement" and t["channel"] == "email")
    sms = next(t for t in templates if t["kind"] == "decision" and t["channel"] == "sms")
    # an unknown placeholder is a field error; nothing is saved
    r = client.patch(
        f"/api/v1/outreach/templates/{email['id']}", {"body": "您好{name}"}, content_type="application/json"
    )
    assert r.status_code == 422 and "body" in r.json()["fields"]
    assert MessageTemplate.objects.get(pk=email["id"]).body == email["body"]
    r = client.patch(
        f"/api/v1/outreach/templates/{email['id']}", {"subject": ""}, content_type="application/json"
    )
    assert r.status_code == 422 and "subject" in r.json()["fields"]
    # an SMS over 70 characters is saved with a warning
    r = client.patch(
        f"/api/v1/outreach/templates/{sms['id']}",
        {"body": "处理意见：{decision}" + "。" * 70},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["warnings"]
    # the page shows the field error in the user's language
    page = client_for(hq_officer).post(
        f"/outreach/templates/{email['id']}/", {"subject": "主题", "body": "{oops}"}
    )
    assert page.status_code == 400 and "{oops}" in page.content.decode()


def test_settings_api_seals_the_token_and_refuses_internal_urls(hq_officer, api_for, settings):
    from xiaobao.core.models import AuditEvent

    settings.OUTBOUND_ALLOWED_HOSTS = []
    client = api_for(hq_officer)
    r = client.patch(
        "/api/v1/outreach/settings",
        {"sms_enabled": True, "sms_url": "http://169.254.169.254/latest", "sms_token": "s3cret"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "sms_url" in r.json()["fields"]
    r = client.patch(
        "/api/v1/outreach/settings",
        {"sms_url": "http://127.0.0.1:9/sms", "sms_body": '{"p": "{phone}"}'},
        content_type="application/json",
    )
    assert r.status_code == 422 and set(r.json()["fields"]) >= {"sms_url"}
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    r = client.patch(
        "/api/v1/outreach/settings",
        {
            "sms_enabled": True,
            "sms_url": "http://127.0.0.1:9/sms",
            "sms_token": "s3cret",
            "sms_signature": "【晓宝】",
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["sms_token_set"] is True and "s3cret" not in r.content.decode()
    st = OutreachSettings.objects.get(pk=1)
    assert st.sms_token.reveal() == "s3cret"
    raw = OutreachSettings.objects.filter(pk=1).values_list("sms_token", flat=True).get()
    assert "s3cret" not in raw.token
    assert all(
        "s3cret" not in json.dumps(a.changes)
        for a in AuditEvent.objects.filter(object_type="outreach.outreachsettings")
    )
    # a JSON body template that is not JSON is a field error
    r = client.patch(
        "/api/v1/outreach/settings", {"sms_body": "{phone} {text}"}, content_type="application/json"
    )
    assert r.status_code == 422 and "sms_body" in r.json()["fields"]


def test_test_email_from_the_settings_page(smtp, hq_officer, client_for):
    response = client_for(hq_officer).post(
        "/outreach/settings/test/", {"channel": "email", "address": "it@bank.example"}
    )
    assert response.status_code == 302
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "it@bank.example"
    smtp.refuse = "550 no such user"
    response = client_for(hq_officer).post(
        "/outreach/settings/test/", {"channel": "email", "address": "x@bank.example"}, follow=True
    )
    assert "550" in response.content.decode()


def test_send_from_the_page_refuses_bad_input_and_writes_nothing(
    smtp, register, client_for, clerk, org, django_capture_on_commit_callbacks
):
    c = register()
    before = Sending.objects.count()
    client = client_for(clerk)
    for data in ({"kind": "x", "channel": "email"}, {"kind": "decision", "channel": "pigeon"}, {}):
        response = client.post(f"/outreach/complaints/{c.pk}/send/", data, follow=True)
        assert response.status_code == 200
        assert (
            "选择告知类型和渠道" in response.content.decode()
            or "Choose the notice" in response.content.decode()
        )
    # a decision notice before there is a decision is refused with the reason, nothing sent
    response = client.post(f"/outreach/complaints/{c.pk}/send/", {"kind": "decision", "channel": "email"})
    assert response.status_code in (302, 409)
    assert Sending.objects.count() == before and len(smtp.messages) == 1  # the acknowledgement only
    stranger = make_user("o_b2_send", org.b2, ["complaint_handler"])
    answer = client_for(stranger).post(
        f"/outreach/complaints/{c.pk}/send/", {"kind": "decision", "channel": "email"}
    )
    assert answer.status_code == 404
