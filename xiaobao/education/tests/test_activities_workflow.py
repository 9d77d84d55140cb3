"""The activity workflow table, without the database: every allowed and every forbidden transition."""

import pytest

from xiaobao.education.workflow import APPROVE, APPROVED, REPORT, RETURNED, SUBMITTED, WORKFLOW

ALLOWED = {
    (SUBMITTED, "approve"): APPROVED,
    (SUBMITTED, "return"): RETURNED,
    (RETURNED, "resubmit"): SUBMITTED,
}
STATUSES = (SUBMITTED, APPROVED, RETURNED)


@pytest.mark.parametrize("status,action", [(s, a) for s in STATUSES for a in WORKFLOW.table])
def test_each_transition_is_allowed_exactly_as_declared(status, action):
    # given a status and an action of the table
    expected = ALLOWED.get((status, action))
    # when the table is asked
    allowed = WORKFLOW.is_allowed(status, action)
    # then only the declared moves are possible, each to its target
    assert allowed is (expected is not None)
    if expected is not None:
        assert WORKFLOW.next_status(status, action) == expected


def test_approved_is_final_and_frozen():
    # given the approved status / when the actions from it are listed / then there are none
    assert WORKFLOW.actions_from(APPROVED) == []
    assert WORKFLOW.group("editable") == [SUBMITTED, RETURNED]


def test_permissions_of_each_action():
    # given the table / when each action's permission is read / then approvers decide, reporters resubmit
    assert WORKFLOW["approve"].permission == APPROVE
    assert WORKFLOW["return"].permission == APPROVE
    assert WORKFLOW["resubmit"].permission == REPORT
    assert WORKFLOW.statuses() == set(STATUSES)
