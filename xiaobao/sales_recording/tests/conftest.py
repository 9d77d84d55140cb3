"""Fixtures of the sales-recording tests: officers with the module's permissions, sales, a CSV maker."""

from __future__ import annotations

import csv
import datetime as dt
import io
from itertools import count

import pytest
import time_machine

SR_PERMS = [
    "sales_recording.view_recordedsale",
    "sales_recording.import_recordedsale",
    "sales_recording.check_recordedsale",
    "inspections.view_inspection",
    "inspections.conduct_inspection",
]
HEADER = [
    "交易流水号",
    "网点代码",
    "产品名称",
    "产品类型",
    "销售人员",
    "销售时间",
    "录像编号",
    "录像时长",
    "客户年龄",
]
_ids = count(1)


def grant(user, perms=SR_PERMS):
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def frozen():
    with time_machine.travel("2026-04-15 10:00 +0800", tick=False):
        yield


@pytest.fixture
def sr_officer(org):
    """A branch-1 officer who may view, import and check recorded sales (and fill inspections)."""
    from conftest import make_user

    return grant(make_user("sr_b1", org.b1, []))


@pytest.fixture
def sr_other(org):
    from conftest import make_user

    return grant(make_user("sr_b2", org.b2, []))


@pytest.fixture
def sr_hq(org):
    from conftest import make_user

    return grant(make_user("sr_hq", org.cpd, ["hq_cp_officer"]))


def make_sale(
    unit, *, at="2026-02-10 10:00", kind="wealth", recording="R1", duration=300, age=None, ext=None
):
    from django.utils import timezone

    from xiaobao.sales_recording.models import RecordedSale

    moment = timezone.make_aware(dt.datetime.fromisoformat(at))
    return RecordedSale.objects.create(
        org_unit=unit,
        product="稳盈理财1号",
        product_kind=kind,
        seller="S001 张经理",
        sale_at=moment,
        recording_id=recording,
        duration_seconds=duration,
        applicant_age=age,
        source="test",
        external_id=ext or f"T{next(_ids)}",
    )


def sale_row(n: int, **over: str) -> dict[str, str]:
    row = {
        "交易流水号": f"TX{n:06d}",
        "网点代码": "B1-S1-O1",
        "产品名称": "稳盈理财1号",
        "产品类型": "理财",
        "销售人员": "S001",
        "销售时间": "2026-03-02 10:15",
        "录像编号": f"V{n}",
        "录像时长": "05:20",
        "客户年龄": "45",
    }
    row.update(over)
    return row


def make_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    header = header or HEADER
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode()


@pytest.fixture
def run_sales_import():
    """Upload, validate and import a file with the shipped preset; returns the finished job."""
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.services import import_job_create, import_job_run, import_job_start
    from xiaobao.sales_recording.importing import PRESET_NAME

    def _run(user, data: bytes, unit, stage="import", skip_invalid=False):
        job = import_job_create(
            actor=user,
            fileobj=io.BytesIO(data),
            name="sales.csv",
            preset=ImportPreset.objects.get(name=PRESET_NAME),
            org_unit=unit,
            skip_invalid=skip_invalid,
        )
        job = import_job_run(job=import_job_start(actor=user, job=job, stage="validate"))
        if stage == "import":
            job = import_job_run(job=import_job_start(actor=user, job=job, stage="import"))
        return job

    return _run
