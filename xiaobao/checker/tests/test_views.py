"""The checker's pages: the rule list (precision, filters), the editor (new version, history and diff, a bad
regex named on its field, a stale form), a new rule, the test bench (highlighted findings and legend)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from xiaobao.checker.models import CheckRule
from xiaobao.checker.services import check_and_store, finding_decide
from xiaobao.checker.tests.conftest import at, zh

pytestmark = pytest.mark.django_db


def _form(rule, **over):
    data = {
        "title": rule.title,
        "label": rule.label,
        "severity": rule.severity,
        "kind": rule.kind,
        "status": rule.status,
        "terms": "\n".join(rule.terms),
        "source": rule.source,
        "suggestion": rule.suggestion,
        "version": rule.version,
        "note": "",
    }
    data.update(over)
    return data


# --- list -------------------------------------------------------------------------------------------------


def test_the_list_shows_state_dates_version_and_precision(
    client_for, make_rule, hq_officer, b1_complaint, django_assert_max_num_queries
):
    # given an active rule with one confirmed and one dismissed finding, and a pending rule
    make_rule()
    make_rule(code="later", title="待生效规则", effective_from="2026-04-01")
    with at("2026-03-02"):
        first, second = check_and_store(
            b1_complaint, text="收益最高，第一", product_kind="wealth", material="marketing"
        )
        finding_decide(first, decision="confirmed", by=hq_officer)
        finding_decide(second, decision="dismissed", by=hq_officer)
    # when
    client = client_for(hq_officer)
    with at("2026-03-02"), django_assert_max_num_queries(12):
        html = client.get(reverse("checker:list")).content.decode()
    # then
    rows = dict(re.findall(r'data-code="([^"]+)">(.*?)</tr>', html, re.S))
    assert "50%" in rows["test-absolute"] and "绝对化用语" in rows["test-absolute"]
    assert zh("Pending") in rows["later"] or "待生效" in rows["later"]
    assert "2026-04-01" in rows["later"]


def test_the_list_filters_by_label_and_state(client_for, make_rule, hq_officer):
    # given
    make_rule()
    make_rule(code="no-risk", title="无风险", label="no_risk", terms=["零风险"], status="draft")
    client = client_for(hq_officer)
    # when / then
    with at("2026-03-02"):
        html = client.get(reverse("checker:list"), {"label": "no_risk"}).content.decode()
        assert 'data-code="no-risk"' in html and 'data-code="test-absolute"' not in html
        html = client.get(reverse("checker:list"), {"state": "active"}).content.decode()
        assert 'data-code="no-risk"' not in html and 'data-code="test-absolute"' in html
        response = client.get(reverse("checker:list"), {"state": "nonsense"})
    assert response.status_code == 400


def test_a_branch_officer_reads_rules_but_cannot_edit(client_for, make_rule, branch_officer):
    # given
    rule = make_rule()
    client = client_for(branch_officer)
    # when
    page = client.get(reverse("checker:rule", args=[rule.code]))
    post = client.post(reverse("checker:rule", args=[rule.code]), _form(rule, title="改"))
    # then
    assert page.status_code == 200 and b'data-testid="rule-readonly"' in page.content
    assert b'data-testid="rule-form"' not in page.content
    assert post.status_code == 403
    assert client.get(reverse("checker:create")).status_code == 403


def test_the_auditor_reads_the_list_but_has_no_bench(client_for, make_rule, auditor):
    make_rule()
    client = client_for(auditor)
    assert client.get(reverse("checker:list")).status_code == 200
    assert client.get(reverse("checker:bench")).status_code == 403


# --- editor ---------------------------------------------------------------------------------------------


def test_saving_the_editor_makes_a_new_version_shown_in_the_history(client_for, make_rule, hq_officer):
    # given
    rule = make_rule()
    client = client_for(hq_officer)
    # when
    with at("2026-03-03"):
        response = client.post(
            reverse("checker:rule", args=[rule.code]),
            _form(rule, terms="最高\n顶级", product_kinds=["wealth", "fund"], note="加“顶级”"),
        )
    # then
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.version, rule.terms, rule.product_kinds) == (2, ["最高", "顶级"], ["wealth", "fund"])
    with at("2026-03-03"):
        html = client.get(reverse("checker:rule", args=[rule.code])).content.decode()
    history = html[html.index('data-testid="history"') :]
    assert "v2" in history and "加“顶级”" in history
    assert "<ins>＋顶级</ins>" in history and "<del>－第一</del>" in history
    assert "<ins>＋理财</ins>" in history


def test_a_bad_regex_is_shown_on_its_field_and_nothing_is_saved(client_for, make_rule, hq_officer):
    # given
    rule = make_rule()
    # when
    response = client_for(hq_officer).post(
        reverse("checker:rule", args=[rule.code]), _form(rule, patterns="稳赚\n保本(保息")
    )
    # then
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'data-testid="error-patterns">(.*?)</ul>', html, re.S).group(1)
    assert "保本(保息" in error and "正则" in error
    rule.refresh_from_db()
    assert rule.version == 1 and rule.patterns == []


def test_a_stale_editor_is_a_conflict(client_for, make_rule, hq_officer):
    from xiaobao.checker.services import rule_save

    rule = make_rule()
    rule_save(rule=rule, data={"title": "别人改了"}, by=hq_officer)
    response = client_for(hq_officer).post(reverse("checker:rule", args=[rule.code]), _form(rule, version=1))
    assert response.status_code == 409
    rule.refresh_from_db()
    assert rule.title == "别人改了"


def test_an_unknown_rule_is_404(client_for, hq_officer, no_presets):
    assert client_for(hq_officer).get(reverse("checker:rule", args=["nope"])).status_code == 404


def test_a_new_rule_from_the_page(client_for, hq_officer, no_presets):
    # given / when
    client = client_for(hq_officer)
    data = {
        "code": "urgency-terms",
        "title": "催促购买",
        "label": "urgency",
        "severity": "low",
        "kind": "terms",
        "status": "draft",
        "terms": "欲购从速\n名额有限",
        "materials": ["marketing"],
    }
    response = client.post(reverse("checker:create"), data)
    # then
    assert response.status_code == 302
    rule = CheckRule.objects.get(code="urgency-terms")
    assert (rule.version, rule.terms, rule.materials, rule.status) == (
        1,
        ["欲购从速", "名额有限"],
        ["marketing"],
        "draft",
    )
    # and a reserved code is refused on its field
    response = client.post(reverse("checker:create"), {**data, "code": "bench"})
    assert response.status_code == 400 and zh("This code is reserved.") in response.content.decode()


# --- bench ------------------------------------------------------------------------------------------------


def test_the_bench_highlights_findings_with_a_legend(client_for, make_rule, branch_officer):
    # given
    make_rule()
    # when
    with at("2026-03-02"):
        response = client_for(branch_officer).post(
            reverse("checker:bench"),
            {"text": "本产品收益<b>最高</b>，行业第一。", "product_kind": "wealth", "material": "marketing"},
        )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    marks = re.findall(
        r'<mark class="ck-mark sev-high" data-findings="(\d+)" data-labels="absolute" '
        r'data-rules="test-absolute"><a class="ck-n" href="#ck-f-\d+"><sup>\d+</sup></a>(.*?)</mark>',
        html,
    )
    assert marks == [("1", "最高"), ("2", "第一")]
    assert "&lt;b&gt;" in html and "<b>最高" not in html  # the pasted text is escaped
    legend = html[html.index('data-testid="legend"') :]
    assert "绝对化用语（测试）" in legend and "《广告法》第九条" in legend and "删除绝对化用语" in legend


def test_the_bench_can_include_draft_and_pending_rules(client_for, make_rule, branch_officer):
    # given only a draft rule
    make_rule(status="draft")
    client = client_for(branch_officer)
    data = {"text": "收益最高", "product_kind": "wealth", "material": "marketing"}
    # when / then
    with at("2026-03-02"):
        assert b'data-testid="clean"' in client.post(reverse("checker:bench"), data).content
        html = client.post(reverse("checker:bench"), {**data, "include_unpublished": "on"}).content
    assert b"<mark" in html


def test_the_bench_answers_htmx_with_the_result_only(client_for, make_rule, branch_officer):
    make_rule()
    with at("2026-03-02"):
        response = client_for(branch_officer).post(
            reverse("checker:bench"),
            {"text": "收益最高", "product_kind": "wealth", "material": "marketing"},
            headers={"HX-Request": "true"},
        )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="bench-result"') and "<mark" in html


def test_the_bench_refuses_empty_text(client_for, branch_officer, no_presets):
    response = client_for(branch_officer).post(
        reverse("checker:bench"), {"text": "   ", "product_kind": "wealth", "material": "marketing"}
    )
    assert response.status_code == 400
