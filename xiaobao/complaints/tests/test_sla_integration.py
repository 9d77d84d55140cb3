"""The transition service and the sweeper together: moved deadlines re-arm warnings, breaches are told."""

from __future__ import annotations

import pytest
import time_machine

from xiaobao.complaints.models import Clock, Notification
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.complaints.sweeper import sla_sweep

pytestmark = pytest.mark.django_db


def test_extension_rearms_warnings(branch_officer, b1_handler, payload):
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        c, _ = complaint_register(actor=branch_officer, data=payload())
        complaint_transition(
            actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"}
        )
        complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    with time_machine.travel("2026-03-16 10:00 +0800", tick=False):  # one working day before 03-17
        sla_sweep()
        assert Clock.objects.get(complaint=c, name="decision").warned
        complaint_transition(
            actor=b1_handler, complaint=c, action="extend", data={"to_days": 30, "reason": "需要调查"}
        )
        clock = Clock.objects.get(complaint=c, name="decision")
    assert clock.due_date.isoformat() == "2026-04-01" and clock.warned == [] and clock.escalation_level == 0


def test_breach_found_by_a_transition_is_still_told(branch_officer, b1_handler, payload):
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        c, _ = complaint_register(actor=branch_officer, data=payload())
        complaint_transition(
            actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"}
        )
    with time_machine.travel("2026-03-18 10:00 +0800", tick=False):
        # the handler acts after the deadline: the recomputed clock is already stored as breached
        complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
        assert Clock.objects.get(complaint=c, name="decision").state == "breached"
        sla_sweep()
        sla_sweep()
    # one notice per breached clock (decision and first contact), however many sweeps run
    notices = Notification.objects.filter(user=b1_handler, kind="sla_breach", complaint=c)
    assert notices.count() == 2 and all(c.reference in n.message for n in notices)
