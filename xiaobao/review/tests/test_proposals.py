"""A marketing or disclosure complaint proposes a checker rule: the terms it quotes are offered, the preview
lists the live approved material the rule would have caught (with the text around each hit), and saving
makes a DRAFT rule whose note names the complaint."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from conftest import make_user
from xiaobao.checker.models import CheckRule, CheckRuleVersion
from xiaobao.core.models import User
from xiaobao.review import proposals
from xiaobao.review.tests.test_approvals_fixtures import complaint, on, passed_review, people

pytestmark = pytest.mark.django_db


def _rule_manager(org, username="hq_rules"):
    user = make_user(username, org.cpd, ["hq_cp_officer", "complaint_handler"])
    user.user_permissions.add(Permission.objects.get(codename="manage_rules"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def world(org):
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        review = passed_review(submitter, reviewer)
        other = passed_review(
            submitter, reviewer, title="无关", paragraphs=["定期存款利率表", "存款保险标识"]
        )
        item = complaint(org, description="客户称网点宣传单写着“稳盈”“保本保息”，购买后亏损。")
    return review, other, item


def test_causes_about_marketing_and_disclosure_match(org):
    with on("2026-03-02"):
        marketing, disclosure, service = (
            complaint(org),
            complaint(org, cause="C05"),
            complaint(org, cause="C01"),
        )
    assert proposals.cause_matches(marketing) and proposals.cause_matches(disclosure)
    assert not proposals.cause_matches(service)


def test_the_quoted_claims_are_offered_as_terms(world):
    _review, _other, item = world
    assert proposals.suggested_terms(item) == ["稳盈", "保本保息"]


def test_the_preview_lists_the_approved_material_it_would_have_caught(org, world):
    review, _other, _item = world
    spec = proposals.proposal_spec(terms="稳盈\n", patterns="", label="misleading", product_kinds=[])
    with on("2026-04-01"):
        caught = proposals.preview(user=_rule_manager(org), spec=spec)
    assert [c.approval for c in caught] == [review.approvals.get()]
    hit = caught[0].hits[0]
    assert hit.match == "稳盈" and hit.before.endswith("“") and hit.after.startswith("”系列")
    # a product kind the material is not of catches nothing
    loans = proposals.proposal_spec(terms="稳盈", patterns="", label="misleading", product_kinds=["loan"])
    with on("2026-04-01"):
        assert proposals.preview(user=_rule_manager(org, "hq_rules_2"), spec=loans) == []


def test_the_preview_is_scoped_to_what_the_user_may_see(org, world):
    spec = proposals.proposal_spec(terms="稳盈", patterns="", label="misleading", product_kinds=[])
    outsider = make_user("b2_rules", org.b2, ["branch_cp_officer"])
    with on("2026-04-01"):
        assert proposals.preview(user=outsider, spec=spec) == []


def test_bad_input_is_a_field_error():
    from django.core.exceptions import ValidationError

    for kwargs, field in (
        ({"terms": "", "patterns": "", "label": "misleading"}, "terms"),
        ({"terms": "", "patterns": "([", "label": "misleading"}, "patterns"),
        ({"terms": "稳盈", "patterns": "", "label": "nonsense"}, "label"),
    ):
        with pytest.raises(ValidationError) as err:
            proposals.proposal_spec(product_kinds=[], **kwargs)
        assert field in err.value.message_dict


def test_the_page_previews_and_saves_a_draft_rule(client_for, org, world):
    review, _other, item = world
    client = client_for(_rule_manager(org))
    url = reverse("review:rule_proposal", args=[item.pk])
    with on("2026-04-01"):
        page = client.get(url).content.decode()
        data = {"title": "“稳盈”暗示收益稳定", "label": "misleading", "terms": "稳盈"}
        preview = client.post(url, {**data, "preview": "1"}).content.decode()
        saved = client.post(url, {**data, "save": "1"})
        told = client.get(saved["Location"]).content.decode()
    assert "稳盈\n保本保息" in page  # the quoted claims prefilled
    assert review.approvals.get().number in preview and "<mark>稳盈</mark>" in preview
    assert saved.status_code == 302
    rule = CheckRule.objects.get(code__startswith="complaint-")
    assert rule.status == "draft" and rule.terms == ["稳盈"] and rule.label == "misleading"
    assert CheckRuleVersion.objects.get(rule=rule).note == f"来自投诉 {item.reference} 的规则建议"
    assert "规则草稿““稳盈”暗示收益稳定”已保存" in told  # the message names the rule by its title


def test_the_page_needs_the_rule_permission_and_a_visible_complaint(client_for, org, world, branch_officer):
    _review, _other, item = world
    url = reverse("review:rule_proposal", args=[item.pk])
    outsider = make_user("b2_rules_mgr", org.b2, ["branch_cp_officer", "complaint_handler"])
    outsider.user_permissions.add(Permission.objects.get(codename="manage_rules"))
    with on("2026-04-01"):
        assert client_for(branch_officer).get(url).status_code == 403
        assert client_for(User.objects.get(pk=outsider.pk)).get(url).status_code == 404
        refused = client_for(_rule_manager(org)).post(
            url, {"title": "x", "label": "misleading", "terms": "", "save": "1"}
        )
    assert refused.status_code == 400
    assert not CheckRule.objects.filter(code__startswith="complaint-").exists()
