"""Training sessions and their attendance and materials: services, pages and the API."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiaobao.core.errors import Conflict
from xiaobao.core.models import AuditEvent
from xiaobao.training import services as svc
from xiaobao.training.models import Attendance, SessionMaterial, TrainingSession
from xiaobao.training.tests.test_sessions_fixtures import attend, person, pinned, plan, session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_pinned")]

PDF = b"%PDF-1.4\n% slides\n"


@pytest.fixture
def _pinned():
    with pinned():
        yield


def base(org, **extra):
    return {
        "title": "消保知识培训",
        "org_unit": org.b1.code,
        "date": "2026-03-10",
        "hours": "2",
        **extra,
    }


def pptx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


# --- sessions -----------------------------------------------------------------------------------------------


def test_a_session_is_recorded_with_its_layers_and_plan(org, branch_officer, hq_officer):
    p = plan(org.ho, 2026, hq_officer, front_line="12")
    course = svc.course_add(actor=hq_officer, plan=p, data={"title": "消保法规", "hours": "2"})
    s = svc.session_create(
        actor=branch_officer,
        data=base(
            org,
            start_time="09:00",
            end_time="11:00",
            trainer_kind="external",
            trainer_name="王教授",
            layers=["front_line", "new_hire"],
            plan=p.pk,
            course=course.pk,
        ),
    )
    assert (s.plan, s.course, s.date, s.hours) == (p, course, dt.date(2026, 3, 10), Decimal("2.0"))
    assert sorted(s.layers.values_list("code", flat=True)) == ["front_line", "new_hire"]
    assert AuditEvent.objects.filter(object_type="training.trainingsession", action="create").exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"start_time": "11:00", "end_time": "10:00"}, "end_time"),
        ({"trainer_kind": "external"}, "trainer_name"),
        ({"hours": "0.2"}, "hours"),
        ({"hours": "25"}, "hours"),
        ({"hours": "1.25"}, "hours"),
        ({"date": "2026-02-30"}, "date"),
        ({"kind": "party"}, "kind"),
        ({"org_unit": "B2"}, "org_unit"),
        ({"layers": ["ghost"]}, "layers"),
        ({"title": ""}, "title"),
    ],
)
def test_a_session_is_refused_field_by_field(org, branch_officer, extra, field):
    with pytest.raises(ValidationError) as exc:
        svc.session_create(actor=branch_officer, data=base(org, **extra))
    assert field in exc.value.message_dict
    assert not TrainingSession.objects.exists()


def test_the_plan_must_be_of_the_year_and_of_the_unit_or_above(org, hq_officer):
    other_year = plan(org.ho, 2025, hq_officer)
    sister = plan(org.b2, 2026, hq_officer)
    below = plan(org.b1s, 2026, hq_officer)
    ok = plan(org.b1, 2026, hq_officer)
    for p in (other_year, sister, below):
        with pytest.raises(ValidationError) as exc:
            svc.session_create(actor=hq_officer, data=base(org, plan=p.pk))
        assert "plan" in exc.value.message_dict
    course = svc.course_add(actor=hq_officer, plan=sister, data={"title": "别家课程", "hours": "1"})
    with pytest.raises(ValidationError) as exc:
        svc.session_create(actor=hq_officer, data=base(org, plan=ok.pk, course=course.pk))
    assert "course" in exc.value.message_dict
    assert svc.session_create(actor=hq_officer, data=base(org, plan=ok.pk)).plan == ok


def test_a_branch_cannot_use_a_sister_branchs_plan(org, hq_officer, branch_officer):
    sister = plan(org.b2, 2026, hq_officer)
    with pytest.raises(ValidationError) as exc:
        svc.session_create(actor=branch_officer, data=base(org, plan=sister.pk))
    assert exc.value.message_dict["plan"] == ["未知的培训计划。"]


def test_changing_the_date_moves_the_attendance_and_the_hours_follow(org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org))
    a = attend(s, person("P1", org.b1s))
    b = attend(s, person("P2", org.b1s), hours="1.0")
    svc.session_update(actor=branch_officer, session=s, data={"date": "2026-04-01", "hours": "3"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.date, a.hours) == (dt.date(2026, 4, 1), Decimal("3.0"))
    assert (b.date, b.hours) == (dt.date(2026, 4, 1), Decimal("1.0"))  # set by hand: kept
    # fewer hours than a person was credited by hand is refused
    svc.attendance_set_hours(actor=branch_officer, attendance=b, hours="2.5")
    with pytest.raises(ValidationError) as exc:
        svc.session_update(actor=branch_officer, session=s, data={"hours": "2"})
    assert "hours" in exc.value.message_dict


def test_the_unit_cannot_move_away_from_people_who_attended(org, branch_officer):
    # given a session of the sub-branch attended by someone of its outlet, one of the branch by its own staff
    s = svc.session_create(actor=branch_officer, data=base(org, org_unit=org.b1s.code))
    attend(s, person("P1", org.b1o))
    s2 = svc.session_create(actor=branch_officer, data=base(org))
    attend(s2, person("P2", org.b1))
    # then the first may move to the outlet (P1 is there), the second not to the sub-branch (P2 is above it)
    svc.session_update(actor=branch_officer, session=s, data={"org_unit": org.b1o.code})
    with pytest.raises(ValidationError) as exc:
        svc.session_update(actor=branch_officer, session=s2, data={"org_unit": org.b1s.code})
    assert exc.value.message_dict["org_unit"] == ["P2 已签到，但不属于该机构。"]


def test_a_session_with_attendance_is_not_deleted(org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org))
    row = attend(s, person("P1", org.b1s))
    with pytest.raises(Conflict):
        svc.session_delete(actor=branch_officer, session=s)
    svc.attendance_remove(actor=branch_officer, attendance=row)
    svc.material_add(actor=branch_officer, session=s, fileobj=io.BytesIO(PDF), name="a.pdf")
    name = SessionMaterial.objects.get().file.name
    storage = SessionMaterial.objects.get().file.storage
    svc.session_delete(actor=branch_officer, session=s)
    assert not TrainingSession.objects.exists() and not storage.exists(name)


# --- attendance ---------------------------------------------------------------------------------------------


def test_attendance_is_for_active_staff_of_the_sessions_subtree(org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org, org_unit=org.b1s.code))
    person("IN1", org.b1o)
    person("UP1", org.b1)  # above the session's unit
    person("B2X", org.b2s)
    person("OLD", org.b1s, active=False)
    row, created = svc.attendance_add(actor=branch_officer, session=s, employee_no=" IN1 ")
    assert created and (row.hours, row.method, row.date, row.recorded_by) == (
        Decimal("2.0"),
        "manual",
        s.date,
        branch_officer,
    )
    again, created = svc.attendance_add(actor=branch_officer, session=s, employee_no="IN1", hours="1")
    assert (again.pk, created, again.hours) == (row.pk, False, Decimal("2.0"))
    for number in ("UP1", "B2X", "OLD", "NOBODY"):
        with pytest.raises(ValidationError) as exc:
            svc.attendance_add(actor=branch_officer, session=s, employee_no=number)
        assert "employee_no" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.attendance_add(actor=branch_officer, session=s, employee_no="IN1", hours="2.5")
    assert Attendance.objects.count() == 1


def test_hours_per_person_are_edited_within_the_sessions(org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org))
    row = attend(s, person("P1", org.b1s))
    svc.attendance_set_hours(actor=branch_officer, attendance=row, hours="1.5")
    row.refresh_from_db()
    assert row.hours == Decimal("1.5")
    for bad in ("0", "2.5", "abc", "1.55"):
        with pytest.raises(ValidationError):
            svc.attendance_set_hours(actor=branch_officer, attendance=row, hours=bad)
    event = AuditEvent.objects.filter(object_type="training.attendance", action="update").get()
    assert event.changes == {"hours": ["2.0", "1.5"]}


# --- materials ----------------------------------------------------------------------------------------------


def test_materials_are_checked_by_content_and_extension(org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org))
    svc.material_add(actor=branch_officer, session=s, fileobj=io.BytesIO(pptx()), name="课件.pptx")
    svc.material_add(actor=branch_officer, session=s, fileobj=io.BytesIO(PDF), name="讲义.pdf")
    for data, name in ((b"MZ\x90\x00", "evil.pdf"), (PDF, "evil.exe"), (PDF, "slides.pptx"), (b"", "a.pdf")):
        with pytest.raises(ValidationError) as exc:
            svc.material_add(actor=branch_officer, session=s, fileobj=io.BytesIO(data), name=name)
        assert "file" in exc.value.message_dict
    stored = sorted(m.file.name.rsplit(".", 1)[1] for m in SessionMaterial.objects.all())
    assert stored == ["pdf", "pptx"]
    assert all(
        len(m.file.name.rsplit("/", 1)[1]) == 32 + 4 or m.file.name.endswith(".pptx")
        for m in SessionMaterial.objects.all()
    )


def test_material_download_is_safe(client_for, org, branch_officer, other_branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org))
    m = svc.material_add(actor=branch_officer, session=s, fileobj=io.BytesIO(PDF), name="../讲义<x>.pdf")
    response = client_for(branch_officer).get(f"/training/sessions/{s.pk}/materials/{m.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"] and ".." not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert (
        client_for(other_branch_officer).get(f"/training/sessions/{s.pk}/materials/{m.pk}/").status_code
        == 404
    )


def test_material_upload_page(client_for, org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org))
    client = client_for(branch_officer)
    ok = client.post(f"/training/sessions/{s.pk}/materials/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert ok.status_code == 302
    bad = client.post(
        f"/training/sessions/{s.pk}/materials/", {"file": SimpleUploadedFile("a.html", b"<html>")}
    )
    assert bad.status_code == 400 and "只能上传 PDF" in bad.content.decode()
    assert SessionMaterial.objects.count() == 1


# --- pages --------------------------------------------------------------------------------------------------


def test_session_list_filters_and_scoping(client_for, org, hq_officer, branch_officer, other_branch_officer):
    session(org.b1, hq_officer, "2026-02-01", title="已举办的培训")
    session(org.b1s, hq_officer, "2026-03-05", title="下周培训", topic="反诈")
    session(org.b2, hq_officer, "2026-03-06", title="上海的培训")
    client = client_for(branch_officer)
    page = client.get("/training/sessions/").content.decode()
    assert "已举办的培训" in page and "下周培训" in page and "上海的培训" not in page
    upcoming = client.get("/training/sessions/?when=upcoming").content.decode()
    assert "下周培训" in upcoming and "已举办的培训" not in upcoming
    assert "下周培训" in client.get("/training/sessions/?q=反诈").content.decode()
    assert "已举办的培训" not in client.get("/training/sessions/?unit=B1-S1").content.decode()
    # a unit outside the scope is a filter error, not the other branch's sessions
    response = client.get("/training/sessions/?unit=B2")
    assert response.status_code == 200 and "未知" in response.content.decode()
    assert "上海的培训" not in client_for(branch_officer).get("/training/sessions/?unit=B2").content.decode()
    assert "上海的培训" in client_for(other_branch_officer).get("/training/sessions/").content.decode()


def test_session_list_query_count_does_not_grow(client_for, org, hq_officer):
    client = client_for(hq_officer)
    session(org.b1, hq_officer, "2026-02-01")
    client.get("/training/sessions/")
    with CaptureQueriesContext(connection) as one:
        client.get("/training/sessions/")
    for day in range(2, 22):
        s = session(org.b1, hq_officer, f"2026-02-{day:02d}")
        attend(s, person(f"Q{day}", org.b1s))
    with CaptureQueriesContext(connection) as many:
        client.get("/training/sessions/")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_session_pages_create_edit_and_detail(client_for, org, branch_officer):
    client = client_for(branch_officer)
    response = client.post(
        "/training/sessions/new/",
        {
            "title": "新员工入职培训",
            "kind": "lecture",
            "org_unit": org.b1.code,
            "date": "2026-03-10",
            "hours": "3",
            "trainer_kind": "internal",
            "mode": "online",
            "venue": "腾讯会议 123",
            "layers": ["new_hire"],
        },
    )
    s = TrainingSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/training/sessions/{s.pk}/"
    detail = client.get(f"/training/sessions/{s.pk}/").content.decode()
    assert "新员工入职培训" in detail and "<svg" in detail
    assert f"/training/sign-in/{s.signin_token}/" in detail
    assert f"/public/training/sign-in/{s.signin_token}/" in detail
    edit = client.post(
        f"/training/sessions/{s.pk}/edit/",
        {
            "title": "新员工入职培训（二）",
            "kind": "case_study",
            "org_unit": org.b1.code,
            "date": "2026-03-11",
            "hours": "3",
            "trainer_kind": "external",
            "mode": "online",
        },
    )
    assert edit.status_code == 400 and "请填写外部专家姓名" in edit.content.decode()
    s.refresh_from_db()
    assert s.title == "新员工入职培训"


def test_the_qr_uses_the_public_base_url_when_configured(client_for, org, branch_officer, settings):
    settings.PUBLIC_BASE_URL = "https://xb.example.cn"
    s = svc.session_create(actor=branch_officer, data=base(org))
    page = client_for(branch_officer).get(f"/training/sessions/{s.pk}/").content.decode()
    assert f"<title>https://xb.example.cn/training/sign-in/{s.signin_token}/</title>" in page


def test_signin_switch_and_new_address(client_for, org, branch_officer, auditor):
    s = svc.session_create(actor=branch_officer, data=base(org))
    client = client_for(branch_officer)
    client.post(f"/training/sessions/{s.pk}/sign-in/", {"action": "open"})
    s.refresh_from_db()
    assert s.signin_open
    old = s.signin_token
    client.post(f"/training/sessions/{s.pk}/sign-in/", {"action": "renew"})
    s.refresh_from_db()
    assert s.signin_token != old and len(s.signin_token) >= 20
    client.post(f"/training/sessions/{s.pk}/sign-in/", {"action": "close"})
    s.refresh_from_db()
    assert not s.signin_open
    assert (
        client_for(auditor).post(f"/training/sessions/{s.pk}/sign-in/", {"action": "open"}).status_code == 403
    )


def test_room_display_and_its_live_count(client_for, org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org, date="2026-03-02"))
    svc.session_signin_open(actor=branch_officer, session=s, open=True)
    client = client_for(branch_officer)
    room = client.get(f"/training/sessions/{s.pk}/room/").content.decode()
    assert 'hx-trigger="every 5s"' in room and room.count("<svg") == 2
    attend(s, person("P1", org.b1s))
    attend(s, person("P2", org.b1s))
    count = client.get(f"/training/sessions/{s.pk}/room/count/")
    assert "<strong>2</strong>" in count.content.decode() and "no-store" in count["Cache-Control"]


def test_attendance_pages_add_edit_remove_and_export(client_for, org, branch_officer):
    from openpyxl import load_workbook

    s = svc.session_create(actor=branch_officer, data=base(org))
    person("P1", org.b1s)
    client = client_for(branch_officer)
    assert client.post(f"/training/sessions/{s.pk}/attendance/", {"employee_no": "P1"}).status_code == 302
    missing = client.post(f"/training/sessions/{s.pk}/attendance/", {"employee_no": "NOPE"})
    assert missing.status_code == 400 and "没有该工号的在职人员" in missing.content.decode()
    row = Attendance.objects.get()
    client.post(f"/training/sessions/{s.pk}/attendance/{row.pk}/", {"hours": "1.5"})
    row.refresh_from_db()
    assert row.hours == Decimal("1.5")
    too_many = client.post(f"/training/sessions/{s.pk}/attendance/{row.pk}/", {"hours": "9"}, follow=True)
    assert "须在" in too_many.content.decode() or "确保" in too_many.content.decode()
    export = client.get(f"/training/sessions/{s.pk}/attendance.xlsx")
    ws = load_workbook(io.BytesIO(export.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("工号", "姓名", "机构", "岗位层级", "学时")
    assert rows[1][:2] == ("P1", "员工P1") and rows[1][4] == 1.5
    assert AuditEvent.objects.filter(action="export", object_type="training.trainingsession").exists()
    assert client.post(f"/training/sessions/{s.pk}/attendance/{row.pk}/remove/").status_code == 302
    assert not Attendance.objects.exists()


def test_delete_page(client_for, org, branch_officer):
    s = svc.session_create(actor=branch_officer, data=base(org))
    attend(s, person("P1", org.b1s))
    client = client_for(branch_officer)
    refused = client.post(f"/training/sessions/{s.pk}/delete/", follow=True)
    assert "请先移除" in refused.content.decode() and TrainingSession.objects.exists()
    Attendance.objects.all().delete()
    assert client.post(f"/training/sessions/{s.pk}/delete/").status_code == 302
    assert not TrainingSession.objects.exists()


def test_home_page(client_for, org, hq_officer, branch_officer):
    p = plan(org.ho, 2026, hq_officer, front_line="2")
    s = session(org.b1, hq_officer, "2026-02-10", title="二月培训", plan=p)
    attend(s, person("P1", org.b1s))
    person("P2", org.b1s)
    session(org.b1, hq_officer, "2026-03-20", title="三月培训")
    page = client_for(branch_officer).get("/training/").content.decode()
    assert "二月培训" in page and "三月培训" in page and p.title in page
    assert "50.0%" in page or "50%" in page  # 1 of 2 front-line people reached 2 h


# --- API ----------------------------------------------------------------------------------------------------


def test_api_session_lifecycle(api_for, org, branch_officer):
    client = api_for(branch_officer)
    person("P1", org.b1s)
    created = client.post(
        "/api/v1/training/sessions",
        json.dumps({**base(org), "layers": ["front_line"], "start_time": "09:00", "end_time": "11:00"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    sid = created.json()["id"]
    added = client.post(
        f"/api/v1/training/sessions/{sid}/attendance",
        json.dumps({"employee_no": "P1"}),
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["hours"] in ("2.0", 2.0)
    again = client.post(
        f"/api/v1/training/sessions/{sid}/attendance",
        json.dumps({"employee_no": "P1"}),
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["id"] == added.json()["id"]
    patched = client.patch(
        f"/api/v1/training/sessions/{sid}",
        json.dumps({"date": "2026-05-01", "signin_open": True}),
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["signin_open"] is True
    assert Attendance.objects.get().date == dt.date(2026, 5, 1)
    listed = client.get(f"/api/v1/training/sessions/{sid}/attendance").json()
    assert [a["employee_no"] for a in listed] == ["P1"]
    assert client.get("/api/v1/training/sessions?when=upcoming").json()["count"] == 1
    assert client.get("/api/v1/training/sessions?year=2025").json()["count"] == 0
    gone = client.delete(f"/api/v1/training/sessions/{sid}/attendance/{added.json()['id']}")
    assert gone.status_code == 204 and not Attendance.objects.exists()


def test_api_errors(api_for, org, branch_officer, auditor):
    client = api_for(branch_officer)
    bad = client.post(
        "/api/v1/training/sessions",
        json.dumps(base(org, hours="99", trainer_kind="external")),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) >= {"hours", "trainer_name"}
    assert all("\u4e00" <= m[0][0] <= "\u9fff" for m in bad.json()["fields"].values())
    s = svc.session_create(actor=branch_officer, data=base(org))
    nobody = client.post(
        f"/api/v1/training/sessions/{s.pk}/attendance",
        json.dumps({"employee_no": "X"}),
        content_type="application/json",
    )
    assert nobody.status_code == 422 and "employee_no" in nobody.json()["fields"]
    assert client.get("/api/v1/training/sessions/999999999999").status_code == 404
    ro = api_for(auditor).patch(
        f"/api/v1/training/sessions/{s.pk}", json.dumps({"title": "x"}), content_type="application/json"
    )
    assert ro.status_code == 403


def test_api_coverage(api_for, org, hq_officer, branch_officer):
    plan(org.ho, 2026, hq_officer, front_line="2")
    s = session(org.b1, hq_officer, "2026-02-10")
    attend(s, person("P1", org.b1s))
    person("P2", org.b2s)
    data = api_for(hq_officer).get("/api/v1/training/coverage?by=unit").json()
    assert data["unit"] == "HO" and data["year"] == 2026 and data["by"] == "unit"
    assert {r["key"]: (r["people"], r["covered"]) for r in data["rows"]} == {"B1": (1, 1), "B2": (1, 0)}
    assert data["total"]["share"] == 0.5
    mine = api_for(branch_officer).get("/api/v1/training/coverage").json()
    assert mine["unit"] == "B1" and mine["total"]["people"] == 1
    assert api_for(branch_officer).get("/api/v1/training/coverage?unit=HO").status_code == 404
    assert api_for(hq_officer).get("/api/v1/training/coverage?by=month").status_code == 422
