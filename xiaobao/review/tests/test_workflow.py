"""The review workflow table: every allowed and every forbidden (status, action) pair, without the
database."""

from __future__ import annotations

import pytest

from xiaobao.review.choices import Status
from xiaobao.review.workflow import WORKFLOW

S = Status
LIVE = {S.SUBMITTED, S.IN_REVIEW, S.ANSWERING, S.ESCALATED}
EXPECTED: dict[str, dict[str, str | None]] = {
    "submit": {S.DRAFT: S.SUBMITTED},
    "claim": {S.SUBMITTED: S.IN_REVIEW},
    "assign": {S.SUBMITTED: S.IN_REVIEW, S.IN_REVIEW: None, S.ANSWERING: None, S.ESCALATED: None},
    "issue_opinions": {S.IN_REVIEW: S.ANSWERING},
    "answer": {S.ANSWERING: S.IN_REVIEW},
    "accept_reason": {S.IN_REVIEW: None},
    "close_opinion": {S.IN_REVIEW: None},
    "escalate": {S.IN_REVIEW: S.ESCALATED, S.ESCALATED: None},
    "decide_escalation": {S.ESCALATED: S.IN_REVIEW},
    "pass": {S.IN_REVIEW: S.PASSED},
    "pass_with_changes": {S.IN_REVIEW: S.PASSED_WITH_CHANGES},
    "reject": {S.IN_REVIEW: S.REJECTED, S.ANSWERING: S.REJECTED},
    "withdraw": {s: S.WITHDRAWN for s in [S.DRAFT, *LIVE]},
    "extend": {s: None for s in LIVE},
    "approve_extension": {s: None for s in LIVE},
    "reject_extension": {s: None for s in LIVE},
    "record_launch": {S.PASSED: None, S.PASSED_WITH_CHANGES: None},
}
PAIRS = [(str(s), a) for s in Status.values for a in EXPECTED]


def test_the_table_has_exactly_the_expected_actions():
    assert set(WORKFLOW.table) == set(EXPECTED)
    assert WORKFLOW.statuses() == set(Status.values)


@pytest.mark.parametrize(("status", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
def test_every_pair(status, action):
    expected = EXPECTED[action]
    # given / when / then
    assert WORKFLOW.is_allowed(status, action) == (status in expected)
    if status in expected:
        target = expected[status]
        assert WORKFLOW.next_status(status, action) == (status if target is None else target)
    else:
        with pytest.raises(KeyError):
            WORKFLOW.next_status(status, action)


def test_ended_statuses_allow_nothing_but_the_launch():
    for status in (S.REJECTED, S.WITHDRAWN):
        assert WORKFLOW.actions_from(status) == []
    assert [a.code for a in WORKFLOW.actions_from(S.PASSED)] == ["record_launch"]


def test_every_action_declares_a_schema_and_a_review_permission():
    for action in WORKFLOW.table.values():
        assert action.schema is not None
        assert action.permission.startswith("review.")
