"""The demo loader: eight complaints through the portal over recent weeks, settings filled in."""

from __future__ import annotations

import datetime as dt

import pytest

from xiaobao.complaints.models import Complaint
from xiaobao.portal.demo import portal_demo_load
from xiaobao.portal.models import PortalSettings, PortalSubmission

pytestmark = pytest.mark.django_db


def test_demo_loads_eight_portal_complaints_over_recent_weeks(org):
    result = portal_demo_load(today=dt.date(2026, 3, 31))
    assert result["submitted"] == 8 and PortalSubmission.objects.count() == 8
    days = sorted(Complaint.objects.values_list("receipt_date", flat=True))
    assert days[0] >= dt.date(2026, 2, 21) and days[-1] <= dt.date(2026, 3, 28)
    s = PortalSettings.objects.get()
    assert s.branch_choice and s.receiving_unit == org.cpd
    assert {c.org_unit.code for c in Complaint.objects.select_related("org_unit")} >= {"HO-CPD", "B1"}
