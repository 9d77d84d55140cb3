"""Scoping-quartet entries for plans, sessions, attendance, sign-in and coverage (combined in
tests/routes.py).

Branch 1 holds (title or name marked B1TRAINMARK):
- `ctx.training_plan`: the branch's plan of this year (front line 8 h) with one course
  (`ctx.training_course`);
- `ctx.training_session`: a session of the plan today at the branch, sign-in open, one person recorded
  (`ctx.training_attendance`, staff `ctx.training_staff` of the sub-branch), one PDF
  (`ctx.training_material`);
- `ctx.training_session_empty`: a session without attendance (it can be deleted);
- `ctx.training_other_staff`: a second person of the sub-branch, not recorded (the add and import routes).

"Today" is the date the setup runs (the scoping sweep does not pin the clock): the sign-in pages show their
forms only on the session's day. The logged-in sign-in page is reached by branch 1's power user through
`signin_as_power` (its staff record is made and linked when the test created that user), as review does.
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1TRAINMARK"
PDF = b"%PDF-1.4\n% training handout\n"
POWER_PERMS = ["training.view_training", "training.manage_training", "training.view_own_training"]
PUBLIC_PAGES = {"training_public:signin"}


def setup(ctx: Any) -> None:
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from conftest import make_user
    from xiaobao.core.clock import localdate
    from xiaobao.training import services as svc
    from xiaobao.training.models import PositionLayer, StaffMember

    organiser = make_user("b1_tr_organiser", ctx.org.b1, ["branch_cp_officer"])
    front = PositionLayer.objects.get(code="front_line")
    today = localdate()
    ctx.training_staff = StaffMember.objects.create(
        employee_no="B1T0001", name=f"{MARK}甲", org_unit=ctx.org.b1s, layer=front
    )
    ctx.training_other_staff = StaffMember.objects.create(
        employee_no="B1T0002", name=f"{MARK}乙", org_unit=ctx.org.b1s, layer=front
    )
    ctx.training_plan = svc.plan_create(
        actor=organiser,
        data={
            "year": today.year,
            "org_unit": ctx.org.b1.code,
            "title": f"{MARK} 北京分行培训计划",
            "targets": {"front_line": Decimal("8")},
            "courses": [{"title": "消费者权益保护基础", "layer": "front_line", "hours": "2"}],
        },
    )
    ctx.training_course = ctx.training_plan.courses.get()
    common = {
        "org_unit": ctx.org.b1.code,
        "date": today,
        "hours": "2.0",
        "kind": "lecture",
        "trainer_kind": "internal",
        "mode": "onsite",
    }
    ctx.training_session = svc.session_create(
        actor=organiser,
        data={
            **common,
            "title": f"{MARK} 消保知识培训",
            "plan": ctx.training_plan.pk,
            "course": ctx.training_course.pk,
            "layers": ["front_line"],
        },
    )
    svc.session_signin_open(actor=organiser, session=ctx.training_session, open=True)
    ctx.training_attendance, _ = svc.attendance_add(
        actor=organiser, session=ctx.training_session, employee_no="B1T0001"
    )
    ctx.training_material = svc.material_add(
        actor=organiser,
        session=ctx.training_session,
        fileobj=SimpleUploadedFile("handout.pdf", PDF),
        name="handout.pdf",
    )
    ctx.training_session_empty = svc.session_create(
        actor=organiser, data={**common, "title": f"{MARK} 待删除"}
    )


def signin_as_power(session: Any) -> dict[str, Any]:
    """Link branch 1's power user (if this test created it) to a staff member of branch 1; the URL kwargs."""
    from xiaobao.core.models import User
    from xiaobao.training.models import PositionLayer, StaffMember

    user = User.objects.filter(username="power_b1").first()
    if user is not None and not StaffMember.objects.filter(user=user).exists():
        StaffMember.objects.create(
            employee_no="B1TPOWER",
            name="分行主管",
            org_unit=session.org_unit,
            layer=PositionLayer.objects.get(code="middle_management"),
            user=user,
        )
    return {"token": session.signin_token}


def _pdf(c: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("slides.pdf", PDF)}


def _signin_list(c: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiaobao.core.exports import xlsx_bytes

    content = xlsx_bytes("签到表", ["工号", "姓名"], [["B1T0002", f"{MARK}乙"]])
    return {"file": SimpleUploadedFile("sign-in.xlsx", content)}


def _session(c: Any) -> dict[str, Any]:
    return {"pk": c.training_session.pk}


def _year() -> int:
    from xiaobao.core.clock import localdate

    return localdate().year


PAGE_ROUTES: list[Route] = [
    Route("training:home", "get", kind="global"),
    Route("training:plans", "get", kind="list", marker=lambda c: c.training_plan.title),
    Route("training:plan_create", "get", kind="global"),
    Route("training:plan_detail", "get", lambda c: {"pk": c.training_plan.pk}),
    Route("training:plan_edit", "get", lambda c: {"pk": c.training_plan.pk}),
    Route(
        "training:course_create",
        "post",
        lambda c: {"pk": c.training_plan.pk},
        lambda c: {"title": "案例分析", "hours": "1.5", "planned_month": "5"},
        ok=(302,),
    ),
    Route(
        "training:course_edit",
        "get",
        lambda c: {"pk": c.training_plan.pk, "course_id": c.training_course.pk},
    ),
    Route(
        "training:course_delete",
        "post",
        lambda c: {"pk": c.training_plan.pk, "course_id": c.training_course.pk},
        ok=(302,),
    ),
    Route("training:sessions", "get", kind="list", marker=lambda c: c.training_session.title),
    Route("training:session_create", "get", kind="global"),
    Route("training:signin_template", "get", kind="global"),
    Route("training:session_detail", "get", _session),
    # the session without attendance shows the delete button (the form sweep reaches it here)
    Route("training:session_detail", "get", lambda c: {"pk": c.training_session_empty.pk}),
    Route("training:session_edit", "get", _session),
    Route("training:session_delete", "post", lambda c: {"pk": c.training_session_empty.pk}, ok=(302,)),
    Route("training:session_signin", "post", _session, lambda c: {"action": "close"}, ok=(302,)),
    Route("training:session_room", "get", _session),
    Route("training:session_room_count", "get", _session),
    Route("training:material_upload", "post", _session, _pdf, ok=(302,)),
    Route(
        "training:material_download",
        "get",
        lambda c: {"pk": c.training_session.pk, "material_id": c.training_material.pk},
    ),
    Route(
        "training:material_delete",
        "post",
        lambda c: {"pk": c.training_session.pk, "material_id": c.training_material.pk},
        ok=(302,),
    ),
    Route("training:attendance_add", "post", _session, lambda c: {"employee_no": "B1T0002"}, ok=(302,)),
    Route("training:attendance_import", "post", _session, _signin_list, ok=(302,)),
    Route("training:attendance_export", "get", _session),
    Route(
        "training:attendance_edit",
        "post",
        lambda c: {"pk": c.training_session.pk, "attendance_id": c.training_attendance.pk},
        lambda c: {"hours": "1.5"},
        ok=(302,),
    ),
    Route(
        "training:attendance_remove",
        "post",
        lambda c: {"pk": c.training_session.pk, "attendance_id": c.training_attendance.pk},
        ok=(302,),
    ),
    Route("training:coverage", "get", kind="list", marker=lambda c: c.org.b1s.name),
    Route("training:coverage_export", "get", kind="global"),
    Route("training:signin", "get", lambda c: signin_as_power(c.training_session)),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/training/plans", "get", kind="list", marker=lambda c: c.training_plan.title),
    Route(
        "POST /api/v1/training/plans",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "year": _year() + 1,
            "org_unit": c.org.b1.code,
            "title": "明年培训计划",
            "targets": {"front_line": 10},
            "courses": [{"title": "反洗钱", "hours": 2}],
        },
    ),
    Route("GET /api/v1/training/plans/{plan_id}", "get", lambda c: {"plan_id": c.training_plan.pk}),
    Route("GET /api/v1/training/sessions", "get", kind="list", marker=lambda c: c.training_session.title),
    Route(
        "POST /api/v1/training/sessions",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "title": "新员工消保培训",
            "org_unit": c.org.b1s.code,
            "date": f"{_year()}-06-15",
            "hours": 3,
            "trainer_kind": "external",
            "trainer_name": "外部讲师",
        },
    ),
    Route(
        "GET /api/v1/training/sessions/{session_id}", "get", lambda c: {"session_id": c.training_session.pk}
    ),
    Route(
        "PATCH /api/v1/training/sessions/{session_id}",
        "patch",
        lambda c: {"session_id": c.training_session.pk},
        lambda c: {"venue": "三楼会议室", "signin_open": False},
    ),
    Route(
        "GET /api/v1/training/sessions/{session_id}/attendance",
        "get",
        lambda c: {"session_id": c.training_session.pk},
    ),
    Route(
        "POST /api/v1/training/sessions/{session_id}/attendance",
        "post",
        lambda c: {"session_id": c.training_session.pk},
        lambda c: {"employee_no": "B1T0002"},
        ok=(201,),
    ),
    Route(
        "DELETE /api/v1/training/sessions/{session_id}/attendance/{attendance_id}",
        "delete",
        lambda c: {"session_id": c.training_session.pk, "attendance_id": c.training_attendance.pk},
        ok=(204,),
    ),
    Route(
        "GET /api/v1/training/coverage",
        "get",
        extra={"query": "?unit=B1&by=unit"},
    ),
]
