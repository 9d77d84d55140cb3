"""Who may read and act on a complaint after it changes hands (issue 12, items 1, 2 and 4).

Every rule is checked on the page and through the API: invisible → 404, visible but not allowed → 403."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from xiaobao.complaints.attachments import attachment_add
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.services.accounts import user_update

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def _act(actor, c, action, **data):
    return complaint_transition(actor=actor, complaint=c, action=action, data=data)


def _post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _reads(user, c) -> bool:
    return Complaint.objects.visible_to(user).filter(pk=c.pk).exists()


@pytest.fixture
def in_progress(branch_officer, b1_handler, payload):
    """A complaint registered by branch 1, handled in its sub-branch."""
    c, _ = complaint_register(actor=branch_officer, data=payload())
    _act(branch_officer, c, "assign", handler="b1_handler")
    return _act(b1_handler, c, "accept")


@pytest.fixture
def transferred(in_progress, branch_officer, org):
    """The same complaint sent to a sub-branch of branch 2, not yet accepted there."""
    return _act(branch_officer, in_progress, "transfer", unit=org.b2s.code, reason="客户在上海开户")


# --- item 1: the registering unit after the hand-off -----------------------------------------------------


def test_registering_unit_keeps_the_complaint_while_the_transfer_is_pending(
    transferred, branch_officer, b2_handler, client_for, api_for
):
    # then the first responder still reads it and the receiving unit sees it too
    assert _reads(branch_officer, transferred) and _reads(b2_handler, transferred)
    assert (
        client_for(branch_officer).get(reverse("complaints:detail", args=[transferred.pk])).status_code == 200
    )
    assert api_for(branch_officer).get(f"/api/v1/complaints/{transferred.pk}").status_code == 200


def test_registering_unit_loses_the_complaint_once_the_transfer_is_accepted(
    transferred, branch_officer, b1_handler, b2_handler, client_for, api_for
):
    # given the receiving unit accepted the complaint and added its own note and attachment
    c = _act(b2_handler, transferred, "accept")
    _act(b2_handler, c, "contact", method="phone", summary="上海支行已联系客户")
    att = attachment_add(actor=b2_handler, complaint=c, fileobj=BytesIO(PDF), name="上海.pdf")
    assert c.org_unit.code == "B2-S1" and c.registering_unit.code == "B1"
    for user in (branch_officer, b1_handler):
        # then nobody of the registering unit reads it any more: page, API, events, attachments → 404
        assert not _reads(user, c)
        page, api = client_for(user), api_for(user)
        assert page.get(reverse("complaints:detail", args=[c.pk])).status_code == 404
        assert page.get(reverse("complaints:attachment", args=[c.pk, att.pk])).status_code == 404
        assert page.get(reverse("complaints:notice", args=[c.pk])).status_code == 404
        assert api.get(f"/api/v1/complaints/{c.pk}").status_code == 404
        assert api.get(f"/api/v1/complaints/{c.pk}/events").status_code == 404
        assert api.get(f"/api/v1/complaints/{c.pk}/attachments/{att.pk}").status_code == 404
        assert not page.get(reverse("complaints:list")).context["page"].object_list
    # and no action: neither assigning it back nor marking it major, by page or API
    page, api = client_for(branch_officer), api_for(branch_officer)
    url = reverse("complaints:action", args=[c.pk, "mark_major"])
    assert page.post(url, {"version": c.version, "reason": "群体"}).status_code == 404
    r = _post_json(api, f"/api/v1/complaints/{c.pk}/actions/assign", {"unit": "B1-S1"})
    assert r.status_code == 404
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    assert (
        page.post(reverse("complaints:attachment_upload", args=[c.pk]), {"file": upload}).status_code == 404
    )
    with pytest.raises(PermissionDenied):
        _act(branch_officer, c, "mark_major", reason="群体")
    c.refresh_from_db()
    assert not c.is_major and c.org_unit.code == "B2-S1"


# --- item 2: a handler moved to another unit --------------------------------------------------------------


def test_handler_moved_to_another_unit_loses_his_old_complaints(
    in_progress, b1_handler, hq_officer, org, client_for, api_for
):
    c = in_progress
    assert _reads(b1_handler, c)
    # when the handler is moved to branch 2 (the complaint still names him)
    moved = user_update(actor=hq_officer, user=b1_handler, org_unit=org.b2s)
    assert Complaint.objects.get(pk=c.pk).handler_id == moved.pk
    # then he neither reads nor acts on it: 404 on the page and the API, refused by the service
    assert not _reads(moved, c)
    page, api = client_for(moved), api_for(moved)
    assert page.get(reverse("complaints:detail", args=[c.pk])).status_code == 404
    url = reverse("complaints:action", args=[c.pk, "pause"])
    assert (
        page.post(url, {"version": c.version, "reason": "appraisal", "date": "2026-03-02"}).status_code == 404
    )
    assert api.get(f"/api/v1/complaints/{c.pk}").status_code == 404
    r = _post_json(api, f"/api/v1/complaints/{c.pk}/actions/pause", {"reason": "appraisal"})
    assert r.status_code == 404
    assert not page.get(reverse("complaints:queue")).context["page"].object_list
    with pytest.raises(PermissionDenied):
        _act(moved, c, "pause", reason="appraisal")


def test_handler_below_the_responsible_unit_keeps_reading_and_acting(in_progress, b1_handler, org):
    # given the complaint is moved up to the branch while the sub-branch handler keeps it
    c = Complaint.objects.get(pk=in_progress.pk)
    Complaint.objects.filter(pk=c.pk).update(org_unit=org.b1)
    c.refresh_from_db()
    # then the handler still reads it and can act
    assert _reads(b1_handler, c)
    assert _act(b1_handler, c, "pause", reason="appraisal").status == "paused"


# --- item 4: a unit asked to assist -----------------------------------------------------------------------


@pytest.fixture
def b2_responder(org):
    return make_user("b2_responder", org.b2s, ["business_responder"])


@pytest.fixture
def asked(in_progress, b1_handler, org):
    """Branch 1's complaint, with branch 2's sub-branch asked to assist."""
    _act(b1_handler, in_progress, "assist", unit=org.b2s.code, question="请核实客户在上海的开户资料")
    return Complaint.objects.get(pk=in_progress.pk)


def test_assisting_unit_reads_the_complaint_and_may_only_answer(
    asked, b2_responder, b2_handler, client_for, api_for
):
    task = asked.assistances.get()
    page, api = client_for(b2_responder), api_for(b2_responder)
    # then the asked unit reads it on the page and through the API, where answering is its only action
    detail = page.get(reverse("complaints:detail", args=[asked.pk]))
    assert detail.status_code == 200
    assert [a.code for a in detail.context["actions"]] == ["answer_assist"]
    body = api.get(f"/api/v1/complaints/{asked.pk}").json()
    assert body["allowed_actions"] == ["answer_assist"]
    assert body["assistances"][0]["question"] == "请核实客户在上海的开户资料"
    assert api.get(f"/api/v1/complaints/{asked.pk}/events").status_code == 200
    # and any other action is refused as forbidden (visible, not allowed): page, API, upload
    handler_page, handler_api = client_for(b2_handler), api_for(b2_handler)
    url = reverse("complaints:action", args=[asked.pk, "pause"])
    assert handler_page.get(url).status_code == 403
    assert handler_page.post(url, {"version": asked.version, "reason": "appraisal"}).status_code == 403
    r = _post_json(handler_api, f"/api/v1/complaints/{asked.pk}/actions/pause", {"reason": "appraisal"})
    assert r.status_code == 403
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    assert (
        handler_page.post(
            reverse("complaints:attachment_upload", args=[asked.pk]), {"file": upload}
        ).status_code
        == 403
    )
    r = handler_api.post(
        f"/api/v1/complaints/{asked.pk}/attachments", {"file": SimpleUploadedFile("x.pdf", PDF)}
    )
    assert r.status_code == 403
    assert Complaint.objects.get(pk=asked.pk).status == "in_progress" and not asked.attachments.exists()
    # when the responder answers through the API, then the answer is stored
    r = _post_json(
        api,
        f"/api/v1/complaints/{asked.pk}/actions/answer_assist",
        {"assistance": task.pk, "answer": "已核实"},
    )
    assert r.status_code == 200, r.content
    task.refresh_from_db()
    assert task.answer == "已核实" and task.answered_by == b2_responder
    # and with its request answered the unit's read ends
    assert api.get(f"/api/v1/complaints/{asked.pk}").status_code == 404


def test_assisting_units_handler_answers_on_the_page(asked, b1_handler, b2_handler, org, client_for):
    task = asked.assistances.get()
    page = client_for(b2_handler)
    url = reverse("complaints:action", args=[asked.pk, "answer_assist"])
    assert page.get(url).status_code == 200
    r = page.post(url, {"version": asked.version, "assistance": task.pk, "answer": "上海支行已核实"})
    assert r.status_code == 302 and r["Location"] == reverse("complaints:list")
    task.refresh_from_db()
    assert task.answered_by == b2_handler
    assert page.get(reverse("complaints:detail", args=[asked.pk])).status_code == 404
    # the complaint's own handler still sees the answer
    assert _reads(b1_handler, asked)


def test_a_unit_not_asked_still_gets_404(asked, org, client_for, api_for):
    outsider = make_user("b1_outlet_responder", org.b1o, ["business_responder"])
    assert not _reads(outsider, asked)
    assert client_for(outsider).get(reverse("complaints:detail", args=[asked.pk])).status_code == 404
    assert api_for(outsider).get(f"/api/v1/complaints/{asked.pk}").status_code == 404


def test_an_assisting_unit_cannot_merge_its_own_complaint_into_the_one_it_assists_on(
    asked, b2_handler, payload, org
):
    from django.core.exceptions import ValidationError

    # given branch 2's own complaint by the same complainant
    own, _ = complaint_register(actor=b2_handler, data=payload(org_unit=org.b2s.code))
    Complaint.objects.filter(pk=own.pk).update(complainant_id=asked.complainant_id)
    own = _act(b2_handler, Complaint.objects.get(pk=own.pk), "accept")
    # then the complaint it only reads is no merge target
    with pytest.raises(ValidationError) as exc:
        _act(b2_handler, own, "merge", into=asked.reference)
    assert "into" in exc.value.message_dict
    assert Complaint.objects.get(pk=own.pk).merged_into is None


# --- the unit a transfer is pending with ------------------------------------------------------------------


def test_the_receiving_unit_may_only_take_the_complaint_until_it_has(
    transferred, b2_handler, client_for, api_for
):
    # given a complaint sent to branch 2's sub-branch and not yet accepted there
    c = transferred
    # then its handler reads it, may accept it, and sees no other step
    assert _reads(b2_handler, c)
    api = api_for(b2_handler)
    detail = api.get(f"/api/v1/complaints/{c.pk}").json()
    assert "accept" in detail["allowed_actions"]
    assert not set(detail["allowed_actions"]) - {"accept", "assign", "answer_assist"}
    # when he tries to work on it before taking it (record a contact, mark it major, pause, upload)
    r = _post_json(api, f"/api/v1/complaints/{c.pk}/actions/contact", {"method": "phone", "summary": "x"})
    # then it is refused: visible, not allowed → 403, page and API, service too
    assert r.status_code == 403
    page = client_for(b2_handler)
    url = reverse("complaints:action", args=[c.pk, "contact"])
    assert page.post(url, {"version": c.version, "method": "phone", "summary": "x"}).status_code == 403
    upload = SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf")
    upload_url = reverse("complaints:attachment_upload", args=[c.pk])
    assert page.post(upload_url, {"file": upload}).status_code == 403
    with pytest.raises(PermissionDenied):
        _act(b2_handler, Complaint.objects.get(pk=c.pk), "contact", method="phone", summary="x")
    # and once accepted, the work is his
    taken = _act(b2_handler, Complaint.objects.get(pk=c.pk), "accept")
    assert _act(b2_handler, taken, "contact", method="phone", summary="已联系客户").org_unit.code == "B2-S1"
