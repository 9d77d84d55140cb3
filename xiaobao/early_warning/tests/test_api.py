"""The API: list with filters, detail, acknowledge (403 / 404 / 409), watch words for administrators."""

from __future__ import annotations

import pytest

from xiaobao.core.models import AuditEvent
from xiaobao.early_warning.models import EarlyWarning, WatchWord

from .test_views import _warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def w1(org):
    return _warning(org.b1s)


def test_list_filters_and_scope(api_for, branch_officer, other_branch_officer, org, w1):
    _warning(org.b1o, kind="watch_word", key="ww", details={"reference": "TS1", "words": ["媒体"]})
    api = api_for(branch_officer)
    body = api.get("/api/v1/early-warnings").json()
    assert body["count"] == 2
    spike = next(i for i in body["items"] if i["kind"] == "spike")
    assert spike["unit"] == "B1-S1" and spike["count"] == 7 and spike["threshold"] == 6
    assert spike["drill_down"]["business_type"] == "B03" and "银行卡" in spike["summary"]
    assert api.get("/api/v1/early-warnings?kind=watch_word").json()["count"] == 1
    assert api.get("/api/v1/early-warnings?state=acknowledged").json()["count"] == 0
    assert api.get("/api/v1/early-warnings?unit=B1-S1-O1").json()["count"] == 1
    assert api_for(other_branch_officer).get("/api/v1/early-warnings").json()["count"] == 0
    bad = api.get("/api/v1/early-warnings?date_from=2026-03-05&date_to=2026-03-01")
    assert bad.status_code == 422 and "date_to" in bad.json()["fields"]
    assert api.get("/api/v1/early-warnings?state=maybe").status_code == 422


def test_detail_has_the_rule(api_for, branch_officer, w1):
    body = api_for(branch_officer).get(f"/api/v1/early-warnings/{w1.pk}").json()
    assert body["rule"] and body["acknowledged"] is False


def test_acknowledge(api_for, branch_officer, auditor, other_branch_officer, w1):
    url = f"/api/v1/early-warnings/{w1.pk}/acknowledge"
    assert api_for(auditor).post(url, {"note": "x"}, content_type="application/json").status_code == 403
    r = api_for(other_branch_officer).post(url, {"note": "x"}, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    api = api_for(branch_officer)
    bad = api.post(url, {"note": "身份证110108199003070016"}, content_type="application/json")
    assert bad.status_code == 422 and "note" in bad.json()["fields"]
    ok = api.post(url, {"note": "已处理"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["acknowledged_by"] == "branch1_cp"
    again = api.post(url, {"note": "再次"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_acknowledged"
    assert AuditEvent.objects.filter(object_type="early_warning.earlywarning", action="update").count() == 1


def test_watch_words_crud_for_administrators(api_for, sysadmin, branch_officer):
    admin = api_for(sysadmin)
    assert "媒体" in [w["word"] for w in admin.get("/api/v1/watch-words").json()]
    r = admin.post("/api/v1/watch-words", {"word": "黑猫投诉"}, content_type="application/json")
    assert r.status_code == 201
    pk = r.json()["id"]
    dup = admin.post("/api/v1/watch-words", {"word": "黑猫投诉"}, content_type="application/json")
    assert dup.status_code == 422 and "word" in dup.json()["fields"]
    r = admin.put(f"/api/v1/watch-words/{pk}", {"is_active": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert admin.delete(f"/api/v1/watch-words/{pk}").status_code == 204
    assert not WatchWord.objects.filter(pk=pk).exists()
    assert admin.delete(f"/api/v1/watch-words/{pk}").status_code == 404
    # a branch officer reads the list but may not change it
    officer = api_for(branch_officer)
    assert officer.get("/api/v1/watch-words").status_code == 200
    r = officer.post("/api/v1/watch-words", {"word": "新词"}, content_type="application/json")
    assert r.status_code == 403
    assert EarlyWarning.objects.count() == 0


def test_complaint_ids_of_another_branch_are_not_shown(api_for, branch_officer, hq_officer, org):
    # given: a repeat-complainant warning at branch 1 whose earlier complaint lies in branch 2
    from xiaobao.complaints.services import complaint_register

    def register(unit):
        data = {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": unit.code,
            "complainant": {"name": "张伟"},
            "request": "r",
            "description": "d",
        }
        return complaint_register(actor=hq_officer, data=data)[0]

    here, there = register(org.b1s), register(org.b2s)
    _warning(org.b1s, kind="repeat_complainant", key="rc", complaint_ids=[there.pk, here.pk])
    # when / then: the branch sees only its own complaint; head office sees both
    mine = api_for(branch_officer).get("/api/v1/early-warnings?kind=repeat_complainant").json()["items"][0]
    assert mine["complaint_ids"] == [here.pk]
    all_ = api_for(hq_officer).get("/api/v1/early-warnings?kind=repeat_complainant").json()["items"][0]
    assert all_["complaint_ids"] == [there.pk, here.pk]
