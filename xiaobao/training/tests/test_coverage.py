"""Coverage (training/coverage.py): people with a target, those reaching it, by layer and by unit, scoped."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from xiaobao.training.coverage import coverage, coverage_total
from xiaobao.training.tests.test_sessions_fixtures import attend, person, plan, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_pinned")]


@pytest.fixture
def _pinned():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


@pytest.fixture
def bank(org, hq_officer):
    """Head office: 4 h for front line, 10 h for middle management; Beijing: 6 h for front line; no target for
    new hires anywhere."""
    plan(org.ho, 2026, hq_officer, front_line="4", middle_management="10")
    plan(org.b1, 2026, hq_officer, front_line="6")
    plan(org.ho, 2025, hq_officer, front_line="1")
    people = {
        "b1_full": person("B1001", org.b1s),  # 6 h of 6 → covered
        "b1_short": person("B1002", org.b1o),  # 4 h of 6 (Beijing's target) → not covered
        "b2_ok": person("B2001", org.b2s),  # 4 h of 4 (head office's) → covered
        "b2_none": person("B2002", org.b2),  # nothing → not covered
        "mgr": person("HO001", org.cpd, "middle_management"),  # 8 h of 10 → not covered
        "newbie": person("B1003", org.b1, "new_hire"),  # 2 h, no target → not counted in people
        "gone": person("B1004", org.b1s, active=False),  # left: not counted at all
        "ho_own": person("HO002", org.ho),  # at head office itself: 4 h of 4 → covered
    }
    s1 = session(org.b1, hq_officer, "2026-02-10", "4.0")
    s2 = session(org.b1, hq_officer, "2026-02-20", "2.0")
    s3 = session(org.ho, hq_officer, "2026-01-15", "4.0")
    s4 = session(org.ho, hq_officer, "2026-02-01", "4.0")
    last_year = session(org.b1, hq_officer, "2025-12-20", "8.0")
    attend(s1, people["b1_full"])
    attend(s2, people["b1_full"])
    attend(s1, people["b1_short"])
    attend(last_year, people["b1_short"])  # another year: not counted
    attend(s3, people["b2_ok"])
    attend(s3, people["mgr"])
    attend(s4, people["mgr"])
    attend(s2, people["newbie"])
    attend(s1, people["gone"])
    attend(s3, people["ho_own"])
    return people


def by_key(rows):
    return {r.key: r for r in rows}


def test_by_layer_counts_people_with_a_target_and_those_reaching_it(org, hq_officer, bank):
    # when head office's coverage of 2026 is read by layer
    rows = by_key(coverage(user=hq_officer, unit=org.ho, year=2026))
    # then front line: 4 people with a target (b1_full, b1_short, b2_ok, b2_none + ho_own = 5), 3 reach it
    front = rows["front_line"]
    assert (front.people, front.covered) == (5, 3)
    assert front.share == pytest.approx(3 / 5)
    assert front.hours == Decimal("18.0")  # 6 + 4 + 4 + 0 + 4 (last year's 8 h and the leaver's left out)
    assert front.person_times == 5
    # middle management: 8 h of 10
    assert (rows["middle_management"].people, rows["middle_management"].covered) == (1, 0)
    # new hires have no target: not counted in people, but their hours are the layer's
    assert (rows["new_hire"].people, rows["new_hire"].covered, rows["new_hire"].share) == (0, 0, None)
    assert rows["new_hire"].hours == Decimal("2.0")
    assert "senior_management" not in rows  # no staff in that layer
    assert [r.key for r in coverage(user=hq_officer, unit=org.ho, year=2026)] == [
        "middle_management",
        "front_line",
        "new_hire",
    ]


def test_by_unit_rows_are_the_children_and_the_units_own_staff(org, hq_officer, bank):
    # when head office's coverage is read by unit
    rows = coverage(user=hq_officer, unit=org.ho, year=2026, by="unit")
    got = {r.key: (r.people, r.covered, r.hours, r.person_times) for r in rows}
    # then one row per child with staff, and head office's own staff last
    assert got == {
        "HO-CPD": (1, 0, Decimal("8.0"), 2),
        "B1": (2, 1, Decimal("12.0"), 4),
        "B2": (2, 1, Decimal("4.0"), 1),
        "HO": (1, 1, Decimal("4.0"), 1),
    }
    assert rows[-1].label.startswith("总行") or rows[-1].label.startswith(org.ho.name)
    # and the total of the rows is the subtree's figure, whichever way it is cut
    total = coverage_total(rows)
    by_layer = coverage_total(coverage(user=hq_officer, unit=org.ho, year=2026))
    assert (total.people, total.covered, total.hours, total.person_times) == (6, 3, Decimal("28.0"), 8)
    assert (by_layer.people, by_layer.covered, by_layer.hours) == (total.people, total.covered, total.hours)


def test_drill_down_into_a_branch(org, branch_officer, bank):
    # when the Beijing branch officer drills into the branch by unit
    rows = by_key(coverage(user=branch_officer, unit=org.b1, year=2026, by="unit"))
    # then the sub-branch (with its outlet) and the branch's own staff (the new hire, no target)
    assert (rows["B1-S1"].people, rows["B1-S1"].covered) == (2, 1)
    assert (rows["B1"].people, rows["B1"].hours) == (0, Decimal("2.0"))


def test_the_branch_target_overrides_head_office_for_its_people_only(org, hq_officer, bank):
    # Beijing's 6 h applies to b1_short (4 h: not covered); head office's 4 h to b2_ok (4 h: covered)
    b1 = by_key(coverage(user=hq_officer, unit=org.b1, year=2026))["front_line"]
    b2 = by_key(coverage(user=hq_officer, unit=org.b2, year=2026))["front_line"]
    assert (b1.people, b1.covered) == (2, 1)
    assert (b2.people, b2.covered) == (2, 1)


def test_another_year_uses_that_years_plans_and_attendance(org, hq_officer, bank):
    # 2025: head office set 1 h for front line; b1_short had 8 h that December
    rows = by_key(coverage(user=hq_officer, unit=org.ho, year=2025))
    assert (rows["front_line"].people, rows["front_line"].covered) == (5, 1)
    assert rows["front_line"].hours == Decimal("8.0")
    assert "middle_management" in rows and rows["middle_management"].people == 0  # no 2025 target


def test_hours_in_tenths_reach_the_target_exactly(org, hq_officer):
    # given a target of 0.8 h and two sessions of 0.7 h and 0.1 h (a float sum is 0.7999…)
    plan(org.ho, 2026, hq_officer, front_line="0.8")
    p = person("X1", org.b1)
    attend(session(org.b1, hq_officer, "2026-02-01", "0.7"), p)
    attend(session(org.b1, hq_officer, "2026-02-02", "0.5"), p, hours="0.1")
    # then the person is covered
    row = by_key(coverage(user=hq_officer, unit=org.ho, year=2026))["front_line"]
    assert (row.people, row.covered, row.hours) == (1, 1, Decimal("0.8"))


def test_a_target_of_zero_hours_is_reached_by_everybody(org, hq_officer):
    # given no hours asked of front line and 2 h of new hires; a front-line person without attendance
    plan(org.ho, 2026, hq_officer, front_line="0", new_hire="2")
    person("Z1", org.b1)
    attend(session(org.b1, hq_officer, "2026-02-01", "2.0"), person("Z2", org.b1s, "new_hire"))
    # then both are covered
    rows = by_key(coverage(user=hq_officer, unit=org.b1, year=2026))
    assert (rows["front_line"].people, rows["front_line"].covered) == (1, 1)
    assert (rows["new_hire"].people, rows["new_hire"].covered) == (1, 1)


def test_outside_the_users_scope_or_without_permission_nothing(
    org, branch_officer, other_branch_officer, bank
):
    # a branch officer asking for head office or the other branch, or a user without the permission
    assert coverage(user=branch_officer, unit=org.ho, year=2026) == []
    assert coverage(user=other_branch_officer, unit=org.b1, year=2026, by="unit") == []
    learner = make_user("learner1", org.b1, ["learner"])
    assert coverage(user=learner, unit=org.b1, year=2026) == []


def test_no_staff_no_rows(org, hq_officer):
    assert coverage(user=hq_officer, unit=org.ho, year=2026) == []
    assert coverage_total([]).share is None


def test_many_distinct_targets_take_more_statements_but_stay_right(org, hq_officer, settings, monkeypatch):
    # given more distinct target values than one statement carries
    from xiaobao.training import coverage as module

    monkeypatch.setattr(module, "THRESHOLDS_PER_QUERY", 2)
    plan(org.ho, 2026, hq_officer, front_line="1", middle_management="2", senior_management="3", new_hire="4")
    s = session(org.b1, hq_officer, "2026-02-01", "3.0")
    for i, code in enumerate(["front_line", "middle_management", "senior_management", "new_hire"]):
        attend(s, person(f"M{i}", org.b1, code))
    rows = by_key(coverage(user=hq_officer, unit=org.ho, year=2026))
    # then 3 h reach 1, 2 and 3 h but not 4 h
    assert [
        rows[c].covered for c in ("front_line", "middle_management", "senior_management", "new_hire")
    ] == [
        1,
        1,
        1,
        0,
    ]


def test_query_count_does_not_grow_with_people(org, hq_officer, bank):
    def statements() -> int:
        with CaptureQueriesContext(connection) as ctx:
            coverage(user=hq_officer, unit=org.ho, year=2026)
        return sum(q["sql"].startswith("SELECT") for q in ctx.captured_queries)

    statements()  # the user's permissions are cached from here on
    before = statements()
    # given twenty more people with attendance
    s = session(org.b2, hq_officer, "2026-02-03", "4.0")
    for i in range(20):
        attend(s, person(f"N{i:03d}", org.b2s))
    # then coverage takes as many statements as before (targets, people, attendance, units, layers)
    assert statements() == before <= 5


def test_unknown_breakdown_is_refused(org, hq_officer):
    with pytest.raises(ValueError):
        coverage(user=hq_officer, unit=org.ho, year=2026, by="month")


def test_agrees_with_each_persons_target_and_hours(org, hq_officer, bank):
    # given the person-by-person rule of a training record (targets.target_hours_for and the attendance)
    from django.db.models import Sum

    from xiaobao.training.models import StaffMember
    from xiaobao.training.targets import target_hours_for

    people = covered = 0
    for staff in StaffMember.objects.filter(active=True).select_related("org_unit"):
        target = target_hours_for(staff, 2026)
        if target is None:
            continue
        hours = staff.attendances.filter(date__year=2026).aggregate(h=Sum("hours"))["h"] or 0
        people += 1
        covered += hours >= target
    # then coverage's total is the same count
    total = coverage_total(coverage(user=hq_officer, unit=org.ho, year=2026, by="unit"))
    assert (total.people, total.covered) == (people, covered) == (6, 3)
