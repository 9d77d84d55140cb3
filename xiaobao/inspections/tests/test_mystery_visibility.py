"""A mystery-shopping visit is not visible to the outlet visited until it is submitted."""

from __future__ import annotations

import pytest

from conftest import make_user
from xiaobao.inspections.models import Inspection
from xiaobao.inspections.tests.conftest import grant

pytestmark = pytest.mark.django_db


def _mystery(inspection, plan_unit):
    from xiaobao.inspections.models import InspectionPlan

    plan = InspectionPlan.objects.create(
        name="暗访",
        kind="mystery_shopping",
        template=inspection.template,
        period_start=inspection.due_date or "2026-01-01",
        period_end=inspection.due_date or "2026-03-31",
        inspecting_unit=plan_unit,
        scope_unit=plan_unit,
        outlet_count=1,
        created_by=inspection.handler,
    )
    Inspection.objects.filter(pk=inspection.pk).update(plan=plan, is_mystery=True, kind="mystery_shopping")


def test_an_outlet_does_not_see_a_mystery_visit_before_it_is_submitted(org, inspection, hq):
    # given a head-office mystery visit to branch 1's outlet, and a user of that outlet
    _mystery(inspection, org.cpd)
    outlet_user = grant(make_user("outlet_staff", org.b1o, []), "view_inspection")
    branch_user = grant(make_user("branch_staff", org.b1, []), "view_inspection")
    # when / then: neither the outlet nor its branch sees it while it is planned or under way
    for status in ("planned", "in_progress"):
        Inspection.objects.filter(pk=inspection.pk).update(status=status)
        assert not Inspection.objects.visible_to(outlet_user).filter(pk=inspection.pk).exists()
        assert not Inspection.objects.visible_to(branch_user).filter(pk=inspection.pk).exists()
        # the inspector and head office do
        assert Inspection.objects.visible_to(inspection.handler).filter(pk=inspection.pk).exists()
        assert Inspection.objects.visible_to(hq).filter(pk=inspection.pk).exists()
    # once submitted, the outlet sees its result
    Inspection.objects.filter(pk=inspection.pk).update(status="submitted")
    assert Inspection.objects.visible_to(outlet_user).filter(pk=inspection.pk).exists()


def test_a_branch_planning_its_own_mystery_visit_sees_it(org, inspection):
    # given a mystery visit planned by branch 1 itself
    _mystery(inspection, org.b1)
    branch_user = grant(make_user("branch_planner", org.b1, []), "view_inspection")
    # then the branch (the inspecting side) sees it
    assert Inspection.objects.visible_to(branch_user).filter(pk=inspection.pk).exists()
