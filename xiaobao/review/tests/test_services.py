"""Review services: create and submit with a document, the checker's findings on it, the steps through the
transition service (409 stale version, 403 wrong person, field errors), recusal, the must-change block, the
escalation path, the clock paused while the submitter answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.core.errors import Conflict
from xiaobao.review.models import DocumentVersion, Review
from xiaobao.review.services import (
    blocking_opinions,
    opinion_add,
    review_conclude,
    review_transition,
    version_add,
)
from xiaobao.review.tests.conftest import LEAFLET_V2, at, docx

pytestmark = pytest.mark.django_db


def _opinion(reviewer, review, **over):
    data = {
        "category": "marketing",
        "severity": "must_change",
        "body": "删除“保本保收益”等承诺性表述",
        **over,
    }
    return opinion_add(actor=reviewer, review=review, data=data)


def test_create_submits_with_the_document_checked(make_review, submitter):
    # given / when
    review = make_review()
    # then
    assert review.status == "submitted" and review.reference.startswith("SC2026")
    assert review.submitted_by == submitter and review.submitted_on == dt.date(2026, 3, 2)
    version = DocumentVersion.objects.get(document__review=review)
    assert version.number == 1 and len(version.sha256) == 64 and "保本保收益" in version.text
    clock = review.clocks.get()
    assert (clock.rule.code, clock.due_date, clock.state) == ("review-10wd", dt.date(2026, 3, 16), "running")


def test_walk_to_pass_with_answers_new_version_and_close(make_review, submitter, reviewer):
    # given a submitted review the head-office reviewer takes
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
        first = _opinion(reviewer, review)
        _opinion(reviewer, review, severity="suggestion", category="disclosure", body="补充风险揭示")
        review = review_transition(actor=reviewer, review=review, action="issue_opinions")
    assert review.status == "answering"
    # when the submitter uploads version 2 and answers both
    with at("2026-03-05"):
        document = review.documents.get()
        v2 = version_add(actor=submitter, document=document, fileobj=docx(LEAFLET_V2), name="leaflet-v2.docx")
        review = review_transition(
            actor=submitter,
            review=review,
            action="answer",
            data={
                "answers": [
                    {"opinion": 1, "response": "adopted"},
                    {"opinion": 2, "response": "not_adopted", "note": "版面有限，已在产品说明书披露"},
                ]
            },
        )
    assert review.status == "in_review" and v2.number == 2
    # then the pass is refused until the must-change opinion is closed
    with at("2026-03-06"), pytest.raises(Conflict) as refused:
        review_conclude(actor=reviewer, review=review, conclusion="pass")
    assert "1" in refused.value.message
    with at("2026-03-06"):
        review = review_transition(actor=reviewer, review=review, action="close_opinion", data={"opinion": 1})
        review = review_transition(
            actor=reviewer, review=review, action="accept_reason", data={"opinion": 2, "note": "同意"}
        )
        review = review_conclude(actor=reviewer, review=review, conclusion="pass_with_changes")
    review.refresh_from_db()
    assert review.status == "passed_with_changes" and review.conclusion == "pass_with_changes"
    assert not blocking_opinions(review)
    first.refresh_from_db()
    assert first.state == "closed" and first.answered_version == v2
    # the clock paused from 03-03 to 03-05: due 03-16 + 2 days
    clock = review.clocks.get()
    assert (clock.state, clock.paused_days, clock.due_date) == ("met", 2, dt.date(2026, 3, 18))
    approvals = list(review.approvals.all())
    assert [a.version_id for a in approvals] == [v2.pk] and approvals[0].sha256 == v2.sha256


def test_recusal_submitter_may_not_claim_or_be_assigned(make_review, org, reviewer, head):
    from xiaobao.review.tests.conftest import CONDUCT, grant

    # given a review submitted by somebody who may also review
    review = make_review(actor=reviewer, org_unit=org.cpd.code)
    # when / then they may not claim it
    with at("2026-03-03"), pytest.raises(PermissionDenied) as refused:
        review_transition(actor=reviewer, review=review, action="claim")
    assert "Recusal" in str(refused.value) or "回避" in str(refused.value)
    # and may not be assigned
    grant(head, CONDUCT)
    with at("2026-03-03"), pytest.raises(ValidationError) as bad:
        review_transition(actor=head, review=review, action="assign", data={"reviewer": reviewer.username})
    assert "reviewer" in bad.value.message_dict


def test_escalation_waive_and_uphold(make_review, submitter, reviewer, head):
    # given two must-change opinions answered "not adopted"
    review = make_review()
    with at("2026-03-03"):
        review = review_transition(actor=reviewer, review=review, action="claim")
        _opinion(reviewer, review)
        _opinion(reviewer, review, body="删除“零风险”")
        review = review_transition(actor=reviewer, review=review, action="issue_opinions")
        review = review_transition(
            actor=submitter,
            review=review,
            action="answer",
            data={
                "answers": [
                    {"opinion": 1, "response": "not_adopted", "note": "业务需要"},
                    {"opinion": 2, "response": "not_adopted", "note": "业务需要"},
                ]
            },
        )
    # when the reviewer escalates both
    with at("2026-03-04"):
        review = review_transition(
            actor=reviewer, review=review, action="escalate", data={"opinion": 1, "note": "不同意"}
        )
        review = review_transition(
            actor=reviewer, review=review, action="escalate", data={"opinion": 2, "note": "不同意"}
        )
    assert review.status == "escalated"
    # then the reviewer may not decide; the head must decide both at once
    with at("2026-03-04"), pytest.raises(ValidationError):
        review_transition(
            actor=head,
            review=review,
            action="decide_escalation",
            data={"decisions": [{"opinion": 1, "decision": "waive"}], "note": "部分豁免"},
        )
    with at("2026-03-04"):
        review = review_transition(
            actor=head,
            review=review,
            action="decide_escalation",
            data={
                "decisions": [{"opinion": 1, "decision": "waive"}, {"opinion": 2, "decision": "uphold"}],
                "note": "零风险表述必须删除",
            },
        )
    states = dict(review.opinions.values_list("number", "state"))
    assert review.status == "in_review" and states == {1: "waived", 2: "open"}
    assert [o.number for o in blocking_opinions(review)] == [2]


def test_stale_version_is_409_and_wrong_person_403(make_review, submitter, reviewer, other_branch_reviewer):
    review = make_review()
    stale = review.version
    with at("2026-03-03"):
        review_transition(actor=reviewer, review=review, action="claim")
        with pytest.raises(Conflict) as conflict:
            review_transition(
                actor=reviewer,
                review=review,
                action="extend",
                data={"to_days": 15, "reason": "x"},
                expected_version=stale,
            )
        assert conflict.value.code == "conflict"
        with pytest.raises(PermissionDenied):
            review_transition(
                actor=other_branch_reviewer, review=review, action="withdraw", data={"reason": "x"}
            )
        with pytest.raises(PermissionDenied):
            review_transition(
                actor=submitter, review=Review.objects.get(pk=review.pk), action="issue_opinions"
            )
        with pytest.raises(ValidationError) as bad:
            review_transition(
                actor=submitter, review=Review.objects.get(pk=review.pk), action="withdraw", data={}
            )
        assert "reason" in bad.value.message_dict
