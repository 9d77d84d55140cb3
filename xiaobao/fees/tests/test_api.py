"""Fee catalogue API: list with the fee in force, one item, a new item, a draft change, sending it to its fee
review — with the project's error shape for bad input, refusals and state clashes."""

from __future__ import annotations

import json

import pytest

from xiaobao.fees.models import FeeItem
from xiaobao.fees.tests.factories import publish_change, published_item

pytestmark = pytest.mark.django_db

NEW = {
    "code": "ZZ-009",
    "name": "跨境汇款查询",
    "category": "transfer",
    "org_unit": "HO",
    "fee": "每笔50元",
    "amount": "50.00",
    "amount_unit": "元/笔",
    "basis": "market",
    "effective_from": "2026-05-01",
}


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def item(org, responder):
    item = published_item(responder, code="ZH-001", unit=org.ho, fee="每份20元", since="2025-01-01")
    publish_change(responder, item, fee="每份10元", since="2026-01-01")
    return item


def test_the_list_gives_the_fee_in_force(api_for, responder, item):
    response = api_for(responder).get("/api/v1/fees")
    assert response.status_code == 200
    row = response.json()["items"][0]
    assert (row["code"], row["current"]["fee"], row["current"]["number"], row["pending"]) == (
        "ZH-001",
        "每份10元",
        2,
        None,
    )
    assert row["institution_wide"] is True and row["org_unit"] == "HO"


def test_one_item_with_every_version(api_for, auditor, item):
    response = api_for(auditor).get(f"/api/v1/fees/{item.pk}")
    body = response.json()
    assert response.status_code == 200
    assert [(v["number"], v["status"], v["effective_to"]) for v in body["versions"]] == [
        (2, "published", None),
        (1, "superseded", "2025-12-31"),
    ]


def test_creating_an_item_with_its_first_draft_fee(api_for, responder, org):
    response = _post(api_for(responder), "/api/v1/fees", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["current"] is None
        and body["pending"]["status"] == "draft"
        and body["pending"]["amount"] == "50.00"
    )


def test_bad_input_is_a_422_with_field_messages_and_nothing_stored(api_for, responder, org):
    response = _post(api_for(responder), "/api/v1/fees", {**NEW, "basis": "free", "org_unit": "NOPE"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] and set(body["fields"]) >= {"basis", "org_unit"}
    assert FeeItem.objects.count() == 0


def test_a_negative_amount_is_refused_by_the_schema(api_for, responder, org):
    response = _post(api_for(responder), "/api/v1/fees", {**NEW, "amount": "-1"})
    assert response.status_code == 422
    assert FeeItem.objects.count() == 0


def test_a_change_then_its_fee_review(api_for, responder, item):
    client = api_for(responder)
    change = {"fee": "免费", "basis": "market", "effective_from": "2026-06-01", "reason": "减费让利"}
    # when
    created = _post(client, f"/api/v1/fees/{item.pk}/changes", change)
    assert created.status_code == 201, created.content
    version_id = created.json()["id"]
    submitted = _post(client, f"/api/v1/fees/{item.pk}/changes/{version_id}/submit", {"note": "请审查"})
    # then
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review" and submitted.json()["review"].startswith("SC")
    # a second change while it is in review is a 409; submitting again too
    again = _post(client, f"/api/v1/fees/{item.pk}/changes", change)
    assert again.status_code == 409 and again.json()["code"] == "in_review"
    twice = _post(client, f"/api/v1/fees/{item.pk}/changes/{version_id}/submit", {})
    assert twice.status_code == 409


def test_a_change_dated_too_early_is_a_422(api_for, responder, item):
    response = _post(
        api_for(responder),
        f"/api/v1/fees/{item.pk}/changes",
        {"fee": "免费", "basis": "market", "effective_from": "2025-06-01"},
    )
    assert response.status_code == 422 and "effective_from" in response.json()["fields"]


def test_a_branch_officer_may_not_change_an_institution_wide_fee(api_for, b1_officer, item):
    response = _post(
        api_for(b1_officer),
        f"/api/v1/fees/{item.pk}/changes",
        {"fee": "免费", "basis": "market", "effective_from": "2026-06-01"},
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_an_unknown_version_is_a_404(api_for, responder, item):
    response = _post(api_for(responder), f"/api/v1/fees/{item.pk}/changes/999999/submit", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
