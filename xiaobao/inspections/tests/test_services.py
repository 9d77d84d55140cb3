"""Inspection services: transitions (every allowed and forbidden one), autosave, photos, findings."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.core.errors import Conflict
from xiaobao.inspections.choices import Status
from xiaobao.inspections.models import Answer, Finding, Inspection, InspectionEvent, InspectionPhoto
from xiaobao.inspections.services import answer_save, inspection_act, photo_add
from xiaobao.inspections.tests.conftest import GOOD, SH, fill
from xiaobao.inspections.tests.factories import make_inspection
from xiaobao.inspections.workflow import WORKFLOW

pytestmark = pytest.mark.usefixtures("at_now")

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100

# (from status, action) → next status, as the issue states it; everything else is refused.
ALLOWED = {
    (Status.PLANNED, "start"): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, "submit"): Status.SUBMITTED,
    (Status.PLANNED, "cancel"): Status.CANCELLED,
    (Status.SUBMITTED, "reopen"): Status.IN_PROGRESS,
}
ACTIONS = ["start", "submit", "cancel", "reopen"]


def test_the_table_is_exactly_the_issue_table():
    for status in Status.values:
        for action in ACTIONS:
            assert WORKFLOW.is_allowed(status, action) == ((status, action) in ALLOWED)
            if (status, action) in ALLOWED:
                assert WORKFLOW.next_status(status, action) == ALLOWED[(status, action)]


def _actor_for(action, inspector, planner):
    return planner if action in ("cancel", "reopen") else inspector


def _data(action):
    return {"note": "计划调整"} if action in ("cancel", "reopen") else {}


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition_allowed_or_refused(status, action, inspection, inspector, planner):
    # given an inspection in `status`, complete enough to submit
    fill(inspector, inspection, GOOD)
    Inspection.objects.filter(pk=inspection.pk).update(status=status)
    inspection.refresh_from_db()
    actor = _actor_for(action, inspector, planner)
    # when / then
    if (status, action) in ALLOWED:
        after = inspection_act(actor=actor, inspection=inspection, action=action, data=_data(action))
        assert after.status == ALLOWED[(status, action)]
        ev = InspectionEvent.objects.filter(item=inspection).last()
        assert (ev.action, ev.from_status, ev.to_status) == (action, status, after.status)
    else:
        with pytest.raises(Conflict):
            inspection_act(actor=actor, inspection=inspection, action=action, data=_data(action))
        inspection.refresh_from_db()
        assert inspection.status == status


def test_only_the_assigned_inspector_starts_and_submits(inspection, inspector2, planner):
    with pytest.raises(PermissionDenied):
        inspection_act(actor=inspector2, inspection=inspection, action="start")
    with pytest.raises(PermissionDenied):  # planner may not act for the inspector either
        inspection_act(actor=planner, inspection=inspection, action="start")


def test_cancel_and_reopen_need_the_plan_permission_and_a_reason(inspection, inspector, planner, planner_b2):
    with pytest.raises(PermissionDenied):
        inspection_act(actor=inspector, inspection=inspection, action="cancel", data={"note": "x"})
    with pytest.raises(ValidationError) as err:
        inspection_act(actor=planner, inspection=inspection, action="cancel", data={})
    assert "note" in err.value.message_dict
    with pytest.raises(PermissionDenied):  # another branch's planner
        inspection_act(actor=planner_b2, inspection=inspection, action="cancel", data={"note": "x"})


def test_stale_version_is_a_conflict(inspection, inspector):
    with pytest.raises(Conflict):
        inspection_act(actor=inspector, inspection=inspection, action="start", version=inspection.version + 1)


def test_first_answer_starts_and_running_score_is_stored(inspection, inspector):
    # when the first answer is given
    saved = answer_save(actor=inspector, inspection=inspection, item_code="L1", value="yes")
    # then the inspection is in progress with the running score
    inspection.refresh_from_db()
    assert inspection.status == Status.IN_PROGRESS and inspection.started_at is not None
    assert (inspection.score, inspection.max_score, inspection.percent) == (
        Decimal(4),
        Decimal(4),
        Decimal(100),
    )
    assert saved.applied and saved.answer.passed is True


def test_same_answer_twice_is_one_answer(inspection, inspector):
    given = dt.datetime(2026, 3, 10, 9, 58, tzinfo=SH)
    a = answer_save(actor=inspector, inspection=inspection, item_code="T1", value="no", given_at=given)
    b = answer_save(actor=inspector, inspection=inspection, item_code="T1", value="no", given_at=given)
    assert a.answer.pk == b.answer.pk
    assert Answer.objects.filter(inspection=inspection).count() == 1


def test_out_of_order_retries_keep_the_last_answer(inspection, inspector):
    # given the inspector answered "no" then changed it to "yes"; the "yes" request arrives first
    first, second = dt.datetime(2026, 3, 10, 9, 50, tzinfo=SH), dt.datetime(2026, 3, 10, 9, 51, tzinfo=SH)
    answer_save(actor=inspector, inspection=inspection, item_code="T1", value="yes", given_at=second)
    # when the older "no" is resent afterwards
    late = answer_save(actor=inspector, inspection=inspection, item_code="T1", value="no", given_at=first)
    # then the last answer given stays
    assert not late.applied
    assert Answer.objects.get(inspection=inspection).value == "yes"
    inspection.refresh_from_db()
    assert inspection.score == 2


def test_a_failed_request_leaves_nothing(inspection, inspector, monkeypatch):
    # given the score cannot be stored (the request dies halfway)
    from xiaobao.inspections import services

    def boom(*a, **k):
        raise RuntimeError("connection dropped")

    monkeypatch.setattr(services, "inspection_result", boom)
    # when
    with pytest.raises(RuntimeError):
        answer_save(actor=inspector, inspection=inspection, item_code="T1", value="yes")
    # then neither the answer nor the start happened
    inspection.refresh_from_db()
    assert inspection.status == Status.PLANNED and not Answer.objects.exists()
    assert not InspectionEvent.objects.filter(item=inspection).exists()


def test_invalid_answers_are_field_errors(inspection, inspector):
    with pytest.raises(ValidationError) as err:
        answer_save(actor=inspector, inspection=inspection, item_code="L2", value=9)
    assert "value" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        answer_save(actor=inspector, inspection=inspection, item_code="NOPE", value="yes")
    assert "item" in err.value.message_dict
    assert not Answer.objects.exists()


def test_answers_refused_after_submit_and_to_others(inspection, inspector, inspector2):
    with pytest.raises(PermissionDenied):
        answer_save(actor=inspector2, inspection=inspection, item_code="T1", value="yes")
    fill(inspector, inspection, GOOD)
    inspection_act(actor=inspector, inspection=inspection, action="submit")
    with pytest.raises(Conflict):
        answer_save(actor=inspector, inspection=inspection, item_code="T1", value="no")


def test_submit_needs_every_scored_item(inspection, inspector):
    fill(inspector, inspection, {"L1": "yes"})
    inspection.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        inspection_act(actor=inspector, inspection=inspection, action="submit")
    assert set(err.value.message_dict) == {"L2", "T1", "T2"}


def test_submit_scores_rates_and_makes_findings(inspection, inspector):
    # given the lobby manager did not come within 15 minutes, and a critical teller failure
    fill(inspector, inspection, {**GOOD, "L1": "no", "T2": "no"})
    # when submitted
    done = inspection_act(actor=inspector, inspection=inspection, action="submit")
    # then lobby scores 0, teller 2 of 4; stars from the preloaded bands; two findings
    assert (done.score, done.max_score) == (Decimal(2), Decimal(16))
    assert done.percent == Decimal("12.50") and done.stars == 1 and done.submitted_at
    sev = dict(Finding.objects.filter(inspection=done).values_list("item_code", "severity"))
    assert sev == {"L1": "major", "T2": "critical"}
    assert not Finding.objects.filter(is_repeat=True).exists()


def test_same_item_failing_at_the_next_visit_is_a_repeat(org, inspection, inspector, template):
    fill(inspector, inspection, {**GOOD, "T2": "no"})
    inspection_act(actor=inspector, inspection=inspection, action="submit")
    first = Finding.objects.get(inspection=inspection)
    # given the next visit a month later
    with time_machine.travel(dt.datetime(2026, 4, 10, 10, tzinfo=SH), tick=False):
        again = make_inspection(org.b1o, inspector, template)
        fill(inspector, again, {**GOOD, "T2": "no", "T1": "no"})
        inspection_act(actor=inspector, inspection=again, action="submit")
    repeat = Finding.objects.get(inspection=again, item_code="T2")
    assert repeat.is_repeat and repeat.repeat_of == first
    assert not Finding.objects.get(inspection=again, item_code="T1").is_repeat


def test_reopen_and_resubmit_keeps_findings_in_step(inspection, inspector, planner):
    fill(inspector, inspection, {**GOOD, "T1": "no"})
    inspection_act(actor=inspector, inspection=inspection, action="submit")
    inspection_act(actor=planner, inspection=inspection, action="reopen", data={"note": "复核更正"})
    answer_save(actor=inspector, inspection=inspection, item_code="T1", value="yes")
    inspection.refresh_from_db()
    done = inspection_act(actor=inspector, inspection=inspection, action="submit")
    assert done.percent == 100 and done.stars == 5
    assert not Finding.objects.filter(inspection=inspection).exists()


def test_photo_upload_validated_deduplicated_and_answers_photo_items(org, inspector):
    from xiaobao.inspections.models import ChecklistItem
    from xiaobao.inspections.tests.factories import small_template

    t = small_template("with_photo")
    sec = t.sections.first()
    ChecklistItem.objects.create(
        template=t, section=sec, code="PH", text="全景", kind="photo", photo_required=True
    )
    ins = make_inspection(org.b1o, inspector, t)
    # when a photo is sent twice (a retry)
    p1, made1 = photo_add(
        actor=inspector, inspection=ins, fileobj=io.BytesIO(JPEG), name="IMG_1.jpg", item_code="PH"
    )
    p2, made2 = photo_add(
        actor=inspector, inspection=ins, fileobj=io.BytesIO(JPEG), name="IMG_1.jpg", item_code="PH"
    )
    # then one photo, the photo item answered
    assert made1 and not made2 and p1.pk == p2.pk
    assert InspectionPhoto.objects.count() == 1
    assert Answer.objects.get(inspection=ins, item__code="PH").value == "taken"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "a.jpg"),
        (b"<html><script>alert(1)</script>", "a.jpg"),
        (PNG, "a.jpg"),  # content and extension disagree
        (JPEG, "a.exe"),
        (b"%PDF-1.4", "a.pdf"),
    ],
)
def test_photo_refused(inspection, inspector, data, name):
    with pytest.raises(ValidationError) as err:
        photo_add(actor=inspector, inspection=inspection, fileobj=io.BytesIO(data), name=name)
    assert "file" in err.value.message_dict
    assert not InspectionPhoto.objects.exists()


def test_photo_too_large(inspection, inspector, settings):
    settings.INSPECTION_PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        photo_add(actor=inspector, inspection=inspection, fileobj=io.BytesIO(JPEG), name="a.jpg")


def test_photo_from_a_camera_blob_by_content(inspection, inspector):
    photo, _ = photo_add(actor=inspector, inspection=inspection, fileobj=io.BytesIO(PNG), name="blob")
    assert photo.content_type == "image/png"


def test_visible_to_outlet_line_and_the_inspector(org, inspection, inspector, planner_b2, hq):
    from conftest import make_user
    from xiaobao.inspections.tests.conftest import grant

    assert Inspection.objects.visible_to(inspector).filter(pk=inspection.pk).exists()
    assert Inspection.objects.visible_to(hq).filter(pk=inspection.pk).exists()
    assert not Inspection.objects.visible_to(planner_b2).filter(pk=inspection.pk).exists()
    # a branch-2 inspector assigned to a branch-1 outlet (cross inspection) sees that one
    cross = grant(make_user("cross_b2", org.b2, []), "view_inspection", "conduct_inspection")
    other = make_inspection(org.b1o, cross, inspection.template)
    assert list(Inspection.objects.visible_to(cross)) == [other]


def test_a_photo_whose_record_fails_leaves_no_file(inspection, inspector, monkeypatch, settings, tmp_path):
    # given storage in a fresh folder and an audit that fails halfway
    from xiaobao.inspections import services

    settings.MEDIA_ROOT = str(tmp_path)

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", boom)
    # when
    with pytest.raises(RuntimeError):
        photo_add(actor=inspector, inspection=inspection, fileobj=io.BytesIO(JPEG), name="a.jpg")
    # then neither a row nor a file is left
    assert not InspectionPhoto.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
