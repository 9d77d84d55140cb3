"""The action-item workflow table: every allowed and every forbidden transition (pure), and the transition
service's 409, 403 and field errors through the module's instance."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.core.errors import Conflict
from xiaobao.governance.choices import Status as S
from xiaobao.governance.tests.conftest import PDF, at
from xiaobao.governance.workflow import WORKFLOW

ALLOWED = {
    ("start", S.OPEN): S.IN_PROGRESS,
    ("submit", S.OPEN): S.SUBMITTED,
    ("submit", S.IN_PROGRESS): S.SUBMITTED,
    ("close", S.SUBMITTED): S.CLOSED,
    ("reject", S.SUBMITTED): S.IN_PROGRESS,
    ("cancel", S.OPEN): S.CANCELLED,
    ("cancel", S.IN_PROGRESS): S.CANCELLED,
    ("cancel", S.SUBMITTED): S.CANCELLED,
}


@pytest.mark.parametrize("action", ["start", "submit", "close", "reject", "cancel"])
@pytest.mark.parametrize("status", S.values)
def test_the_table(action, status):
    # given the declared table / when asked / then exactly the listed transitions exist
    expected = ALLOWED.get((action, status))
    assert WORKFLOW.is_allowed(status, action) == (expected is not None)
    if expected is not None:
        assert WORKFLOW.table[action].transitions[status] == expected


def test_ended_statuses_are_closed_and_cancelled():
    assert set(WORKFLOW.group("ended")) == {S.CLOSED, S.CANCELLED}


@pytest.mark.django_db
def test_owner_submits_with_evidence_and_someone_else_closes(open_item, owner, officer):
    from xiaobao.governance import services as svc

    # given an item
    item = open_item()
    with at("2026-03-05"):
        # when the owner submits without evidence
        with pytest.raises(ValidationError) as exc:
            svc.action_transition(actor=owner, item=item, action="submit", data={"result": "已完成"})
        # then a field error, nothing changed
        assert "result" in exc.value.message_dict
        item.refresh_from_db()
        assert item.status == S.OPEN
        # when evidence is added and it is submitted, then closed by the officer
        svc.evidence_add(actor=owner, item=item, fileobj=BytesIO(PDF), name="改造验收单.pdf")
        item = svc.action_transition(actor=owner, item=item, action="submit", data={"result": "已完成改造"})
        # the owner may not close their own item
        with pytest.raises(PermissionDenied):
            svc.action_transition(actor=owner, item=item, action="close", data={})
        item = svc.action_transition(actor=officer, item=item, action="close", data={})
    # then closed, met on time
    item.refresh_from_db()
    assert item.status == S.CLOSED and item.verified_by == officer
    assert item.clocks.get().state == "met"


@pytest.mark.django_db
def test_stale_version_conflicts_and_wrong_state_conflicts(open_item, owner, officer):
    from xiaobao.governance import services as svc

    item = open_item()
    with at("2026-03-03"):
        svc.action_transition(actor=owner, item=item, action="start", data={})
        with pytest.raises(Conflict):
            svc.action_transition(actor=owner, item=item, action="start", data={}, expected_version=1)
        with pytest.raises(Conflict):
            svc.action_transition(actor=officer, item=item, action="close", data={})


@pytest.mark.django_db
def test_reject_needs_a_reason_and_only_the_owner_starts(open_item, owner, officer):
    from xiaobao.governance import services as svc

    item = open_item()
    with at("2026-03-03"):
        with pytest.raises(PermissionDenied):
            svc.action_transition(actor=officer, item=item, action="start", data={})
        svc.evidence_add(actor=owner, item=item, fileobj=BytesIO(PDF), name="a.pdf")
        item = svc.action_transition(actor=owner, item=item, action="submit", data={"result": "完成"})
        with pytest.raises(ValidationError):
            svc.action_transition(actor=officer, item=item, action="reject", data={"reason": ""})
        item = svc.action_transition(
            actor=officer, item=item, action="reject", data={"reason": "证明材料不全"}
        )
    assert item.status == S.IN_PROGRESS
