"""The transition table: every allowed and every forbidden (status, action) pair, enforced by the service."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.complaints import workflow
from xiaobao.complaints.choices import Status
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.errors import Conflict

ALL_PAIRS = [(s, a) for s in Status.values for a in workflow.ACTIONS]


def test_table_is_well_formed():
    for action in workflow.ACTIONS.values():
        for source, target in action.transitions.items():
            assert source in Status.values
            assert target is None or target in Status.values
    # ended complaints can only be reopened or reviewed, archived ones nothing
    assert workflow.actions_from(Status.ARCHIVED) == []
    assert {a.code for a in workflow.actions_from(Status.WITHDRAWN)} == set()
    assert {a.code for a in workflow.actions_from(Status.CLOSED)} == {"archive", "reopen", "request_review"}


def test_expected_path_from_intake_to_archive():
    status = Status.REGISTERED
    for action in ["assign", "accept", "draft", "notify", "follow_up", "close", "archive"]:
        status = workflow.next_status(status, action)
    assert status == Status.ARCHIVED


@pytest.fixture
def superuser(org):
    from conftest import make_user

    user = make_user("root", org.ho, ["hq_cp_officer", "approver"])
    user.is_superuser = True
    user.save()
    return user


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=[f"{s}-{a}" for s, a in ALL_PAIRS])
def test_service_enforces_the_table(superuser, payload, status, action):
    # given a complaint forced into `status`
    c, _ = complaint_register(actor=superuser, data=payload())
    Complaint.objects.filter(pk=c.pk).update(status=status)
    allowed = workflow.is_allowed(status, action)
    # when the action is attempted with no data
    try:
        result = complaint_transition(actor=superuser, complaint=c, action=action, data={})
    except Conflict as exc:
        # then a forbidden pair is always refused as invalid state; an allowed one only for a domain reason
        assert not allowed or exc.code != "invalid_state", exc.message
        return
    except (ValidationError, PermissionDenied):
        assert allowed, "a forbidden pair must fail on the table check before anything else"
        return
    assert allowed
    assert result.status == workflow.next_status(status, action)
