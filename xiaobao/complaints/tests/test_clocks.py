"""Clock rules pinned with dated cases around the 2025–2026 holidays and make-up days.

Expected dates were checked by hand against the State Council schedules (2025 National Day 10/1–10/8;
2026 Spring Festival 2/15–2/23, Labour Day 5/1–5/5, Mid-Autumn 9/25–9/27, National Day 10/1–10/7, make-up
working day Saturday 2026-10-10).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from xiaobao.complaints.models import Complaint, DeadlineRule
from xiaobao.complaints.services import complaint_recompute_clocks, complaint_register, complaint_transition

pytestmark = pytest.mark.django_db
D = dt.date


def _at(day: str, time: str = "10:00"):
    return time_machine.travel(f"{day} {time} +0800", tick=False)


def _register(actor, payload, received: str, **over):
    with _at(received[:10], received[11:16] or "10:00"):
        c, _ = complaint_register(actor=actor, data=payload(received_at=received, **over))
    return c


def _act(actor, c, action, day: str, time: str = "10:00", **data):
    with _at(day, time):
        return complaint_transition(
            actor=actor, complaint=Complaint.objects.get(pk=c.pk), action=action, data=data
        )


def _clock(c, name="decision", today: str | None = None):
    c = Complaint.objects.get(pk=c.pk)
    clocks = complaint_recompute_clocks(c, today=D.fromisoformat(today) if today else None)
    return next(k for k in clocks if k.name == name)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2025-09-20T10:00:00+08:00", "2025-10-09"),  # day 15 = 10-05, inside National Day → next working day
        ("2026-02-05T10:00:00+08:00", "2026-02-24"),  # day 15 = 02-20, inside Spring Festival → 02-24
        ("2026-03-02T10:00:00+08:00", "2026-03-17"),  # ordinary working day
        (
            "2026-01-31T16:30:00+00:00",
            "2026-02-24",
        ),  # 00:30 on 02-01 in Shanghai: receipt is 02-01, not 01-31
    ],
)
def test_calendar_days_roll_forward(branch_officer, payload, received, due):
    c = _register(branch_officer, payload, received if "+08" in received else "2026-02-01T00:30:00+08:00")
    assert _clock(c, today=c.receipt_date.isoformat()).due_date.isoformat() == due


def test_time_zone_decides_the_day_of_receipt(branch_officer, payload):
    with _at("2026-02-01", "00:30"):
        c, _ = complaint_register(actor=branch_officer, data=payload(received_at="2026-01-31T16:30:00+00:00"))
    assert c.receipt_date.isoformat() == "2026-02-01"


def test_roll_forward_is_a_rule_option(branch_officer, payload):
    DeadlineRule.objects.filter(code="nfra-2020").update(roll_forward=False)
    c = _register(branch_officer, payload, "2025-09-20T10:00:00+08:00")
    assert _clock(c, today="2025-09-20").due_date.isoformat() == "2025-10-05"


def test_working_day_rule_counts_across_make_up_days(branch_officer, payload):
    # given the PBoC-branch practice rule (5 working days) as the rule for regulator-forwarded complaints
    DeadlineRule.objects.filter(code="pboc-branch-5wd").update(sources=["pboc_transfer"])
    DeadlineRule.objects.filter(code="pboc-2020").update(sources=[])
    c = _register(branch_officer, payload, "2026-09-29T10:00:00+08:00", source="pboc_transfer")
    # then 9-30, 10-08, 10-09, 10-10 (Saturday make-up day), 10-12
    clock = _clock(c, today="2026-09-29")
    assert clock.rule.code == "pboc-branch-5wd" and clock.due_date.isoformat() == "2026-10-12"


def test_pause_moves_the_last_day_then_rolls_forward(branch_officer, payload):
    # given receipt 2026-09-14: day 15 is 09-29 (a working day)
    c = _register(branch_officer, payload, "2026-09-14T10:00:00+08:00")
    _act(branch_officer, c, "accept", "2026-09-14")
    # when paused for appraisal 09-20 and resumed 09-23 (3 calendar days)
    _act(branch_officer, c, "pause", "2026-09-20", reason="appraisal", date="2026-09-20")
    paused = _clock(c, today="2026-09-22")
    assert paused.state == "paused"
    _act(branch_officer, c, "resume", "2026-09-23", date="2026-09-23")
    # then 09-29 + 3 = 10-02, a holiday → 10-08
    clock = _clock(c, today="2026-09-23")
    assert (clock.paused_days, clock.due_date.isoformat(), clock.state) == (3, "2026-10-08", "running")


def test_mediation_pause_counts_only_between_the_dates(branch_officer, payload):
    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _act(branch_officer, c, "accept", "2026-03-02")
    _act(branch_officer, c, "pause", "2026-03-05", reason="mediation", date="2026-03-05")
    _act(branch_officer, c, "resume", "2026-03-12", date="2026-03-12")
    assert _clock(c, today="2026-03-12").due_date.isoformat() == "2026-03-24"


def test_both_extensions(branch_officer, b1_approver, payload):
    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _act(branch_officer, c, "accept", "2026-03-02")
    _act(branch_officer, c, "extend", "2026-03-10", to_days=30, reason="情况复杂")
    assert _clock(c, today="2026-03-10").due_date.isoformat() == "2026-04-01"
    _act(branch_officer, c, "extend", "2026-03-25", to_days=60, reason="特别复杂")
    assert _clock(c, today="2026-03-25").days == 30  # waits for approval
    _act(b1_approver, c, "approve_extension", "2026-03-26")
    # day 60 = 05-01, inside Labour Day 5/1–5/5 → 05-06
    assert _clock(c, today="2026-03-26").due_date.isoformat() == "2026-05-06"


def test_extension_refused_beyond_the_rule(branch_officer, payload):
    from django.core.exceptions import ValidationError

    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _act(branch_officer, c, "accept", "2026-03-02")
    with pytest.raises(ValidationError) as exc:
        _act(branch_officer, c, "extend", "2026-03-03", to_days=90, reason="太复杂")
    assert "to_days" in exc.value.message_dict


def _decide(actor, c, notify_at: str):
    day = notify_at[:10]
    _act(actor, c, "accept", day)
    _act(actor, c, "draft", day, verification="核实", basis="依据", result="决定")
    return _act(
        actor, c, "notify", day, time=notify_at[11:16], method="letter", at=notify_at, proof="挂号信 XA123"
    )


def test_met_when_the_notice_went_out_by_the_due_date(branch_officer, payload):
    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _decide(branch_officer, c, "2026-03-17T23:50:00+08:00")
    clock = _clock(c, today="2026-03-20")
    assert (clock.state, clock.met_on.isoformat()) == ("met", "2026-03-17")


def test_breached_when_the_notice_is_late_or_missing(branch_officer, payload):
    late = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _decide(branch_officer, late, "2026-03-18T09:00:00+08:00")
    assert _clock(late, today="2026-03-20").state == "breached"
    missing = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    assert _clock(missing, today="2026-03-17").state == "running"
    assert _clock(missing, today="2026-03-18").state == "breached"


def test_review_clock(branch_officer, payload, hq_officer):
    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _decide(branch_officer, c, "2026-04-10T10:00:00+08:00")
    c = _act(branch_officer, c, "request_review", "2026-04-20", date="2026-04-20")
    assert c.status == "under_review" and c.review_unit.code == "B1"
    review = _clock(c, "review", today="2026-04-20")
    assert review.due_date.isoformat() == "2026-05-20" and review.state == "running"


def test_review_must_be_requested_within_30_days(branch_officer, payload):
    from django.core.exceptions import ValidationError

    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _decide(branch_officer, c, "2026-03-05T10:00:00+08:00")
    with pytest.raises(ValidationError):
        _act(branch_officer, c, "request_review", "2026-04-10", date="2026-04-10")


def test_withdrawal_stops_the_clock(branch_officer, payload):
    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    _act(branch_officer, c, "withdraw", "2026-03-04", date="2026-03-04")
    assert _clock(c, today="2026-03-30").state == "stopped"


def test_provisional_when_the_deadline_falls_in_a_year_without_data(branch_officer, payload):
    c = _register(branch_officer, payload, "2026-12-20T10:00:00+08:00")
    clock = _clock(c, today="2026-12-20")
    assert clock.due_date.isoformat() == "2027-01-04" and clock.provisional


def test_repeat_with_new_facts_restarts_the_clock(branch_officer, payload):
    first = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00")
    repeat = _register(branch_officer, payload, "2026-03-10T10:00:00+08:00")
    _act(branch_officer, repeat, "merge", "2026-03-10", into=first.reference, new_facts=True)
    # restarted from 03-10: + 15 = 03-25
    assert _clock(first, today="2026-03-10").due_date.isoformat() == "2026-03-25"
    assert Complaint.objects.get(pk=repeat.pk).status == "merged"


def test_regulator_forwarded_complaints_use_that_regulators_rule(branch_officer, payload):
    c = _register(branch_officer, payload, "2026-03-02T10:00:00+08:00", source="pboc_transfer")
    assert _clock(c, today="2026-03-02").rule.code == "pboc-2020"
