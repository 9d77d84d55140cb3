"""Rules as versioned data: saving (versions, snapshots, audit), validation (regexes, codes, choices, numeric
rules), the rules in force on a day (cached), rules taking effect, and the preset sync."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from xiaobao.checker.models import CheckRule, CheckRuleVersion
from xiaobao.checker.services import (
    active_rules,
    check_text,
    presets_sync,
    rule_history,
    rule_save,
    rule_to_spec,
    rules_mark_rechecked,
    rules_taking_effect,
)
from xiaobao.checker.tests.conftest import at, rule_data, zh
from xiaobao.core.errors import Conflict

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


# --- saving and history -------------------------------------------------------------------------------


def test_a_new_rule_is_version_1_with_a_snapshot_and_an_audit_row(make_rule, hq_officer):
    from xiaobao.core.models import AuditEvent

    # given / when
    rule = make_rule()
    # then
    assert rule.version == 1 and rule.updated_by == hq_officer
    v = CheckRuleVersion.objects.get(rule=rule)
    assert (v.version, v.note, v.changed_by) == (1, "新建", hq_officer)
    assert v.snapshot["terms"] == ["最高", "第一"] and v.snapshot["code"] == "test-absolute"
    assert AuditEvent.objects.filter(object_type="checker.checkrule", object_id=str(rule.pk)).exists()


def test_a_change_bumps_the_version_and_the_history_says_what_changed(make_rule, hq_officer):
    # given
    rule = make_rule()
    # when
    with at("2026-03-03"):
        rule = rule_save(
            rule=rule, data={"terms": ["最高", "顶级"], "severity": "medium"}, by=hq_officer, note="调整"
        )
    # then
    assert rule.version == 2
    newest, first = rule_history(rule)
    assert newest["version"].version == 2 and newest["version"].note == "调整"
    changes = {c["field"]: c for c in newest["changes"]}
    assert changes["terms"]["added"] == ["顶级"] and changes["terms"]["removed"] == ["第一"]
    assert (changes["severity"]["before"], changes["severity"]["after"]) == ("high", "medium")
    assert set(changes) == {"terms", "severity"}
    assert first["version"].version == 1


def test_saving_nothing_new_makes_no_version(make_rule, hq_officer):
    # given
    rule = make_rule()
    # when the same values are sent again
    again = rule_save(rule=rule, data=rule_data(code=None), by=hq_officer)
    # then
    assert again.version == 1 and rule.versions.count() == 1


def test_a_stale_version_is_a_conflict(make_rule, hq_officer):
    # given somebody saved version 2
    rule = make_rule()
    rule_save(rule=rule, data={"title": "改名"}, by=hq_officer)
    # when an editor who saw version 1 saves
    with pytest.raises(Conflict):
        rule_save(rule=rule, data={"title": "另一个名字"}, by=hq_officer, expected_version=1)
    # then nothing of theirs was written
    rule.refresh_from_db()
    assert (rule.title, rule.version) == ("改名", 2)


def test_a_bad_regex_is_a_field_error_naming_the_pattern(make_rule, hq_officer):
    # given / when
    with pytest.raises(ValidationError) as exc:
        rule_save(
            rule=None,
            data=rule_data(kind="pattern", terms=[], patterns=["保本(保息", "稳赚"], exceptions=["[不"]),
            by=hq_officer,
        )
    # then each bad pattern is named in its own field; nothing was written
    errors = exc.value.message_dict
    assert "保本(保息" in errors["patterns"][0]
    assert "[不" in errors["exceptions"][0]
    assert not CheckRule.objects.exists()


def test_choices_codes_and_lists_are_checked(make_rule, hq_officer):
    # given a rule exists
    make_rule()
    # when a second one has every kind of mistake
    with pytest.raises(ValidationError) as exc:
        rule_save(
            rule=None,
            data=rule_data(
                code="test-absolute",
                label="nonsense",
                severity="extreme",
                product_kinds=["wealth", "lottery"],
                materials=["poster"],
                terms=[1, 2],
                effective_from="2026-05-01",
                effective_to="2026-04-01",
            ),
            by=hq_officer,
        )
    # then
    errors = exc.value.message_dict
    assert set(errors) >= {
        "code",
        "label",
        "severity",
        "product_kinds",
        "materials",
        "terms",
        "effective_to",
    }
    assert "lottery" in errors["product_kinds"][0] and "poster" in errors["materials"][0]


@pytest.mark.parametrize("code", ["new", "bench", "A", "with space", "中文", "-x"])
def test_reserved_and_malformed_codes_are_refused(no_presets, hq_officer, code):
    with pytest.raises(ValidationError) as exc:
        rule_save(rule=None, data=rule_data(code=code), by=hq_officer)
    assert "code" in exc.value.message_dict


def test_the_code_cannot_change(make_rule, hq_officer):
    rule = make_rule()
    with pytest.raises(ValidationError) as exc:
        rule_save(rule=rule, data={"code": "other-code"}, by=hq_officer)
    assert "code" in exc.value.message_dict


def test_kind_needs_its_content(no_presets, hq_officer):
    # given / when a required-statement rule without statements and a numeric rule without its check
    with pytest.raises(ValidationError) as req:
        rule_save(rule=None, data=rule_data(kind="required", terms=[]), by=hq_officer)
    with pytest.raises(ValidationError) as num:
        rule_save(
            rule=None,
            data=rule_data(kind="numeric", terms=[], patterns=["业绩(\\d+)个月"], params={"min": 6}),
            by=hq_officer,
        )
    # then
    assert "required" in req.value.message_dict
    assert "params" in num.value.message_dict and "patterns" in num.value.message_dict


def test_a_numeric_rule_with_its_check_and_group_is_accepted(no_presets, hq_officer):
    rule = rule_save(
        rule=None,
        data=rule_data(
            code="perf-period",
            label="misleading",
            kind="numeric",
            terms=[],
            patterns=["(?P<num>\\d+)个月"],
            params={"check": "min_months", "min": 6},
        ),
        by=hq_officer,
    )
    assert rule_to_spec(rule).params == {"check": "min_months", "min": 6}


def test_lines_are_trimmed_and_deduplicated(no_presets, hq_officer):
    rule = rule_save(rule=None, data=rule_data(terms="最高\n  第一 \n\n最高"), by=hq_officer)
    assert rule.terms == ["最高", "第一"]


def test_error_messages_are_in_chinese(no_presets, hq_officer):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        rule_save(rule=None, data=rule_data(kind="pattern", terms=[], patterns=["(x"]), by=hq_officer)
    assert "正则" in exc.value.message_dict["patterns"][0]


# --- the rules in force --------------------------------------------------------------------------------


def test_active_rules_by_date(make_rule):
    # given one rule of each state
    make_rule(code="always")
    make_rule(code="from-april", effective_from="2026-04-01")
    make_rule(code="until-march", effective_to="2026-03-31")
    make_rule(code="a-draft", status="draft")
    make_rule(code="retired", status="retired")

    def codes(day, **kw):
        return {r.code for r in active_rules(D(day), **kw)}

    # then
    assert codes("2026-03-31") == {"always", "until-march"}
    assert codes("2026-04-01") == {"always", "from-april"}
    assert codes("2026-04-01", include_unpublished=True) == {"always", "from-april", "a-draft"}
    assert codes("2026-03-02", include_unpublished=True) == {"always", "from-april", "until-march", "a-draft"}


def test_active_rules_are_cached_and_refreshed_on_a_save(make_rule, hq_officer):
    # given
    rule = make_rule()
    first = active_rules(D("2026-03-02"))
    # when asked again: the same tuple (the engine's compiled-rules cache is keyed by it)
    assert active_rules(D("2026-03-02")) is first
    # when the rule changes
    rule_save(rule=rule, data={"terms": ["顶级"]}, by=hq_officer)
    # then the next call sees it
    again = active_rules(D("2026-03-02"))
    assert again is not first and again[0].terms == ("顶级",)


def test_check_text_uses_the_rules_in_force(make_rule):
    # given a rule pending until April
    make_rule(code="from-april", effective_from="2026-04-01")
    # when / then
    text = "本产品收益最高"
    assert check_text(text, product_kind="wealth", material="marketing", on=D("2026-03-31")) == []
    found = check_text(text, product_kind="wealth", material="marketing", on=D("2026-04-01"))
    assert [(f.rule, f.excerpt, f.start, f.end) for f in found] == [("from-april", "最高", 5, 7)]


def test_rules_taking_effect_until_rechecked(make_rule, hq_officer):
    # given a pending rule and one in force from the start
    make_rule(code="always")
    pending = make_rule(code="from-april", effective_from="2026-04-01")
    # then
    assert rules_taking_effect(D("2026-03-31")) == []
    assert [r.code for r in rules_taking_effect(D("2026-04-01"))] == ["from-april"]
    # when review's recheck job has run
    rules_mark_rechecked([pending])
    assert rules_taking_effect(D("2026-04-02")) == []
    # when the start moves into the future again, the rule is pending again and will be rechecked
    with at("2026-04-02"):
        rule_save(rule=pending, data={"effective_from": "2026-05-01"}, by=hq_officer)
    assert [r.code for r in rules_taking_effect(D("2026-05-01"))] == ["from-april"]


# --- presets ---------------------------------------------------------------------------------------------


def test_preset_sync_creates_missing_codes_and_never_overwrites(no_presets, hq_officer, monkeypatch):
    from xiaobao.checker import engine

    # given two presets, one of which head office has already edited and retired
    presets = [
        engine.RuleSpec(code="p-one", label="no_risk", severity="high", kind="terms", terms=("零风险",)),
        engine.RuleSpec(code="p-two", label="urgency", severity="low", kind="terms", terms=("欲购从速",)),
    ]
    fake = type("M", (), {"PRESETS": presets})
    monkeypatch.setitem(__import__("sys").modules, "xiaobao.checker.presets", fake)
    rule_save(
        rule=None,
        data=rule_data(code="p-two", label="urgency", terms=["名额有限"], status="retired"),
        by=hq_officer,
    )
    # when
    created = presets_sync()
    # then
    assert created == 1
    one = CheckRule.objects.get(code="p-one")
    assert (one.is_preset, one.status, one.version, one.terms) == (True, "active", 1, ["零风险"])
    two = CheckRule.objects.get(code="p-two")
    assert (two.status, two.terms, two.is_preset) == ("retired", ["名额有限"], False)
    # and a second run creates nothing
    assert presets_sync() == 0


def test_the_migrated_database_holds_the_engines_presets(db):
    # given the preset list of the engine (when A1's presets exist)
    presets = pytest.importorskip("xiaobao.checker.presets").PRESETS
    # then every preset code is a rule (created by the post-migrate sync)
    assert set(CheckRule.objects.values_list("code", flat=True)) >= {p.code for p in presets}


def test_zh_names_exist_for_the_labels():
    from xiaobao.checker.engine import LABELS
    from xiaobao.checker.models import LABEL_NAMES

    assert set(LABEL_NAMES) == set(LABELS)
    assert zh("Absolute terms") == "绝对化用语"
