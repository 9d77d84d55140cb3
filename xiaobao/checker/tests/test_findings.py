"""Findings stored on a subject: a re-check replaces undecided findings and keeps decided ones; confirm and
dismiss; each rule's precision from the decisions; the highlighting pieces."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xiaobao.checker.engine import Finding
from xiaobao.checker.models import CheckFinding
from xiaobao.checker.services import (
    check_and_store,
    finding_decide,
    finding_visible,
    highlight_segments,
    rule_precision,
    subject_findings,
)
from xiaobao.checker.tests.conftest import at

pytestmark = pytest.mark.django_db
TEXT = "本产品收益最高，行业第一。\n零风险，稳赚不赔。"


def _store(subject, text=TEXT):
    with at("2026-03-02"):
        return check_and_store(subject, text=text, blocks=None, product_kind="wealth", material="marketing")


def test_check_and_store_keeps_findings_on_the_subject(make_rule, b1_complaint):
    # given
    rule = make_rule()
    # when
    stored = _store(b1_complaint)
    # then
    assert [(f.rule_code, f.excerpt, f.start, f.end, f.decision) for f in stored] == [
        ("test-absolute", "最高", 5, 7, "pending"),
        ("test-absolute", "第一", 10, 12, "pending"),
    ]
    assert all(f.rule_id == rule.pk and f.source == "《广告法》第九条" for f in stored)
    assert list(subject_findings(b1_complaint)) == stored


def test_a_recheck_replaces_undecided_findings_and_keeps_decided_ones(make_rule, b1_complaint, hq_officer):
    # given one of two findings was confirmed
    make_rule()
    first, second = _store(b1_complaint)
    finding_decide(first, decision="confirmed", by=hq_officer, note="确属违规")
    # when the subject is checked again
    again = _store(b1_complaint)
    # then the decided finding stays (not duplicated), the undecided one is a new row
    assert [(f.excerpt, f.decision) for f in again] == [("最高", "confirmed"), ("第一", "pending")]
    assert again[0].pk == first.pk and again[1].pk != second.pk
    assert CheckFinding.objects.count() == 2


def test_blocks_from_extraction_may_carry_labels(make_rule, b1_complaint):
    make_rule()
    with at("2026-03-02"):
        stored = check_and_store(
            b1_complaint,
            text=TEXT,
            blocks=[[0, 13, "第1段"], [14, len(TEXT), "第2段"]],
            product_kind="wealth",
            material="marketing",
        )
    assert len(stored) == 2


def test_decide_and_precision(make_rule, b1_complaint, hq_officer):
    # given three findings of one rule: two confirmed, one dismissed
    make_rule()
    first, second = _store(b1_complaint)
    # when
    with at("2026-03-03"):
        finding_decide(first, decision="confirmed", by=hq_officer)
        finding_decide(second, decision="dismissed", by=hq_officer, note="引用法规原文")
    # then
    assert rule_precision() == {"test-absolute": (1, 1, 0.5)}
    third = next(f for f in _store(b1_complaint, text="最高") if f.decision == "pending")
    finding_decide(third, decision="confirmed", by=hq_officer)
    confirmed, dismissed, share = rule_precision()["test-absolute"]
    assert (confirmed, dismissed) == (2, 1) and share == pytest.approx(2 / 3)
    second.refresh_from_db()
    assert (second.decision, second.decision_note, second.decided_by) == (
        "dismissed",
        "引用法规原文",
        hq_officer,
    )
    assert second.decided_at.date().isoformat() == "2026-03-03"


def test_a_decision_must_be_confirm_or_dismiss(make_rule, b1_complaint, hq_officer):
    make_rule()
    finding = _store(b1_complaint)[0]
    with pytest.raises(ValidationError) as exc:
        finding_decide(finding, decision="pending", by=hq_officer, note="x" * 1001)
    assert set(exc.value.message_dict) == {"decision", "note"}
    finding.refresh_from_db()
    assert finding.decision == "pending"


def test_a_finding_is_visible_through_its_subject(make_rule, b1_complaint, power_b1, power_b2, org):
    # given a finding on branch 1's complaint
    make_rule()
    finding = _store(b1_complaint)[0]
    # then
    assert finding_visible(power_b1, finding.pk)[1] == b1_complaint
    assert finding_visible(power_b2, finding.pk) is None
    assert finding_visible(power_b1, 10**9) is None


def test_a_subject_model_without_visible_to_is_invisible(make_rule, hq_officer):
    # given a finding on a rule (a model without objects.visible_to)
    rule = make_rule()
    with at("2026-03-02"):
        finding = check_and_store(rule, text="收益最高", product_kind="wealth", material="marketing")[0]
    # then nobody reaches it through the checker
    assert finding_visible(hq_officer, finding.pk) is None


def test_highlight_segments_with_overlaps():
    # given two overlapping findings and one out of range
    text = "保本保收益，稳赚"
    findings = [
        Finding("guarantee", "g1", 0, 5, "保本保收益", "high", "", ""),
        Finding("absolute", "a1", 2, 7, "保收益，稳", "medium", "", ""),
        Finding("no_risk", "n1", 50, 60, "", "low", "", ""),
    ]
    # when
    pieces = highlight_segments(text, findings)
    # then the pieces cover the text exactly, each with the findings over it
    assert "".join(p["text"] for p in pieces) == text
    assert [(p["text"], p["numbers"], p["starting"], p["severity"]) for p in pieces] == [
        ("保本", [1], [1], "high"),
        ("保收益", [1, 2], [2], "high"),
        ("，稳", [2], [], "medium"),
        ("赚", [], [], ""),
    ]
    assert pieces[1]["rules"] == ["a1", "g1"] and pieces[1]["labels"] == ["absolute", "guarantee"]


def test_highlight_segments_of_clean_text():
    assert highlight_segments("干净的文本", []) == [
        {
            "text": "干净的文本",
            "start": 0,
            "numbers": [],
            "starting": [],
            "labels": [],
            "rules": [],
            "severity": "",
        }
    ]
