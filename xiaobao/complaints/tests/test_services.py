"""Registration and the full path from the hotline to the archive, through the transition service."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.complaints.models import Complaint, ComplaintEvent
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.errors import Conflict
from xiaobao.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def test_register_sets_reference_receipt_date_clocks_and_audit(branch_officer, payload):
    # when
    c, created = complaint_register(actor=branch_officer, data=payload())
    # then
    assert created and c.reference == f"TS20260302{c.pk:07d}"
    assert c.status == "registered" and c.receipt_date.isoformat() == "2026-03-02"
    clocks = {k.name: k for k in c.clocks.all()}
    assert clocks["decision"].rule.code == "nfra-2020"
    assert clocks["decision"].due_date.isoformat() == "2026-03-17"  # 15 calendar days after 3-02
    assert clocks["first_contact"].due_date.isoformat() == "2026-03-03"
    assert ComplaintEvent.objects.filter(complaint=c, action="register").count() == 1
    assert AuditEvent.objects.filter(object_type="complaints.complaint", action="create").count() == 1


def test_register_reuses_the_consumer_found_by_id_number(branch_officer, payload):
    a, _ = complaint_register(actor=branch_officer, data=payload())
    b, _ = complaint_register(actor=branch_officer, data=payload(request="再次投诉"))
    assert a.complainant_id == b.complainant_id


def test_register_idempotency_key(branch_officer, payload):
    a, created_a = complaint_register(actor=branch_officer, data=payload(), idempotency_key="hotline-1")
    b, created_b = complaint_register(actor=branch_officer, data=payload(), idempotency_key="hotline-1")
    assert created_a and not created_b and a.pk == b.pk
    assert Complaint.objects.count() == 1


def test_register_validation_names_fields_and_writes_nothing(branch_officer, payload):
    bad = payload(channel="ZZZ", org_unit="NOPE", received_at="2099-01-01T00:00:00+08:00")
    with pytest.raises(ValidationError) as exc:
        complaint_register(actor=branch_officer, data=bad)
    assert "org_unit" in exc.value.message_dict
    assert Complaint.objects.count() == 0


def test_group_of_twenty_face_to_face_is_major(branch_officer, payload, hq_officer):
    c, _ = complaint_register(actor=branch_officer, data=payload(people_count=20, face_to_face=True))
    assert c.is_major and c.priority == "urgent"


def test_full_path_to_archive(branch_officer, b1_handler, payload):
    c, _ = complaint_register(actor=branch_officer, data=payload())

    def step(actor, action, **data):
        return complaint_transition(actor=actor, complaint=c, action=action, data=data)

    c = step(branch_officer, "assign", handler="b1_handler")
    assert c.status == "assigned"
    c = step(b1_handler, "accept")
    c = step(b1_handler, "contact", method="phone", summary="已电话联系客户")
    c = step(b1_handler, "draft", verification="调取扣费记录", basis="按合同第5条", result="退还年费200元")
    assert c.status == "drafted" and not c.needs_approval
    c = step(b1_handler, "notify", method="sms", proof="短信平台回执 123")
    c = step(b1_handler, "follow_up", satisfaction=5, comment="满意")
    c = step(b1_handler, "close", liability="at_fault", root_cause="年费减免规则未同步")
    c = step(b1_handler, "archive")
    assert c.status == "archived"
    decision = c.clocks.get(name="decision")
    assert decision.state == "met" and decision.met_on.isoformat() == "2026-03-02"
    assert list(c.events.values_list("action", flat=True)) == [
        "register",
        "assign",
        "accept",
        "contact",
        "draft",
        "notify",
        "follow_up",
        "close",
        "archive",
    ]


def test_forbidden_transition_is_a_conflict(branch_officer, payload):
    c, _ = complaint_register(actor=branch_officer, data=payload())
    with pytest.raises(Conflict):
        complaint_transition(actor=branch_officer, complaint=c, action="notify", data={"method": "sms"})


def test_action_needs_the_permission(auditor, branch_officer, payload):
    c, _ = complaint_register(actor=branch_officer, data=payload())
    with pytest.raises(PermissionDenied):
        complaint_transition(actor=auditor, complaint=c, action="assign", data={})


def test_recusal(branch_officer, b1_handler, payload):
    c, _ = complaint_register(actor=branch_officer, data=payload(staff_named=["b1_handler"]))
    with pytest.raises(ValidationError) as exc:
        complaint_transition(
            actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"}
        )
    assert "handler" in exc.value.message_dict


def test_assigned_handler_below_the_unit_sees_the_complaint(branch_officer, b1_handler, payload, org):
    # given a complaint held at branch level and a handler of a sub-branch
    c, _ = complaint_register(actor=branch_officer, data=payload(org_unit=org.b1.code))
    assert not Complaint.objects.visible_to(b1_handler).filter(pk=c.pk).exists()
    # when assigned to that handler, then the handler sees it and can accept it
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    assert Complaint.objects.visible_to(b1_handler).filter(pk=c.pk).exists()
    assert (
        complaint_transition(actor=b1_handler, complaint=c, action="accept", data={}).status == "in_progress"
    )


def test_redress_approval_is_recorded_and_can_be_required(
    branch_officer, b1_handler, b1_approver, payload, settings
):
    c, _ = complaint_register(actor=branch_officer, data=payload(amount_in_dispute="80000"))
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    # the handler cannot approve the redress of their own case
    with pytest.raises(PermissionDenied):
        complaint_transition(
            actor=b1_handler, complaint=c, action="approve_redress", data={"amount": "80000"}
        )
    for action, data in [
        ("draft", {"verification": "核实", "basis": "依据", "result": "赔偿"}),
        ("submit", {}),
    ]:
        complaint_transition(actor=b1_handler, complaint=c, action=action, data=data)
    complaint_transition(actor=b1_approver, complaint=c, action="approve", data={})
    complaint_transition(
        actor=b1_handler, complaint=c, action="notify", data={"method": "sms", "proof": "回执"}
    )
    # given an institution that requires approval from 50,000
    settings.REDRESS_APPROVAL_AMOUNT = "50000"
    with pytest.raises(ValidationError) as exc:
        complaint_transition(
            actor=b1_handler,
            complaint=c,
            action="close",
            data={"liability": "at_fault", "root_cause": "系统缺陷", "redress_amount": "80000"},
        )
    assert "redress_amount" in exc.value.message_dict
    c = complaint_transition(
        actor=b1_approver, complaint=c, action="approve_redress", data={"amount": "80000"}
    )
    assert c.redress_approved_by == b1_approver
    c = complaint_transition(
        actor=b1_handler,
        complaint=c,
        action="close",
        data={
            "liability": "at_fault",
            "root_cause": "系统缺陷",
            "redress_amount": "80000",
            "redress_paid_at": "2026-03-02",
        },
    )
    assert c.status == "closed" and c.redress_approved_by == b1_approver


def _drafted(branch_officer, b1_handler, payload):
    """A direct complaint of a small amount, drafted without needing approval."""
    c, _ = complaint_register(actor=branch_officer, data=payload())
    complaint_transition(actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"})
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    draft = {"verification": "调取扣费记录", "basis": "按合同第5条", "result": "退还年费200元"}
    c = complaint_transition(actor=b1_handler, complaint=c, action="draft", data=draft)
    assert not c.needs_approval
    return c


def test_marking_major_after_drafting_requires_approval_before_notice(
    branch_officer, b1_handler, b1_approver, payload
):
    # given a decision drafted while approval was not needed, then the complaint is marked major
    c = _drafted(branch_officer, b1_handler, payload)
    c = complaint_transition(actor=b1_handler, complaint=c, action="mark_major", data={"reason": "媒体关注"})
    # when the handler notifies straight away, then it is refused: the decision now needs approval
    with pytest.raises(Conflict) as exc:
        complaint_transition(
            actor=b1_handler, complaint=c, action="notify", data={"method": "sms", "proof": "回执"}
        )
    assert exc.value.code == "approval_required"
    assert Complaint.objects.get(pk=c.pk).status == "drafted"
    # and the proper path works: submit, approve, notify
    complaint_transition(actor=b1_handler, complaint=c, action="submit", data={})
    complaint_transition(actor=b1_approver, complaint=c, action="approve", data={})
    c = complaint_transition(
        actor=b1_handler, complaint=c, action="notify", data={"method": "sms", "proof": "回执"}
    )
    assert c.status == "decided" and c.needs_approval and c.decision_approved_by == b1_approver


def test_an_approval_given_before_the_complaint_became_major_does_not_count(
    branch_officer, b1_handler, b1_approver, payload
):
    # given a decision approved, then the complaint marked major (new facts)
    c = _drafted(branch_officer, b1_handler, payload)
    complaint_transition(actor=b1_handler, complaint=c, action="submit", data={})
    complaint_transition(actor=b1_approver, complaint=c, action="approve", data={})
    c = complaint_transition(actor=b1_handler, complaint=c, action="mark_major", data={"reason": "群体投诉"})
    assert c.decision_approved_by is None
    # then notice needs a fresh approval
    with pytest.raises(Conflict):
        complaint_transition(
            actor=b1_handler, complaint=c, action="notify", data={"method": "sms", "proof": "回执"}
        )
    # even if the field were set again without an approval event after the change
    Complaint.objects.filter(pk=c.pk).update(decision_approved_by=b1_approver)
    with pytest.raises(Conflict):
        complaint_transition(
            actor=b1_handler, complaint=c, action="notify", data={"method": "sms", "proof": "回执"}
        )
