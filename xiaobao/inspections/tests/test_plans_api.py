"""The plans API: head office plans a quarter of mystery shopping over 10 sampled outlets, draws, publishes
and closes; refusals carry field messages in the one error shape."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import make_user
from xiaobao.inspections.models import Inspection, InspectionPlan
from xiaobao.inspections.tests.factories import small_template
from xiaobao.inspections.tests.plan_fixtures import grant, outlets_under

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)
URL = "/api/v1/inspections/plans"


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def planner(org):
    return grant(make_user("plan_hq", org.cpd, ["hq_cp_officer"]))


@pytest.fixture
def inspectors(org):
    return [grant(make_user(f"insp{i}", org.cpd, ["hq_cp_officer"]), plan=False) for i in (1, 2)]


@pytest.fixture
def outlets(org):
    return [
        org.b1o,
        *outlets_under(org.b1s, "B1-S1-O", range(2, 8)),
        *outlets_under(org.b2s, "B2-S1-O", range(1, 6)),
    ]  # 12 outlets over two branches


@pytest.fixture
def template(db):
    return small_template("mystery_api")


def body(org, **over):
    data = {
        "name": "2026年二季度神秘人暗访",
        "kind": "mystery_shopping",
        "template": "mystery_api",
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "scope_unit": org.ho.code,
        "outlet_count": 10,
        "risk_weighted": True,
    }
    data.update(over)
    return data


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_head_office_plans_a_quarter_of_mystery_shopping(
    api_for, org, planner, inspectors, template, outlets
):
    client = api_for(planner)
    # when: create
    created = post(client, URL, body(org))
    # then
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft"
    assert plan["inspecting_unit"] == org.cpd.code  # the planner's own unit by default
    assert plan["sample"] is None
    assert plan["allowed_actions"] == ["draw"]
    # when: draw with a chosen seed
    drawn = post(client, f"{URL}/{plan['id']}/draw", {"seed": 20260401, "version": plan["version"]})
    # then
    assert drawn.status_code == 200, drawn.content
    d = drawn.json()
    assert d["seed"] == 20260401
    assert len(d["sample"]["picks"]) == 10
    assert d["sample"]["replays"] is True
    assert {p["reason"] for p in d["sample"]["picks"]} == {"overdue"}  # nobody was inspected yet
    assert d["allowed_actions"] == ["draw", "publish"]
    # when: publish to two inspectors, due 10 working days after today
    names = [u.username for u in inspectors]
    published = post(client, f"{URL}/{plan['id']}/publish", {"inspectors": names, "due_working_days": 10})
    # then
    assert published.status_code == 200, published.content
    p = published.json()
    assert p["status"] == "published"
    assert [t["inspector"] for t in p["tasks"]] == [names[i % 2] for i in range(10)]
    assert {t["due_date"] for t in p["tasks"]} == {"2026-03-24"}
    assert [t["outlet"] for t in p["tasks"]] == [x["outlet"] for x in d["sample"]["picks"]]
    # when: close
    closed = post(client, f"{URL}/{plan['id']}/close", {})
    # then
    assert closed.json()["status"] == "closed"
    assert {t["status"] for t in closed.json()["tasks"]} == {"cancelled"}


def test_the_same_seed_through_the_api_gives_the_same_sample(api_for, org, planner, template, outlets):
    client = api_for(planner)
    ids = [post(client, URL, body(org)).json()["id"] for _ in range(2)]
    a, b = (post(client, f"{URL}/{i}/draw", {"seed": 99}).json() for i in ids)
    assert [p["outlet"] for p in a["sample"]["picks"]] == [p["outlet"] for p in b["sample"]["picks"]]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"scope_unit": "NOPE"}, "scope_unit"),
        ({"inspecting_unit": "NOPE"}, "inspecting_unit"),
        ({"template": "nope"}, "template"),
        ({"period_end": "2026-03-01"}, "period_end"),
        ({"outlet_count": 50}, "outlet_count"),
        ({"outlet_count": 0}, "outlet_count"),
        ({"kind": "picnic"}, "kind"),
        ({"period_start": "2026-02-30"}, "period_start"),
    ],
)
def test_create_refusals_name_the_field(api_for, org, planner, template, outlets, over, field):
    # when
    response = post(api_for(planner), URL, body(org, **over))
    # then
    assert response.status_code == 422, response.content
    assert set(response.json()) == {"code", "message", "fields"}
    assert list(response.json()["fields"]) == [field]
    assert not InspectionPlan.objects.exists()


def test_a_stale_version_is_409(api_for, org, planner, template, outlets):
    client = api_for(planner)
    plan = post(client, URL, body(org)).json()
    response = post(client, f"{URL}/{plan['id']}/draw", {"version": plan["version"] + 5})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_publish_before_draw_is_409_and_bad_inspectors_422(
    api_for, org, planner, inspectors, template, outlets
):
    client = api_for(planner)
    plan = post(client, URL, body(org)).json()
    early = post(client, f"{URL}/{plan['id']}/publish", {"inspectors": [inspectors[0].username]})
    assert early.status_code == 409
    assert early.json()["code"] == "no_sample"
    post(client, f"{URL}/{plan['id']}/draw", {})
    bad = post(client, f"{URL}/{plan['id']}/publish", {"inspectors": ["ghost"]})
    assert bad.status_code == 422
    assert list(bad.json()["fields"]) == ["inspectors"]
    assert not Inspection.objects.exists()


def test_a_branch_sees_head_office_plans_over_its_outlets_but_cannot_act(
    api_for, org, planner, inspectors, template, outlets
):
    # given HQ plans: a routine one over branch 1, a mystery-shopping one over branch 1, one over everything
    client = api_for(planner)
    b1_code = org.b1.code
    routine = post(
        client, URL, body(org, scope_unit=b1_code, outlet_count=3, name="B1 routine", kind="routine")
    )
    mystery = post(client, URL, body(org, scope_unit=b1_code, outlet_count=3, name="B1 mystery"))
    over_all = post(client, URL, body(org, name="HO plan", kind="routine"))
    b1 = grant(make_user("b1_cp", org.b1, ["branch_cp_officer"]))  # may plan, in branch 1
    b1_client = api_for(b1)
    # when
    listed = b1_client.get(URL).json()
    # then: the routine plan over its outlets only; a mystery shopper is not announced to the outlets
    assert [p["name"] for p in listed["items"]] == ["B1 routine"]
    assert b1_client.get(f"{URL}/{mystery.json()['id']}").status_code == 404
    assert b1_client.get(f"{URL}/{over_all.json()['id']}").status_code == 404
    # and: seeing is not acting — only the inspecting side draws, publishes and closes
    detail = b1_client.get(f"{URL}/{routine.json()['id']}").json()
    assert detail["allowed_actions"] == []
    refused = post(b1_client, f"{URL}/{routine.json()['id']}/draw", {})
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_list_filters(api_for, org, planner, template, outlets):
    client = api_for(planner)
    post(client, URL, body(org, name="Q2"))
    post(
        client,
        URL,
        body(org, name="2027", period_start="2027-01-01", period_end="2027-01-31", kind="routine"),
    )
    assert [p["name"] for p in client.get(f"{URL}?year=2027").json()["items"]] == ["2027"]
    assert [p["name"] for p in client.get(f"{URL}?kind=mystery_shopping").json()["items"]] == ["Q2"]
    assert client.get(f"{URL}?status=open").status_code == 422
