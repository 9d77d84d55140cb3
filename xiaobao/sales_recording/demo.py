"""Sales recording's part of `xiaobao demo_load` (declared as `Module.demo`): a year of sales that require
recording at the demo bank's outlets, imported through the import framework one quarter file at a time (as
an institution would), each branch's quarterly samples drawn, and the first items of every ended quarter's
samples checked with the 双录 checklist (a few items fail: findings).

Outlets differ: each has its own share of sales left without a recording and its own error rate in checks.
Nothing here is a person: sellers are staff numbers, applicants ages. Runs once (skipped when the register
holds sales); ≈ 1,100 sales, 9 samples, ≈ 27 checks in ≈ 30 s on the demo bank (SQLite).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from xiaobao.core.clock import recording_at

KINDS = [("自营理财", 50), ("代销基金", 25), ("代销保险", 20), ("贵金属", 5)]
PRODUCTS = {
    "自营理财": ["稳盈理财1号", "季季盈理财", "安心半年开"],
    "代销基金": ["晓宝成长混合", "稳健债券A"],
    "代销保险": ["福寿年金保险", "安康两全保险"],
    "贵金属": ["投资金条"],
}
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
CHECKS_PER_SAMPLE = 3


@dataclass
class Result:
    sales: int = 0
    samples: int = 0
    checks: int = 0
    findings: int = 0
    notes: list[str] = field(default_factory=list)


def _quarters(today: dt.date, count: int) -> list[tuple[int, int]]:
    """The last `count` quarters that have begun, oldest first (the current one included)."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        out.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return out[::-1]


def _rows(
    rng: random.Random, outlets: list[Any], year: int, quarter: int, now: dt.datetime
) -> list[list[str]]:
    tz = timezone.get_default_timezone()
    rows = []
    for outlet in outlets:
        missing = rng.choice([0.0, 0.01, 0.03, 0.08])  # this outlet's share of sales without a recording
        for month in range(3 * quarter - 2, 3 * quarter + 1):
            for _ in range(rng.randrange(2, 9)):
                day = rng.randrange(1, 29)
                at = dt.datetime(year, month, day, rng.randrange(9, 17), rng.randrange(60), tzinfo=tz)
                if at > now:
                    continue
                kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
                recorded = rng.random() >= missing
                age = rng.randrange(62, 86) if rng.random() < 0.15 else rng.randrange(22, 60)
                rows.append(
                    [
                        f"DEMO{outlet.pk:04d}{at:%Y%m%d%H%M}{rng.randrange(10**6):06d}",
                        outlet.code,
                        rng.choice(PRODUCTS[kind]),
                        kind,
                        f"S{outlet.pk:03d}{rng.randrange(1, 6):02d}",
                        f"{at:%Y-%m-%d %H:%M}",
                        f"VR{at:%Y%m%d}{rng.randrange(10**6):06d}" if recorded else "",
                        str(rng.randrange(240, 1800)) if recorded else "",
                        str(age),
                    ]
                )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _import(user: Any, unit: Any, name: str, data: bytes) -> int:
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.services import import_job_create, import_job_run, import_job_start
    from xiaobao.sales_recording.importing import PRESET_NAME

    job = import_job_create(
        actor=user,
        fileobj=io.BytesIO(data),
        name=name,
        preset=ImportPreset.objects.get(name=PRESET_NAME),
        org_unit=unit,
    )
    job = import_job_run(job=import_job_start(actor=user, job=job, stage="import"))
    return job.created


def _check(rng: random.Random, user: Any, item: Any, at: dt.datetime, error_rate: float) -> int:
    """Fill one sampled sale's check and submit it; returns the findings it left."""
    from xiaobao.inspections.services import answer_save, inspection_act
    from xiaobao.sales_recording.services import sample_item_check

    with recording_at(at):
        inspection = sample_item_check(actor=user, item=item)
        for section in inspection.template.sections.order_by("order"):
            for spec in section.items.order_by("order"):
                if spec.kind == "text":
                    value: Any = "质检完成"
                elif spec.kind == "yes_no":
                    value = not (item.sale.recording_id == "" and section.code == "recording")
                    value = value and rng.random() >= error_rate
                else:
                    continue
                answer_save(actor=user, inspection=inspection, item_code=spec.code, value=value)
        inspection.refresh_from_db()
        inspection = inspection_act(
            actor=user, inspection=inspection, action="submit", version=inspection.version
        )
    return inspection.findings.count()


def sales_recording_demo_load(*, seed: int, quarters: int = 4) -> Result:
    """Load the demo (see the module docstring) with the demo logins hq_cp and branch<n>_cp."""
    from xiaobao.core.models import OrgUnit, User
    from xiaobao.sales_recording.models import RecordingSample, SampleItem, SamplingRule
    from xiaobao.sales_recording.services import quarter_bounds, sample_draw

    rng = random.Random(seed)
    result = Result()
    importer = User.objects.filter(username="hq_cp", is_active=True).first()
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if importer is None or root is None:
        result.notes.append("no demo bank (run demo_load first)")
        return result
    now = timezone.now()
    today = timezone.localdate()
    outlets = list(OrgUnit.objects.filter(kind="outlet", is_active=True).order_by("path"))
    periods = _quarters(today, quarters)
    for year, quarter in periods:
        rows = _rows(rng, outlets, year, quarter, now)
        result.sales += _import(importer, root, f"双录台账-{year}Q{quarter}.csv", _csv(rows))
    rule = SamplingRule.objects.get(code="bank-sales-zone")
    branches = OrgUnit.objects.filter(kind="branch", is_active=True).order_by("path")
    for n, branch in enumerate(branches, start=1):
        officer = User.objects.filter(username=f"branch{n}_cp", is_active=True).first()
        if officer is None:
            continue
        error_rate = rng.choice([0.01, 0.02, 0.05])
        for year, quarter in periods[:-1]:  # ended quarters: drawn and partly checked
            sample = sample_draw(
                actor=officer,
                org_unit=branch,
                year=year,
                quarter=quarter,
                rule=rule,
                seed=rng.randrange(2**40),
            )
            result.samples += 1
            checked_at = quarter_bounds(year, quarter)[1] + dt.timedelta(days=rng.randrange(3, 20), hours=10)
            items = SampleItem.objects.filter(sample=sample).select_related("sale").order_by("pk")
            for i, item in enumerate(items[:CHECKS_PER_SAMPLE]):
                if checked_at + dt.timedelta(minutes=20 * i) > now:
                    break
                result.findings += _check(
                    rng, officer, item, checked_at + dt.timedelta(minutes=20 * i), error_rate
                )
                result.checks += 1
    result.notes.append(f"{RecordingSample.objects.count()} samples in all")
    return result


def arguments(parser: Any) -> None:
    parser.add_argument(
        "--sales-recording",
        type=int,
        default=1,
        help="A year of sales requiring recording, quarterly samples and checks (1, the default; 0 for none; "
        "≈ 30 s). Skipped when the register holds sales.",
    )


def load(command: Any, *, seed: int, sales_recording: int = 1, **opts: Any) -> None:
    """`demo_load`'s hook: once, reported on the command's output."""
    from xiaobao.sales_recording.models import RecordedSale

    if sales_recording <= 0:
        return
    out = command.stdout
    if RecordedSale.objects.exists():
        out.write("Demo sales-recording register already loaded.")
        return
    out.write("Loading a year of sales that require recording, samples and checks …")
    r = sales_recording_demo_load(seed=seed)
    counts = f"{r.sales:,} sales, {r.samples} samples, {r.checks} checks ({r.findings} findings)"
    out.write(f"  {counts}. {' '.join(r.notes)}")
