"""A small dated data set for statistics: two branches, several codes, sources and outcomes."""

from __future__ import annotations

import pytest
import time_machine

from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition


def at(day: str, time: str = "10:00"):
    return time_machine.travel(f"{day} {time} +0800", tick=False)


def register(actor, unit, day: str, **over):
    data = {
        "received_at": f"{day}T10:00:00+08:00",
        "channel": "A0302",
        "business_type": "B0303",
        "cause": "C07",
        "source": "direct",
        "org_unit": unit.code,
        "complainant": {"name": "张伟"},
        "request": "退还年费",
        "description": "客户称信用卡年费未经同意扣收。",
    }
    data.update(over)
    with at(day):
        complaint, _ = complaint_register(actor=actor, data=data)
    return complaint


def act(actor, c, action, day: str, time: str = "10:00", **data):
    with at(day, time):
        return complaint_transition(
            actor=actor, complaint=Complaint.objects.get(pk=c.pk), action=action, data=data
        )


def decide(actor, c, day: str):
    act(actor, c, "accept", day)
    act(actor, c, "draft", day, verification="核实", basis="依据", result="决定")
    return act(actor, c, "notify", day, "17:00", method="letter", at=f"{day}T16:00:00+08:00", proof="挂号信")


@pytest.fixture
def dataset(org, hq_officer):
    """October 2026: 6 in branch 1 (one forwarded, one repeat, one decided on time, one late), 3 in branch 2;
    September 2026: 4 in branch 1; October 2025: 2 in branch 1."""
    person = {"name": "李娜", "id_number": "110108199003070016"}
    b1 = [
        register(hq_officer, org.b1s, "2026-10-09"),
        register(hq_officer, org.b1s, "2026-10-09", business_type="B0201", cause="C03"),
        register(hq_officer, org.b1o, "2026-10-12", channel="A01", source="nfra_transfer"),
        register(hq_officer, org.b1, "2026-10-13", complainant=person),
        register(hq_officer, org.b1s, "2026-10-20", complainant=person),  # repeat: same person, same type
        register(hq_officer, org.b1s, "2026-10-28", cause="C03"),
    ]
    b2 = [
        register(hq_officer, org.b2s, "2026-10-10", business_type="B0201"),
        register(hq_officer, org.b2s, "2026-10-15", channel="A01"),
        register(hq_officer, org.b2, "2026-10-30"),
    ]
    september = [register(hq_officer, org.b1s, f"2026-09-{d:02d}") for d in (7, 8, 14, 21)]
    last_year = [register(hq_officer, org.b1s, "2025-10-14"), register(hq_officer, org.b1s, "2025-10-20")]
    decide(hq_officer, b1[0], "2026-10-16")  # due 2026-10-24 → on time (7 days)
    decide(
        hq_officer, b1[1], "2026-10-30"
    )  # due 10-24 is a Saturday → 10-26; notified 10-30 → late (21 days)
    act(hq_officer, b2[0], "withdraw", "2026-10-11", reason="客户撤诉")
    return type("D", (), {"b1": b1, "b2": b2, "september": september, "last_year": last_year})
