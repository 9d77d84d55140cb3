"""Bulk import of the real 28,156-row CFPB sample against the configured database: rows per second.

Runs the import services in-process, exactly as `xiaobao import_complaints` does (read, check every row,
write consumers, complaints, events and clocks in one transaction, one audit record), into a fresh unit
created for the run (so each run imports everything; the rows stay), then imports the same file again into
that unit to time the idempotent re-run (0 rows added). Prints a markdown table for docs/benchmarks.md.

The sample is read in place from ../shared/data/cfpb (override the data directory with XIAOBAO_SHARED_DATA).

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiaobao_bench .venv/bin/python bench/import_bench.py
    DATABASE_URL=sqlite:////tmp/import-bench.sqlite3 .venv/bin/python bench/import_bench.py [--runs 3]

It writes, so it refuses a SQLite file outside the temporary directory whose name does not say bench/scratch,
and a PostgreSQL database whose name does not contain bench/scratch. An empty database is migrated first.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")  # development vault keys, like bench_generate


def _refuse_unless_scratch(url: str) -> None:
    if not url:
        sys.exit(
            "Set DATABASE_URL to a scratch database (sqlite:////tmp/import-bench.sqlite3 or …/xiaobao_bench)."
        )
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path.lstrip("/") if parsed.netloc else parsed.path).resolve()
        tmp = Path(tempfile.gettempdir()).resolve()
        if not (path.is_relative_to(tmp) or any(w in path.name for w in ("bench", "scratch"))):
            sys.exit(f"Refusing {path}: not a scratch SQLite file (put it under {tmp} or name it *bench*).")
    else:
        name = parsed.path.lstrip("/")
        if not any(w in name for w in ("bench", "scratch")):
            sys.exit(f"Refusing database {name!r}: the benchmark writes; use a scratch database (*bench*).")


_refuse_unless_scratch(os.environ.get("DATABASE_URL", ""))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from xiaobao.core.models import OrgUnit, User  # noqa: E402
from xiaobao.core.services.org import org_unit_create  # noqa: E402
from xiaobao.imports.models import ImportPreset  # noqa: E402
from xiaobao.imports.services import import_job_create, import_job_run, import_job_start  # noqa: E402

DATA = Path(os.environ.get("XIAOBAO_SHARED_DATA") or ROOT.parent / "shared" / "data")
SAMPLE = DATA / "cfpb" / "structured_28k_samratbhosale7.csv"


def _setup() -> tuple[User, OrgUnit]:
    call_command("migrate", verbosity=0)
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        root = org_unit_create(actor=None, code="BENCH-HO", name="基准总行", kind="head_office", parent=None)
    actor = User.objects.filter(is_superuser=True, is_active=True).first()
    if actor is None:
        actor = User.objects.create_superuser("bench_importer", password=None, org_unit=root)
    return actor, root


def _fresh_unit(root: OrgUnit) -> OrgUnit:
    code = f"BENCH-IMP-{time.time_ns() // 1000}"
    return org_unit_create(actor=None, code=code, name=f"导入基准 {code[-6:]}", kind="branch", parent=root)


def _import(actor: User, unit: OrgUnit, data: bytes) -> tuple[float, int, int, float, float]:
    """(seconds, created, skipped, seconds reading + checking, seconds writing) of one import."""
    marks: dict[str, float] = {}

    def progress(job) -> None:
        if job.message and job.message not in marks:
            marks[job.message] = time.perf_counter()

    t0 = time.perf_counter()
    job = import_job_create(
        actor=actor,
        fileobj=io.BytesIO(data),
        name=SAMPLE.name,
        preset=ImportPreset.objects.get(name="cfpb"),
        org_unit=unit,
        language="en",
    )
    job = import_job_run(job=import_job_start(actor=actor, job=job, stage="import"), on_progress=progress)
    total = time.perf_counter() - t0
    if job.state != "done":
        sys.exit(f"import failed: {job.error}")
    writing_started = next((t for m, t in marks.items() if m.startswith("Writing")), t0 + total)
    return total, job.created, job.skipped_existing, writing_started - t0, t0 + total - writing_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="fresh imports to time (each into a new unit)")
    args = parser.parse_args()
    if not SAMPLE.is_file():
        sys.exit(f"{SAMPLE} not found: set XIAOBAO_SHARED_DATA to the shared data directory")
    data = SAMPLE.read_bytes()
    actor, root = _setup()
    runs = []
    for _ in range(args.runs):
        unit = _fresh_unit(root)
        runs.append(_import(actor, unit, data))
    again = _import(actor, unit, data)
    db = connection.vendor + (f" {connection.pg_version}" if connection.vendor == "postgresql" else "")
    print(
        f"\n{SAMPLE.name}: {len(data) / 2**20:.1f} MB · {db} · Python {platform.python_version()} "
        f"· Django {django.get_version()} · {os.cpu_count()} CPUs\n"
    )
    print("| run | rows created | seconds | read + check s | write s | rows/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for i, (total, created, _, check, write) in enumerate(runs, start=1):
        print(f"| {i} | {created:,} | {total:.1f} | {check:.1f} | {write:.1f} | {created / total:,.0f} |")
    if len(runs) > 1:
        median = statistics.median(r[0] for r in runs)
        print(f"| median | {runs[0][1]:,} | {median:.1f} | | | {runs[0][1] / median:,.0f} |")
    total, created, skipped, _, _ = again
    print(f"\nSame file again into the same unit: {created} created, {skipped:,} skipped in {total:.1f} s.")


if __name__ == "__main__":
    main()
