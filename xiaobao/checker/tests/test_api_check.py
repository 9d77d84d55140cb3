"""`POST /api/v1/review-checks`: the answer's shape, a clean text, the rules in force today (the database's
copy of the presets), bad input in the project's error shape, and who may call it."""

from __future__ import annotations

import json

import pytest

from xiaobao.checker.tests.conftest import at, grant, zh

pytestmark = pytest.mark.django_db

URL = "/api/v1/review-checks"
LEAFLET = "本理财产品保本保收益，年化收益4.5%，全市最高！"


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


def test_findings_with_their_shape(api_for, branch_officer):
    # given a branch officer (role branch_cp_officer has checker.use_checker)
    api = api_for(branch_officer)
    # when a wealth leaflet is checked
    with at("2026-03-02"):
        response = post(api, {"text": LEAFLET, "product_kind": "wealth", "material": "marketing"})
    # then
    assert response.status_code == 200, response.content
    findings = response.json()["findings"]
    assert {f["label"] for f in findings} == {"guarantee", "absolute", "missing_disclosure"}
    for f in findings:
        assert set(f) == {"label", "rule", "start", "end", "excerpt", "severity", "source", "suggestion"}
        assert LEAFLET[f["start"] : f["end"]] == f["excerpt"]
        assert f["severity"] in ("high", "medium", "low") and f["source"] and f["suggestion"]
    guarantee = next(f for f in findings if f["label"] == "guarantee")
    assert (guarantee["rule"], guarantee["excerpt"]) == ("guarantee-principal-return", "保本保收益")


def test_a_clean_text_has_an_empty_list(api_for, hq_officer):
    # given a leaflet with its disclosures
    api = api_for(hq_officer)
    text = (
        "XX理财稳健60天，风险等级R2，业绩比较基准2.6%-3.3%，业绩比较基准不代表产品未来表现，不构成收益承诺。"
        "理财非存款、产品有风险、投资须谨慎。"
    )
    # when
    with at("2026-03-02"):
        response = post(api, {"text": text, "product_kind": "wealth", "material": "marketing"})
    # then
    assert response.status_code == 200 and response.json() == {"findings": []}


def test_material_defaults_to_marketing_and_a_contract_is_judged_as_one(api_for, hq_officer):
    api = api_for(hq_officer)
    text = "收益最高的理财，风险等级R2。理财非存款、产品有风险、投资须谨慎。"
    with at("2026-03-02"):
        marketing = post(api, {"text": text, "product_kind": "wealth"}).json()["findings"]
        contract = post(api, {"text": text, "product_kind": "wealth", "material": "contract"})
    # then the absolute term counts in marketing only
    assert [f["label"] for f in marketing] == ["absolute"]
    assert contract.status_code == 200 and contract.json()["findings"] == []


def test_the_rules_in_force_are_the_databases(api_for, hq_officer):
    # given head office retires the guarantee preset
    from xiaobao.checker.models import CheckRule
    from xiaobao.checker.services import rule_save

    with at("2026-03-02"):
        rule = CheckRule.objects.get(code="guarantee-principal-return")
        rule_save(rule=rule, data={"status": "retired"}, by=hq_officer, note="停用")
    api = api_for(hq_officer)
    # when
    with at("2026-03-02"):
        findings = post(api, {"text": LEAFLET, "product_kind": "wealth"}).json()["findings"]
    # then that label is no longer found
    assert "guarantee" not in {f["label"] for f in findings} and "absolute" in {f["label"] for f in findings}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product_kind": "wealth", "material": "marketing"}, "text"),
        ({"text": "   ", "product_kind": "wealth"}, "text"),
        ({"text": "保本", "product_kind": "stock", "material": "marketing"}, "product_kind"),
        ({"text": "保本", "material": "marketing"}, "product_kind"),
        ({"text": "保本", "product_kind": "wealth", "material": "poster"}, "material"),
        ({"text": 12, "product_kind": "wealth"}, "text"),
        ({"text": "x" * 200_001, "product_kind": "wealth"}, "text"),
        ({"text": "保本\x00", "product_kind": "wealth"}, "text"),
    ],
)
def test_bad_input_is_422_with_the_field(api_for, hq_officer, body, field):
    api = api_for(hq_officer)
    with at("2026-03-02"):
        response = post(api, body)
    assert response.status_code == 422, response.content
    error = response.json()
    assert set(error) == {"code", "message", "fields"} and field in error["fields"]


def test_field_messages_are_in_the_users_language(api_for, hq_officer):
    api = api_for(hq_officer)
    with at("2026-03-02"):
        response = post(api, {"text": "保本", "product_kind": "stock"})
    message = response.json()["fields"]["product_kind"][0]
    assert message == zh("Unknown product kind. Use one of: %(kinds)s.") % {
        "kinds": "wealth, fund, insurance, deposit, loan, credit_card, payment, precious_metal, other"
    }


def test_a_body_that_is_not_json_is_400(api_for, hq_officer):
    api = api_for(hq_officer)
    response = api.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_the_longest_text_allowed_is_checked(api_for, hq_officer):
    # given 200,000 characters with one claim at the end
    api = api_for(hq_officer)
    text = "本行营业时间为工作日。" * 18_181 + "零风险" + "。" * 6
    assert len(text) == 200_000
    # when
    with at("2026-03-02"):
        response = post(api, {"text": text, "product_kind": "wealth"})
    # then
    assert response.status_code == 200
    assert [(f["label"], f["start"]) for f in response.json()["findings"]] == [("no_risk", 199_991)]


def test_anonymous_is_401(client):
    response = post(client, {"text": "保本", "product_kind": "wealth"})
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_without_the_permission_is_403(api_for, no_role_user, auditor):
    # given a user with no role and the auditor (reads rules, does not use the checker)
    for user in (no_role_user, auditor):
        response = post(api_for(user), {"text": "保本", "product_kind": "wealth"})
        # then
        assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_the_permission_alone_is_enough(api_for, no_role_user, client_for):
    # given a user granted only checker.use_checker, by token and by session
    user = grant(no_role_user, "checker.use_checker")
    with at("2026-03-02"):
        by_token = post(api_for(user), {"text": "保本", "product_kind": "wealth"})
        session = client_for(user)
        session.handler.enforce_csrf_checks = False
        by_session = post(session, {"text": "保本", "product_kind": "wealth"})
    assert by_token.status_code == 200 and by_token.json()["findings"][0]["label"] == "guarantee"
    assert by_session.status_code == 200
