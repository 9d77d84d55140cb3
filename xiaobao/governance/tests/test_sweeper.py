"""The shared sweeper over action-item clocks (pinned dates): a meeting's action item goes overdue — breach
the day after its due date, escalation up the unit chain one rung per working day late, each person told
once; closed and cancelled items are left alone; the overdue view lists it."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest

from xiaobao.casework.models import Notification
from xiaobao.casework.sweeper import sweep_clocks
from xiaobao.governance.models import ActionClock
from xiaobao.governance.tests.conftest import PDF, at

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def _sweep(day: str):
    y, m, d = (int(p) for p in day.split("-"))
    return sweep_clocks(now=dt.datetime(y, m, d, 9, 0, tzinfo=TZ), models=[ActionClock])


def _told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_a_meetings_overdue_action_item_is_breached_and_escalated(open_item, owner, verifier, officer):
    # given a meeting's action item due Monday 2026-03-16
    item = open_item()
    assert item.clocks.get().due_date == dt.date(2026, 3, 16)
    # when the sweeper runs on Thursday 03-19: two working days have fully passed (17, 18)
    report = _sweep("2026-03-19")
    clock = item.clocks.get()
    item.refresh_from_db()
    # then breached and climbed two rungs: owner → unit head (approver) → branch officer
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


def test_the_overdue_view_shows_the_escalated_item(open_item, officer, client_for):
    item = open_item()
    _sweep("2026-03-19")
    with at("2026-03-19"):
        # when the officer opens the overdue view and the item
        listing = client_for(officer).get("/governance/items/?view=overdue")
        page = client_for(officer).get(f"/governance/items/{item.pk}/")
    # then it is listed and its clock says escalated
    assert listing.status_code == 200 and item.reference in listing.content.decode()
    assert 'data-testid="escalated"' in page.content.decode()


def test_the_owner_is_warned_before_the_due_date(open_item, owner):
    open_item()
    # 03-13 (Fri): one working day (03-16) left
    _sweep("2026-03-13")
    assert _told(owner) == ["sla_warning"]
    assert ActionClock.objects.get().state == "running"


def test_closed_and_cancelled_items_are_left_alone(open_item, owner, officer):
    from xiaobao.governance import services as svc

    done = open_item()
    with at("2026-03-05"):
        svc.evidence_add(actor=owner, item=done, fileobj=BytesIO(PDF), name="done.pdf")
        done = svc.action_transition(actor=owner, item=done, action="submit", data={"result": "已完成"})
        svc.action_transition(actor=officer, item=done, action="close", data={})
    dropped = open_item(title="另一事项")
    with at("2026-03-05"):
        svc.action_transition(actor=officer, item=dropped, action="cancel", data={"reason": "会议决定撤销"})
    report = _sweep("2026-03-25")
    assert (report.breached, report.escalated, report.warned) == (0, 0, 0)
    assert set(ActionClock.objects.values_list("state", flat=True)) == {"met", "stopped"}
