"""The rectification API: the exact shapes of the issue, field errors, the regulator-opinion flow (open →
submit → reject → submit → verify), segregation, conflicts, filters and evidence."""

from __future__ import annotations

import json

import pytest

from xiaobao.rectification.tests.conftest import NOT_OWN, at, zh

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
URL = "/api/v1/rectifications"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def regulator_opinion(org, **over):
    return {
        "org_unit": org.b1o.code,
        "title": "监管意见：适老化服务设施不足",
        "description": "北京监管局现场检查指出：网点未配备老花镜、轮椅，爱心窗口无标识。",
        "source": "regulator",
        "opened_on": "2026-03-02",
        "owner": "outlet_owner",
        **over,
    }


def test_create_answers_exactly_the_issue_shape(api_for, org, officer, owner):
    # given / when a program enters a regulator's opinion
    with at("2026-03-02"):
        r = _post(api_for(officer), URL, regulator_opinion(org, rule="rectification-10wd"))
    # then 201 with exactly these keys
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"id", "reference", "status", "clocks", "allowed_actions"}
    assert body["reference"].startswith("RE2026") and len(body["reference"]) == 12
    assert body["status"] == "open"
    assert body["clocks"] == [
        {
            "name": "rectification",
            "rule": "rectification-10wd",
            "due_date": "2026-03-16",
            "state": "running",
            "provisional": False,
        }
    ]
    assert body["allowed_actions"] == ["cancel"]  # the opener; the owner starts, submits, extends


def test_default_rule_by_source(api_for, org, officer, owner):
    with at("2026-03-02"):
        body = _post(api_for(officer), URL, regulator_opinion(org)).json()
    assert body["clocks"][0]["rule"] == "rectification-regulator-30d"
    assert body["clocks"][0]["due_date"] == "2026-04-01"


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"org_unit": "NOPE"}, {"org_unit"}),
        ({"owner": "nobody"}, {"owner"}),
        ({"source": "rumour"}, {"source"}),
        ({"rule": "no-such-rule"}, {"rule"}),
        ({"title": "", "description": "  "}, {"title", "description"}),
        ({"opened_on": "2026-13-01"}, {"opened_on"}),
        ({"opened_on": "2026-03-09"}, {"opened_on"}),  # in the future
        ({"title": "x" * 201}, {"title"}),
    ],
)
def test_bad_input_is_422_with_field_errors(api_for, org, officer, owner, change, fields):
    with at("2026-03-02"):
        r = _post(api_for(officer), URL, regulator_opinion(org, **change))
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "invalid" and fields <= set(body["fields"])


def test_missing_fields_are_named(api_for, officer):
    r = _post(api_for(officer), URL, {"title": "x"})
    assert r.status_code == 422
    assert {"org_unit", "description", "source", "opened_on", "owner"} <= set(r.json()["fields"])


def test_regulator_opinion_flow_through_the_api(api_for, org, officer, owner, verifier):
    officer_c, owner_c, verifier_c = api_for(officer), api_for(owner), api_for(verifier)
    with at("2026-03-02"):
        rid = _post(officer_c, URL, regulator_opinion(org)).json()["id"]
    act = f"{URL}/{rid}/actions"
    with at("2026-03-05"):
        r = _post(owner_c, f"{act}/submit", {"result": "已配备老花镜和轮椅，设置爱心窗口标识"})
        assert r.status_code == 200 and r.json()["status"] == "submitted"
        assert r.json()["allowed_actions"] == []  # the owner waits for somebody else
        assert r.json()["owner"] == "outlet_owner"
    with at("2026-03-06"):
        r = _post(verifier_c, f"{act}/reject", {"reason": "未提供整改后照片"})
        assert r.status_code == 200 and r.json()["status"] == "in_progress"
    with at("2026-03-09"):
        up = owner_c.post(f"{URL}/{rid}/evidence", {"file": _png(), "kind": "after", "caption": "爱心窗口"})
        assert up.status_code == 201 and up.json()["kind"] == "after"
        r = _post(owner_c, f"{act}/submit", {"result": "补充整改后照片"})
        assert r.json()["status"] == "submitted"
    with at("2026-03-10"):
        r = _post(verifier_c, f"{act}/verify", {"note": "复核通过"})
    body = r.json()
    assert r.status_code == 200
    assert (body["status"], body["verified_by"]) == ("verified", "b1_verifier")
    assert body["clocks"] == [
        {
            "name": "rectification",
            "rule": "rectification-regulator-30d",
            "due_date": "2026-04-01",
            "state": "met",
            "provisional": False,
        }
    ]
    assert [e["name"] for e in body["evidence"]] == ["after.png"]
    events = owner_c.get(f"{URL}/{rid}/events").json()
    assert [e["action"] for e in events] == ["open", "submit", "reject", "evidence", "submit", "verify"]


def _png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("after.png", PNG)


def test_owner_cannot_verify_and_wrong_state_is_409(api_for, org, officer, owner):
    # given the officer owns an item of his branch himself
    with at("2026-03-02"):
        rid = _post(
            api_for(officer), URL, regulator_opinion(org, org_unit=org.b1.code, owner=officer.username)
        ).json()["id"]
    c = api_for(officer)
    with at("2026-03-03"):
        assert _post(c, f"{URL}/{rid}/actions/verify", {}).status_code == 409  # open: nothing to verify yet
        assert _post(c, f"{URL}/{rid}/actions/submit", {"result": "done"}).status_code == 200
        r = _post(c, f"{URL}/{rid}/actions/verify", {})
    # then the segregation check answers 403 with the reason
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden" and r.json()["message"] == zh(NOT_OWN, what="verify")


def test_action_input_is_validated_and_versions_conflict(api_for, org, officer, owner):
    with at("2026-03-02"):
        rid = _post(api_for(officer), URL, regulator_opinion(org)).json()["id"]
    c = api_for(owner)
    with at("2026-03-03"):
        r = _post(c, f"{URL}/{rid}/actions/submit", {})
        assert r.status_code == 422 and "result" in r.json()["fields"]
        r = _post(c, f"{URL}/{rid}/actions/extend", {"to_days": 45, "reason": "x"})
        assert r.status_code == 422 and "to_days" in r.json()["fields"]
        assert _post(c, f"{URL}/{rid}/actions/fly", {}).status_code == 422
        stale = c.post(
            f"{URL}/{rid}/actions/start", "{}", content_type="application/json", headers={"If-Match": "7"}
        )
        assert stale.status_code == 409 and stale.json()["code"] == "conflict"
        r = c.post(f"{URL}/{rid}/actions/start", "[1]", content_type="application/json")
        assert r.status_code == 422


def test_extension_with_approval_through_the_api(api_for, org, officer, owner, verifier):
    with at("2026-03-02"):
        rid = _post(api_for(officer), URL, regulator_opinion(org, rule="rectification-10wd")).json()["id"]
    with at("2026-03-05"):
        r = _post(api_for(owner), f"{URL}/{rid}/actions/extend", {"to_days": 20, "reason": "设备厂家排期"})
        assert r.json()["extensions"][0]["state"] == "pending"
        assert r.json()["clocks"][0]["due_date"] == "2026-03-16"
        assert _post(api_for(owner), f"{URL}/{rid}/actions/approve_extension", {}).status_code == 403
        r = _post(api_for(verifier), f"{URL}/{rid}/actions/approve_extension", {})
    assert r.status_code == 200
    assert r.json()["clocks"][0]["due_date"] == "2026-03-30"


def test_list_filters(api_for, org, officer, owner, open_item):
    # given one item overdue (due 03-16) and one regulator item still in time (due 04-01)
    late = open_item()
    fresh = open_item(source="regulator", title="监管意见")
    c = api_for(officer)
    with at("2026-03-20"):

        def refs(**q):
            r = c.get(URL, q)
            assert r.status_code == 200, r.content
            return {row["reference"] for row in r.json()["items"]}

        assert refs() == {late.reference, fresh.reference}
        assert refs(overdue="true") == {late.reference}
        assert refs(overdue="false") == {fresh.reference}
        assert refs(source="regulator") == {fresh.reference}
        assert refs(status="open") == {late.reference, fresh.reference}
        assert refs(status="verified") == set()
        assert refs(unit=org.b1.code) == {late.reference, fresh.reference}
        assert refs(unit=org.b2.code) == set()
        assert refs(owner="outlet_owner") == {late.reference, fresh.reference}
        assert refs(opened_from="2026-03-03") == set()
        body = c.get(URL, {"overdue": "true"}).json()
        assert body["count"] == 1 and body["items"][0]["overdue"] is True
        assert set(body["items"][0]) >= {"id", "reference", "status", "due_date", "owner", "org_unit"}
        bad = c.get(URL, {"opened_from": "2026-03-05", "opened_to": "2026-03-01"})
        assert bad.status_code == 422 and "opened_to" in bad.json()["fields"]


def test_evidence_is_checked_by_content_and_kind(api_for, org, officer, owner, open_item):
    item = open_item()
    c = api_for(owner)
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"{URL}/{item.pk}/evidence"
    fake = c.post(url, {"file": SimpleUploadedFile("photo.png", b"MZ not a png"), "kind": "before"})
    assert fake.status_code == 422 and "file" in fake.json()["fields"]
    pdf_as_photo = c.post(url, {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n"), "kind": "before"})
    assert pdf_as_photo.status_code == 422 and "file" in pdf_as_photo.json()["fields"]
    doc = c.post(url, {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n"), "kind": "document"})
    assert doc.status_code == 201
    bad_kind = c.post(url, {"file": SimpleUploadedFile("a.png", PNG), "kind": "selfie"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["fields"]
    got = c.get(f"{url}/{doc.json()['id']}")
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    assert got["X-Content-Type-Options"] == "nosniff"


def test_open_from_a_finding_or_a_complaint_through_the_api(api_for, org, officer, owner):
    from xiaobao.complaints.services import complaint_register
    from xiaobao.inspections.models import Finding

    finding = Finding.objects.create(
        org_unit=org.b1o, description="投诉电话未公示", severity="critical", is_repeat=True
    )
    c = api_for(officer)
    with at("2026-03-02"):
        complaint, _ = complaint_register(
            actor=officer,
            data={
                "received_at": "2026-03-02T09:30:00+08:00", "channel": "A01", "business_type": "B01",
                "cause": "C01", "org_unit": org.b1o.code, "complainant": {"name": "王小明"},
                "request": "r", "description": "d",
            },
        )  # fmt: skip
        wrong_source = _post(c, URL, regulator_opinion(org, finding=finding.pk))
        assert wrong_source.status_code == 422 and "source" in wrong_source.json()["fields"]
        missing = _post(c, URL, regulator_opinion(org, source="inspection", finding=999999))
        assert missing.status_code == 422 and "finding" in missing.json()["fields"]
        r = _post(c, URL, regulator_opinion(org, source="inspection", finding=finding.pk))
        assert r.status_code == 201
        again = _post(c, URL, regulator_opinion(org, source="inspection", finding=finding.pk))
        assert again.status_code == 409
        both = _post(c, URL, regulator_opinion(org, source="complaint", finding=finding.pk, complaint="X"))
        assert both.status_code == 422
        root = _post(c, URL, regulator_opinion(org, source="complaint", complaint=complaint.reference))
        assert root.status_code == 201
    detail = c.get(f"{URL}/{r.json()['id']}").json()
    assert (detail["finding"], detail["is_repeat"], detail["source"]) == (finding.pk, True, "inspection")
    assert c.get(f"{URL}/{root.json()['id']}").json()["complaint"] == complaint.reference
    assert [x.pk for x in complaint.rectifications.all()] == [root.json()["id"]]
