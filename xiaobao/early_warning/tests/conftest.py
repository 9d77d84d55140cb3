"""Fixtures for early-warning tests: branch staff, and complaints registered through the real service."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import make_user
from xiaobao.complaints.tests.conftest import b1_handler, b2_handler, payload  # noqa: F401 (shared fixtures)

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 3, 2)  # a Monday, a working day
NOW = dt.datetime(2026, 3, 2, 18, 0, tzinfo=SH)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def travel(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def hq_cp(org):
    return make_user("ew_hq_cp", org.cpd, ["hq_cp_officer"])


@pytest.fixture
def register(payload):
    """register(actor, day, n=1, hour=10, **payload overrides) → the complaints, registered at `now`."""
    from xiaobao.complaints.services import complaint_register

    def make(actor, day: dt.date, n: int = 1, hour: int = 10, **over):
        out = []
        for i in range(n):
            data = payload(received_at=at(day, hour, i % 60).isoformat(), **over)
            out.append(complaint_register(actor=actor, data=data)[0])
        return out

    return make


@pytest.fixture
def flat_history(register, b1_handler):
    """One card complaint a day at branch 1's sub-branch over the 28 days before DAY and on DAY itself."""
    with travel(NOW):
        for back in range(28, -1, -1):
            register(b1_handler, DAY - dt.timedelta(days=back), complainant={"name": f"客户{back}"})
