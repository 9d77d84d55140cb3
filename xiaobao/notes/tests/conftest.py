"""Fixtures for notes and templates: staff of branch 1 and 2 and a complaint of branch 1's sub-branch."""

from __future__ import annotations

import pytest

from conftest import make_user

COMPLAINT = {
    "received_at": "2026-03-02T10:30:00+08:00",
    "channel": "A0302",
    "business_type": "B0303",
    "cause": "C07",
    "source": "direct",
    "complainant": {"name": "张伟", "id_number": "110108199003070016", "phone": "13812345678"},
    "request": "退还多收的年费 200 元",
    "description": "客户称信用卡年费未经同意扣收，要求退还。",
}
DRAFT = {"verification": "调取了账单", "basis": "领用合约第5条", "result": "退还年费 200 元", "remedies": ""}


@pytest.fixture
def b1_handler(org):
    return make_user("b1_handler", org.b1s, ["complaint_handler"])


@pytest.fixture
def b1_colleague(org):
    """Another handler of the same sub-branch (can see the complaint)."""
    from xiaobao.core.models import User

    u = make_user("b1_colleague", org.b1s, ["complaint_handler"])
    User.objects.filter(pk=u.pk).update(full_name="李娜")
    return User.objects.get(pk=u.pk)


@pytest.fixture
def b2_handler(org):
    """A handler of branch 2 (cannot see branch 1's complaints)."""
    from xiaobao.core.models import User

    u = make_user("b2_handler", org.b2s, ["complaint_handler"])
    User.objects.filter(pk=u.pk).update(full_name="王强")
    return User.objects.get(pk=u.pk)


def register(actor, unit, **over):
    from xiaobao.complaints.services import complaint_register

    c, _ = complaint_register(actor=actor, data={**COMPLAINT, "org_unit": unit.code, **over})
    return c


@pytest.fixture
def complaint(org, b1_handler):
    return register(b1_handler, org.b1s)


@pytest.fixture
def drafted(org, b1_handler):
    """A complaint of branch 1's sub-branch with a drafted decision."""
    from xiaobao.complaints.services import complaint_transition

    c = register(b1_handler, org.b1s)
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    complaint_transition(actor=b1_handler, complaint=c, action="draft", data=DRAFT)
    c.refresh_from_db()
    return c
