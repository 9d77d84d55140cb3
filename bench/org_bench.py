"""Institution-tree benchmark: subtree queries, scoped lists and subtree moves at ~10,000 units.

Builds HO → 40 branches → 10 sub-branches each → 24 outlets each (10,041 units) in a scratch database
and times, over many repetitions, the operations every scoped page and endpoint stands on:

- subtree of a branch (251 units): `OrgUnit.objects.subtree(branch)` fetched;
- scope check: `OrgUnit.objects.visible_to(branch officer)` count;
- one outlet lookup inside a branch officer's scope (the 404 check of every detail page);
- moving a sub-branch (25 units) to another branch: one UPDATE of all paths, audited.

Usage (SQLite in a temporary directory by default; PostgreSQL with a scratch database URL):
    .venv/bin/python bench/org_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiaobao_bench .venv/bin/python bench/org_bench.py
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")  # dev keys, fast hashing: this is a scratch database
if not os.environ.get("DATABASE_URL"):
    os.environ["XIAOBAO_DATA_DIR"] = tempfile.mkdtemp(prefix="xiaobao-bench-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from xiaobao.core.models import OrgUnit, User  # noqa: E402
from xiaobao.core.models.org import PATH_SEGMENT  # noqa: E402
from xiaobao.core.services.accounts import user_create  # noqa: E402
from xiaobao.core.services.org import org_unit_move  # noqa: E402

BRANCHES, SUBS, OUTLETS = 40, 10, 24


def build_tree() -> None:
    """Bulk insert with precomputed ids and paths (the services do one unit at a time)."""
    rows = []
    next_id = 1

    def add(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        nonlocal next_id
        path = (parent.path if parent else "") + str(next_id).zfill(PATH_SEGMENT)
        unit = OrgUnit(
            id=next_id,
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            path=path,
            depth=len(path) // PATH_SEGMENT,
        )
        rows.append(unit)
        next_id += 1
        return unit

    ho = add("HO", "总行", "head_office", None)
    for b in range(BRANCHES):
        branch = add(f"B{b:02d}", f"第{b}分行", "branch", ho)
        for s in range(SUBS):
            sub = add(f"B{b:02d}-{s:02d}", f"第{b}分行第{s}支行", "sub_branch", branch)
            for o in range(OUTLETS):
                add(f"B{b:02d}-{s:02d}-{o:02d}", f"网点{o}", "outlet", sub)
    OrgUnit.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('core_orgunit', 'id'), %s)", [next_id])
            cur.execute("ANALYZE core_orgunit")


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[int(len(ms) * 0.95) - 1]
    return f"| {name} | {len(ms)} | {statistics.median(ms):.3f} | {p95:.3f} | {ms[-1]:.3f} |"


def main() -> None:
    call_command("migrate", verbosity=0)
    if OrgUnit.objects.exists():
        sys.exit("the database already has units: point DATABASE_URL at an empty scratch database")
    t0 = time.perf_counter()
    build_tree()
    build_s = time.perf_counter() - t0
    total = OrgUnit.objects.count()
    branch = OrgUnit.objects.get(code="B17")
    officer = user_create(
        actor=None,
        username="bench_b17",
        full_name="bench",
        org_unit=branch,
        roles=["branch_cp_officer"],
        password="Bench-pass-2026-long",
    )
    officer = User.objects.get(pk=officer.pk)
    outlet_code = "B17-05-11"

    results = [
        report(
            "subtree of a branch (251 units), fetched",
            timed(lambda: list(OrgUnit.objects.subtree(branch)), 300),
        ),
        report(
            "visible_to(branch officer).count()",
            timed(lambda: OrgUnit.objects.visible_to(officer).count(), 300),
        ),
        report(
            "outlet lookup inside scope (detail 404 check)",
            timed(lambda: OrgUnit.objects.visible_to(officer).get(code=outlet_code), 300),
        ),
    ]
    targets = [OrgUnit.objects.get(code=f"B{b:02d}") for b in (3, 4)]
    sub = OrgUnit.objects.get(code="B17-03")
    moves = []
    for i in range(40):
        moves += timed(lambda i=i: org_unit_move(actor=officer, unit=sub, new_parent=targets[i % 2]), 1)
    results.append(report("move a sub-branch with 24 outlets (audited)", moves))
    assert OrgUnit.objects.subtree(OrgUnit.objects.get(code="B17-03")).count() == OUTLETS + 1

    print(
        f"database: {connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}"
    )
    print(
        f"units: {total:,} (bulk build {build_s:.2f} s); "
        f"machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("| operation | runs | median ms | p95 ms | max ms |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(results))


if __name__ == "__main__":
    main()
