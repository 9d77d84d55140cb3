"""Fixtures for report tests: complaints in two branches and head office over October 2026 (and a year and a
quarter before, for the changes), as a month-end "today"."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import time_machine

from conftest import make_user
from xiaobao.complaints.tests.conftest import b1_handler, b2_handler, payload  # noqa: F401

TODAY = "2026-11-10 10:00 +0800"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def hq_handler(org):
    return make_user("hq_handler", org.cpd, ["complaint_handler"])


@pytest.fixture
def b1_sub2(org):
    """A second sub-branch in branch 1, so the branch table has two child columns."""
    from xiaobao.core.services.org import org_unit_create

    return org_unit_create(actor=None, code="B1-S2", name="朝阳支行", kind="sub_branch", parent=org.b1)


# (unit attr, channel, business type, cause, source, day)
OCTOBER = [
    ("b1s", "A01", "B0201", "C01", "direct", "2026-10-02"),
    ("b1s", "A0302", "B0303", "C07", "direct", "2026-10-05"),
    ("b1s", "A0302", "B0303", "C07", "nfra_transfer", "2026-10-09"),
    ("b1o", "A01", "B01", "C03", "direct", "2026-10-15"),
    ("b1", "A02", "B02", "C03", "pboc_transfer", "2026-10-20"),  # coded at the top level of 贷款
    ("b1_sub2", "A0303", "B0401", "C10", "direct", "2026-10-31"),
    ("b2s", "A01", "B0303", "C07", "direct", "2026-10-03"),
    ("b2s", "A08", "B05", "C08", "nfra_transfer", "2026-10-30"),
    ("cpd", "A06", "B13", "C12", "direct", "2026-10-12"),
]
OUTSIDE = [  # not in October: must not be counted in the monthly table
    ("b1s", "A01", "B01", "C01", "direct", "2026-09-30"),
    ("b2s", "A01", "B01", "C01", "direct", "2026-11-01"),
    ("b1s", "A01", "B01", "C01", "direct", "2025-10-15"),  # a year before (year-on-year)
]


@pytest.fixture
def complaints(org, b1_sub2, b1_handler, b2_handler, hq_handler, payload):
    """Register the October complaints (and a few outside October) through the real service."""
    from conftest import make_user
    from xiaobao.complaints.services import complaint_register

    b1_officer = make_user("b1_registrar", org.b1, ["complaint_handler"])
    actors = {
        "b1s": b1_handler,
        "b1o": b1_handler,
        "b1": b1_officer,
        "b1_sub2": b1_officer,
        "b2s": b2_handler,
        "cpd": hq_handler,
    }
    units = {"b1s": org.b1s, "b1o": org.b1o, "b1": org.b1, "b1_sub2": b1_sub2, "b2s": org.b2s, "cpd": org.cpd}
    made = []
    for i, (unit, channel, business, cause, source, day) in enumerate(OCTOBER + OUTSIDE):
        data = payload(
            received_at=f"{day}T10:00:00+08:00",
            channel=channel,
            business_type=business,
            cause=cause,
            source=source,
            org_unit=units[unit].code,
            complainant={"name": f"客户{i:02d}号", "phone": f"139{i:08d}"},
        )
        made.append(complaint_register(actor=actors[unit], data=data)[0])
    return made


def period(text: str):
    from xiaobao.analytics.periods import Period

    return Period.parse(text)


def read_xlsx(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(BytesIO(content))


def month_day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
