"""A program takes a complaint through the API: create (idempotent), assign, accept, pause, extend, decide."""

from __future__ import annotations

import json

import pytest
import time_machine

from xiaobao.complaints.models import Complaint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def _post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=headers)


def test_create_is_idempotent_and_returns_clocks(api_for, branch_officer, payload):
    c = api_for(branch_officer)
    first = _post(c, "/api/v1/complaints", payload(), **{"Idempotency-Key": "hotline-42"})
    again = _post(c, "/api/v1/complaints", payload(), **{"Idempotency-Key": "hotline-42"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and Complaint.objects.count() == 1
    body = first.json()
    assert body["reference"].startswith("TS20260302")
    decision = next(k for k in body["clocks"] if k["name"] == "decision")
    assert decision == {
        "name": "decision",
        "rule": "nfra-2020",
        "start_date": "2026-03-02",
        "days": 15,
        "paused_days": 0,
        "due_date": "2026-03-17",
        "state": "running",
        "provisional": False,
    }
    assert "assign" in body["allowed_actions"]
    assert body["complainant"] == "张*"


def test_create_validation_is_422_with_fields(api_for, branch_officer, payload):
    c = api_for(branch_officer)
    r = _post(c, "/api/v1/complaints", payload(channel="NOPE", complainant={"name": ""}))
    assert r.status_code == 422 and r.json()["fields"]
    r = _post(c, "/api/v1/complaints", payload(received_at="not a date"))
    assert r.status_code == 422 and "received_at" in r.json()["fields"]
    assert Complaint.objects.count() == 0


def test_program_walks_the_clock_actions(api_for, branch_officer, b1_handler, b1_approver, payload):
    officer, handler, approver = api_for(branch_officer), api_for(b1_handler), api_for(b1_approver)
    cid = _post(officer, "/api/v1/complaints", payload()).json()["id"]
    base = f"/api/v1/complaints/{cid}/actions"
    assert _post(officer, f"{base}/assign", {"handler": "b1_handler"}).json()["status"] == "assigned"
    assert _post(handler, f"{base}/accept").json()["status"] == "in_progress"
    paused = _post(handler, f"{base}/pause", {"reason": "appraisal", "date": "2026-03-02"})
    assert paused.json()["status"] == "paused"
    with time_machine.travel("2026-03-09 11:00 +0800", tick=False):
        body = _post(handler, f"{base}/resume", {"date": "2026-03-09"}).json()
    decision = next(k for k in body["clocks"] if k["name"] == "decision")
    assert decision["paused_days"] == 7 and decision["due_date"] == "2026-03-24"
    r = _post(handler, f"{base}/extend", {"to_days": 30, "reason": "需调取外部鉴定结论"})
    assert next(k for k in r.json()["clocks"] if k["name"] == "decision")["days"] == 30
    r = _post(handler, f"{base}/extend", {"to_days": 60, "reason": "特别复杂，需上级批准"})
    assert next(k for k in r.json()["clocks"] if k["name"] == "decision")["days"] == 30  # waits for approval
    r = _post(approver, f"{base}/approve_extension")
    assert r.status_code == 200, r.content
    assert next(k for k in r.json()["clocks"] if k["name"] == "decision")["days"] == 60
    # the complaint row keeps the decision clock's due date in step (lists sort by it)
    row = Complaint.objects.get(pk=cid)
    assert row.decision_due == row.clocks.get(name="decision").due_date
    assert str(row.decision_due) == next(k for k in r.json()["clocks"] if k["name"] == "decision")["due_date"]
    assert str(row.decision_due) > "2026-03-24"


def test_stale_version_is_409(api_for, branch_officer, payload):
    c = api_for(branch_officer)
    body = _post(c, "/api/v1/complaints", payload()).json()
    url = f"/api/v1/complaints/{body['id']}/actions/assign"
    assert _post(c, url, {}, **{"If-Match": str(body["version"])}).status_code == 200
    r = _post(c, url, {}, **{"If-Match": str(body["version"])})
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_forbidden_transition_is_409_and_unknown_action_422(api_for, branch_officer, payload):
    c = api_for(branch_officer)
    cid = _post(c, "/api/v1/complaints", payload()).json()["id"]
    r = _post(c, f"/api/v1/complaints/{cid}/actions/archive")
    assert r.status_code == 409 and r.json()["code"] == "invalid_state"
    assert _post(c, f"/api/v1/complaints/{cid}/actions/fly").status_code == 422


def test_other_branch_gets_404(api_for, branch_officer, b2_handler, payload):
    cid = _post(api_for(branch_officer), "/api/v1/complaints", payload()).json()["id"]
    other = api_for(b2_handler)
    assert other.get(f"/api/v1/complaints/{cid}").status_code == 404
    assert _post(other, f"/api/v1/complaints/{cid}/actions/accept").status_code == 404
    assert other.get("/api/v1/complaints").json()["count"] == 0


def test_codes_and_rules(api_for, branch_officer):
    c = api_for(branch_officer)
    channels = c.get("/api/v1/codes/channel").json()
    assert {"code": "A0302", "name": "电话", "parent": "A03", "active": True} in channels
    assert len(c.get("/api/v1/codes/business_type").json()) >= 14
    assert c.get("/api/v1/codes/planet").status_code == 422
    rules = {r["code"] for r in c.get("/api/v1/deadline-rules").json()}
    assert {"nfra-2020", "pboc-2020", "review-30", "cfpb", "fca-disp", "fca-psd", "asic-rg271"} <= rules


def test_list_is_paginated_in_sql_with_constant_queries(api_for, branch_officer, payload):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = api_for(branch_officer)
    for i in range(3):
        _post(c, "/api/v1/complaints", payload(request=f"诉求{i}"))
    with CaptureQueriesContext(connection) as few:
        assert c.get("/api/v1/complaints?limit=2").json()["count"] == 3
    for i in range(3, 12):
        _post(c, "/api/v1/complaints", payload(request=f"诉求{i}"))
    with CaptureQueriesContext(connection) as more:
        body = c.get("/api/v1/complaints?limit=2").json()
    assert body["count"] == 12 and len(body["items"]) == 2
    assert len(more.captured_queries) == len(few.captured_queries)
    assert any("LIMIT" in q["sql"].upper() for q in more.captured_queries)


def test_create_answers_from_memory_what_a_read_shows(api_for, branch_officer, payload):
    """The creation path writes the row with its clocks in few statements and answers without re-reading:
    the answer must equal what a later GET shows, and the statement count must stay small."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = api_for(branch_officer)
    _post(c, "/api/v1/complaints", payload())  # warms the per-process caches (calendar)
    with CaptureQueriesContext(connection) as q:
        created = _post(c, "/api/v1/complaints", payload(special_groups=["elderly"]))
    assert created.status_code == 201
    statements = [  # PostgreSQL adds the audit chain's advisory lock
        s["sql"] for s in q.captured_queries if "SAVEPOINT" not in s["sql"] and "pg_advisory" not in s["sql"]
    ]
    # token, 2 × permissions, unit, codes (one query for the three), consumer, repeat check, rules,
    # INSERT complaint, UPDATE reference, INSERT event, INSERT clocks, audit head, INSERT audit.
    assert len(statements) <= 14, "\n".join(statements)
    assert sum(s.startswith('INSERT INTO "complaints_clock"') for s in statements) == 1
    read = c.get(f"/api/v1/complaints/{created.json()['id']}").json()
    assert created.json() == read
    row = Complaint.objects.get(pk=read["id"])
    assert row.decision_state == "running" and row.reference == read["reference"]
    assert row.decision_due == row.clocks.get(name="decision").due_date
    assert row.events.get().action == "register" and row.clocks.count() == 2


def test_notice_of_a_decision_made_major_after_drafting_is_409_until_approved(
    api_for, branch_officer, b1_handler, b1_approver, payload
):
    officer, handler, approver = api_for(branch_officer), api_for(b1_handler), api_for(b1_approver)
    cid = _post(officer, "/api/v1/complaints", payload()).json()["id"]
    base = f"/api/v1/complaints/{cid}/actions"
    assert _post(officer, f"{base}/assign", {"handler": "b1_handler"}).status_code == 200
    assert _post(handler, f"{base}/accept").status_code == 200
    draft = {"verification": "核实", "basis": "依据", "result": "退还年费"}
    assert _post(handler, f"{base}/draft", draft).json()["needs_approval"] is False
    assert _post(handler, f"{base}/mark_major", {"reason": "媒体关注"}).status_code == 200
    # the bypass: notify straight after marking major
    r = _post(handler, f"{base}/notify", {"method": "sms", "proof": "回执"})
    assert r.status_code == 409 and r.json()["code"] == "approval_required"
    assert "审批" in r.json()["message"]
    # the proper path
    assert _post(handler, f"{base}/submit").status_code == 200
    assert _post(approver, f"{base}/approve").status_code == 200
    r = _post(handler, f"{base}/notify", {"method": "sms", "proof": "回执"})
    assert r.status_code == 200 and r.json()["status"] == "decided"


# every fact the complaint page shows, by the key the API gives it under
PAGE_FIELDS = {
    "reference", "status", "source", "external_reference", "received_at", "receipt_date", "channel",
    "business_type", "cause", "org_unit", "pending_unit", "handler", "registered_by", "registering_unit",
    "product", "amount_in_dispute", "is_major", "major_reason", "priority", "clocks", "request",
    "description", "complainant", "complainant_role", "special_groups", "sensitivity_tags", "people_count",
    "face_to_face", "staff_named", "decision_verification", "decision_basis", "decision_result",
    "decision_remedies", "needs_approval", "decision_approved_by", "notify_method", "notified_at",
    "notify_proof", "satisfaction", "satisfaction_comment", "liability", "root_cause", "redress_amount",
    "redress_approved_by", "redress_paid_at", "case_library", "closed_at", "review_requested_on",
    "review_unit", "review_result", "decline_reason", "merged_into", "extensions", "assistances",
    "attachments", "legal_hold", "legal_hold_reason", "anonymised_at",
}  # fmt: skip
OLD_FIELDS = {  # what programs already read: kept with the same shapes
    "id", "reference", "status", "version", "source", "received_at", "receipt_date", "channel",
    "business_type", "cause", "org_unit", "pending_unit", "handler", "complainant", "is_major", "priority",
    "clocks", "allowed_actions",
}  # fmt: skip


def test_detail_returns_what_the_page_shows_masked_and_documented(
    api_for, branch_officer, b1_handler, payload
):
    c = api_for(branch_officer)
    body = payload(product="白金信用卡", amount_in_dispute="200", staff_named=["b1_handler"])
    cid = _post(c, "/api/v1/complaints", body).json()["id"]
    base = f"/api/v1/complaints/{cid}/actions"
    for action, data in [
        ("accept", {}),
        ("draft", {"verification": "调取扣费记录", "basis": "合同第5条", "result": "退还年费"}),
        ("notify", {"method": "sms", "proof": "回执 1"}),
        ("close", {"liability": "at_fault", "root_cause": "规则未同步", "redress_amount": "200"}),
    ]:
        assert _post(c, f"{base}/{action}", data).status_code == 200, action
    read = c.get(f"/api/v1/complaints/{cid}").json()
    assert set(read) >= PAGE_FIELDS | OLD_FIELDS
    assert read["request"] == "退还多收的年费 200 元" and read["product"] == "白金信用卡"
    assert read["amount_in_dispute"] == "200.00" and read["redress_amount"] == "200.00"
    assert read["decision_result"] == "退还年费" and read["liability"] == "at_fault"
    assert read["root_cause"] == "规则未同步" and read["staff_named"] == ["b1_handler"]
    assert read["registering_unit"] == "B1" and read["status"] == "closed"
    # personal data masked as on the page
    assert read["complainant"] == "张*" and "张伟" not in json.dumps(read, ensure_ascii=False)
    # documented: the OpenAPI schema names every field
    schema = c.get("/api/v1/openapi.json").json()["components"]["schemas"]["ComplaintOut"]
    assert set(read) == set(schema["properties"])
