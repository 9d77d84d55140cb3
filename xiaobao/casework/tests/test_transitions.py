"""The one transition service as complaints use it (`complaints.services.TRANSITIONS`): version conflict,
table, permission, reach, input schema, handler, event row, status, clocks and audit row, one transaction."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from conftest import make_user
from xiaobao.casework.transitions import Transitions
from xiaobao.complaints.models import Complaint, ComplaintEvent
from xiaobao.complaints.services import (
    TRANSITIONS,
    allowed_actions,
    can_act,
    complaint_register,
    complaint_transition,
)
from xiaobao.complaints.workflow import WORKFLOW
from xiaobao.core.errors import Conflict
from xiaobao.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False), translation.override("en"):
        yield


@pytest.fixture
def payload(org):
    def make(**over):
        data = {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A0302",
            "business_type": "B0303",
            "cause": "C07",
            "source": "direct",
            "org_unit": org.b1s.code,
            "complainant": {"name": "张伟", "id_number": "110108199003070016", "phone": "13812345678"},
            "request": "退还多收的年费 200 元",
            "description": "客户称信用卡年费未经同意扣收，要求退还。",
        }
        return data | over

    return make


@pytest.fixture
def handler(org):
    return make_user("b1_handler", org.b1s, ["complaint_handler"])


@pytest.fixture
def accepted(branch_officer, handler, payload):
    """A complaint in progress with the branch handler."""
    c, _ = complaint_register(actor=branch_officer, data=payload())
    return complaint_transition(actor=handler, complaint=c, action="accept")


def _unchanged(c: Complaint) -> bool:
    fresh = Complaint.objects.get(pk=c.pk)
    return fresh.version == c.version and fresh.status == c.status


def test_complaints_run_through_one_transitions_instance_with_a_handler_per_action():
    assert isinstance(TRANSITIONS, Transitions) and TRANSITIONS.workflow is WORKFLOW
    assert set(TRANSITIONS.handlers) == set(WORKFLOW.table)
    assert TRANSITIONS.item_field == "complaint" and TRANSITIONS.event_model is ComplaintEvent


def test_an_action_writes_the_event_sets_the_status_bumps_the_version_and_audits(accepted, handler):
    # given
    before_audit = AuditEvent.objects.filter(object_type="complaints.complaint", action="update").count()
    # when the handler pauses the clock for mediation with a note
    c = complaint_transition(
        actor=handler,
        complaint=accepted,
        action="pause",
        data={"reason": "mediation", "date": "2026-03-02", "note": "调解中"},
        expected_version=accepted.version,
    )
    # then the status moved and the version went up
    assert (c.status, c.version) == ("paused", accepted.version + 1)
    # and the event row says who did what, from which status to which, with the handler's data
    event = ComplaintEvent.objects.filter(complaint=c).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("pause", "in_progress", "paused")
    assert event.actor == handler and event.note == "调解中"
    assert event.data == {"reason": "mediation", "detail": ""}
    assert event.effective_date.isoformat() == "2026-03-02"
    # and the clocks were recomputed from the events (the decision clock is paused)
    assert c.clocks.get(name="decision").state == "paused"
    # and one audit row records the change
    audits = AuditEvent.objects.filter(object_type="complaints.complaint", action="update")
    assert audits.count() == before_audit + 1
    assert "status" in audits.first().changes


def test_a_stale_version_is_a_conflict_and_changes_nothing(accepted, handler):
    # when the handler acts on a version someone else already moved past
    with pytest.raises(Conflict) as exc:
        complaint_transition(
            actor=handler,
            complaint=accepted,
            action="pause",
            data={"reason": "mediation"},
            expected_version=accepted.version - 1,
        )
    # then 409 "conflict" with the complaint's own wording, and nothing was written
    assert exc.value.code == "conflict"
    assert "complaint" in str(exc.value.message)
    assert _unchanged(accepted) and not ComplaintEvent.objects.filter(action="pause").exists()


def test_a_stale_version_over_the_api_is_409(api_for, accepted, handler):
    url = f"/api/v1/complaints/{accepted.pk}/actions/contact"
    r = api_for(handler).post(
        url,
        json.dumps({"method": "phone"}),
        "application/json",
        headers={"If-Match": str(accepted.version - 1)},
    )
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_an_action_the_status_does_not_allow_is_invalid_state(accepted, handler):
    with pytest.raises(Conflict) as exc:
        complaint_transition(actor=handler, complaint=accepted, action="resume", data={})
    assert exc.value.code == "invalid_state"
    assert "In progress" in str(exc.value.message)
    assert _unchanged(accepted)


def test_an_unknown_action_is_a_field_error(accepted, handler):
    with pytest.raises(ValidationError) as exc:
        complaint_transition(actor=handler, complaint=accepted, action="fly", data={})
    assert exc.value.message_dict == {"action": ["Unknown action."]}


def test_without_the_permission_the_action_is_refused(accepted, branch_officer, handler):
    # the branch officer may assign but not approve a decision; the handler may not assign
    assert not can_act(handler, accepted, "assign")
    with pytest.raises(PermissionDenied):
        complaint_transition(actor=handler, complaint=accepted, action="assign", data={})
    assert _unchanged(accepted)


def test_another_branch_cannot_act_on_the_complaint(accepted, org):
    # given a handler of the other branch, who holds the permission
    other = make_user("b2_handler", org.b2s, ["complaint_handler"])
    # when he tries to pause the complaint of branch 1
    with pytest.raises(PermissionDenied) as exc:
        complaint_transition(actor=other, complaint=accepted, action="pause", data={"reason": "mediation"})
    # then the reach check refuses it with the complaint's wording
    assert str(exc.value) == "Your unit is not responsible for this complaint."
    assert not can_act(other, accepted, "pause")
    # (answering an assistance request is open to any unit: its handler checks the asked unit)
    assert [a.code for a in allowed_actions(other, accepted)] == ["answer_assist"]
    assert _unchanged(accepted)


def test_allowed_actions_follow_the_table_and_the_permissions(accepted, handler):
    codes = {a.code for a in allowed_actions(handler, accepted)}
    assert {"pause", "draft", "contact", "withdraw"} <= codes
    assert "assign" not in codes and "approve_redress" not in codes  # permissions the handler lacks
    assert "resume" not in codes  # the status does not allow it
    assert all(can_act(handler, accepted, code) for code in codes)


def test_the_input_schema_refuses_wrong_types_with_field_errors_before_the_handler(accepted, handler):
    # when the data has a wrong type and a choice the schema knows
    with pytest.raises(ValidationError) as exc:
        complaint_transition(
            actor=handler, complaint=accepted, action="pause", data={"reason": "holiday", "detail": {"x": 1}}
        )
    # then each field has its message and nothing was written
    assert exc.value.message_dict == {
        "reason": ["Choose appraisal or mediation."],
        "detail": ["This value is not valid."],
    }
    assert _unchanged(accepted) and not ComplaintEvent.objects.filter(action="pause").exists()


def test_schema_errors_over_the_api_are_422_with_fields(api_for, accepted, handler):
    r = api_for(handler).post(
        f"/api/v1/complaints/{accepted.pk}/actions/contact",
        json.dumps({"summary": ["not", "text"]}),
        "application/json",
    )
    assert r.status_code == 422
    assert r.json()["code"] and list(r.json()["fields"]) == ["summary"]


def test_a_handler_error_rolls_back_everything(accepted, handler):
    # the schema lets the unknown unit through; the handler refuses it inside the transaction
    with pytest.raises(ValidationError) as exc:
        complaint_transition(
            actor=handler, complaint=accepted, action="assist", data={"unit": "NOPE", "question": "?"}
        )
    assert exc.value.message_dict == {"unit": ["Unknown or closed unit."]}
    assert _unchanged(accepted) and not accepted.assistances.exists()


def test_the_api_body_of_an_action_documents_its_schema():
    from xiaobao.complaints.api import ACTION_BODY

    schema = ACTION_BODY["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["x-action-inputs"]) == set(WORKFLOW.table)
    assert schema["x-action-inputs"]["pause"]["properties"]["reason"]["description"].endswith("(required)")
    assert "pause {reason, date, detail}" in schema["description"]
