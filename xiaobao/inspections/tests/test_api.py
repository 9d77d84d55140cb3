"""The inspections API: list and detail, answers (idempotent PUT, older resends ignored), photos, actions,
findings, checklists (create, edit → new version when used)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaobao.inspections.models import Answer, ChecklistTemplate, Inspection, InspectionPhoto
from xiaobao.inspections.tests.conftest import GOOD, fill
from xiaobao.inspections.tests.factories import make_inspection

pytestmark = pytest.mark.usefixtures("at_now")

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def put(client, url, body, **headers):
    return client.put(url, json.dumps(body), content_type="application/json", **headers)


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_list_and_detail(api_for, hq, inspector, inspection, org, template):
    make_inspection(org.b2s, inspector, template, reference="JC-B2")
    r = api_for(hq).get("/api/v1/inspections", {"unit": "B1"})
    assert r.status_code == 200
    assert [i["reference"] for i in r.json()["items"]] == [inspection.reference]
    d = api_for(inspector).get(f"/api/v1/inspections/{inspection.pk}").json()
    assert d["status"] == "planned" and d["allowed_actions"] == ["start"]
    assert [s["code"] for s in d["sections"]] == ["lobby", "teller"]
    assert {a["item"] for a in d["answers"]} == {"L1", "L2", "T1", "T2", "T3"}
    assert d["outlet_complaints"]["count"] is None  # the inspector does not see complaints


def test_list_refuses_bad_filters(api_for, hq):
    r = api_for(hq).get("/api/v1/inspections", {"status": "nope"})
    assert r.status_code == 422 and "status" in r.json()["fields"]
    r = api_for(hq).get("/api/v1/inspections", {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert r.status_code == 422 and "date_to" in r.json()["fields"]


def test_answer_put_is_idempotent_and_keeps_the_last_answer(api_for, inspector, inspection):
    c = api_for(inspector)
    url = f"/api/v1/inspections/{inspection.pk}/answers/T1"
    newer = {"value": "no", "note": "未起身", "given_at": "2026-03-10T09:59:00+08:00"}
    first = put(c, url, newer)
    assert first.status_code == 200 and first.json()["applied"] and first.json()["passed"] is False
    again = put(c, url, newer)  # the same request retried
    assert again.status_code == 200 and again.json()["running"] == first.json()["running"]
    older = put(c, url, {"value": "yes", "given_at": "2026-03-10T09:58:00+08:00"})  # a late resend
    assert older.status_code == 200 and older.json()["applied"] is False and older.json()["value"] == "no"
    a = Answer.objects.get(inspection=inspection)
    assert (a.value, a.note) == ("no", "未起身")


@pytest.mark.parametrize(
    ("item", "body", "field"),
    [
        ("L2", {"value": 7}, "value"),
        ("L1", {"value": "na"}, "value"),
        ("T1", {}, "value"),
        ("ZZ", {"value": "yes"}, "item"),
        ("T1", {"value": "yes", "given_at": "yesterday"}, "given_at"),
        ("T1", {"value": "yes", "note": "x" * 2001}, "note"),
        ("T1", {"value": {"nested": 1}}, "value"),
    ],
)
def test_answer_put_refusals_are_field_errors(api_for, inspector, inspection, item, body, field):
    r = put(api_for(inspector), f"/api/v1/inspections/{inspection.pk}/answers/{item}", body)
    assert r.status_code == 422, r.content
    assert field in r.json()["fields"] or any(k.startswith(field) for k in r.json()["fields"])
    assert not Answer.objects.exists()


def test_answers_are_the_inspectors_only(api_for, inspector2, planner, inspection):
    r = put(api_for(inspector2), f"/api/v1/inspections/{inspection.pk}/answers/T1", {"value": "yes"})
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    r = put(api_for(planner), f"/api/v1/inspections/{inspection.pk}/answers/T1", {"value": "yes"})
    assert r.status_code == 403


def test_photos_upload_twice_and_download(api_for, inspector, inspection):
    c = api_for(inspector)
    url = f"/api/v1/inspections/{inspection.pk}/photos"
    r1 = c.post(url, {"file": SimpleUploadedFile("a.jpg", JPEG), "item": "T1"})
    r2 = c.post(url, {"file": SimpleUploadedFile("a.jpg", JPEG), "item": "T1"})
    assert (r1.status_code, r2.status_code) == (201, 200) and r1.json()["id"] == r2.json()["id"]
    assert r1.json()["item"] == "T1" and InspectionPhoto.objects.count() == 1
    got = c.get(f"/api/v1/inspections/{inspection.pk}/photos/{r1.json()['id']}")
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    bad = c.post(url, {"file": SimpleUploadedFile("a.png", JPEG)})
    assert bad.status_code == 422 and "file" in bad.json()["fields"]


def test_actions_submit_with_version_and_findings(api_for, inspector, planner, inspection):
    fill(inspector, inspection, {**GOOD, "T2": "no"})
    inspection.refresh_from_db()
    c = api_for(inspector)
    stale = post(
        c,
        f"/api/v1/inspections/{inspection.pk}/actions/submit",
        {},
        HTTP_IF_MATCH=str(inspection.version + 5),
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    r = post(
        c, f"/api/v1/inspections/{inspection.pk}/actions/submit", {}, HTTP_IF_MATCH=str(inspection.version)
    )
    assert r.status_code == 200
    d = r.json()
    assert d["status"] == "submitted" and d["stars"] == 3 and d["percent"] == "87.50"
    assert [f["item"] for f in d["findings"]] == ["T2"] and d["findings"][0]["severity"] == "critical"
    findings = api_for(planner).get("/api/v1/inspections/findings", {"severity": "critical"}).json()["items"]
    assert [f["reference"] for f in findings] == [inspection.reference]
    again = post(c, f"/api/v1/inspections/{inspection.pk}/actions/submit", {})
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    assert post(c, f"/api/v1/inspections/{inspection.pk}/actions/fly", {}).status_code == 422
    reopen = post(api_for(planner), f"/api/v1/inspections/{inspection.pk}/actions/reopen", {})
    assert reopen.status_code == 422 and "note" in reopen.json()["fields"]
    reopen = post(api_for(planner), f"/api/v1/inspections/{inspection.pk}/actions/reopen", {"note": "复核"})
    assert reopen.status_code == 200 and reopen.json()["status"] == "in_progress"


def test_submit_incomplete_names_the_items(api_for, inspector, inspection):
    fill(inspector, inspection, {"L1": "yes"})
    r = post(api_for(inspector), f"/api/v1/inspections/{inspection.pk}/actions/submit", {})
    assert r.status_code == 422 and set(r.json()["fields"]) == {"L2", "T1", "T2"}
    assert Inspection.objects.get(pk=inspection.pk).status == "in_progress"


CHECKLIST = {
    "code": "api_list",
    "name": "接口检查表",
    "kind": "onsite",
    "sections": [
        {
            "code": "lobby",
            "name": "大堂",
            "weight": "1.5",
            "gate_item_code": "A1",
            "items": [
                {"code": "A1", "text": "有人接待", "max_score": 2},
                {"code": "A2", "text": "引导", "kind": "score", "max_score": 4},
            ],
        }
    ],
}


def test_checklist_create_get_and_edit_versions(api_for, hq, inspector, org):
    c = api_for(hq)
    r = post(c, "/api/v1/inspections/checklists", CHECKLIST)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["version"] == 1 and body["max_score"] == "9.00"
    assert body["sections"][0]["items"][0]["gating"] is True  # the section's gating item
    tid = body["id"]
    assert c.get(f"/api/v1/inspections/checklists/{tid}").json()["name"] == "接口检查表"
    # unused: edited in place
    edit = {k: v for k, v in CHECKLIST.items() if k != "code"} | {"name": "接口检查表（修订）"}
    r = put(c, f"/api/v1/inspections/checklists/{tid}", edit)
    assert r.status_code == 200 and r.json()["id"] == tid and r.json()["version"] == 1
    # used: a new version; the inspection keeps the old one
    ins = make_inspection(org.b1o, inspector, ChecklistTemplate.objects.get(pk=tid))
    r = put(c, f"/api/v1/inspections/checklists/{tid}", edit | {"name": "第二版"})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["id"] != tid
    ins.refresh_from_db()
    assert ins.template_id == tid
    current = c.get("/api/v1/inspections/checklists").json()
    assert [t["version"] for t in current if t["code"] == "api_list"] == [2]
    every = c.get("/api/v1/inspections/checklists", {"all_versions": "true"}).json()
    assert sorted(t["version"] for t in every if t["code"] == "api_list") == [1, 2]
    # the old version cannot be edited any more
    assert put(c, f"/api/v1/inspections/checklists/{tid}", edit).status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "bad code!"}, "code"),
        ({"kind": "nope"}, "kind"),
        ({"sections": []}, "sections"),
        ({"sections": [{**CHECKLIST["sections"][0], "gate_item_code": "ZZ"}]}, "sections.0.gate_item_code"),
        (
            {
                "sections": [
                    {
                        **CHECKLIST["sections"][0],
                        "items": [{"code": "A1", "text": "x"}, {"code": "A1", "text": "y"}],
                    }
                ]
            },
            "sections.0.items.1.code",
        ),
        (
            {
                "sections": [
                    {**CHECKLIST["sections"][0], "items": [{"code": "A1", "text": "x", "max_score": 500}]}
                ]
            },
            "sections.0.items.0.max_score",
        ),
    ],
)
def test_checklist_refusals(api_for, hq, change, field):
    r = post(api_for(hq), "/api/v1/inspections/checklists", CHECKLIST | change)
    assert r.status_code == 422, r.content
    assert any(k.startswith(field) for k in r.json()["fields"]), r.json()
    assert not ChecklistTemplate.objects.filter(code__in=["api_list", "bad code!"]).exists()


def test_checklist_create_needs_the_permission(api_for, inspector):
    r = post(api_for(inspector), "/api/v1/inspections/checklists", CHECKLIST)
    assert r.status_code == 403
