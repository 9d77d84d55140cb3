"""Opening items (validation, defaults by source, the clock from the opening day), from a finding and from a
complaint; extensions with approval; segregation of duties."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.core.errors import Conflict
from xiaobao.rectification.services import (
    rectification_from_complaint,
    rectification_from_finding,
    rectification_open,
    rectification_transition,
)
from xiaobao.rectification.tests.conftest import NOT_OWN, OWNER_ONLY, at, d, open_data, zh

pytestmark = pytest.mark.django_db


def test_open_sets_reference_owner_and_ten_working_day_clock(open_item, owner):
    # given / when an inspection finding opened on Monday 2026-03-02
    item = open_item()
    # then ten working days from the day after: 03-03 … 03-16
    assert item.reference == f"RE2026{item.pk:06d}"
    assert item.status == "open" and item.handler == owner
    clock = item.clocks.get()
    assert (clock.rule.code, clock.days, clock.due_date, clock.state) == (
        "rectification-10wd",
        10,
        d("2026-03-16"),
        "running",
    )
    assert item.due_date == d("2026-03-16")
    assert list(item.events.values_list("action", flat=True)) == ["open"]


def test_clock_over_a_holiday_counts_from_the_day_after_opening(open_item):
    # given an item opened on 2025-09-30, the eve of National Day (10-01..10-08 off, 10-11 a make-up day)
    item = open_item(opened_on="2025-09-30")
    # when / then: 10-09, 10-10, 10-11 (make-up), 10-13 … 10-17, 10-20, 10-21 → the tenth is 10-21
    assert item.clocks.get().due_date == d("2025-10-21")


def test_clock_over_the_spring_festival_with_its_make_up_days(open_item):
    # given an item opened on Thursday 2026-02-12 (off 02-15..02-23; Saturdays 02-14 and 02-28 worked)
    item = open_item(opened_on="2026-02-12")
    # then 02-13, 02-14, 02-24 … 02-27, 02-28, 03-02, 03-03, 03-04: the tenth working day is 03-04
    assert item.clocks.get().due_date == d("2026-03-04")


def test_calendar_days_roll_forward_out_of_the_holiday(open_item):
    # given a regulator's opinion (30 calendar days) opened 2026-01-16: day 30 is 02-15, inside the holiday
    item = open_item(opened_on="2026-01-16", source="regulator")
    # then the last day moves to the first working day after it
    assert item.clocks.get().due_date == d("2026-02-24")


def test_regulator_opinion_defaults_to_its_own_configurable_rule(open_item):
    # given / when a regulator's opinion without a rule
    item = open_item(
        source="regulator", issued_by="国家金融监督管理总局北京监管局", external_reference="京金监〔2026〕1号"
    )
    # then the regulator default applies: 30 calendar days from 03-02 → 04-01
    clock = item.clocks.get()
    assert clock.rule.code == "rectification-regulator-30d"
    assert clock.due_date == d("2026-04-01")
    # and a named rule overrides the default
    named = open_item(source="regulator", rule="rectification-10wd")
    assert named.clocks.get().rule.code == "rectification-10wd"


def test_open_reports_every_bad_field_at_once(org, officer, open_item):
    # given nonsense in every field
    bad = open_data(org, org_unit="NOPE", title="", source="mars", opened_on="2026-02-30", owner="nobody")
    # when / then
    with pytest.raises(ValidationError) as exc, at("2026-03-02"):
        rectification_open(actor=officer, data=bad)
    assert set(exc.value.message_dict) == {"org_unit", "title", "source", "opened_on", "owner"}


def test_owner_must_belong_to_the_subtree_and_be_active(org, officer, owner, other_officer):
    # given an owner outside the unit's subtree (another branch), and one who left
    with at("2026-03-02"), pytest.raises(ValidationError) as exc:
        rectification_open(
            actor=officer, data=open_data(org, org_unit=org.b1s.code, owner=other_officer.username)
        )
    assert "owner" in exc.value.message_dict
    owner.is_active = False
    owner.save()
    with at("2026-03-02"), pytest.raises(ValidationError) as exc:
        rectification_open(actor=officer, data=open_data(org))
    assert "owner" in exc.value.message_dict


def test_opening_outside_the_scope_or_in_the_future_is_refused(org, other_officer, officer):
    with at("2026-03-02"), pytest.raises(ValidationError) as exc:
        rectification_open(actor=other_officer, data=open_data(org))
    assert "org_unit" in exc.value.message_dict
    with at("2026-03-02"), pytest.raises(ValidationError) as exc:
        rectification_open(actor=officer, data=open_data(org, opened_on="2026-03-03"))
    assert "opened_on" in exc.value.message_dict


def test_without_permission_nobody_opens(org, owner):
    with at("2026-03-02"), pytest.raises(PermissionDenied):
        rectification_open(actor=owner, data=open_data(org))


def test_extension_with_approval_moves_the_deadline_once_approved(open_item, owner, verifier):
    item = open_item()
    # when the owner asks for 20 working days
    with at("2026-03-05"):
        item = rectification_transition(
            actor=owner, item=item, action="extend", data={"to_days": 20, "reason": "设备厂家排期"}
        )
    # then nothing moves until somebody else approves
    assert item.clocks.get().due_date == d("2026-03-16")
    assert item.extensions.get().state == "pending"
    with at("2026-03-05"), pytest.raises(Conflict):
        rectification_transition(
            actor=owner, item=item, action="extend", data={"to_days": 20, "reason": "再次"}
        )
    with at("2026-03-06"), pytest.raises(PermissionDenied):
        rectification_transition(actor=owner, item=item, action="approve_extension", data={})
    with at("2026-03-06"):
        item = rectification_transition(actor=verifier, item=item, action="approve_extension", data={})
    # 20 working days from 03-03: 03-30
    assert item.clocks.get().due_date == d("2026-03-30")
    assert item.extensions.get().state == "approved"


def test_extension_to_a_length_the_rule_does_not_offer_is_a_field_error(open_item, owner):
    item = open_item()
    with at("2026-03-05"), pytest.raises(ValidationError) as exc:
        rectification_transition(actor=owner, item=item, action="extend", data={"to_days": 45, "reason": "x"})
    assert "to_days" in exc.value.message_dict
    with at("2026-03-05"), pytest.raises(ValidationError) as exc:
        rectification_transition(actor=owner, item=item, action="extend", data={"to_days": "many"})
    assert {"to_days", "reason"} <= set(exc.value.message_dict)


def test_rejected_extension_keeps_the_deadline(open_item, owner, verifier):
    item = open_item()
    with at("2026-03-05"):
        item = rectification_transition(
            actor=owner, item=item, action="extend", data={"to_days": 20, "reason": "r"}
        )
        item = rectification_transition(
            actor=verifier, item=item, action="reject_extension", data={"note": "不同意"}
        )
    assert item.clocks.get().due_date == d("2026-03-16")
    assert item.extensions.get().state == "rejected"


def test_owner_cannot_verify_own_item(open_item, org, officer):
    # given an item the officer owns himself (he may work and verify)
    item = open_item(org_unit=org.b1.code, owner=officer.username)
    with at("2026-03-05"):
        item = rectification_transition(actor=officer, item=item, action="submit", data={"result": "已更换"})
    # when he tries to verify it / then 403 with the reason
    with at("2026-03-06"), pytest.raises(PermissionDenied, match=re.escape(zh(NOT_OWN, what="verify"))):
        rectification_transition(actor=officer, item=item, action="verify", data={})
    with at("2026-03-06"), pytest.raises(PermissionDenied, match=re.escape(zh(NOT_OWN, what="reject"))):
        rectification_transition(actor=officer, item=item, action="reject", data={"reason": "x"})


def test_only_the_owner_submits_and_only_the_opener_cancels(open_item, verifier, owner, officer):
    item = open_item()
    with at("2026-03-05"), pytest.raises(PermissionDenied, match=re.escape(zh(OWNER_ONLY))):
        rectification_transition(actor=officer, item=item, action="submit", data={"result": "x"})
    with at("2026-03-05"), pytest.raises(PermissionDenied):
        rectification_transition(actor=owner, item=item, action="cancel", data={"reason": "x"})
    with at("2026-03-05"):
        item = rectification_transition(
            actor=officer, item=item, action="cancel", data={"reason": "重复立项"}
        )
    assert item.status == "cancelled"
    assert item.clocks.get().state == "stopped"


def test_verify_meets_the_clock(open_item, owner, verifier):
    item = open_item()
    with at("2026-03-10"):
        item = rectification_transition(
            actor=owner, item=item, action="submit", data={"result": "已报修并更换"}
        )
    with at("2026-03-12"):
        item = rectification_transition(
            actor=verifier, item=item, action="verify", data={"note": "现场复核通过"}
        )
    clock = item.clocks.get()
    assert (item.status, clock.state, clock.met_on) == ("verified", "met", d("2026-03-12"))
    assert item.verified_by == verifier


def test_verified_late_is_breached(open_item, owner, verifier):
    item = open_item()
    with at("2026-03-20"):
        item = rectification_transition(actor=owner, item=item, action="submit", data={"result": "已整改"})
        item = rectification_transition(actor=verifier, item=item, action="verify", data={})
    assert item.clocks.get().state == "breached"


def test_from_complaint_links_both_ways(org, officer, owner):
    from xiaobao.complaints.services import complaint_register

    with at("2026-03-02"):
        complaint, _ = complaint_register(
            actor=officer,
            data={
                "received_at": "2026-03-02T09:30:00+08:00",
                "channel": "A01",
                "business_type": "B01",
                "cause": "C01",
                "org_unit": org.b1o.code,
                "complainant": {"name": "王小明"},
                "request": "r",
                "description": "d",
            },
        )
        item = rectification_from_complaint(
            actor=officer,
            complaint=complaint,
            data={"title": "排队叫号流程整改", "description": "溯源：叫号机", "owner": "outlet_owner"},
        )
    assert (item.source, item.complaint, item.org_unit) == ("complaint", complaint, org.b1o)
    assert list(complaint.rectifications.all()) == [item]


def test_from_finding_marks_repeat_and_allows_one_live_item(org, officer, owner):
    from xiaobao.inspections.models import Finding

    finding = Finding.objects.create(
        org_unit=org.b1o, description="爱心座椅缺失\n第二行", severity="major", is_repeat=True
    )
    with at("2026-03-02"):
        item = rectification_from_finding(actor=officer, finding=finding, data={"owner": "outlet_owner"})
    assert (item.source, item.finding, item.is_repeat, item.title) == (
        "inspection",
        finding,
        True,
        "爱心座椅缺失",
    )
    with at("2026-03-02"), pytest.raises(Conflict):
        rectification_from_finding(actor=officer, finding=finding, data={"owner": "outlet_owner"})


def test_people_are_told_after_each_step(
    open_item, owner, verifier, officer, django_capture_on_commit_callbacks
):
    from xiaobao.casework.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        item = open_item()
    with at("2026-03-05"), django_capture_on_commit_callbacks(execute=True):
        item = rectification_transition(actor=owner, item=item, action="submit", data={"result": "已整改"})
        rectification_transition(actor=verifier, item=item, action="verify", data={})
    told = set(Notification.objects.values_list("user__username", "kind"))
    assert {
        ("outlet_owner", "rect_assigned"),
        ("branch1_cp", "rect_submitted"),
        ("outlet_owner", "rect_verified"),
    } <= told
    assert Notification.objects.filter(kind="rect_assigned").get().subject == item
