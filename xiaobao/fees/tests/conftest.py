"""Fee catalogue personas: the shared ones (hq_officer at the head office's consumer-protection department,
branch officers of branches 1 and 2, the auditor) and a head-office product department's responder."""

from __future__ import annotations

import pytest
import time_machine

from conftest import make_user

DAY = "2026-03-02 10:00 +0800"  # a Monday


@pytest.fixture(autouse=True)
def _pinned_day():
    """Every fee test runs on Monday 2 March 2026 (the suite also runs with the clock a year ahead)."""
    with time_machine.travel(DAY, tick=False):
        yield


@pytest.fixture
def retail(org):
    """The head office's retail banking department (a department directly under the head office)."""
    from xiaobao.core.services.org import org_unit_create

    return org_unit_create(actor=None, code="HO-RET", name="零售银行部", kind="department", parent=org.ho)


@pytest.fixture
def responder(retail):
    """A product department's business responder at the head office: prepares institution-wide fees."""
    from xiaobao.core.models import User

    return User.objects.get(pk=make_user("retail_resp", retail, ["business_responder"]).pk)


@pytest.fixture
def reviewer(hq_officer):
    from xiaobao.core.models import User

    return User.objects.get(pk=hq_officer.pk)


@pytest.fixture
def b1_officer(branch_officer):
    from xiaobao.core.models import User

    return User.objects.get(pk=branch_officer.pk)
