"""The shared sweeper over rectification clocks: a warning to the owner before the due date, breach after
it, escalation up the unit chain one rung per working day late; verified and cancelled items are left
alone."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.casework.models import Notification
from xiaobao.casework.sweeper import sweep_clocks
from xiaobao.rectification.models import RectificationClock
from xiaobao.rectification.services import rectification_transition
from xiaobao.rectification.tests.conftest import at

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def _sweep(day: str):
    y, m, d = (int(p) for p in day.split("-"))
    return sweep_clocks(now=dt.datetime(y, m, d, 9, 0, tzinfo=TZ), models=[RectificationClock])


def _told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_overdue_item_is_breached_and_escalated_up_the_unit_chain(open_item, owner, verifier, officer):
    # given an item due 2026-03-16 (ten working days from Monday 03-02)
    item = open_item()
    # when the sweeper runs on Thursday 03-19: two working days have fully passed (17, 18)
    report = _sweep("2026-03-19")
    clock = item.clocks.get()
    item.refresh_from_db()
    # then breached, climbed two rungs: the owner, the unit head (approver), the branch officer
    assert (clock.state, clock.escalation_level) == ("breached", 2)
    assert item.clock_state == "breached"
    assert report.breached == 1 and report.escalated == 1
    assert "sla_breach" in _told(owner)
    assert "sla_escalation" in _told(verifier)
    assert "sla_escalation" in _told(officer)
    # and a second pass the same day tells nobody twice
    before = Notification.objects.count()
    _sweep("2026-03-19")
    assert Notification.objects.count() == before


def test_the_owner_is_warned_before_the_due_date(open_item, owner):
    open_item()
    # 03-13 (Fri): one working day (03-16) left
    _sweep("2026-03-13")
    assert _told(owner) == ["sla_warning"]
    assert RectificationClock.objects.get().state == "running"


def test_verified_and_cancelled_items_are_left_alone(open_item, owner, verifier, officer):
    done = open_item()
    with at("2026-03-05"):
        done = rectification_transition(actor=owner, item=done, action="submit", data={"result": "已整改"})
        rectification_transition(actor=verifier, item=done, action="verify", data={})
    dropped = open_item()
    with at("2026-03-05"):
        rectification_transition(actor=officer, item=dropped, action="cancel", data={"reason": "重复立项"})
    report = _sweep("2026-03-25")
    assert (report.breached, report.escalated, report.warned) == (0, 0, 0)
    assert set(RectificationClock.objects.values_list("state", flat=True)) == {"met", "stopped"}
