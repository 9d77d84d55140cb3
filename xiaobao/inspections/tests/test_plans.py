"""Plan services: create (field messages), draw (stored seed, reproducible, risk inputs from the database),
publish (tasks round-robin with due dates), close (planned tasks cancelled), and the cadence."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user
from xiaobao.core.errors import Conflict
from xiaobao.inspections.choices import PlanStatus, Status
from xiaobao.inspections.models import Inspection, InspectionPlan, PlanCadence
from xiaobao.inspections.plans import (
    PlanInput,
    next_period,
    plan_candidates,
    plan_close,
    plan_create,
    plan_draw,
    plan_publish,
    sample_replay,
)
from xiaobao.inspections.tests.factories import make_inspection, small_template
from xiaobao.inspections.tests.plan_fixtures import complaint_data, grant, outlets_under

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)  # a Tuesday, a working day


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def planner(org):
    return grant(make_user("plan_hq", org.cpd, ["hq_cp_officer"]))


@pytest.fixture
def b1_planner(org):
    return grant(make_user("plan_b1", org.b1, ["branch_cp_officer"]))


@pytest.fixture
def inspectors(org):
    return [grant(make_user(f"insp{i}", org.cpd, ["hq_cp_officer"]), plan=False) for i in (1, 2, 3)]


@pytest.fixture
def b1_outlets(org):
    return [org.b1o, *outlets_under(org.b1s, "B1-S1-O", range(2, 13))]  # 12 outlets


@pytest.fixture
def template(db):
    return small_template("mystery_test")


def plan_input(org, template, **over):
    data = {
        "name": "2026年二季度神秘人暗访",
        "kind": "mystery_shopping",
        "template": template,
        "period_start": dt.date(2026, 4, 1),
        "period_end": dt.date(2026, 6, 30),
        "inspecting_unit": org.cpd,
        "scope_unit": org.b1,
        "outlet_count": 10,
    }
    data.update(over)
    return PlanInput(**data)


def fields_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict


# --- create -------------------------------------------------------------------------------------------


def test_create_makes_a_draft_without_a_sample(org, planner, template, b1_outlets):
    # when
    plan = plan_create(actor=planner, data=plan_input(org, template))
    # then
    assert plan.status == PlanStatus.DRAFT
    assert plan.sample == {}
    assert plan.created_by == planner


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"name": "  "}, "name"),
        ({"kind": "picnic"}, "kind"),
        ({"period_end": dt.date(2026, 3, 31)}, "period_end"),
        ({"period_end": dt.date(2027, 4, 1)}, "period_end"),
        ({"outlet_count": 0}, "outlet_count"),
        ({"outlet_count": 13}, "outlet_count"),
        ({"exclude_recent_days": 5000}, "exclude_recent_days"),
    ],
)
def test_create_refuses_bad_input_on_its_field(org, planner, template, b1_outlets, over, field):
    # when
    with pytest.raises(ValidationError) as err:
        plan_create(actor=planner, data=plan_input(org, template, **over))
    # then
    assert list(fields_of(err.value)) == [field]
    assert InspectionPlan.objects.count() == 0


def test_create_refuses_an_old_checklist_version(org, planner, template, b1_outlets):
    # given
    template.is_current = False
    template.save(update_fields=["is_current"])
    # when
    with pytest.raises(ValidationError) as err:
        plan_create(actor=planner, data=plan_input(org, template))
    # then
    assert "template" in fields_of(err.value)


def test_a_branch_cannot_plan_for_another_branch(org, b1_planner, template, b1_outlets):
    # when
    with pytest.raises(ValidationError) as err:
        plan_create(
            actor=b1_planner,
            data=plan_input(org, template, inspecting_unit=org.b1, scope_unit=org.b2, outlet_count=1),
        )
    # then
    assert list(fields_of(err.value)) == ["scope_unit"]


def test_a_branch_cannot_name_head_office_as_the_inspecting_unit(org, b1_planner, template, b1_outlets):
    with pytest.raises(ValidationError) as err:
        plan_create(actor=b1_planner, data=plan_input(org, template, inspecting_unit=org.ho))
    assert list(fields_of(err.value)) == ["inspecting_unit"]


def test_planning_needs_the_permission(org, template, b1_outlets):
    # given
    clerk = make_user("clerk", org.b1, ["complaint_handler"])
    # when / then
    with pytest.raises(PermissionDenied):
        plan_create(actor=clerk, data=plan_input(org, template, inspecting_unit=org.b1))


# --- draw ---------------------------------------------------------------------------------------------


def test_draw_stores_seed_and_sample_and_replays(org, planner, template, b1_outlets):
    # given
    plan = plan_create(actor=planner, data=plan_input(org, template))
    # when
    plan = plan_draw(actor=planner, plan=plan, seed=424242)
    # then
    plan.refresh_from_db()
    assert plan.seed == 424242
    picks = plan.sample["picks"]
    assert len(picks) == 10
    assert {p["outlet"] for p in picks} <= {u.pk for u in b1_outlets}
    assert all(p["reason"] == "random" and p["code"].startswith("B1-S1-O") for p in picks)
    assert plan.sample["as_of"] == "2026-03-10"
    assert sample_replay(plan)


def test_the_same_seed_draws_the_same_outlets_again(org, planner, template, b1_outlets):
    # given
    a = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=7)
    b = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=7)
    c = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=8)
    # then
    ids = [[p["outlet"] for p in x.sample["picks"]] for x in (a, b, c)]
    assert ids[0] == ids[1]
    assert ids[0] != ids[2]


def test_without_a_seed_a_random_one_is_stored(org, planner, template, b1_outlets):
    # when
    plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)))
    # then
    assert 0 <= plan.seed < 2**63
    assert sample_replay(plan)


def test_a_tampered_sample_does_not_replay(org, planner, template, b1_outlets):
    # given
    plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=3)
    # when
    plan.sample["picks"][0]["outlet"] = -1
    # then
    assert not sample_replay(plan)


def test_draw_leaves_out_recently_inspected_outlets(org, planner, inspectors, template, b1_outlets):
    # given: three outlets inspected 20 days ago
    for unit in b1_outlets[:3]:
        make_inspection(
            unit, inspectors[0], template, status=Status.SUBMITTED, submitted_at=NOW - dt.timedelta(days=20)
        )
    plan = plan_create(actor=planner, data=plan_input(org, template, outlet_count=9, exclude_recent_days=30))
    # when
    plan = plan_draw(actor=planner, plan=plan, seed=1)
    # then
    assert sorted(plan.sample["excluded"]) == sorted(u.pk for u in b1_outlets[:3])
    assert {p["outlet"] for p in plan.sample["picks"]} == {u.pk for u in b1_outlets[3:]}


def test_draw_says_so_when_exclusion_leaves_too_few(org, planner, inspectors, template, b1_outlets):
    # given
    for unit in b1_outlets[:3]:
        make_inspection(
            unit, inspectors[0], template, status=Status.SUBMITTED, submitted_at=NOW - dt.timedelta(days=20)
        )
    plan = plan_create(actor=planner, data=plan_input(org, template, outlet_count=10, exclude_recent_days=30))
    # when
    with pytest.raises(ValidationError) as err:
        plan_draw(actor=planner, plan=plan, seed=1)
    # then
    assert list(fields_of(err.value)) == ["outlet_count"]
    plan.refresh_from_db()
    assert plan.sample == {}


def test_candidates_carry_complaints_customers_and_last_inspection(
    org, planner, inspectors, template, b1_outlets
):
    # given: two complaints at one outlet, one at another last year (outside the window), a customer figure
    from xiaobao.complaints.services import complaint_register
    from xiaobao.core.models import OrgUnitYearFigure

    clerk = make_user("clerk", org.b1, ["complaint_handler"])
    for when in ("2026-02-01T10:00:00+08:00", "2025-12-01T10:00:00+08:00", "2025-01-05T10:00:00+08:00"):
        complaint_register(actor=clerk, data=complaint_data(b1_outlets[1].code, when))
    OrgUnitYearFigure.objects.create(unit=b1_outlets[1], year=2025, retail_customers=4000)
    OrgUnitYearFigure.objects.create(unit=b1_outlets[1], year=2026, retail_customers=5000)
    make_inspection(
        b1_outlets[1],
        inspectors[0],
        template,
        status=Status.SUBMITTED,
        submitted_at=NOW - dt.timedelta(days=40),
    )
    # when
    found = {c.id: c for c in plan_candidates(scope=org.b1, as_of=NOW.date())}
    # then
    assert set(found) == {u.pk for u in b1_outlets}
    c = found[b1_outlets[1].pk]
    assert (c.complaints, c.customers, c.last_inspected) == (2, 5000, dt.date(2026, 1, 29))
    assert found[b1_outlets[2].pk].complaints == 0
    assert found[b1_outlets[2].pk].customers is None


def test_risk_weighted_draw_puts_outlets_not_seen_for_a_year_first(
    org, planner, inspectors, template, b1_outlets
):
    # given: every outlet but two inspected two months ago
    for unit in b1_outlets[2:]:
        make_inspection(
            unit, inspectors[0], template, status=Status.SUBMITTED, submitted_at=NOW - dt.timedelta(days=60)
        )
    plan = plan_create(actor=planner, data=plan_input(org, template, outlet_count=4, risk_weighted=True))
    # when
    plan = plan_draw(actor=planner, plan=plan, seed=5)
    # then
    picks = plan.sample["picks"]
    assert {p["outlet"] for p in picks[:2]} == {b1_outlets[0].pk, b1_outlets[1].pk}
    assert [p["reason"] for p in picks] == ["overdue", "overdue", "risk", "risk"]
    assert sample_replay(plan)


def test_a_published_plan_cannot_be_redrawn(org, planner, inspectors, template, b1_outlets):
    # given
    plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=1)
    plan_publish(actor=planner, plan=plan, inspectors=[inspectors[0].username])
    # when / then
    with pytest.raises(Conflict):
        plan_draw(actor=planner, plan=plan, seed=2)


def test_a_stale_version_is_a_conflict(org, planner, template, b1_outlets):
    plan = plan_create(actor=planner, data=plan_input(org, template))
    with pytest.raises(Conflict):
        plan_draw(actor=planner, plan=plan, seed=1, expected_version=plan.version + 1)


# --- publish ------------------------------------------------------------------------------------------


def test_publish_makes_one_task_per_outlet_round_robin(org, planner, inspectors, template, b1_outlets):
    # given
    plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=11)
    names = [u.username for u in inspectors]
    # when
    plan = plan_publish(actor=planner, plan=plan, inspectors=names)
    # then
    assert plan.status == PlanStatus.PUBLISHED
    tasks = list(Inspection.objects.filter(plan=plan).order_by("pk"))
    assert [t.org_unit_id for t in tasks] == [p["outlet"] for p in plan.sample["picks"]]
    assert [t.handler.username for t in tasks] == [names[i % 3] for i in range(10)]
    assert {t.status for t in tasks} == {Status.PLANNED}
    assert {t.due_date for t in tasks} == {dt.date(2026, 6, 30)}
    assert all(t.is_mystery and t.kind == "mystery_shopping" and t.template == template for t in tasks)
    assert all(t.reference.startswith("JC20260310") for t in tasks)
    assert all(t.events.get().action == "plan" for t in tasks)


def test_publish_tells_each_inspector_once_with_the_plan_and_their_count(
    org, planner, inspectors, template, b1_outlets, django_capture_on_commit_callbacks
):
    from xiaobao.casework.models import Notification

    # given: 10 outlets drawn, two inspectors taking turns
    plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=11)
    names = [inspectors[0].username, inspectors[1].username]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        plan_publish(actor=planner, plan=plan, inspectors=names)
    # then: one notification each, naming the plan and the five tasks, opening the soonest task
    rows = {n.user_id: n for n in Notification.objects.filter(kind="inspection_plan_published")}
    assert set(rows) == {inspectors[0].pk, inspectors[1].pk}
    for inspector in inspectors[:2]:
        row = rows[inspector.pk]
        assert plan.name in row.message and "5" in row.message
        assert row.dedupe_key == f"inspection_plan_published:{plan.pk}:{inspector.pk}:{inspector.pk}"
        assert isinstance(row.subject, Inspection) and row.subject.handler_id == inspector.pk
        assert row.subject.plan_id == plan.pk
    assert not Notification.objects.filter(user=inspectors[2]).exists()


def test_publish_with_a_working_day_rule(org, planner, inspectors, template, b1_outlets):
    # given
    plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=11)
    # when: 10 working days after Tuesday 10 March 2026
    plan_publish(actor=planner, plan=plan, inspectors=[inspectors[0].username], due_working_days=10)
    # then
    assert set(Inspection.objects.filter(plan=plan).values_list("due_date", flat=True)) == {
        dt.date(2026, 3, 24)
    }


@pytest.mark.parametrize(
    ("names", "due", "field"),
    [
        ([], None, "inspectors"),
        (["nobody"], None, "inspectors"),
        (["clerk"], None, "inspectors"),
        (["insp1"], 0, "due_working_days"),
        (["insp1"], 1000, "due_working_days"),
    ],
)
def test_publish_refuses_bad_input_and_writes_nothing(
    org, planner, inspectors, template, b1_outlets, names, due, field
):
    # given
    make_user("clerk", org.b1, ["complaint_handler"])
    plan = plan_draw(actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template)), seed=1)
    # when
    with pytest.raises(ValidationError) as err:
        plan_publish(actor=planner, plan=plan, inspectors=names, due_working_days=due)
    # then
    assert list(fields_of(err.value)) == [field]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not Inspection.objects.filter(plan=plan).exists()


def test_a_branch_planner_cannot_assign_head_office_inspectors(
    org, b1_planner, inspectors, template, b1_outlets
):
    # given
    plan = plan_create(
        actor=b1_planner, data=plan_input(org, template, inspecting_unit=org.b1, outlet_count=2)
    )
    plan = plan_draw(actor=b1_planner, plan=plan, seed=1)
    # when
    with pytest.raises(ValidationError) as err:
        plan_publish(actor=b1_planner, plan=plan, inspectors=[inspectors[0].username])
    # then
    assert list(fields_of(err.value)) == ["inspectors"]


def test_publish_needs_a_sample(org, planner, inspectors, template, b1_outlets):
    plan = plan_create(actor=planner, data=plan_input(org, template))
    with pytest.raises(Conflict):
        plan_publish(actor=planner, plan=plan, inspectors=[inspectors[0].username])


def test_publish_refuses_when_a_sampled_outlet_closed(org, planner, inspectors, template, b1_outlets):
    # given
    plan = plan_draw(
        actor=planner,
        plan=plan_create(actor=planner, data=plan_input(org, template, outlet_count=12)),
        seed=1,
    )
    b1_outlets[5].is_active = False
    b1_outlets[5].save(update_fields=["is_active"])
    # when / then
    with pytest.raises(Conflict):
        plan_publish(actor=planner, plan=plan, inspectors=[inspectors[0].username])
    assert not Inspection.objects.filter(plan=plan).exists()


# --- close --------------------------------------------------------------------------------------------


def test_close_cancels_the_tasks_nobody_started(org, planner, inspectors, template, b1_outlets):
    # given
    plan = plan_draw(
        actor=planner, plan=plan_create(actor=planner, data=plan_input(org, template, outlet_count=3)), seed=1
    )
    plan = plan_publish(actor=planner, plan=plan, inspectors=[inspectors[0].username])
    started = Inspection.objects.filter(plan=plan).first()
    Inspection.objects.filter(pk=started.pk).update(status=Status.IN_PROGRESS)
    # when
    plan = plan_close(actor=planner, plan=plan)
    # then
    assert plan.status == PlanStatus.CLOSED
    statuses = dict(Inspection.objects.filter(plan=plan).values_list("pk", "status"))
    assert statuses.pop(started.pk) == Status.IN_PROGRESS
    assert set(statuses.values()) == {Status.CANCELLED}
    cancelled = Inspection.objects.filter(plan=plan, status=Status.CANCELLED).first()
    assert cancelled.events.last().action == "cancel"


def test_a_draft_cannot_be_closed(org, planner, template, b1_outlets):
    plan = plan_create(actor=planner, data=plan_input(org, template))
    with pytest.raises(Conflict):
        plan_close(actor=planner, plan=plan)


# --- cadence ------------------------------------------------------------------------------------------


def test_head_office_plans_the_next_quarter_and_branches_the_next_month(org):
    # given the preloaded cadence
    assert dict(PlanCadence.objects.values_list("unit_kind", "period")) == {
        "head_office": "quarter",
        "branch": "month",
    }
    today = dt.date(2026, 3, 10)
    # then
    assert next_period(unit=org.ho, today=today) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert next_period(unit=org.cpd, today=today) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert next_period(unit=org.b1, today=today) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert next_period(unit=org.b1s, today=dt.date(2026, 12, 31)) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 1, 31),
    )
    assert next_period(unit=org.ho, today=dt.date(2026, 11, 2)) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))


def test_the_cadence_is_data(org):
    # given head office moves to monthly planning
    PlanCadence.objects.filter(unit_kind="head_office").update(period="month")
    # then
    assert next_period(unit=org.ho, today=dt.date(2026, 3, 10)) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
