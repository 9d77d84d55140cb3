"""Builders shared by the staff register and training-record tests (no tests here)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conftest import make_user

NOW = "2026-03-02 10:00 +0800"
HEADER = ["工号", "姓名", "机构代码", "岗位层级", "岗位", "入职日期", "在职状态"]


def layer(code: str) -> Any:
    from xiaobao.training.models import PositionLayer

    return PositionLayer.objects.get(code=code)


def ensure_layers() -> None:
    """The preset layers (a transactional test's flush takes the data migration's rows)."""
    from xiaobao.training.models import PositionLayer

    for code, name, order in [
        ("senior_management", "高级管理人员", 10),
        ("middle_management", "中层管理人员", 20),
        ("front_line", "一线员工", 30),
        ("new_hire", "新入职员工", 40),
    ]:
        PositionLayer.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


def person(no: str, unit: Any, code: str = "front_line", **kw: Any) -> Any:
    from xiaobao.training.models import StaffMember

    kw.setdefault("name", f"员工{no}")
    return StaffMember.objects.create(employee_no=no, org_unit=unit, layer=layer(code), **kw)


def plan(unit: Any, year: int, actor: Any, **targets: str) -> Any:
    from xiaobao.training.models import LayerTarget, TrainingPlan

    p = TrainingPlan.objects.create(
        year=year, org_unit=unit, title=f"{unit.name}{year}年培训计划", created_by=actor
    )
    for code, hours in targets.items():
        LayerTarget.objects.create(plan=p, layer=layer(code), target_hours=Decimal(hours))
    return p


def session(
    unit: Any, actor: Any, day: str, hours: str, title: str, people: list[Any] = (), **kw: Any
) -> Any:  # type: ignore[assignment]
    from xiaobao.training.models import Attendance, TrainingSession

    s = TrainingSession.objects.create(
        org_unit=unit,
        created_by=actor,
        date=dt.date.fromisoformat(day),
        hours=Decimal(hours),
        title=title,
        **kw,
    )
    for p in people:
        Attendance.objects.create(
            session=s,
            staff=p,
            date=s.date,
            hours=s.hours,
            method="qr",
            signed_at=timezone.make_aware(dt.datetime.fromisoformat(f"{day} 09:05")),
        )
    return s


def exam_attempt(
    user: Any, unit: Any, actor: Any, title: str, score: int | None, start: str, **kw: Any
) -> Any:
    """A submitted attempt (or an open one when `score` is None) of a new published exam."""
    from xiaobao.exams.models import Attempt, Exam

    start_at = timezone.make_aware(dt.datetime.fromisoformat(start))
    exam = kw.pop("exam", None) or Exam.objects.create(
        title=title,
        org_unit=unit,
        status="published",
        opens_at=start_at - dt.timedelta(hours=1),
        closes_at=start_at + dt.timedelta(days=1),
        time_limit_minutes=30,
        pass_mark=Decimal("60"),
        seed=1,
        created_by=actor,
        **kw,
    )
    number = Attempt.objects.filter(exam=exam, user=user).count() + 1
    return Attempt.objects.create(
        exam=exam,
        user=user,
        number=number,
        status="submitted" if score is not None else "in_progress",
        seed=number,
        started_at=start_at,
        ends_at=start_at + dt.timedelta(minutes=30),
        submitted_at=start_at + dt.timedelta(minutes=20) if score is not None else None,
        points=Decimal(score) if score is not None else None,
        max_points=Decimal("100"),
        score=Decimal(score) if score is not None else None,
        passed=(score >= 60) if score is not None else None,
        org_unit=unit,
    )


def learner(username: str, unit: Any) -> Any:
    return make_user(username, unit, ["learner"])


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run_staff_import(
    user: Any, data: bytes, unit: Any, stage: str = "import", name: str = "staff.xlsx", **opts: Any
) -> Any:
    """Upload, validate and (by default) import a file with the shipped preset; the finished job."""
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.services import (
        import_job_create,
        import_job_run,
        import_job_set_mapping,
        import_job_start,
    )
    from xiaobao.training.importing import PRESET_NAME

    job = import_job_create(
        actor=user,
        fileobj=io.BytesIO(data),
        name=name,
        preset=ImportPreset.objects.get(name=PRESET_NAME),
        org_unit=unit,
        skip_invalid=opts.pop("skip_invalid", False),
    )
    if opts:  # defaults to change (after the file is read: the mapping screen's step)
        job = import_job_run(job=job)
        job = import_job_set_mapping(
            actor=user,
            job=job,
            columns=job.columns,
            value_maps=opts.pop("value_maps", job.value_maps),
            defaults={**(job.defaults or {}), **opts},
            skip_invalid=job.skip_invalid,
            received_on=None,
        )
    job = import_job_run(job=import_job_start(actor=user, job=job, stage="validate"))
    if stage == "import":
        job = import_job_run(job=import_job_start(actor=user, job=job, stage="import"))
    return job
