"""Every allowed and forbidden transition of the rectification table, taken through the transition service
by the person who may take it (owner, somebody else, the opener)."""

from __future__ import annotations

import itertools

import pytest

from xiaobao.core.errors import Conflict
from xiaobao.rectification.choices import Status
from xiaobao.rectification.services import rectification_transition
from xiaobao.rectification.tests.conftest import at
from xiaobao.rectification.workflow import ACTIONS, WORKFLOW

pytestmark = pytest.mark.django_db

# The table as the issue describes it, written out independently of workflow.py.
EXPECTED = {
    ("open", "start"): "in_progress",
    ("open", "submit"): "submitted",
    ("open", "extend"): "open",
    ("open", "approve_extension"): "open",
    ("open", "reject_extension"): "open",
    ("open", "cancel"): "cancelled",
    ("in_progress", "submit"): "submitted",
    ("in_progress", "extend"): "in_progress",
    ("in_progress", "approve_extension"): "in_progress",
    ("in_progress", "reject_extension"): "in_progress",
    ("in_progress", "cancel"): "cancelled",
    ("submitted", "verify"): "verified",
    ("submitted", "reject"): "in_progress",
    ("submitted", "approve_extension"): "submitted",
    ("submitted", "reject_extension"): "submitted",
    ("submitted", "cancel"): "cancelled",
}
DATA = {
    "start": {"plan": "更换叫号机"},
    "submit": {"result": "已更换叫号机"},
    "verify": {"note": "复核通过"},
    "reject": {"reason": "照片不清晰"},
    "extend": {"to_days": 20, "reason": "设备排期"},
    "approve_extension": {},
    "reject_extension": {},
    "cancel": {"reason": "重复立项"},
}
OWNER_STEPS, OPENER_STEPS = {"start", "submit", "extend"}, {"cancel"}
CASES = list(itertools.product(Status.values, ACTIONS))


def test_the_declared_table_is_the_expected_one():
    declared = {
        (s, a.code): WORKFLOW.next_status(s, a.code)
        for a in WORKFLOW.actions
        for s in Status.values
        if WORKFLOW.is_allowed(s, a.code)
    }
    assert declared == EXPECTED


@pytest.fixture
def in_status(open_item, owner, verifier, officer):
    """`in_status(status, pending)`: an item driven to `status`, with an extension awaiting approval."""

    def drive(status: str, pending: bool) -> object:
        item = open_item()
        with at("2026-03-03"):
            if pending:
                item = rectification_transition(actor=owner, item=item, action="extend", data=DATA["extend"])
            if status == "in_progress":
                item = rectification_transition(actor=owner, item=item, action="start", data={})
            if status in ("submitted", "verified"):
                item = rectification_transition(actor=owner, item=item, action="submit", data=DATA["submit"])
            if status == "verified":
                item = rectification_transition(actor=verifier, item=item, action="verify", data={})
            if status == "cancelled":
                item = rectification_transition(
                    actor=officer, item=item, action="cancel", data=DATA["cancel"]
                )
        assert item.status == status
        return item

    return drive


def _actor(action, owner, verifier, officer):
    return owner if action in OWNER_STEPS else officer if action in OPENER_STEPS else verifier


@pytest.mark.parametrize(("status", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_transition(in_status, owner, verifier, officer, status, action):
    # given an item in `status` (with a pending extension when the step decides one)
    item = in_status(status, pending=action in ("approve_extension", "reject_extension"))
    actor = _actor(action, owner, verifier, officer)
    version = item.version
    with at("2026-03-04"):
        if (status, action) in EXPECTED:
            # when the right person takes an allowed step / then the item moves as the table says
            item = rectification_transition(actor=actor, item=item, action=action, data=DATA[action])
            assert item.status == EXPECTED[status, action]
            assert item.version == version + 1
            assert item.events.last().action == action
        else:
            # when a step the table does not allow / then 409 and nothing changes
            with pytest.raises(Conflict) as exc:
                rectification_transition(actor=actor, item=item, action=action, data=DATA[action])
            assert exc.value.code == "invalid_state"
            item.refresh_from_db()
            assert (item.status, item.version) == (status, version)
