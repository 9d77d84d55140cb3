"""Registers: bad input refused with field errors and nothing stored; meetings with attendance; liaisons and
the units without one; supervisors' names sealed; feedback tracked as an action item; figures; demo."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.governance.models import ActionItem, Body, Feedback, Liaison, Meeting, Supervisor
from xiaobao.governance.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_bad_body_input_is_refused_with_field_errors(org, officer, other_officer):
    from xiaobao.governance import services as svc

    # when the kind is unknown, the name empty and the unit another branch's
    with pytest.raises(ValidationError) as exc:
        svc.body_create(actor=officer, data={"kind": "club", "org_unit": org.b2.code, "name": ""})
    # then every field says why, and nothing is stored
    assert set(exc.value.message_dict) == {"kind", "org_unit", "name"}
    assert not Body.objects.exists()


def test_a_meeting_needs_a_reason_for_each_absence_and_bad_minutes_are_refused(group, officer):
    from xiaobao.governance import services as svc

    leader = group.members.get(role="leader")
    data = {
        "held_on": "2026-03-02",
        "kind": "regular",
        "title": "会议",
        "topics": "议题",
        "attendance": {leader.pk: {"present": False, "reason": ""}},
    }
    with at("2026-03-02"), pytest.raises(ValidationError) as exc:
        svc.meeting_create(
            actor=officer, body=group, data=data, minutes=BytesIO(b"MZ not a pdf"), minutes_name="x.pdf"
        )
    assert {"attendance", "minutes"} <= set(exc.value.message_dict)
    assert not Meeting.objects.exists()
    # given a reason, the meeting is stored with the attendance
    data["attendance"] = {leader.pk: {"present": False, "reason": "出差"}}
    with at("2026-03-02"):
        meeting = svc.meeting_create(actor=officer, body=group, data=data)
    rows = {a.member_id: (a.present, a.absence_reason) for a in meeting.attendance.all()}
    assert rows[leader.pk] == (False, "出差") and len(rows) == 2


def test_action_item_bad_input(meeting, officer, owner, org):
    from xiaobao.governance import services as svc

    with at("2026-03-02"), pytest.raises(ValidationError) as exc:
        svc.action_item_open(
            actor=officer, meeting=meeting, data={"title": "", "owner": "nobody", "due_on": "2026-02-01"}
        )
    assert {"title", "owner", "due_on"} <= set(exc.value.message_dict)
    assert not ActionItem.objects.exists()


def test_units_without_a_current_liaison(org, officer):
    from xiaobao.governance import services as svc

    with at("2026-03-02"):
        svc.liaison_add(
            actor=officer,
            data={"org_unit": org.b1s.code, "name": "张联络", "phone": "13800001111", "since": "2026-01-01"},
        )
        first = svc.liaison_add(
            actor=officer,
            data={"org_unit": org.b1.code, "name": "李联络", "phone": "13800002222", "since": "2026-01-01"},
        )
        # a replacement ends the current one the day before
        svc.liaison_add(
            actor=officer,
            data={"org_unit": org.b1.code, "name": "王联络", "phone": "13800003333", "since": "2026-03-01"},
        )
        gaps = [u.code for u in svc.units_without_liaison(officer, dt.date(2026, 3, 2))]
    first.refresh_from_db()
    assert first.until == dt.date(2026, 2, 28)
    assert gaps == [org.b1o.code]
    stored = Liaison.objects.filter(org_unit=org.b1).latest("since")
    assert "13800003333" not in str(stored.phone) and str(stored.phone).startswith("138")
    with pytest.raises(ValidationError) as exc:
        svc.liaison_add(actor=officer, data={"org_unit": org.b1o.code, "phone": "abc", "since": "x"})
    assert {"name", "phone", "since"} <= set(exc.value.message_dict)


def test_supervisor_feedback_is_tracked_to_an_answer(org, officer, owner, other_officer):
    from xiaobao.governance import services as svc

    with at("2026-03-02"):
        sup = svc.supervisor_add(
            actor=officer,
            data={
                "org_unit": org.b1.code,
                "name": "赵监督",
                "occupation": "教师",
                "term_start": "2026-01-01",
            },
        )
        f = svc.feedback_add(
            actor=officer,
            supervisor=sup,
            data={
                "received_on": "2026-03-02",
                "channel": "phone",
                "content": "等候时间长",
                "owner": owner.username,
            },
        )
    assert str(Supervisor.objects.get().name) == "赵**"
    item = f.action_item
    # 15 working days from Monday 03-02 → Monday 03-23
    assert item.source == "feedback" and item.due_on == dt.date(2026, 3, 23) and item.org_unit == org.b1o
    with at("2026-03-10"):
        item = svc.action_transition(actor=owner, item=item, action="submit", data={"result": "已回复"})
        svc.action_transition(actor=officer, item=item, action="close", data={})
    assert Feedback.objects.get().action_item.status == "closed"
    # another branch cannot record feedback for it; a bad one stores nothing
    with pytest.raises(PermissionDenied):
        svc.feedback_add(actor=other_officer, supervisor=sup, data={})
    with at("2026-03-10"), pytest.raises(ValidationError) as exc:
        svc.feedback_add(
            actor=officer,
            supervisor=sup,
            data={"received_on": "2025-01-01", "channel": "fax", "content": "", "owner": ""},
        )
    assert {"received_on", "channel", "content", "owner"} <= set(exc.value.message_dict)
    assert Feedback.objects.count() == 1


def test_figures_count_meetings_topics_and_on_time_rate(open_item, owner, officer, org):
    from xiaobao.governance import services as svc
    from xiaobao.governance.figures import compute, figures

    on_time = open_item()
    open_item(title="逾期事项")
    with at("2026-03-05"):
        svc.evidence_add(actor=owner, item=on_time, fileobj=BytesIO(b"%PDF-1.4\n%%EOF\n"), name="a.pdf")
        on_time = svc.action_transition(actor=owner, item=on_time, action="submit", data={"result": "完成"})
        svc.action_transition(actor=officer, item=on_time, action="close", data={})
    with at("2026-04-01"):
        t = compute(officer, org.b1, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
        keys = {f.key: f.value for f in figures(officer, dt.date(2026, 1, 1), dt.date(2026, 3, 31))}
    assert (t.meetings, t.group_meetings, t.topics, t.items, t.on_time, t.overdue_open) == (1, 1, 2, 2, 1, 1)
    assert t.on_time_rate == 50.0 and keys["on_time_rate"] == 50.0


def test_the_demo_loader_fills_the_registers(org, officer, owner, verifier):
    from xiaobao.governance.demo import governance_demo_load

    with at("2026-12-31"):
        counts = governance_demo_load(seed=7, year=2026, today=dt.date(2026, 12, 31))
    assert counts["bodies"] >= 1 and counts["meetings"] >= 4 and counts["items"] >= 8
    assert counts["supervisors"] >= 3 and counts["liaisons"] >= 1
    assert ActionItem.objects.filter(status="closed").exists()
