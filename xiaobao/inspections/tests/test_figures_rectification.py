"""The rectification figures of the inspection section: on time over the items opened in the period and
verified, overdue open items as of today, and the rectification list behind each showing those rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import make_user
from xiaobao.analytics.periods import Period
from xiaobao.inspections import figures as F
from xiaobao.inspections.tests.test_figures import grant
from xiaobao.rectification.models import Rectification
from xiaobao.rectification.services import rectification_open, rectification_transition

pytestmark = pytest.mark.django_db
RECT = ("rectification.view_rectification", "rectification.open_rectification")
WORK = ("rectification.view_rectification", "rectification.work_rectification")
VERIFY = ("rectification.view_rectification", "rectification.verify_rectification")


def at(day: str, hour: str = "10:00"):
    return time_machine.travel(f"{day} {hour} +0800", tick=False)


@pytest.fixture
def items(org, branch_officer):
    """Opened 2026-03-02 (10 working days: due 03-16): one verified on 03-10 (on time), one verified on
    03-25 (late), one left open (overdue from 03-17); one opened in April (another period)."""
    grant(branch_officer, F.VIEW_PERM, *RECT, *VERIFY)
    owner = make_user("outlet_owner", org.b1o, ["complaint_handler"])
    grant(owner, *WORK)
    made = []
    for day in ("2026-03-02", "2026-03-02", "2026-03-02", "2026-04-01"):
        with at(day):
            made.append(
                rectification_open(
                    actor=branch_officer,
                    data={
                        "org_unit": org.b1o.code,
                        "title": "叫号机故障未及时报修",
                        "description": "检查发现网点叫号机故障三天未报修。",
                        "source": "inspection",
                        "opened_on": day,
                        "owner": "outlet_owner",
                    },
                )
            )
    for item, day in ((made[0], "2026-03-10"), (made[1], "2026-03-25")):
        with at(day, "09:00"):
            item = rectification_transition(
                actor=owner, item=item, action="submit", data={"result": "已整改"}
            )
        with at(day, "15:00"):
            rectification_transition(actor=branch_officer, item=item, action="verify", data={})
    return made


def test_on_time_and_overdue(items, org, branch_officer):
    with at("2026-04-10"):
        result = F.compute(user=branch_officer, unit=org.b1, period=Period.quarter(2026, 1))
    assert result.total.verified == 2 and result.total.on_time == 1
    assert result.figure("on_time_rate").value == pytest.approx(0.5)
    assert result.figure("overdue").value == 1  # the March item left open; April's is not due yet
    assert Rectification.objects.get(pk=items[2].pk).due_date < dt.date(2026, 4, 10)


def test_the_rectification_lists_behind_the_figures(items, org, branch_officer, client_for):
    client = client_for(branch_officer)
    with at("2026-04-10"):
        result = F.compute(user=branch_officer, unit=org.b1, period=Period.quarter(2026, 1))
        verified = client.get(result.figure("on_time_rate").url).content.decode()
        overdue = client.get(result.figure("overdue").url).content.decode()
    assert items[0].reference in verified and items[1].reference in verified
    assert items[2].reference not in verified and items[3].reference not in verified
    assert items[2].reference in overdue and items[0].reference not in overdue
    assert items[3].reference not in overdue


def test_another_branch_sees_none_of_it(items, org, other_branch_officer):
    grant(other_branch_officer, F.VIEW_PERM, *RECT)
    with at("2026-04-10"):
        result = F.compute(user=other_branch_officer, unit=org.b1, period=Period.quarter(2026, 1))
    assert result.total.verified == 0 and result.figure("overdue").value == 0
