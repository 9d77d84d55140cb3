"""The demo loader: sales imported through the import framework, samples drawn, first items checked."""

from __future__ import annotations

import pytest
import time_machine

from conftest import make_user
from xiaobao.inspections.models import Inspection
from xiaobao.sales_recording.demo import sales_recording_demo_load
from xiaobao.sales_recording.models import RecordedSale, RecordingSample, SampleItem

pytestmark = pytest.mark.django_db


def test_demo_loads_sales_samples_and_checks(org):
    # given the demo logins the loader uses
    make_user("hq_cp", org.cpd, ["hq_cp_officer"])
    make_user("branch1_cp", org.b1, ["branch_cp_officer"])
    make_user("branch2_cp", org.b2, ["branch_cp_officer"])
    # when
    with time_machine.travel("2026-05-20 10:00 +0800", tick=False):
        result = sales_recording_demo_load(seed=7, quarters=2)
    # then Q1 and part of Q2 at the one outlet, Q1 sampled for branch 1 (no outlet in branch 2) and checked
    assert result.sales == RecordedSale.objects.count() > 10
    assert RecordingSample.objects.filter(year=2026, quarter=1).count() == 2
    checked = SampleItem.objects.filter(inspection__isnull=False)
    assert result.checks == checked.count() > 0
    assert set(
        Inspection.objects.filter(sales_sample_item_id__isnull=False).values_list("status", flat=True)
    ) == {"submitted"}
