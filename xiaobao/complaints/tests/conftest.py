"""Fixtures for complaint tests: staff in branch 1 and a ready-made registration payload."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_user


@pytest.fixture
def b1_handler(org):
    return make_user("b1_handler", org.b1s, ["complaint_handler"])


@pytest.fixture
def b1_handler2(org):
    return make_user("b1_handler2", org.b1s, ["complaint_handler"])


@pytest.fixture
def b1_approver(org):
    return make_user("b1_approver", org.b1, ["approver"])


@pytest.fixture
def b2_handler(org):
    return make_user("b2_handler", org.b2s, ["complaint_handler"])


@pytest.fixture
def payload(org):
    def make(**over):
        data = {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A0302",
            "business_type": "B0303",
            "cause": "C07",
            "source": "direct",
            "org_unit": org.b1s.code,
            "complainant": {"name": "张伟", "id_number": "110108199003070016", "phone": "13812345678"},
            "request": "退还多收的年费 200 元",
            "description": "客户称信用卡年费未经同意扣收，要求退还。",
        }
        data.update(over)
        return data

    return make


@pytest.fixture
def today():
    return dt.date(2026, 3, 2)
