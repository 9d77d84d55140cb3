"""Target hours: the nearest plan up the tree with a target for the person's layer (training/targets.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.db.models import DecimalField, F
from django.db.models.functions import Cast

from xiaobao.training.models import LayerTarget, PositionLayer, StaffMember, TrainingPlan
from xiaobao.training.targets import (
    ancestor_paths,
    target_expression,
    target_hours_for,
    target_table,
    targets_by_unit_layer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_pinned")]


@pytest.fixture
def _pinned():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def layer(code: str) -> PositionLayer:
    return PositionLayer.objects.get(code=code)


def plan(unit, year: int, actor, **targets: str) -> TrainingPlan:
    p = TrainingPlan.objects.create(year=year, org_unit=unit, title=f"{unit.code} {year}", created_by=actor)
    for code, hours in targets.items():
        LayerTarget.objects.create(plan=p, layer=layer(code), target_hours=Decimal(hours))
    return p


def person(no: str, unit, code: str = "front_line") -> StaffMember:
    return StaffMember.objects.create(employee_no=no, name=f"员工{no}", org_unit=unit, layer=layer(code))


@pytest.fixture
def plans(org, hq_officer):
    # given head office sets 12 h for front line and 20 h for middle management in 2026, the Beijing branch
    # sets 16 h for front line only, and the Haidian sub-branch has a plan without targets
    plan(org.ho, 2026, hq_officer, front_line="12", middle_management="20")
    plan(org.b1, 2026, hq_officer, front_line="16")
    plan(org.b1s, 2026, hq_officer)
    plan(org.ho, 2025, hq_officer, front_line="8")
    return org


def test_ancestor_paths_nearest_first(org):
    assert ancestor_paths(org.b1o.path) == [org.b1o.path, org.b1s.path, org.b1.path, org.ho.path]


def test_nearest_plan_with_a_target_for_the_layer(plans):
    org = plans
    # when / then: an outlet under the branch takes the branch's front-line target, through the sub-branch
    # whose plan sets none
    assert target_hours_for(person("1", org.b1o), 2026) == Decimal("16")
    # a branch plan without a middle-management target does not hide head office's
    assert target_hours_for(person("2", org.b1o, "middle_management"), 2026) == Decimal("20")
    # the other branch has no plan: head office's
    assert target_hours_for(person("3", org.b2s), 2026) == Decimal("12")
    # a layer nobody sets a target for, and a year without plans
    assert target_hours_for(person("4", org.b1, "new_hire"), 2026) is None
    assert target_hours_for(person("5", org.b1), 2027) is None
    # the year matters
    assert target_hours_for(person("6", org.b1), 2025) == Decimal("8")


def test_a_plan_of_another_subtree_does_not_apply(plans, hq_officer):
    org = plans
    # given a plan of the Shanghai branch
    plan(org.b2, 2026, hq_officer, new_hire="30")
    # then it does not reach Beijing's new hires, only Shanghai's
    assert target_hours_for(person("7", org.b1o, "new_hire"), 2026) is None
    assert target_hours_for(person("8", org.b2s, "new_hire"), 2026) == Decimal("30")


def test_bulk_forms_agree_with_the_single_rule(plans, hq_officer, django_assert_num_queries):
    org = plans
    plan(org.b2, 2026, hq_officer, new_hire="30")
    people = [
        person(f"{i}{code}", unit, code)
        for i, unit in enumerate([org.ho, org.cpd, org.b1, org.b1s, org.b1o, org.b2, org.b2s])
        for code in ["senior_management", "middle_management", "front_line", "new_hire"]
    ]
    expected = {(p.org_unit.path, p.layer_id): target_hours_for(p, 2026) for p in people}

    # when
    with django_assert_num_queries(2):
        by_pair = targets_by_unit_layer(2026)
    # then: the same target for every (unit, layer); pairs without one are absent
    assert {k: v for k, v in expected.items() if v is not None} == by_pair
    table = target_table(2026)
    assert all(table.for_unit(path, lid) == hours for (path, lid), hours in expected.items())

    # and the SQL form gives each row the same target: one query for the table, one for the rows
    with django_assert_num_queries(2):
        rows = list(
            StaffMember.objects.annotate(target=target_expression(2026)).values_list(
                "org_unit__path", "layer_id", "target"
            )
        )
    assert len(rows) == len(people)
    assert all(expected[(path, lid)] == target for path, lid, target in rows)


def test_bulk_form_of_a_subtree(plans):
    org = plans
    by_pair = targets_by_unit_layer(2026, org.b2)
    front = layer("front_line").pk
    assert {path for path, _ in by_pair} == {org.b2.path, org.b2s.path}
    assert by_pair[(org.b2s.path, front)] == Decimal("12")


def test_sql_form_without_targets_is_null(org):
    person("9", org.b1)
    assert list(StaffMember.objects.annotate(t=target_expression(2030)).values_list("t", flat=True)) == [None]


def test_sql_form_compares_in_the_database(plans):
    org = plans
    # given a person with 14 h "on record" (a stand-in column: the employee number) under a 16 h target
    # and one under head office's 12 h
    a = person("14", org.b1o)
    b = person("13", org.b2s)
    # when filtering on hours >= target in SQL
    hours = Cast(F("employee_no"), DecimalField(max_digits=5, decimal_places=1))
    qs = StaffMember.objects.annotate(target=target_expression(2026), hours=hours).filter(
        target__isnull=False, target__lte=F("hours")
    )
    # then only the one whose nearest target is met
    assert list(qs) == [b]
    assert a not in qs
