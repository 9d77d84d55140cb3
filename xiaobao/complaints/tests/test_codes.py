"""Code tables and deadline rules are data an administrator edits, and the engine follows them."""

from __future__ import annotations

import json

import pytest
import time_machine

from xiaobao.complaints.models import ComplaintCode
from xiaobao.complaints.services import complaint_register
from xiaobao.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def test_presets_follow_the_three_dimensions():
    assert ComplaintCode.objects.filter(dimension="channel", parent__isnull=True).count() >= 9
    assert ComplaintCode.objects.filter(dimension="business_type", parent__isnull=True).count() == 14
    assert ComplaintCode.objects.filter(dimension="cause").count() == 13


def test_admin_adds_and_deactivates_a_code(api_for, sysadmin, branch_officer):
    c = api_for(sysadmin)
    r = _put(c, "/api/v1/codes/business_type/B0305", {"name": "信用卡分期", "parent": "B03"})
    assert r.status_code == 200 and r.json()["parent"] == "B03"
    assert AuditEvent.objects.filter(object_type="complaints.complaintcode", action="create").exists()
    _put(c, "/api/v1/codes/business_type/B0305", {"name": "信用卡分期", "parent": "B03", "is_active": False})
    listed = {x["code"] for x in api_for(branch_officer).get("/api/v1/codes/business_type").json()}
    assert "B0305" not in listed
    assert _put(api_for(branch_officer), "/api/v1/codes/cause/C50", {"name": "x"}).status_code == 403
    assert _put(c, "/api/v1/codes/cause/C51", {"name": "x", "parent": "NOPE"}).status_code == 422


def test_editing_a_rule_changes_new_deadlines(api_for, sysadmin, branch_officer, payload):
    r = _put(api_for(sysadmin), "/api/v1/deadline-rules/nfra-2020", {"days": 10})
    assert r.status_code == 200 and r.json()["days"] == 10
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        c, _ = complaint_register(actor=branch_officer, data=payload())
    assert c.clocks.get(name="decision").due_date.isoformat() == "2026-03-12"


def test_rule_validation(api_for, sysadmin):
    c = api_for(sysadmin)
    bad = _put(c, "/api/v1/deadline-rules/nfra-2020", {"extensions": [{"to_days": 5}]})
    assert bad.status_code == 422 and "extensions" in bad.json()["fields"]
    assert _put(c, "/api/v1/deadline-rules/nfra-2020", {"sources": ["mars"]}).status_code == 422
    assert _put(c, "/api/v1/deadline-rules/nfra-2020", {"days": -1}).status_code == 422
