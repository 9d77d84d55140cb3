"""Shared builders for the plans, sessions, sign-in and coverage tests (no tests here): staff members, plans
with layer targets, sessions and attendance rows written straight to the models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from xiaobao.training.models import (
    Attendance,
    LayerTarget,
    PositionLayer,
    StaffMember,
    TrainingPlan,
    TrainingSession,
)


def layer(code: str) -> PositionLayer:
    return PositionLayer.objects.get(code=code)


def plan(unit: Any, year: int, actor: Any, **targets: str) -> TrainingPlan:
    p = TrainingPlan.objects.create(
        year=year, org_unit=unit, title=f"{unit.code} {year}年培训计划", created_by=actor
    )
    for code, hours in targets.items():
        LayerTarget.objects.create(plan=p, layer=layer(code), target_hours=Decimal(hours))
    return p


def person(
    no: str, unit: Any, code: str = "front_line", *, active: bool = True, user: Any = None
) -> StaffMember:
    return StaffMember.objects.create(
        employee_no=no, name=f"员工{no}", org_unit=unit, layer=layer(code), active=active, user=user
    )


def session(
    unit: Any, actor: Any, day: str = "2026-03-02", hours: str = "2.0", title: str = "", **extra: Any
) -> TrainingSession:
    return TrainingSession.objects.create(
        title=title or f"{unit.code} 消保培训 {day}",
        org_unit=unit,
        date=dt.date.fromisoformat(day),
        hours=Decimal(hours),
        created_by=actor,
        **extra,
    )


def attend(
    s: TrainingSession, staff: StaffMember, hours: str | None = None, method: str = "manual"
) -> Attendance:
    return Attendance.objects.create(
        session=s,
        staff=staff,
        date=s.date,
        hours=Decimal(hours) if hours is not None else s.hours,
        method=method,
        signed_at=timezone.now(),
    )


def pinned():
    """2026-03-02 10:00 in Shanghai, frozen (the tests' day)."""
    import time_machine

    return time_machine.travel("2026-03-02 10:00 +0800", tick=False)


def signin_list(rows: list[list[str]], headers: tuple[str, ...] = ("工号", "姓名", "学时")) -> Any:
    """An uploaded .xlsx sign-in list."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xiaobao.core.exports import xlsx_bytes

    return SimpleUploadedFile("sign-in.xlsx", xlsx_bytes("签到表", list(headers), rows))
