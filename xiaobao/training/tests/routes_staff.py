"""Scoping-quartet entries for the staff register and training records (combined in tests/routes.py).

Branch 1 holds `ctx.staff` (employee number B1STAFF0001, at the outlet, with one session attended) and a
person registered under the number "power_b1": when a test creates branch 1's power user (username
power_b1) the account is linked to that person at once (the register follows the accounts), so the own
record (/training/me/, /api/v1/me/training) has something to show for the allowed user.
"""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1STAFF0001"
POWER_PERMS: list[str] = [
    "training.view_staff",
    "training.manage_staff",
    "training.view_own_training",
]


def setup(ctx: Any) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from conftest import make_user
    from xiaobao.training.models import Attendance, PositionLayer, StaffMember, TrainingSession

    front = PositionLayer.objects.get(code="front_line")
    ctx.staff = StaffMember.objects.create(
        employee_no=MARK, name="北京员工甲", org_unit=ctx.org.b1o, layer=front, position="柜员"
    )
    ctx.staff_power = StaffMember.objects.create(
        employee_no="power_b1", name="北京分行权限用户", org_unit=ctx.org.b1, layer=front
    )
    organiser = make_user("b1_staff_organiser", ctx.org.b1, ["branch_cp_officer"])
    session = TrainingSession.objects.create(
        org_unit=ctx.org.b1,
        created_by=organiser,
        date=dt.date(2026, 3, 2),
        hours=Decimal("2"),
        title="北京分行消保培训",
    )
    for staff in (ctx.staff, ctx.staff_power):
        Attendance.objects.create(
            session=session,
            staff=staff,
            date=session.date,
            hours=session.hours,
            method="manual",
            signed_at=timezone.make_aware(dt.datetime(2026, 3, 2, 9, 5)),
        )


def _new_person(c: Any) -> dict[str, Any]:
    return {
        "employee_no": "B1NEW0001",
        "name": "新员工",
        "org_unit": c.org.b1o.pk,
        "layer": "new_hire",
        "position": "柜员",
        "hire_date": "2026-02-01",
    }


def _edited(c: Any) -> dict[str, Any]:
    return {
        "employee_no": c.staff.employee_no,
        "name": "北京员工甲（改）",
        "org_unit": c.org.b1s.pk,
        "layer": "middle_management",
        "position": "网点主任",
        "hire_date": "2019-09-01",
        "username": "",
    }


PAGE_ROUTES: list[Route] = [
    Route("training:staff_list", "get", kind="list", marker=lambda c: c.staff.employee_no),
    Route("training:staff_new", "get", kind="global"),
    Route("training:staff_new", "post", kind="global", data=_new_person, ok=(302,)),
    Route("training:staff_export", "get", kind="global"),
    Route("training:staff_import", "get", kind="global"),
    Route("training:staff_import_template", "get", kind="global"),
    Route("training:staff_record", "get", lambda c: {"pk": c.staff.pk}),
    Route("training:staff_record_export", "get", lambda c: {"pk": c.staff.pk}),
    Route("training:staff_edit", "get", lambda c: {"pk": c.staff.pk}),
    Route("training:staff_edit", "post", lambda c: {"pk": c.staff.pk}, _edited, ok=(302,)),
    Route("training:staff_deactivate", "get", lambda c: {"pk": c.staff.pk}),
    Route(
        "training:staff_deactivate",
        "post",
        lambda c: {"pk": c.staff.pk},
        lambda c: {"active": "0"},
        ok=(302,),
    ),
    Route("training:my_record", "get", kind="global"),
    Route("training:my_record_export", "get", kind="global"),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/staff", "get", kind="list", marker=lambda c: c.staff.employee_no),
    Route(
        "POST /api/v1/staff",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "employee_no": "B1NEW0002",
            "name": "新员工乙",
            "unit": c.org.b1s.code,
            "layer": "new_hire",
        },
    ),
    Route("GET /api/v1/staff/{staff_id}", "get", lambda c: {"staff_id": c.staff.pk}),
    Route(
        "PATCH /api/v1/staff/{staff_id}",
        "patch",
        lambda c: {"staff_id": c.staff.pk},
        lambda c: {"position": "理财经理", "layer": "front_line"},
    ),
    Route("GET /api/v1/staff/{staff_id}/record", "get", lambda c: {"staff_id": c.staff.pk}),
    Route("GET /api/v1/me/training", "get", kind="global"),
]
