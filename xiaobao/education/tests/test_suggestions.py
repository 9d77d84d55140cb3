"""Anti-fraud suggestions: a branch whose fraud-related complaints rose (last 30 days against the 90 before)
is suggested a targeted campaign; the complaints 30 days before and after each anti-fraud activity there."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.complaints.models import Complaint
from xiaobao.education.models import Activity
from xiaobao.education.suggestions import suggestions
from xiaobao.education.tests.test_figures import codes  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def _complaints(complaints, unit, days, fraud=True):
    """Copies of a fixture complaint at `unit`, received on each day (fraud: business type B0204)."""
    from xiaobao.complaints.models import ComplaintCode

    base = complaints
    b0204 = ComplaintCode.objects.get(code="B0204")
    other = (
        ComplaintCode.objects.exclude(code="B0204").filter(parent__isnull=False).first() or base.business_type
    )
    for i, day in enumerate(days):
        c = Complaint.objects.get(pk=base.pk)
        c.pk = None
        c.id = None
        c.reference = f"SG{unit.pk}{day:%m%d}{i:03d}{int(fraud)}"
        c.org_unit = unit
        c.receipt_date = day
        c.business_type = b0204 if fraud else other
        c.description = "普通投诉"
        c.save()


@pytest.fixture
def complaints(org, hq_officer):
    """One registered complaint (the copies are made from it), the complaint codes preloaded."""
    from xiaobao.complaints.services import complaint_register

    c, _ = complaint_register(
        actor=hq_officer,
        data={
            "received_at": "2025-01-02T10:30:00+08:00",
            "channel": "A0302",
            "business_type": "B0303",
            "cause": "C07",
            "source": "direct",
            "org_unit": org.b1s.code,
            "complainant": {"name": "张伟", "id_number": "110108199003070016", "phone": "13812345678"},
            "request": "退还多收的年费 200 元",
            "description": "客户称信用卡年费未经同意扣收，要求退还。",
        },
    )
    return c


def test_rise_suggests_a_campaign_with_before_after(org, codes, complaints, hq_officer):  # noqa: F811
    # given 6 fraud complaints at branch 1 in the last 30 days, 3 in the 90 before; branch 2 flat
    recent = [TODAY - dt.timedelta(days=d) for d in (1, 3, 5, 8, 12, 20)]
    earlier = [TODAY - dt.timedelta(days=d) for d in (40, 70, 100)]
    _complaints(complaints, org.b1o, recent + earlier)
    _complaints(complaints, org.b2s, [TODAY - dt.timedelta(days=d) for d in (2, 45, 60, 80, 95, 110)])
    _complaints(complaints, org.b1o, [TODAY - dt.timedelta(days=2)] * 5, fraud=False)
    # and an anti-fraud activity held at the branch 10 days ago
    a = Activity.objects.create(
        reference="EDS0001",
        status="approved",
        org_unit=org.b1s,
        title="反诈进社区",
        held_on=TODAY - dt.timedelta(days=10),
        venue=codes.venue,
        reported_by=hq_officer,
        people_reached=0,
    )
    a.topics.set([codes.fraud])
    # when
    got = suggestions(hq_officer, today=TODAY)
    # then branch 1 only, with the counts and the rule
    assert [s.branch.code for s in got] == ["B1"]
    s = got[0]
    assert (s.recent, s.before) == (6, 3) and "30" in s.rule
    assert "org_unit=B1" in s.report_url and "topics=" in s.report_url
    # and before/after the activity: fraud complaints of the 30 days on each side
    ba = s.activities[0]
    held = a.held_on
    assert ba.before == sum(1 for d in recent + earlier if held - dt.timedelta(days=30) <= d < held)
    assert ba.after == sum(1 for d in recent if held < d <= held + dt.timedelta(days=30))
    assert ba.partial and ba.after_days == 10


def test_no_rise_no_suggestion_and_scope(org, codes, complaints, branch_officer, other_branch_officer):  # noqa: F811
    _complaints(complaints, org.b1o, [TODAY - dt.timedelta(days=d) for d in (1, 2, 3, 4)])
    assert [s.branch.code for s in suggestions(branch_officer, today=TODAY)] == ["B1"]
    assert suggestions(other_branch_officer, today=TODAY) == []
    # a small count is no rise
    assert suggestions(branch_officer, today=TODAY + dt.timedelta(days=60)) == []


def test_figures_page_shows_the_panel(org, codes, complaints, client_for, hq_officer):  # noqa: F811
    import time_machine

    _complaints(complaints, org.b1o, [TODAY - dt.timedelta(days=d) for d in (1, 2, 3, 4)])
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 0), tick=False):
        r = client_for(hq_officer).get("/education/figures/", {"period": "2026"})
    assert r.status_code == 200 and 'data-testid="suggestion"' in r.content.decode()
