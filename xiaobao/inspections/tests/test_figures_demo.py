"""The demo year of inspections and rectification (through the services): every state there, clocks and
the audit trail consistent, the figures non-empty."""

from __future__ import annotations

from collections import Counter

import pytest
import time_machine
from django.db.models import Count

from xiaobao.analytics.periods import Period
from xiaobao.core.demo import demo_load
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.services.audit import audit_verify
from xiaobao.inspections import figures
from xiaobao.inspections.demo import inspections_demo_load
from xiaobao.inspections.models import Finding, Inspection
from xiaobao.rectification.models import Rectification, RectificationEvent, RectificationExtension

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-06-17 18:00 +0800", tick=False)
def test_demo_year_of_inspections_and_rectification():
    # given the demo bank; when the year is loaded
    demo_load(consumers=0)
    result = inspections_demo_load(seed=7)
    # then inspections were planned, filled and submitted through the plans
    statuses = Counter(dict(Inspection.objects.values_list("status").annotate(n=Count("pk"))))
    assert statuses["submitted"] > 50 and statuses["planned"] + statuses["in_progress"] > 0
    assert not Inspection.objects.filter(plan__isnull=True).exists()
    assert result.answers > 1000 and Finding.objects.filter(is_repeat=True).exists()
    # rectification items in every state
    states = set(Rectification.objects.values_list("status", flat=True))
    assert {"open", "in_progress", "submitted", "verified"} <= states
    actions = set(RectificationEvent.objects.values_list("action", flat=True))
    assert {"open", "start", "submit", "reject", "verify", "extend", "approve_extension"} <= actions
    assert RectificationExtension.objects.filter(state="approved").exists()
    overdue = Rectification.objects.filter(
        status__in=["open", "in_progress", "submitted"], due_date__lt="2026-06-17"
    )
    assert overdue.exists() and set(overdue.values_list("clock_state", flat=True)) == {"breached"}
    assert Rectification.objects.filter(status="verified", clock_state="met").exists()
    assert Rectification.objects.filter(status="verified", clock_state="breached").exists()
    assert Rectification.objects.filter(source="regulator").count() == 2
    # nothing recorded after today, and the audit chain holds
    assert not RectificationEvent.objects.filter(at__gt="2026-06-17T18:00:00+08:00").exists()
    assert audit_verify().broken_id is None
    # and the figures of the last quarter have something to show
    hq = User.objects.get(username="hq_cp")
    data = figures.compute(user=hq, unit=OrgUnit.objects.get(code="HO"), period=Period.quarter(2026, 1))
    assert data.figure("done").value and data.by_aspect and data.figure("on_time_rate").value
