"""A decision clock met late says how late it was met, not a count of days overdue to today."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from xiaobao.complaints.models import Clock, Complaint
from xiaobao.complaints.selectors import complaint_list, my_queue
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.complaints.views.common import due_info, late_days

pytestmark = pytest.mark.django_db
D = dt.date


def _at(day: str, time: str = "10:00"):
    return time_machine.travel(f"{day} {time} +0800", tick=False)


def _act(actor, c, action, day, **data):
    with _at(day):
        return complaint_transition(
            actor=actor, complaint=Complaint.objects.get(pk=c.pk), action=action, data=data
        )


@pytest.fixture
def decided_late(branch_officer, b1_handler, payload):
    """Received 2026-03-02 (decision due 03-17), handled by b1_handler, the decision notified on 03-22."""
    with _at("2026-03-02"):
        c, _ = complaint_register(actor=branch_officer, data=payload(received_at="2026-03-02T10:00:00+08:00"))
    _act(branch_officer, c, "assign", "2026-03-02", handler="b1_handler")
    _act(b1_handler, c, "accept", "2026-03-02")
    _act(b1_handler, c, "draft", "2026-03-20", verification="核实", basis="依据", result="决定")
    _act(
        b1_handler, c, "notify", "2026-03-22",
        method="letter", at="2026-03-22T10:00:00+08:00", proof="挂号信 XA123",
    )  # fmt: skip
    return Complaint.objects.get(pk=c.pk)


def test_the_late_decision_is_stored_as_breached_with_its_date(decided_late):
    # then (the case the pages must show: breached, yet met)
    clock = Clock.objects.get(complaint=decided_late, name="decision")
    assert (clock.state, clock.due_date, clock.met_on) == ("breached", D(2026, 3, 17), D(2026, 3, 22))
    assert (decided_late.decision_state, decided_late.decided_on) == ("breached", D(2026, 3, 22))


def test_list_and_page_say_how_late_200_days_on(client_for, branch_officer, decided_late):
    # given a complaint decided 5 days late
    # when the list and the complaint page are read 200 days after the decision
    with _at("2026-10-08"), translation.override("zh-hans"):
        officer = client_for(branch_officer)
        pages = {
            "list": officer.get(reverse("complaints:list")).content.decode(),
            "page": officer.get(reverse("complaints:detail", args=[decided_late.pk])).content.decode(),
        }
    # then each says it was decided 5 days late, in red, and none counts days overdue to today
    for name, html in pages.items():
        assert decided_late.reference in html, name
        assert '<span class="badge bad">逾期 5 日办结</span>' in html, name
        assert "已超期" not in html, name


def test_queue_says_how_late_while_under_review(client_for, branch_officer, b1_handler, decided_late):
    # given the late-decided complaint back in the handler's queue: the complainant asked for a review
    _act(branch_officer, decided_late, "request_review", "2026-04-20", date="2026-04-20")
    # when the handler's queue is read 200 days after the decision
    with _at("2026-10-08"), translation.override("zh-hans"):
        html = client_for(b1_handler).get(reverse("complaints:queue")).content.decode()
    # then its decision due date says how late the decision was, not days overdue to today
    queue_part = html.split('data-testid="unit-inbox"')[0]
    assert decided_late.reference in queue_part
    assert '<span class="badge bad">逾期 5 日办结</span>' in queue_part
    assert "已超期" not in html


def test_list_rows_carry_the_decision_rule_unit(branch_officer, b1_handler, decided_late):
    # given the complaint under review (so it is in the handler's queue too)
    _act(branch_officer, decided_late, "request_review", "2026-04-20", date="2026-04-20")
    # when the lists are read
    listed = complaint_list(user=branch_officer).get(pk=decided_late.pk)
    queued = my_queue(user=b1_handler).get(pk=decided_late.pk)
    # then the decision clock's rule unit comes with the row (the preset nfra-2020 rule counts calendar days)
    assert (listed.decision_unit, queued.decision_unit, listed.decided_on) == (
        "calendar",
        "calendar",
        D(2026, 3, 22),
    )


def test_unmet_clocks_still_count_to_today():
    # given a decision clock due 03-17, not met, read on 03-20
    with translation.override("en"):
        due = due_info(D(2026, 3, 17), "breached", D(2026, 3, 20))
    # then it counts the days overdue to today
    assert (due.css, due.text) == ("bad", "3 days overdue")


@pytest.mark.parametrize(
    ("unit", "met_on", "text"),
    [
        ("calendar", D(2026, 3, 22), "Concluded 5 days late"),
        ("calendar", D(2026, 3, 18), "Concluded 1 day late"),
        # Wed 03-18 … Sun 03-22: Wed, Thu, Fri are working days
        ("working", D(2026, 3, 22), "Concluded 3 working days late"),
    ],
)
def test_met_late_counts_in_the_rules_unit(unit, met_on, text):
    # when a clock due Tue 2026-03-17 was met late, read long after
    with translation.override("en"):
        due = due_info(D(2026, 3, 17), "breached", D(2027, 1, 1), met_on=met_on, unit=unit)
    # then it says how late it was met, in red
    assert (due.css, due.text) == ("bad", text)


def test_met_on_time_and_a_weekend_only_delay():
    # given due Friday 2026-03-20 under a working-day rule
    with translation.override("en"):
        on_time = due_info(D(2026, 3, 20), "met", D(2027, 1, 1), met_on=D(2026, 3, 20), unit="working")
        saturday = due_info(D(2026, 3, 20), "breached", D(2027, 1, 1), met_on=D(2026, 3, 21), unit="working")
    # then on time is green; met on the Saturday after is late by no working day, shown as breached
    assert (on_time.css, on_time.text) == ("ok", "met")
    assert (saturday.css, saturday.text, late_days(D(2026, 3, 20), D(2026, 3, 21), "working")) == (
        "bad",
        "breached",
        0,
    )
