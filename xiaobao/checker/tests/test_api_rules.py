"""The rules API (list, one, create, change with a version check, versions) and a finding's decision (only
through a subject the user may see)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from xiaobao.checker.models import CheckFinding, CheckRule
from xiaobao.checker.services import check_and_store
from xiaobao.checker.tests.conftest import at, grant, rule_data

pytestmark = pytest.mark.django_db


def test_create_get_patch_and_versions(api_for, hq_officer, no_presets):
    api = api_for(hq_officer)
    # when a rule is created
    with at("2026-03-02"):
        created = api.post(
            "/api/v1/review-rules",
            {**rule_data(), "note": "新建"},
            content_type="application/json",
        )
    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["code"], body["version"], body["state"], body["label_name"]) == (
        "test-absolute",
        1,
        "active",
        "绝对化用语",
    )
    # when it is changed with the version seen
    with at("2026-03-03"):
        patched = api.patch(
            "/api/v1/review-rules/test-absolute",
            {"terms": ["最高", "顶级"], "effective_from": "2026-04-01", "version": 1, "note": "加词"},
            content_type="application/json",
        )
        # then
        assert patched.status_code == 200, patched.content
        assert patched.json()["version"] == 2 and patched.json()["state"] == "pending"
        assert api.get("/api/v1/review-rules/test-absolute").json()["terms"] == ["最高", "顶级"]
    versions = api.get("/api/v1/review-rules/test-absolute/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["note"] == "加词" and versions[0]["changed_by"] == "hq_cp"
    changes = {c["field"]: c for c in versions[0]["changes"]}
    assert changes["terms"]["added"] == ["顶级"] and changes["terms"]["removed"] == ["第一"]
    assert changes["effective_from"]["after"] == "2026-04-01"


def test_the_list_filters_and_reports_precision(api_for, hq_officer, make_rule, b1_complaint):
    # given
    make_rule()
    make_rule(code="no-risk", title="无风险", label="no_risk", terms=["零风险"], status="draft")
    with at("2026-03-02"):
        finding = check_and_store(b1_complaint, text="收益最高", product_kind="wealth", material="marketing")[
            0
        ]
    CheckFinding.objects.filter(pk=finding.pk).update(decision="dismissed")
    api = api_for(hq_officer)
    # when
    with at("2026-03-02"):
        everything = api.get("/api/v1/review-rules").json()
        drafts = api.get("/api/v1/review-rules?state=draft").json()
        labelled = api.get("/api/v1/review-rules?label=absolute").json()
    # then
    assert everything["count"] == 2
    assert [r["code"] for r in drafts["items"]] == ["no-risk"]
    [absolute] = labelled["items"]
    assert (absolute["confirmed"], absolute["dismissed"], absolute["precision"]) == (0, 1, 0.0)


def test_a_bad_pattern_is_422_with_the_field_and_nothing_is_written(api_for, hq_officer, no_presets):
    # given / when
    response = api_for(hq_officer).post(
        "/api/v1/review-rules",
        rule_data(kind="pattern", terms=[], patterns=["保本(保息"], product_kinds=["lottery"]),
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "保本(保息" in body["fields"]["patterns"][0]
    assert "lottery" in body["fields"]["product_kinds"][0]
    assert not CheckRule.objects.exists()


def test_a_stale_if_match_is_409(api_for, hq_officer, make_rule):
    # given version 2 exists
    make_rule()
    api = api_for(hq_officer)
    api.patch("/api/v1/review-rules/test-absolute", {"title": "改名"}, content_type="application/json")
    # when an editor of version 1 saves
    response = api.patch(
        "/api/v1/review-rules/test-absolute",
        {"title": "另一个"},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    # then
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert CheckRule.objects.get(code="test-absolute").title == "改名"


@pytest.mark.parametrize(
    "body",
    [
        {"terms": None},
        {"label": "nonsense"},
        {"params": {"check": "min_months"}, "kind": "numeric"},
        {"terms": ["x" * 501]},
        {"version": 0},
    ],
)
def test_bad_patches_are_422(api_for, hq_officer, make_rule, body):
    make_rule()
    response = api_for(hq_officer).patch(
        "/api/v1/review-rules/test-absolute", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert CheckRule.objects.get(code="test-absolute").version == 1


def test_a_branch_officer_reads_but_does_not_write(api_for, branch_officer, make_rule):
    make_rule()
    api = api_for(branch_officer)
    assert api.get("/api/v1/review-rules/test-absolute").status_code == 200
    assert (
        api.patch(
            "/api/v1/review-rules/test-absolute", {"title": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert api.get("/api/v1/review-rules/nope").status_code == 404


# --- finding decisions --------------------------------------------------------------------------------


@pytest.fixture
def finding(make_rule, b1_complaint):
    make_rule()
    with at("2026-03-02"):
        return check_and_store(b1_complaint, text="收益最高", product_kind="wealth", material="marketing")[0]


def test_a_reviewer_confirms_a_finding(api_for, branch_officer, finding):
    # given a branch-1 officer who may see the complaint
    officer = grant(branch_officer, "complaints.view_complaint")
    # when
    with at("2026-03-03"):
        response = api_for(officer).post(
            f"/api/v1/review-findings/{finding.pk}/decision",
            {"decision": "confirmed", "note": "确属绝对化用语"},
            content_type="application/json",
        )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["decision"], body["decided_by"], body["decision_note"]) == (
        "confirmed",
        "branch1_cp",
        "确属绝对化用语",
    )


def test_another_branch_cannot_decide(api_for, other_branch_officer, finding):
    officer = grant(other_branch_officer, "complaints.view_complaint")
    response = api_for(officer).post(
        f"/api/v1/review-findings/{finding.pk}/decision",
        {"decision": "dismissed"},
        content_type="application/json",
    )
    assert response.status_code == 404
    finding.refresh_from_db()
    assert finding.decision == "pending"


def test_a_bad_decision_is_422(api_for, hq_officer, finding):
    response = api_for(hq_officer).post(
        f"/api/v1/review-findings/{finding.pk}/decision",
        {"decision": "maybe"},
        content_type="application/json",
    )
    assert response.status_code == 422 and "decision" in response.json()["fields"]


def test_a_subject_may_narrow_who_decides(api_for, hq_officer, finding, monkeypatch):
    # given the subject's model says this user may not decide its findings
    from xiaobao.complaints.models import Complaint

    monkeypatch.setattr(Complaint, "can_decide_findings", lambda self, user: False, raising=False)
    # when
    response = api_for(hq_officer).post(
        f"/api/v1/review-findings/{finding.pk}/decision",
        {"decision": "confirmed"},
        content_type="application/json",
    )
    # then
    assert response.status_code == 403


def test_a_finding_on_a_subject_without_scoping_is_404(api_for, hq_officer, make_rule):
    # given a finding whose subject model has no visible_to (a rule)
    rule = make_rule()
    f = CheckFinding.objects.create(
        rule_code=rule.code,
        label="absolute",
        severity="high",
        start=0,
        end=1,
        excerpt="x",
        content_type=ContentType.objects.get_for_model(CheckRule),
        object_id=rule.pk,
    )
    response = api_for(hq_officer).post(
        f"/api/v1/review-findings/{f.pk}/decision", {"decision": "confirmed"}, content_type="application/json"
    )
    assert response.status_code == 404
