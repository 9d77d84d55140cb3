"""Plan pages: the year's calendar by month, the form (the cadence's next period proposed, field errors),
the plan page with its sample and reasons, and the draw → publish → close buttons."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from xiaobao.inspections.choices import PlanStatus, Status
from xiaobao.inspections.models import Inspection, InspectionPlan
from xiaobao.inspections.plans import PlanInput, plan_create, plan_draw
from xiaobao.inspections.tests.factories import small_template
from xiaobao.inspections.tests.plan_fixtures import grant, outlets_under

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def planner(org):
    return grant(make_user("plan_hq", org.cpd, ["hq_cp_officer"]))


@pytest.fixture
def inspector(org):
    return grant(make_user("insp_hq", org.cpd, ["hq_cp_officer"]), plan=False)


@pytest.fixture
def outlets(org):
    return [org.b1o, *outlets_under(org.b1s, "B1-S1-O", range(2, 13))]


@pytest.fixture
def template(db):
    return small_template("mystery_views")


def form_data(org, template, **over):
    data = {
        "name": "2026年二季度神秘人暗访",
        "kind": "mystery_shopping",
        "template": template.pk,
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "inspecting_unit": org.cpd.pk,
        "scope_unit": org.ho.pk,
        "outlet_count": 10,
        "exclude_recent_days": 0,
        "risk_weighted": "on",
    }
    data.update(over)
    return data


def make_plan(org, planner, template, **over):
    data = {
        "name": "计划",
        "kind": "routine",
        "template": template,
        "period_start": dt.date(2026, 4, 1),
        "period_end": dt.date(2026, 6, 30),
        "inspecting_unit": org.cpd,
        "scope_unit": org.b1,
        "outlet_count": 3,
    }
    data.update(over)
    return plan_create(actor=planner, data=PlanInput(**data))


def test_the_form_proposes_the_next_quarter_for_head_office(client_for, planner, template, outlets):
    # when
    page = client_for(planner).get(reverse("inspections:plan_create"))
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2026-04-01"' in html and 'value="2026-06-30"' in html


def test_head_office_plans_draws_publishes_and_closes_in_the_browser(
    client_for, org, planner, inspector, template, outlets
):
    client = client_for(planner)
    # when: the form is sent
    created = client.post(reverse("inspections:plan_create"), form_data(org, template))
    # then
    assert created.status_code == 302
    plan = InspectionPlan.objects.get()
    assert created["Location"] == reverse("inspections:plan_detail", args=[plan.pk])
    page = client.get(created["Location"]).content.decode()
    assert 'data-testid="draw-form"' in page and 'data-testid="publish-form"' not in page
    # when: draw with a seed
    drawn = client.post(
        reverse("inspections:plan_draw", args=[plan.pk]), {"seed": 12345, "version": plan.version}
    )
    # then: ten outlets with why each was chosen, and the seed shown
    assert drawn.status_code == 302
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert page.count('data-testid="sample-row"') == 10
    assert "12345" in page
    assert 'data-testid="sample-replays"' in page
    # when: publish
    plan.refresh_from_db()
    published = client.post(
        reverse("inspections:plan_publish", args=[plan.pk]),
        {"inspectors": [inspector.username], "version": plan.version},
    )
    # then
    assert published.status_code == 302
    page = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert page.count('data-testid="task-row"') == 10
    assert Inspection.objects.filter(plan=plan, handler=inspector, status=Status.PLANNED).count() == 10
    # when: close
    plan.refresh_from_db()
    closed = client.post(reverse("inspections:plan_close", args=[plan.pk]), {"version": plan.version})
    # then
    assert closed.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED


def test_the_sample_summary_names_who_drew_it_by_full_name(client_for, org, planner, template, outlets):
    from xiaobao.core.models import User

    # given
    User.objects.filter(pk=planner.pk).update(full_name="李计划")
    plan = plan_draw(actor=planner, plan=make_plan(org, planner, template), seed=7)
    # when
    page = client_for(planner).get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    # then
    summary = page.split('data-testid="sample-summary"')[1].split("</p>")[0]
    assert "李计划" in summary and "plan_hq" not in summary


def test_the_form_shows_the_services_refusal_on_its_field(client_for, org, planner, template, outlets):
    # when: more outlets than branch 1 has
    page = client_for(planner).post(
        reverse("inspections:plan_create"), form_data(org, template, scope_unit=org.b1.pk, outlet_count=40)
    )
    # then
    assert page.status_code == 400
    assert "field-error" in page.content.decode()
    assert "12" in page.context["form"].errors["outlet_count"][0]
    assert not InspectionPlan.objects.exists()


def test_a_branch_cannot_choose_another_branch_in_the_form(client_for, org, template, outlets):
    b1 = grant(make_user("b1_cp", org.b1, ["branch_cp_officer"]))
    page = client_for(b1).post(
        reverse("inspections:plan_create"),
        form_data(org, template, inspecting_unit=org.b1.pk, scope_unit=org.b2.pk, outlet_count=1),
    )
    assert page.status_code == 400
    assert "scope_unit" in page.context["form"].errors
    assert not InspectionPlan.objects.exists()


def test_a_stale_draw_is_409_with_a_message(client_for, org, planner, template, outlets):
    plan = make_plan(org, planner, template)
    page = client_for(planner).post(
        reverse("inspections:plan_draw", args=[plan.pk]), {"version": plan.version + 1}
    )
    assert page.status_code == 409
    assert page.context["draw_form"].non_field_errors()


def test_publish_without_inspectors_is_a_field_error(client_for, org, planner, template, outlets):
    plan = plan_draw(actor=planner, plan=make_plan(org, planner, template), seed=1)
    page = client_for(planner).post(
        reverse("inspections:plan_publish", args=[plan.pk]), {"version": plan.version}
    )
    assert page.status_code == 400
    assert "inspectors" in page.context["publish_form"].errors
    assert not Inspection.objects.exists()


def test_the_calendar_shows_a_plan_in_every_month_of_its_period(client_for, org, planner, template, outlets):
    # given an April–June plan and a September one
    make_plan(org, planner, template, name="二季度")
    make_plan(
        org, planner, template, name="九月", period_start=dt.date(2026, 9, 1), period_end=dt.date(2026, 9, 30)
    )
    # when
    page = client_for(planner).get(reverse("inspections:plan_list"))
    # then
    months = page.context["months"]
    assert [m.month.month for m in months if m.plans] == [4, 5, 6, 9]
    assert page.content.decode().count('data-testid="plan-month"') == 12


def test_the_plan_list_reads_a_fixed_number_of_queries(client_for, org, planner, template, outlets):
    client = client_for(planner)
    make_plan(org, planner, template)
    client.get(reverse("inspections:plan_list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("inspections:plan_list"))
    for i in range(5):
        make_plan(org, planner, template, name=f"计划{i}")
    with CaptureQueriesContext(connection) as six:
        client.get(reverse("inspections:plan_list"))
    assert len(six) == len(one)


def test_the_plan_list_filters_by_year(client_for, org, planner, template, outlets):
    make_plan(org, planner, template, name="今年")
    make_plan(
        org, planner, template, name="明年", period_start=dt.date(2027, 1, 1), period_end=dt.date(2027, 3, 31)
    )
    page = client_for(planner).get(reverse("inspections:plan_list"), {"year": 2027})
    assert [p.name for p in page.context["plans"]] == ["明年"]
    bad = client_for(planner).get(reverse("inspections:plan_list"), {"year": "abc"})
    assert bad.status_code == 400


def test_each_task_shows_the_outlets_complaints_beside_its_score(
    client_for, org, planner, inspector, template, outlets
):
    # given a published plan over branch 1 and two complaints at one sampled outlet
    from xiaobao.complaints.services import complaint_register
    from xiaobao.inspections.plans import plan_publish
    from xiaobao.inspections.tests.plan_fixtures import complaint_data

    plan = plan_draw(actor=planner, plan=make_plan(org, planner, template, outlet_count=12), seed=1)
    plan_publish(actor=planner, plan=plan, inspectors=[inspector.username])
    clerk = make_user("clerk", org.b1, ["complaint_handler"])
    for day in ("2026-02-01", "2026-03-02"):
        complaint_register(actor=clerk, data=complaint_data(org.b1o.code, f"{day}T10:00:00+08:00"))
    # when: someone who sees complaints opens the plan
    page = client_for(planner).get(reverse("inspections:plan_detail", args=[plan.pk]))
    # then
    counts = {t.org_unit_id: t.complaints_12m for t in page.context["tasks"]}
    assert counts[org.b1o.pk] == 2
    assert sum(counts.values()) == 2
    assert page.content.decode().count('data-testid="task-complaints"') == 12
    # and someone who may not see complaints gets no column
    plain = grant(make_user("insp_only", org.cpd, []), plan=False)
    html = client_for(plain).get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert 'data-testid="task-complaints"' not in html
