"""Bulk actions: every complaint through the transition service with its own checks, event and audit row;
the run's summary says which were changed and why the others were not; the selection stays in scope."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from conftest import make_user
from xiaobao.complaints.models import Complaint, ComplaintEvent, ExportJob
from xiaobao.complaints.services import complaint_transition
from xiaobao.core.errors import DomainError
from xiaobao.core.models import AuditEvent
from xiaobao.desk import services
from xiaobao.desk.models import BulkRun
from xiaobao.desk.services import bulk_request
from xiaobao.desk.tasks import desk_bulk_task
from xiaobao.desk.tests.conftest import clone_complaints

pytestmark = pytest.mark.django_db


def _items(*complaints):
    return [(c.pk, None) for c in complaints]


def _run(run_id):
    desk_bulk_task.call(run_id)
    return BulkRun.objects.get(pk=run_id)


def test_bulk_assign_goes_through_the_transition_service_and_says_why_one_was_refused(
    org, branch_officer, b1_handler, register
):
    # given two open complaints of branch 1 and one already closed
    a, b, closed = (register(branch_officer, org.b1s) for _ in range(3))
    Complaint.objects.filter(pk=closed.pk).update(status="closed")
    # when the branch officer assigns the three to a handler
    with translation.override("zh-hans"):
        run = bulk_request(
            actor=branch_officer,
            action="assign",
            items=_items(a, b, closed),
            params={"handler": "b1_handler"},
        )
    # then (tasks run in place in tests) the two open ones are assigned, each with its event and audit row
    run.refresh_from_db()
    assert run.state == "done" and run.progress_done == 3
    assert run.summary["succeeded"] == 2
    assert run.failed == [{"id": closed.pk, "reference": closed.reference, "reason": "已办结，不能分派"}]
    for c in (a, b):
        c.refresh_from_db()
        assert c.status == "assigned" and c.handler == b1_handler
        assert ComplaintEvent.objects.filter(complaint=c, action="assign").count() == 1
        assert AuditEvent.objects.filter(object_type="complaints.complaint", object_id=str(c.pk)).exists()
    assert not ComplaintEvent.objects.filter(complaint=closed, action="assign").exists()
    assert AuditEvent.objects.filter(object_type="desk.bulkrun", object_id=str(run.pk)).exists()


def test_each_complaint_is_checked_for_its_own_permission_and_scope(
    org, branch_officer, other_branch_officer, register
):
    # given a complaint of branch 1, one of branch 2 pending transfer to branch 1 (branch 1 may only take it),
    # and one of branch 2 that branch 1 does not see
    own = register(branch_officer, org.b1s)
    incoming = register(other_branch_officer, org.b2s)
    complaint_transition(
        actor=other_branch_officer, complaint=incoming, action="assign", data={"unit": "B2-S1"}
    )
    complaint_transition(
        actor=other_branch_officer,
        complaint=incoming,
        action="transfer",
        data={"unit": "B1-S1", "reason": "属北京分行业务"},
    )
    hidden = register(other_branch_officer, org.b2s)
    # when branch 1's officer marks all three major
    with translation.override("zh-hans"):
        run = bulk_request(
            actor=branch_officer,
            action="mark_major",
            items=_items(own, incoming, hidden),
            params={"reason": "媒体关注"},
        )
    run.refresh_from_db()
    # then only its own is marked; the pending one is refused for want of permission, the hidden one without
    # its reference
    assert run.summary["succeeded"] == 1
    reasons = {f["id"]: f for f in run.failed}
    assert reasons[incoming.pk]["reference"] == incoming.reference
    assert reasons[incoming.pk]["reason"].startswith("无权操作")
    assert reasons[hidden.pk] == {"id": hidden.pk, "reference": "", "reason": "不存在，或不在您的范围内。"}
    assert Complaint.objects.get(pk=own.pk).is_major
    assert not Complaint.objects.get(pk=incoming.pk).is_major
    assert not Complaint.objects.get(pk=hidden.pk).is_major


def test_a_complaint_changed_after_it_was_selected_is_left_alone_as_stale(
    queued, org, branch_officer, b1_handler, register
):
    # given a run queued over two complaints
    a, b = register(branch_officer, org.b1s), register(branch_officer, org.b1s)
    with translation.override("zh-hans"):
        run = bulk_request(
            actor=branch_officer, action="mark_major", items=_items(a, b), params={"reason": "群体投诉"}
        )
    assert run.state == "queued" and run.progress_total == 2
    # when someone else acts on one before the worker reaches it
    complaint_transition(actor=branch_officer, complaint=b, action="assign", data={"handler": "b1_handler"})
    run = _run(run.pk)
    # then that one is not touched, and the summary says so
    assert run.summary["succeeded"] == 1
    assert run.failed[0]["reference"] == b.reference
    assert "已被他人修改" in run.failed[0]["reason"]
    assert not Complaint.objects.get(pk=b.pk).is_major


def test_the_page_selection_carries_the_version_the_user_saw(org, branch_officer, register):
    a = register(branch_officer, org.b1s)
    seen = a.version
    complaint_transition(actor=branch_officer, complaint=a, action="mark_major", data={"reason": "媒体关注"})
    run = bulk_request(
        actor=branch_officer,
        action="transfer",
        items=services.parse_items([f"{a.pk}:{seen}"]),
        params={"unit": "B1", "reason": "上收"},
    )
    run.refresh_from_db()
    assert run.summary["succeeded"] == 0 and len(run.failed) == 1


def test_select_all_matching_stays_within_the_users_scope(
    org, branch_officer, other_branch_officer, register
):
    # given open complaints in both branches
    mine = [register(branch_officer, org.b1s) for _ in range(3)]
    theirs = register(other_branch_officer, org.b2s)
    # when branch 1's officer marks "all matching open=true"
    run = bulk_request(
        actor=branch_officer, action="mark_major", match={"open": True}, params={"reason": "专项"}
    )
    run.refresh_from_db()
    # then exactly branch 1's complaints were selected and changed
    assert run.progress_total == 3 and sorted(pk for pk, _v in run.items) == sorted(c.pk for c in mine)
    assert run.summary["succeeded"] == 3 and run.failed == []
    assert not Complaint.objects.get(pk=theirs.pk).is_major


def test_select_all_matching_in_the_queue_takes_only_the_handlers_queue(
    org, branch_officer, b1_handler, register
):
    queued_to_him = register(branch_officer, org.b1s)
    complaint_transition(
        actor=branch_officer, complaint=queued_to_him, action="assign", data={"handler": "b1_handler"}
    )
    register(branch_officer, org.b1s)  # waits in the unit inbox, not his queue
    run = bulk_request(
        actor=b1_handler, action="mark_major", match={}, scope="queue", params={"reason": "专项"}
    )
    assert [pk for pk, _v in run.items] == [queued_to_him.pk]


def test_too_many_matches_and_bad_inputs_are_field_errors(monkeypatch, org, branch_officer, register):
    for _ in range(3):
        register(branch_officer, org.b1s)
    monkeypatch.setattr(services, "BULK_LIMIT", 2)
    with pytest.raises(DomainError) as exc:
        bulk_request(actor=branch_officer, action="mark_major", match={}, params={"reason": "x"})
    assert "filter" in exc.value.fields
    cases = [
        ({"action": "assign", "params": {}}, "params.handler"),
        ({"action": "assign", "params": {"handler": "nobody"}}, "params.handler"),
        ({"action": "transfer", "params": {"unit": "NOPE", "reason": "r"}}, "params.unit"),
        ({"action": "transfer", "params": {"unit": "B1"}}, "params.reason"),
        ({"action": "mark_major", "params": {"reason": "x" * 201}}, "params.reason"),
        ({"action": "mark_major", "params": {"reason": "r", "priority": "high"}}, "params.priority"),
        ({"action": "fly", "params": {}}, "action"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as exc:
            bulk_request(actor=branch_officer, items=[(1, None)], **kwargs)
        assert field in exc.value.fields, (kwargs, exc.value.fields)
    with pytest.raises(DomainError) as exc:
        bulk_request(
            actor=branch_officer,
            action="mark_major",
            match={"received_from": "2026-13-01"},
            params={"reason": "r"},
        )
    assert "filter.received_from" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        bulk_request(actor=branch_officer, action="mark_major", items=[], params={"reason": "r"})
    assert "ids" in exc.value.fields


def test_an_action_the_user_may_not_take_at_all_is_refused(org, register):
    handler = make_user("h", org.b1s, ["complaint_handler"])
    with pytest.raises(PermissionDenied):
        bulk_request(actor=handler, action="assign", items=[(1, None)], params={"handler": "h"})
    auditor = make_user("aud", org.cpd, ["auditor"])
    with pytest.raises(PermissionDenied):
        bulk_request(actor=auditor, action="mark_major", items=[(1, None)], params={"reason": "r"})


def test_bulk_export_builds_a_complaint_export_of_the_selection(
    settings, tmp_path, org, branch_officer, register
):
    settings.MEDIA_ROOT = tmp_path
    a, b = register(branch_officer, org.b1s), register(branch_officer, org.b1s)
    run = bulk_request(actor=branch_officer, action="export", items=_items(a, b))
    run.refresh_from_db()
    export = ExportJob.objects.get(pk=run.summary["export_job"])
    assert export.state == "done" and export.rows == 2 and export.requested_by == branch_officer
    assert run.summary["succeeded"] == 2


def test_a_thousand_complaints_finish_with_progress_and_a_correct_summary(
    queued, monkeypatch, org, branch_officer, b1_handler, register
):
    # given 1,000 complaints of branch 1, ten of them closed already
    first = register(branch_officer, org.b1s)
    ids = [first.pk, *clone_complaints(first, 999)]
    closed = ids[100:110]
    Complaint.objects.filter(pk__in=closed).update(status="closed")
    seen = []
    real = services.job_progress

    def spy(job, **kw):
        real(job, **kw)
        seen.append(BulkRun.objects.values_list("progress_done", flat=True).get(pk=job.pk))

    monkeypatch.setattr(services, "job_progress", spy)
    # when the officer assigns all of them to a handler
    with translation.override("zh-hans"):
        run = bulk_request(
            actor=branch_officer, action="assign", match={"open": True, "ordering": "received"},
            params={"handler": "b1_handler"},
        )  # fmt: skip
        assert run.progress_total == 990  # "open" leaves the closed ones out
        run = bulk_request(
            actor=branch_officer,
            action="assign",
            items=[(pk, None) for pk in ids],
            params={"handler": "b1_handler"},
        )
    started = time.perf_counter()
    run = _run(run.pk)
    seconds = time.perf_counter() - started
    # then the run is done, progress was visible on the way, and the summary is exact
    assert run.state == "done" and run.progress_done == run.progress_total == 1000
    assert seen[0] == 0 and seen[-1] == 1000 and len(seen) >= 40 and seen == sorted(seen)
    assert run.summary["succeeded"] == 990
    assert sorted(f["id"] for f in run.failed) == sorted(closed)
    assert all(f["reason"] == "已办结，不能分派" and f["reference"] for f in run.failed)
    assert ComplaintEvent.objects.filter(action="assign", complaint_id__in=ids).count() == 990
    assert Complaint.objects.filter(pk__in=ids, handler=b1_handler).count() == 990
    assert AuditEvent.objects.filter(object_type="complaints.complaint", action="update").count() >= 990
    print(f"bulk assign of 1,000 complaints: {seconds:.1f} s")
