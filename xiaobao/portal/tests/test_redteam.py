"""Red-team checks of the public pages: disguised and oversized attachments, markup in every field, CSRF,
the robot field and the submission throttle — every refusal stores nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from xiaobao.complaints.models import Complaint
from xiaobao.portal.models import ConsumerRating, PortalSettings, PortalSubmission
from xiaobao.portal.services import portal_settings
from xiaobao.portal.tests.conftest import EXE, HTML, PDF, PNG, counts

pytestmark = pytest.mark.django_db
NEW = "/public/complaints/new/"
SCRIPT = "<script>alert('xb')</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(1)"


def _limits(**values):
    portal_settings()
    PortalSettings.objects.filter(pk=1).update(**values)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("photo.jpg", EXE, "不符"),  # a program renamed .jpg
        ("letter.pdf", HTML, "不符"),  # a web page renamed .pdf
        ("run.exe", EXE, "只能"),  # a program as itself
        ("page.html", HTML, "只能"),
    ],
    ids=["exe-as-jpg", "html-as-pdf", "exe", "html"],
)
def test_a_disguised_file_is_refused_by_content_and_nothing_is_stored(
    org, pinned, form_data, upload, name, content, says
):
    # given nothing stored / when a form comes with the file and a good one
    before = counts()
    files = [upload("ok.png", PNG), upload(name, content)]
    response = Client().post(NEW, {**form_data(), "attachments": files})
    # then the form says why, and no complaint, consumer, attachment or file exists
    assert response.status_code == 400
    assert says in response.content.decode()
    assert counts() == before


def test_a_kind_the_settings_do_not_allow_is_refused(org, pinned, form_data, upload):
    _limits(file_types=["png"])
    before = counts()
    response = Client().post(NEW, {**form_data(), "attachments": [upload("a.pdf", PDF)]})
    assert response.status_code == 400 and "PNG" in response.content.decode()
    assert counts() == before


def test_oversized_files_and_too_many_files_are_refused(org, pinned, form_data, upload):
    # given 1 MB a file, 2 MB in all, 2 files at most
    _limits(max_file_mb=1, max_total_mb=2, max_files=2)
    before = counts()
    big = PNG + b"\x00" * (2**20)
    client = Client()
    # when one file is over 1 MB, then refused
    r1 = client.post(NEW, {**form_data(), "attachments": [upload("big.png", big)]})
    assert r1.status_code == 400 and "1 MB" in r1.content.decode()
    # when three files come, then refused
    r2 = client.post(NEW, {**form_data(), "attachments": [upload(f"{i}.png", PNG) for i in range(3)]})
    assert r2.status_code == 400 and "最多上传 2 个附件" in r2.content.decode()
    # then nothing was stored
    assert counts() == before


def test_together_over_the_total_is_refused(org, pinned, form_data, upload):
    _limits(max_file_mb=1, max_total_mb=1, max_files=3)
    before = counts()
    half = PNG + b"\x00" * (600 * 1024)
    response = Client().post(
        NEW, {**form_data(), "attachments": [upload("a.png", half), upload("b.png", half)]}
    )
    assert response.status_code == 400 and "合计" in response.content.decode()
    assert counts() == before


def test_a_failure_after_the_files_were_written_removes_them(org, pinned, form_data, upload, monkeypatch):
    # given a failure at the last step of a submission (after the attachment was written to disk)
    from django.db import IntegrityError

    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(PortalSubmission.objects, "create", fail)
    before = counts()
    # when the form is sent
    with pytest.raises(IntegrityError):
        Client(raise_request_exception=True).post(NEW, {**form_data(), "attachments": [upload("a.png", PNG)]})
    # then the transaction rolled back and the file is gone too
    assert counts() == before


def test_without_the_csrf_token_the_form_is_refused(org, form_data):
    client = Client(enforce_csrf_checks=True)
    client.get(NEW)
    response = client.post(NEW, form_data())
    assert response.status_code == 403 and Complaint.objects.count() == 0


def test_the_robot_field_stores_nothing(org, pinned, form_data):
    response = Client().post(NEW, form_data(website="http://spam.example"))
    assert response.status_code == 400 and Complaint.objects.count() == 0


def test_submissions_are_throttled_per_address(org, pinned, form_data):
    # given two complaints an hour per address
    _limits(submissions_per_address=2)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert client.post(NEW, form_data()).status_code == 302
    # when a third comes from the same address, then 429 with Retry-After and nothing stored
    third = client.post(NEW, form_data())
    assert third.status_code == 429 and 0 < int(third["Retry-After"]) <= 3600
    assert Complaint.objects.count() == 2
    # the API shares the count; another address is not affected
    body = {
        "name": "王五",
        "phone": "13900001111",
        "business_type": "B02",
        "description": "d",
        "request": "r",
        "consent": True,
    }
    api = Client(REMOTE_ADDR="203.0.113.7").post(
        "/api/v1/public/complaints", json.dumps(body), content_type="application/json"
    )
    assert api.status_code == 429 and api.json()["code"] == "throttled" and api["Retry-After"]
    assert Client(REMOTE_ADDR="198.51.100.1").post(NEW, form_data()).status_code == 302


def test_markup_in_every_field_is_kept_as_text_and_shown_escaped(
    org, pinned, form_data, client_for, hq_officer, ho_worker, decide
):
    # given a complaint whose every text carries markup
    client = Client()
    data = form_data(name=SCRIPT, product=IMG, description=f"{JS} {SCRIPT}", request=f"{IMG} {JS}")
    assert client.post(NEW, data).status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.product == IMG[:100] and complaint.description == f"{JS} {SCRIPT}"
    assert complaint.complainant.name == SCRIPT
    # and a decision, a rating and a review request with markup
    complaint = decide(ho_worker, complaint, result=f"{SCRIPT}{IMG}")
    lookup = client.post(
        reverse("portal_public:status"), {"reference": complaint.reference, "phone_last4": "9876"}
    )
    assert lookup.status_code == 302
    result = client.get(reverse("portal_public:result")).content.decode()
    assert (
        client.post(reverse("portal_public:rate"), {"score": "2", "comment": SCRIPT + IMG}).status_code == 302
    )
    assert client.post(reverse("portal_public:review"), {"reason": IMG + JS + SCRIPT}).status_code == 302
    assert ConsumerRating.objects.get().comment == SCRIPT + IMG
    # then no page shows it as markup: the consumer's result, the complaint's page, the portal's page
    pages = [
        result,
        client_for(hq_officer).get(reverse("complaints:detail", args=[complaint.pk])).content.decode(),
        client_for(hq_officer).get(reverse("portal:home")).content.decode(),
        client.get(reverse("portal_public:result")).content.decode(),
    ]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;xb&#x27;)&lt;/script&gt;" in pages[0]  # the decision, escaped
    assert "&lt;script&gt;" in pages[1] and 'data-testid="portal-rating"' in pages[1]
    # a reference with markup typed into the lookup comes back escaped
    bad = client.post(reverse("portal_public:status"), {"reference": SCRIPT[:40], "phone_last4": "1234"})
    assert bad.status_code in (400, 404) and "<script>alert" not in bad.content.decode()
