"""Yearly training plans: targets per position layer and courses — services, pages and the API."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xiaobao.core.models import AuditEvent
from xiaobao.training import services as svc
from xiaobao.training.models import LayerTarget, PlanCourse, TrainingPlan
from xiaobao.training.tests.test_sessions_fixtures import pinned, plan, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_pinned")]


@pytest.fixture
def _pinned():
    with pinned():
        yield


def _targets(p: TrainingPlan) -> dict[str, Decimal]:
    return {t.layer.code: t.target_hours for t in LayerTarget.objects.filter(plan=p).select_related("layer")}


# --- services -----------------------------------------------------------------------------------------------


def test_a_plan_with_targets_and_courses_is_created_and_audited(org, hq_officer):
    # when head office plans 2026
    p = svc.plan_create(
        actor=hq_officer,
        data={
            "year": 2026,
            "org_unit": org.ho.code,
            "title": "2026年度培训计划",
            "targets": {"front_line": "12", "middle_management": Decimal("20"), "new_hire": ""},
            "courses": [
                {"title": "消保法规", "layer": "front_line", "hours": "2", "planned_month": 3},
                {"title": "投诉处理", "hours": "1.5"},
            ],
        },
    )
    # then the targets (an empty one is no target) and the courses are stored, and audited
    assert _targets(p) == {"front_line": Decimal("12.0"), "middle_management": Decimal("20.0")}
    courses = list(p.courses.order_by("pk").values_list("title", "layer__code", "hours", "planned_month"))
    assert courses == [
        ("消保法规", "front_line", Decimal("2.0"), 3),
        ("投诉处理", None, Decimal("1.5"), None),
    ]
    actions = set(
        AuditEvent.objects.filter(object_type__startswith="training.").values_list("object_type", "action")
    )
    assert ("training.trainingplan", "create") in actions and ("training.plancourse", "create") in actions
    assert AuditEvent.objects.filter(object_type="training.trainingplan", action="update").exists()  # targets


def test_one_plan_per_unit_and_year(org, hq_officer):
    plan(org.ho, 2026, hq_officer)
    with pytest.raises(ValidationError) as exc:
        svc.plan_create(actor=hq_officer, data={"year": 2026, "org_unit": org.ho.code, "title": "又一个"})
    assert "year" in exc.value.message_dict
    # another year or another unit is fine
    svc.plan_create(actor=hq_officer, data={"year": 2027, "org_unit": org.ho.code, "title": "明年"})
    svc.plan_create(actor=hq_officer, data={"year": 2026, "org_unit": org.b1.code, "title": "分行"})


def test_every_problem_is_a_field_error_at_once(org, hq_officer):
    with pytest.raises(ValidationError) as exc:
        svc.plan_create(
            actor=hq_officer,
            data={
                "year": 1999,
                "org_unit": "NOPE",
                "title": " ",
                "targets": {"front_line": "-1", "ghost": "2", "new_hire": "1.25"},
                "courses": [{"title": "", "hours": "0", "planned_month": 13}],
            },
        )
    fields = exc.value.message_dict
    for key in ("year", "org_unit", "title", "target_front_line", "targets", "target_new_hire"):
        assert key in fields, key
    assert {"courses.0.title", "courses.0.hours", "courses.0.planned_month"} <= set(fields)
    assert not TrainingPlan.objects.exists()


def test_a_branch_cannot_plan_for_head_office_nor_change_its_plan(org, hq_officer, branch_officer):
    ho_plan = plan(org.ho, 2026, hq_officer, front_line="12")
    with pytest.raises(ValidationError) as exc:
        svc.plan_create(actor=branch_officer, data={"year": 2026, "org_unit": org.ho.code, "title": "越权"})
    assert "org_unit" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        svc.plan_update(actor=branch_officer, plan=ho_plan, data={"title": "改"})
    # but its own plan, yes
    own = svc.plan_create(
        actor=branch_officer, data={"year": 2026, "org_unit": org.b1.code, "title": "分行计划"}
    )
    assert own.org_unit == org.b1


def test_targets_are_changed_and_cleared(org, hq_officer):
    p = plan(org.ho, 2026, hq_officer, front_line="12", middle_management="20")
    svc.plan_update(
        actor=hq_officer, plan=p, data={"targets": {"front_line": "16", "middle_management": None}}
    )
    assert _targets(p) == {"front_line": Decimal("16.0")}
    event = AuditEvent.objects.filter(object_type="training.trainingplan", action="update").latest("id")
    assert event.changes == {
        "target:front_line": ["12.0", "16.0"],
        "target:middle_management": ["20.0", None],
    }


def test_the_year_of_a_plan_with_sessions_stays(org, hq_officer):
    p = plan(org.ho, 2026, hq_officer)
    session(org.b1, hq_officer, plan=p)
    with pytest.raises(ValidationError) as exc:
        svc.plan_update(actor=hq_officer, plan=p, data={"year": 2027})
    assert "year" in exc.value.message_dict
    svc.plan_update(actor=hq_officer, plan=p, data={"title": "改名"})


def test_courses_are_added_changed_and_removed_sessions_kept(org, hq_officer):
    p = plan(org.ho, 2026, hq_officer)
    course = svc.course_add(
        actor=hq_officer, plan=p, data={"title": "案例", "hours": "2", "layer": "new_hire"}
    )
    s = session(org.b1, hq_officer, plan=p, course=course)
    svc.course_update(actor=hq_officer, course=course, data={"title": "案例分析", "planned_month": ""})
    course.refresh_from_db()
    assert (course.title, course.planned_month) == ("案例分析", None)
    svc.course_delete(actor=hq_officer, course=course)
    s.refresh_from_db()
    assert not PlanCourse.objects.exists() and s.course_id is None


# --- pages --------------------------------------------------------------------------------------------------


def test_the_plan_list_shows_own_and_higher_plans_not_a_sister_branchs(
    client_for, org, hq_officer, branch_officer
):
    plan(org.ho, 2026, hq_officer, front_line="12")
    plan(org.b1, 2026, hq_officer)
    plan(org.b2, 2026, hq_officer)
    page = client_for(branch_officer).get("/training/plans/").content.decode()
    assert "HO 2026年培训计划" in page and "B1 2026年培训计划" in page
    assert "B2 2026年培训计划" not in page


def test_plan_form_creates_with_targets(client_for, org, branch_officer):
    response = client_for(branch_officer).post(
        "/training/plans/new/",
        {"year": "2026", "org_unit": org.b1.code, "title": "北京分行计划", "target_front_line": "16"},
    )
    p = TrainingPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/training/plans/{p.pk}/"
    assert _targets(p) == {"front_line": Decimal("16.0")}


def test_plan_form_errors_are_shown_by_field(client_for, org, branch_officer, hq_officer):
    plan(org.b1, 2026, hq_officer)
    response = client_for(branch_officer).post(
        "/training/plans/new/",
        {"year": "2026", "org_unit": org.b1.code, "title": "重复", "target_new_hire": "3"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "该机构已有 2026 年度培训计划" in body
    response = client_for(branch_officer).post(
        "/training/plans/new/",
        {"year": "2027", "org_unit": org.b1.code, "title": "明年", "target_new_hire": "-3"},
    )
    assert response.status_code == 400 and "field-error" in response.content.decode()
    assert TrainingPlan.objects.count() == 1


def test_a_branch_reads_but_cannot_edit_head_offices_plan(client_for, org, hq_officer, branch_officer):
    p = plan(org.ho, 2026, hq_officer, front_line="12")
    client = client_for(branch_officer)
    detail = client.get(f"/training/plans/{p.pk}/")
    assert detail.status_code == 200 and "此计划属于上级机构" in detail.content.decode()
    assert client.get(f"/training/plans/{p.pk}/edit/").status_code == 403
    assert (
        client.post(f"/training/plans/{p.pk}/courses/new/", {"title": "x", "hours": "1"}).status_code == 403
    )


def test_course_pages(client_for, org, hq_officer):
    p = plan(org.ho, 2026, hq_officer)
    client = client_for(hq_officer)
    assert (
        client.post(f"/training/plans/{p.pk}/courses/new/", {"title": "反洗钱", "hours": "2"}).status_code
        == 302
    )
    course = p.courses.get()
    response = client.post(
        f"/training/plans/{p.pk}/courses/{course.pk}/edit/",
        {"title": "反洗钱基础", "hours": "3", "layer": "front_line"},
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title, course.hours, course.layer.code) == ("反洗钱基础", Decimal("3.0"), "front_line")
    assert client.post(f"/training/plans/{p.pk}/courses/new/", {"title": "", "hours": "x"}).status_code == 400
    assert client.post(f"/training/plans/{p.pk}/courses/{course.pk}/delete/").status_code == 302
    assert not p.courses.exists()


# --- API ----------------------------------------------------------------------------------------------------


def test_api_creates_and_reads_a_plan(api_for, org, hq_officer):
    client = api_for(hq_officer)
    body = {
        "year": 2026,
        "org_unit": org.ho.code,
        "title": "总行2026",
        "targets": {"front_line": 12, "senior_management": 8},
        "courses": [{"title": "消保法规", "layer": "front_line", "hours": 2, "planned_month": 4}],
    }
    response = client.post("/api/v1/training/plans", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["targets"] == {"senior_management": "8.0", "front_line": "12.0"} or data["targets"] == {
        "senior_management": 8.0,
        "front_line": 12.0,
    }
    assert data["courses"][0]["title"] == "消保法规" and data["org_unit"] == "HO"
    got = client.get(f"/api/v1/training/plans/{data['id']}").json()
    assert got == data
    listed = client.get("/api/v1/training/plans?year=2026").json()
    assert [p["id"] for p in listed["items"]] == [data["id"]]
    assert client.get("/api/v1/training/plans?year=2027").json()["items"] == []


def test_api_field_errors_in_chinese(api_for, org, hq_officer):
    plan(org.ho, 2026, hq_officer)
    body = {"year": 2026, "org_unit": org.ho.code, "title": "重复", "targets": {"front_line": "abc"}}
    response = api_for(hq_officer).post(
        "/api/v1/training/plans", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    body = {"year": 2026, "org_unit": org.ho.code, "title": "重复", "targets": {"front_line": 2000}}
    response = api_for(hq_officer).post(
        "/api/v1/training/plans", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert "该机构已有 2026 年度培训计划。" in fields["year"]
    assert any("999.9" in m for m in fields["target_front_line"])
