"""The status lookup (page and JSON), enumeration, throttles, the audit, and what a consumer may do after a
lookup: request a review within the window, rate once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from xiaobao.complaints.models import Complaint
from xiaobao.core.models import AuditEvent
from xiaobao.portal.models import ConsumerRating, PortalReviewRequest, PortalSettings
from xiaobao.portal.services import portal_settings
from xiaobao.portal.tests.conftest import DAY

pytestmark = pytest.mark.django_db
STATUS = "/api/v1/public/status"


@pytest.fixture
def complaint(org, pinned, form_data):
    assert Client().post("/public/complaints/new/", form_data()).status_code == 302
    return Complaint.objects.get()


def _api(reference, last4, address="198.51.100.5"):
    return Client(REMOTE_ADDR=address).get(STATUS, {"reference": reference, "phone_last4": last4})


def _look_up(client, reference, last4="9876"):
    return client.post(reverse("portal_public:status"), {"reference": reference, "phone_last4": last4})


def test_before_the_decision_the_consumer_sees_status_and_dates_only(complaint):
    # given a consumer with the reference and the digits
    client = Client()
    # when they look it up (the reference typed in lower case with spaces)
    response = _look_up(client, f" {complaint.reference.lower()} ")
    assert response.status_code == 302 and response["Location"] == reverse("portal_public:result")
    html = client.get(response["Location"]).content.decode()
    # then status in words and the dates, nothing else: no names, texts, unit or staff
    assert complaint.reference in html and "已受理" in html
    assert "2026-03-02" in html and "2026-03-17" in html
    for secret in (
        "李小红",
        "9876",
        "信用卡年费未经同意",
        "退还年费",
        "白金信用卡",
        "系统账户",
        "li.xiaohong",
    ):
        assert secret not in html.split("<main")[1], secret
    assert 'data-testid="result-decision"' not in html and 'data-testid="go-review"' not in html
    # and the JSON answer has exactly the five keys
    body = _api(complaint.reference, "9876").json()
    assert body == {
        "reference": complaint.reference,
        "status": "registered",
        "received_on": "2026-03-02",
        "due_date": "2026-03-17",
        "decided_on": None,
    }


def test_after_the_notice_the_decision_is_shown(complaint, ho_worker, decide):
    decide(ho_worker, complaint, result="同意退还年费 600 元。")
    client = Client()
    _look_up(client, complaint.reference)
    html = client.get(reverse("portal_public:result")).content.decode()
    assert "同意退还年费 600 元。" in html and "2026-03-02" in html
    assert 'data-testid="go-review"' in html and 'data-testid="go-rate"' in html
    body = _api(complaint.reference, "9876").json()
    assert list(body) == ["reference", "status", "received_on", "due_date", "decided_on"]
    assert body["status"] == "decided" and body["decided_on"] == "2026-03-02"


def test_a_known_and_an_unknown_reference_answer_the_same_404(complaint):
    # given a real reference with the wrong digits, and references that do not exist
    wrong = _api(complaint.reference, "0000", "198.51.100.1")
    unknown = _api("TS202603029999999", "0000", "198.51.100.2")
    junk = _api("<script>", "1234", "198.51.100.3")
    # then the three answers are byte for byte the same 404 in the project's error shape
    assert wrong.status_code == unknown.status_code == junk.status_code == 404
    assert wrong.content == unknown.content == junk.content
    assert wrong.json()["code"] == "not_found" and set(wrong.json()) == {"code", "message", "fields"}
    # and the page says the same for both
    c1, c2 = Client(), Client()
    p1, p2 = _look_up(c1, complaint.reference, "0000"), _look_up(c2, "TS202603029999999", "0000")
    assert p1.status_code == p2.status_code == 404
    message = "没有与该编号和手机号后四位相符的投诉。"
    assert message in p1.content.decode() and message in p2.content.decode()
    # malformed digits are a field error (the same for any reference), not a lookup
    assert _api(complaint.reference, "98a6").status_code == 422


def test_failures_for_one_reference_trip_its_throttle_from_any_address(complaint):
    # given 5 failures an hour per reference
    for i in range(5):
        assert _api(complaint.reference, "0000", f"203.0.113.{i}").status_code == 404
    # when anybody asks again, even with the right digits, then 429 with Retry-After
    throttled = _api(complaint.reference, "9876", "192.0.2.99")
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 3600
    # an unknown reference is throttled the same way (no difference to learn from)
    for i in range(5):
        _api("TS202603020000999", "0000", f"203.0.114.{i}")
    assert _api("TS202603020000999", "0000", "192.0.2.98").status_code == 429
    # after the window the consumer gets through
    with __import__("time_machine").travel(DAY + dt.timedelta(hours=1, minutes=1), tick=True):
        assert _api(complaint.reference, "9876", "192.0.2.99").status_code == 200


def test_lookups_are_throttled_per_address(complaint):
    portal_settings()
    PortalSettings.objects.filter(pk=1).update(lookups_per_address=3)
    for _ in range(3):
        assert _api(complaint.reference, "9876", "203.0.113.50").status_code == 200
    assert _api(complaint.reference, "9876", "203.0.113.50").status_code == 429
    page = _look_up(Client(REMOTE_ADDR="203.0.113.50"), complaint.reference)
    assert page.status_code == 429 and page["Retry-After"] and "请求过于频繁" in page.content.decode()
    assert _api(complaint.reference, "9876", "203.0.113.51").status_code == 200


def test_every_lookup_is_audited_without_the_digits(complaint):
    _api(complaint.reference, "9876", "203.0.113.60")
    _api(complaint.reference, "1111", "203.0.113.61")
    rows = list(AuditEvent.objects.filter(object_type="portal.lookup").order_by("id"))
    assert [(r.changes["outcome"], r.ip, r.object_repr) for r in rows] == [
        ("found", "203.0.113.60", complaint.reference),
        ("mismatch", "203.0.113.61", complaint.reference),
    ]
    assert rows[0].object_id == str(complaint.pk) and rows[1].object_id == ""
    for row in rows:
        dumped = json.dumps([row.changes, row.object_repr, row.object_id])
        assert "9876" not in dumped and "1111" not in dumped


def test_a_review_request_within_the_window_moves_the_complaint(complaint, ho_worker, decide, pinned):
    complaint = decide(ho_worker, complaint)
    pinned.move_to(DAY + dt.timedelta(days=29))
    client = Client()
    _look_up(client, complaint.reference)
    assert client.get(reverse("portal_public:review")).status_code == 200
    response = client.post(reverse("portal_public:review"), {"reason": "赔偿金额计算有误"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "under_review" and complaint.review_requested_on == dt.date(2026, 3, 31)
    event = complaint.events.get(action="request_review")
    assert event.note == "赔偿金额计算有误" and event.actor.username == "portal"
    assert PortalReviewRequest.objects.get().reason == "赔偿金额计算有误"
    # a second request is refused
    again = client.post(reverse("portal_public:review"), {"reason": "再次申请"})
    assert again.status_code == 409 and PortalReviewRequest.objects.count() == 1


def test_a_review_request_after_30_days_is_refused(complaint, ho_worker, decide, pinned):
    complaint = decide(ho_worker, complaint)
    pinned.move_to(DAY + dt.timedelta(days=31))
    client = Client()
    _look_up(client, complaint.reference)
    assert 'data-testid="go-review"' not in client.get(reverse("portal_public:result")).content.decode()
    assert client.post(reverse("portal_public:review"), {"reason": "晚了"}).status_code == 409
    body = {"reference": complaint.reference, "phone_last4": "9876", "reason": "晚了"}
    api = Client().post("/api/v1/public/review-requests", json.dumps(body), content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "too_late"
    complaint.refresh_from_db()
    assert complaint.status == "decided" and not PortalReviewRequest.objects.exists()


def test_no_review_or_rating_before_the_decision(complaint):
    client = Client()
    _look_up(client, complaint.reference)
    assert client.post(reverse("portal_public:review"), {"reason": "x"}).status_code == 409
    assert client.post(reverse("portal_public:rate"), {"score": "5"}).status_code == 409
    body = {"reference": complaint.reference, "phone_last4": "9876", "score": 5}
    api = Client().post("/api/v1/public/ratings", json.dumps(body), content_type="application/json")
    assert api.status_code == 409 and not ConsumerRating.objects.exists()


def test_a_rating_once_after_the_decision(complaint, ho_worker, decide, client_for, hq_officer):
    complaint = decide(ho_worker, complaint)
    body = {"reference": complaint.reference, "phone_last4": "9876", "score": 4, "comment": "处理及时"}
    first = Client().post("/api/v1/public/ratings", json.dumps(body), content_type="application/json")
    assert first.status_code == 201 and first.json() == {
        "reference": complaint.reference,
        "status": "decided",
    }
    second = Client().post("/api/v1/public/ratings", json.dumps(body), content_type="application/json")
    assert second.status_code == 409 and second.json()["code"] == "already_rated"
    wrong = Client().post(
        "/api/v1/public/ratings", json.dumps({**body, "phone_last4": "0000"}), content_type="application/json"
    )
    assert wrong.status_code == 404
    # then the rating is kept by the portal (the complaint's own satisfaction is the follow-up's)
    assert ConsumerRating.objects.get().score == 4
    complaint.refresh_from_db()
    assert complaint.satisfaction is None
    page = client_for(hq_officer).get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "4/5" in page and "处理及时" in page
    # and the consumer's page says it was rated, without a second form
    client = Client()
    _look_up(client, complaint.reference)
    html = client.get(reverse("portal_public:result")).content.decode()
    assert 'data-testid="rated"' in html and 'data-testid="go-rate"' not in html


def test_the_result_page_needs_a_fresh_lookup(complaint, pinned):
    client = Client()
    assert client.get(reverse("portal_public:result"))["Location"] == reverse("portal_public:status")
    _look_up(client, complaint.reference)
    assert client.get(reverse("portal_public:result")).status_code == 200
    pinned.move_to(DAY + dt.timedelta(minutes=31))
    assert client.get(reverse("portal_public:result")).status_code == 302
