"""A consumer's complaint on the public page and through the API: where it lands, its clocks, the sealed
contact data, the attachments, the portal's service account."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from xiaobao.complaints.models import Attachment, Complaint
from xiaobao.core.models import User
from xiaobao.portal.models import PortalSettings, PortalSubmission
from xiaobao.portal.services import ACCOUNT, portal_actor
from xiaobao.portal.tests.conftest import PNG, counts

pytestmark = pytest.mark.django_db
NEW = "/public/complaints/new/"


def test_the_form_is_a_public_page_in_chinese_with_labels(org):
    # given no login / when the form is opened
    response = Client().get(NEW)
    # then it is there, in Chinese, every input labelled, the notice and its consent box shown
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html and "提交投诉" in html
    assert 'name="consent"' in html and 'data-testid="privacy-notice"' in html
    for name in (
        "name",
        "phone",
        "email",
        "business_type",
        "product",
        "description",
        "request",
        "attachments",
    ):
        assert f'for="id_{name}"' in html, name
    assert "B03" not in html.split('id="id_business_type"')[1].split("</select>")[0].replace(
        'value="B03"', ""
    )
    assert "银行卡" in html  # business types by name


def test_a_complaint_lands_online_at_the_receiving_unit_with_its_clocks(org, pinned, form_data, upload):
    # given the default settings (the head office receives)
    client = Client()
    # when a consumer sends the form with a picture
    response = client.post(NEW, {**form_data(), "attachments": [upload("receipt.png", PNG)]})
    # then the confirmation page shows the reference, kept in the session (not in the URL)
    assert response.status_code == 302 and response["Location"] == reverse("portal_public:done")
    done = client.get(response["Location"]).content.decode()
    complaint = Complaint.objects.get()
    assert complaint.reference in done and complaint.reference not in response["Location"]
    # and the complaint is the online channel's, at the head office, received today, due in 15 days
    assert complaint.channel.code == "A0304" and complaint.cause.code == "C99"
    assert complaint.org_unit == org.ho and complaint.source == "direct"
    assert complaint.receipt_date == dt.date(2026, 3, 2)
    assert complaint.decision_due == dt.date(2026, 3, 17)
    assert complaint.registered_by.username == ACCOUNT
    assert complaint.business_type.code == "B03" and complaint.product == "白金信用卡"
    # the complainant's phone and e-mail are sealed in the vault
    person = complaint.complainant
    assert person.email.reveal() == "li.xiaohong@example.com" and person.phone.reveal() == "13812349876"
    raw = Complaint.objects.raw(
        "SELECT id, email FROM core_consumer WHERE id = %s", [person.pk]
    )  # the stored column: ciphertext
    stored = next(iter(raw)).__dict__.get("email")
    assert "example.com" not in str(getattr(stored, "token", stored))
    # one attachment, stored, and the portal's record
    attachment = Attachment.objects.get()
    assert attachment.complaint == complaint and attachment.content_type == "image/png"
    assert attachment.file.storage.exists(attachment.file.name)
    submission = PortalSubmission.objects.get()
    assert submission.complaint == complaint and submission.attachments == 1 and not submission.unit_chosen


def test_the_consumer_picks_a_branch_when_allowed(org, pinned, form_data):
    # given branch choice on
    from xiaobao.portal.services import portal_settings

    portal_settings()
    PortalSettings.objects.filter(pk=1).update(branch_choice=True)
    client = Client()
    html = client.get(NEW).content.decode()
    assert "北京分行" in html and "上海分行" in html and "海淀支行" not in html
    # when one picks an unknown unit, then the form says so and nothing is stored
    bad = client.post(NEW, form_data(unit="B1-S1"))
    assert bad.status_code == 400 and Complaint.objects.count() == 0
    # when one picks Shanghai, then the complaint is Shanghai's
    assert client.post(NEW, form_data(unit=org.b2.code)).status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.org_unit == org.b2 and complaint.portal_submission.unit_chosen


def test_missing_consent_and_bad_phone_are_field_errors_in_chinese(org, pinned, form_data):
    data = form_data(phone="12345")
    data.pop("consent")
    response = Client().post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "手机号码" in html and html.count('class="errorlist"') >= 2
    assert counts()[:2] == (0, 0)


def test_the_api_registers_a_complaint_and_answers_the_reference(org, pinned):
    # given the app's JSON / when posted without a login
    body = {
        "name": "王五",
        "phone": "13900001111",
        "business_type": "B02",
        "description": "贷款利率与合同不符",
        "request": "按合同利率重新计息",
        "consent": True,
    }
    response = Client().post("/api/v1/public/complaints", json.dumps(body), content_type="application/json")
    # then 201 with the reference only, and the complaint came through the API
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert response.json() == {"reference": complaint.reference}
    assert complaint.portal_submission.via == "api"
    # without consent: 422, a field error in Chinese, nothing stored
    body["consent"] = False
    refused = Client().post("/api/v1/public/complaints", json.dumps(body), content_type="application/json")
    assert refused.status_code == 422 and "consent" in refused.json()["fields"]
    assert "同意" in refused.json()["fields"]["consent"][0]
    assert Complaint.objects.count() == 1


def test_the_form_options_for_an_app(org):
    data = Client().get("/api/v1/public/complaint-form").json()
    assert {"code": "B03", "name": "银行卡"} in data["business_types"] and data["units"] == []
    assert data["enabled"] is True and data["privacy_notice"]


def test_a_closed_portal_takes_nothing(org, form_data):
    from xiaobao.portal.services import portal_settings

    portal_settings()
    PortalSettings.objects.filter(pk=1).update(enabled=False)
    response = Client().post(NEW, form_data())
    assert response.status_code == 409 and Complaint.objects.count() == 0


def test_the_service_account_cannot_sign_in_and_holds_only_what_it_needs(org):
    # given the portal's account, made on first use
    actor = portal_actor()
    # then it sits at the root unit with an unusable password and three permissions
    assert actor.org_unit == org.ho and not actor.has_usable_password()
    assert sorted(actor.get_all_permissions()) == [
        "complaints.handle_complaint",
        "complaints.register_complaint",
        "complaints.view_complaint",
    ]
    assert not Client().login(username=ACCOUNT, password="")
    response = Client().post(reverse("core:login"), {"username": ACCOUNT, "password": "x"})
    assert response.status_code == 400
    assert portal_actor().pk == actor.pk and User.objects.filter(username=ACCOUNT).count() == 1
