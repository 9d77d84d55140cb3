"""Staff register API: list with filters and hours, create (201, field errors 422, nothing half-written),
read, PATCH, a person's record, the own record; permission (403) and scope (404)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import time_machine

from xiaobao.training.models import StaffMember
from xiaobao.training.tests.test_staff_fixtures import NOW, exam_attempt, learner, person, plan, session

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def register(org, hq_officer):
    plan(org.ho, 2026, hq_officer, front_line="4")
    a = person("100001", org.b1o, name="王芳")
    b = person("100002", org.b1s, "middle_management", name="李强", active=False)
    c = person("900001", org.b2s, name="上海张三")
    session(org.b1, hq_officer, "2026-02-10", "3", "消保培训", [a, c])
    return {"a": a, "b": b, "c": c}


def post(client, url, body, **kw):
    return client.post(url, json.dumps(body), content_type="application/json", **kw)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_list_in_scope_with_hours_and_filters(api_for, branch_officer, register):
    api = api_for(branch_officer)
    # when
    body = api.get("/api/v1/staff").json()
    # then Beijing's people only, with the year's hours and target
    assert body["count"] == 2
    by_no = {p["employee_no"]: p for p in body["items"]}
    assert set(by_no) == {"100001", "100002"}
    a = by_no["100001"]
    assert (a["unit"]["code"], a["layer"]["code"], a["year"]) == ("B1-S1-O1", "front_line", 2026)
    assert (Decimal(a["hours"]), Decimal(a["target_hours"]), a["target_met"]) == (3, 4, False)
    assert by_no["100002"]["target_hours"] is None and by_no["100002"]["active"] is False
    # filters
    assert [p["employee_no"] for p in api.get("/api/v1/staff?active=1").json()["items"]] == ["100001"]
    assert [p["employee_no"] for p in api.get("/api/v1/staff?q=李").json()["items"]] == ["100002"]
    assert api.get("/api/v1/staff?unit=B2").json()["count"] == 0
    assert api.get("/api/v1/staff?year=2025").json()["items"][0]["hours"] in ("0", "0.0", 0)
    bad = api.get("/api/v1/staff?unit=NOPE")
    assert bad.status_code == 422 and "unit" in bad.json()["fields"]


def test_create_read_and_patch(api_for, branch_officer, org):
    api = api_for(branch_officer)
    # when
    response = post(
        api,
        "/api/v1/staff",
        {
            "employee_no": "100010",
            "name": "新同事",
            "unit": "B1-S1",
            "layer": "new_hire",
            "hire_date": "2026-02-01",
        },
    )
    # then
    assert response.status_code == 201
    created = response.json()
    assert (created["unit"]["code"], created["layer"]["code"], created["hire_date"], created["active"]) == (
        "B1-S1",
        "new_hire",
        "2026-02-01",
        True,
    )
    assert api.get(f"/api/v1/staff/{created['id']}").json() == created
    # when changed: only the fields given
    changed = patch(api, f"/api/v1/staff/{created['id']}", {"layer": "front_line", "position": "柜员"}).json()
    assert (changed["layer"]["code"], changed["position"], changed["name"]) == (
        "front_line",
        "柜员",
        "新同事",
    )
    staff = StaffMember.objects.get(pk=created["id"])
    assert (staff.layer.code, staff.org_unit) == ("front_line", org.b1s)


def test_field_errors_are_422_in_the_users_language_and_nothing_is_written(api_for, branch_officer, register):
    api = api_for(branch_officer)
    response = post(
        api,
        "/api/v1/staff",
        {"employee_no": "100001", "name": "重号", "unit": "B2-S1", "layer": "pilot"},
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and {"employee_no", "org_unit", "layer"} <= set(body["fields"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["fields"]["layer"][0])
    # schema errors too (missing name, empty number)
    response = post(api, "/api/v1/staff", {"employee_no": "", "unit": "B1", "layer": "front_line"})
    assert response.status_code == 422 and {"employee_no", "name"} <= set(response.json()["fields"])
    # a PATCH that sets a required field to null
    response = patch(api, f"/api/v1/staff/{register['a'].pk}", {"name": None})
    assert response.status_code == 422 and "name" in response.json()["fields"]
    assert StaffMember.objects.count() == 3


def test_scope_and_permission(api_for, other_branch_officer, auditor, register, org):
    pk = register["a"].pk
    other = api_for(other_branch_officer)
    assert other.get(f"/api/v1/staff/{pk}").status_code == 404
    assert patch(other, f"/api/v1/staff/{pk}", {"name": "x"}).status_code == 404
    assert other.get(f"/api/v1/staff/{pk}/record").status_code == 404
    # the auditor reads but may not write
    audit = api_for(auditor)
    assert audit.get(f"/api/v1/staff/{pk}").status_code == 200
    assert patch(audit, f"/api/v1/staff/{pk}", {"name": "x"}).status_code == 403
    response = post(
        audit, "/api/v1/staff", {"employee_no": "1", "name": "x", "unit": "B1", "layer": "front_line"}
    )
    assert response.status_code == 403
    # a learner reaches none of the register
    user = learner("someone", org.b1)
    learner_api = api_for(user)
    for url in ("/api/v1/staff", f"/api/v1/staff/{pk}", f"/api/v1/staff/{pk}/record"):
        assert learner_api.get(url).status_code == 403, url


def test_a_persons_record(api_for, branch_officer, register):
    body = api_for(branch_officer).get(f"/api/v1/staff/{register['a'].pk}/record?year=2026").json()
    assert body["staff"]["employee_no"] == "100001"
    assert (Decimal(body["hours"]), Decimal(body["target_hours"]), body["target_met"]) == (3, 4, False)
    assert body["target_plan"] == "总行2026年培训计划"
    assert [s["title"] for s in body["sessions"]] == ["消保培训"]
    assert (
        body["years"] == [{"year": 2026, "sessions": 1, "hours": "3.0"}] or body["years"][0]["year"] == 2026
    )
    assert (
        api_for(branch_officer).get(f"/api/v1/staff/{register['a'].pk}/record?year=1800").status_code == 422
    )


def test_the_own_record(api_for, org, hq_officer, register):
    # given 王芳's account (linked as it is created) with one exam passed
    account = learner("100001", org.b1o)
    exam_attempt(account, org.cpd, hq_officer, "消保知识考试", 75, "2026-02-11 10:00")
    # when
    body = api_for(account).get("/api/v1/me/training").json()
    # then
    assert body["staff"]["name"] == "王芳" and Decimal(body["hours"]) == 3
    assert [(e["title"], e["passed"], Decimal(e["best_score"])) for e in body["exams"]] == [
        ("消保知识考试", True, 75)
    ]
    # a user with no entry: 404 with the reason; a user without the permission: 403
    nobody = api_for(learner("nobody_here", org.b1)).get("/api/v1/me/training")
    assert nobody.status_code == 404 and nobody.json()["code"] == "not_found"
    from conftest import make_user

    assert api_for(make_user("plain", org.b1, [])).get("/api/v1/me/training").status_code == 403
