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
    ("extend", S.OPEN): S.OPEN,
    ("extend", S.IN_PROGRESS): S.IN_PROGRESS,
    **{
        (a, s): s
        for a in ("approve_extension", "reject_extension")
        for s in (S.OPEN, S.IN_PROGRESS, S.SUBMITTED)
    },
}
ACTIONS = ["start", "submit", "close", "reject", "extend", "approve_extension", "reject_extension", "cancel"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", S.values)
def test_the_table(action, status):
    # given the declared table / when asked / then exactly the listed transitions exist
    expected = ALLOWED.get((action, status))
    assert WORKFLOW.is_allowed(status, action) == (expected is not None)
    if expected is not None:
        assert (WORKFLOW.table[action].transitions[status] or status) == expected


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


@pytest.mark.django_db
def test_extension_asked_by_the_owner_and_approved_by_someone_else_moves_the_due_date(
    open_item, owner, officer, verifier
):
    from xiaobao.governance import services as svc

    # given an item due 2026-03-16, past due on 2026-03-18
    item = open_item()
    with at("2026-03-18"):
        svc.action_recompute_clocks(item)
        assert item.clocks.get().state == "breached"
        # when somebody else asks, or the owner asks for an earlier day
        with pytest.raises(PermissionDenied):
            svc.action_transition(
                actor=officer, item=item, action="extend", data={"to_date": "2026-04-15", "reason": "x"}
            )
        with pytest.raises(ValidationError) as exc:
            svc.action_transition(
                actor=owner,
                item=item,
                action="extend",
                data={"to_date": "2026-03-10", "reason": "供应商延迟"},
            )
        assert "to_date" in exc.value.message_dict
        # when the owner asks properly
        item = svc.action_transition(
            actor=owner, item=item, action="extend", data={"to_date": "2026-04-15", "reason": "供应商延迟"}
        )
        # then one request waits; a second one conflicts; the owner may not decide it
        assert item.extensions.get().state == "pending" and item.due_on.isoformat() == "2026-03-16"
        assert "extend" not in [a.code for a in svc.allowed_actions(owner, item)]
        assert "approve_extension" in [a.code for a in svc.allowed_actions(verifier, item)]
        with pytest.raises(Conflict):
            svc.action_transition(
                actor=owner, item=item, action="extend", data={"to_date": "2026-04-30", "reason": "再延"}
            )
        with pytest.raises(PermissionDenied):
            svc.action_transition(actor=owner, item=item, action="approve_extension", data={})
        # when the branch head approves
        item = svc.action_transition(actor=verifier, item=item, action="approve_extension", data={})
    # then the due date and the clock move, the item is no longer late
    item.refresh_from_db()
    clock = item.clocks.get()
    assert item.due_on.isoformat() == "2026-04-15" and item.due_date.isoformat() == "2026-04-15"
    assert clock.state == "running" and clock.escalation_level == 0
    ext = item.extensions.get()
    assert (
        ext.state == "approved" and ext.decided_by == verifier and ext.from_date.isoformat() == "2026-03-16"
    )


@pytest.mark.django_db
def test_refused_extension_leaves_the_due_date_and_cancel_refuses_a_waiting_one(
    open_item, owner, officer, verifier
):
    from xiaobao.governance import services as svc

    # given two items with a request each
    first, second = open_item(), open_item(title="第二项")
    with at("2026-03-10"):
        for item in (first, second):
            svc.action_transition(
                actor=owner, item=item, action="extend", data={"to_date": "2026-03-31", "reason": "人手不足"}
            )
        # when one is refused and the other item cancelled
        svc.action_transition(
            actor=verifier, item=first, action="reject_extension", data={"note": "按期完成"}
        )
        svc.action_transition(actor=officer, item=second, action="cancel", data={"reason": "并入其他事项"})
    # then the due dates stay, no request waits
    first.refresh_from_db()
    assert first.due_on.isoformat() == "2026-03-16" and first.extensions.get().state == "rejected"
    assert second.extensions.get().state == "rejected"


@pytest.mark.django_db
def test_evidence_upload_page_refuses_a_bad_file_and_keeps_a_good_one(open_item, owner, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from xiaobao.governance.models import Evidence

    # given an item and its owner on the item page
    item = open_item()
    client = client_for(owner)
    url = reverse("governance:evidence_upload", args=[item.pk])
    with at("2026-03-05"):
        # when a file that is not what its name says is posted
        bad = SimpleUploadedFile("验收单.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = client.post(url, {"file": bad, "caption": "<script>x</script>"})
        # then the page answers with the form's error and stores nothing
        assert response.status_code == 400
        assert response.context["upload_form"].errors
        assert not Evidence.objects.filter(item=item).exists()
        # when a real PDF is posted
        good = SimpleUploadedFile("验收单.pdf", PDF, content_type="application/pdf")
        response = client.post(url, {"file": good, "caption": "验收单"})
    # then it is kept and the page returns to the item
    assert response.status_code == 302
    assert Evidence.objects.filter(item=item).count() == 1
