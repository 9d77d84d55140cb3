"""Inspections and rectification at volume: 10,000 outlets with four inspections each a year, their
findings and rectification items; the pages issue 13 names and one sweeper pass over 100,000 open clocks.

Against a scratch database (DATABASE_URL, name containing bench/scratch; PostgreSQL for the figures in
docs/benchmarks.md). Fills it when it is empty:
- the institution: head office (+ its consumer-protection department), 40 branches × 10 sub-branches × 25
  outlets = 10,000 outlets (bulk, precomputed paths), a head-office and a branch officer per branch;
- complaints: `xiaobao bench_generate --complaints N` (default 100,000: the archived half feeds the sweep);
- a year of inspections (four per outlet, one a quarter, due at the end of one of its months, those not due
  yet still planned or in progress; the preloaded mystery-shopping checklist with its six sections scored),
  ≈ 1.5 findings per submitted inspection and a rectification item with its clock for each finding (open,
  submitted, verified, some overdue) — bulk inserts (`bulk_create`), no services, no audit trail.

Then measures, in process (django.test.Client, logged in; median / p95 / max ms over --runs after warm-up)
with each request's SQL replayed through a bare cursor as its floor:
- the inspection list page, head office and a branch, and filtered to a branch and a quarter;
- the rectification list filtered to overdue items (head office, a branch);
- the inspection section of the statistics page (`stats_section`, last quarter, head office and a branch)
  and the whole statistics page with it;
- one pass of the shared sweeper (`casework.sweeper.sweep_clocks`) over 100,000 open clocks — up to 50,000
  rectification items and as many archived complaints as make up the rest, reopened with running clocks due
  from 3 days ago to 44 days ahead inside a transaction that is rolled back — first pass (breach, escalate,
  warn what is due) and second pass (the steady state: nothing new).

Usage (`make bench-inspections` runs the first line; the database is created when missing):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiaobao_bench_inspections \\
        .venv/bin/python bench/inspections_bench.py [--runs 30] [--complaints 100000] [--explain]
        [--only pages,sweep] [--match <part of a page scenario's name>]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")  # dev vault keys (as bench_generate uses), test client host
os.environ.setdefault("XIAOBAO_LOG_LEVEL", "WARNING")  # the sweeper logs every escalation at INFO

BRANCHES, SUBS, OUTLETS = 40, 10, 25
PASSWORD = "Bench-pass-2026-long"
SWEEP_EACH = 50_000


def refuse_unless_scratch(url: str) -> None:
    name = Path(urlparse(url).path).name if url.startswith("sqlite") else urlparse(url).path.lstrip("/")
    if not url or not any(w in name for w in ("bench", "scratch")):
        sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench': the benchmark writes.")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database when it is missing (as bench/run.py does)."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return
    import psycopg

    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


refuse_unless_scratch(os.environ.get("DATABASE_URL", ""))
ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from xiaobao.analytics.periods import Period  # noqa: E402
from xiaobao.core.models import OrgUnit, User  # noqa: E402
from xiaobao.core.models.org import PATH_SEGMENT  # noqa: E402
from xiaobao.core.services.accounts import user_create  # noqa: E402

# --- filling ----------------------------------------------------------------------------------------------


def build_tree() -> None:
    """HO, its consumer-protection department, 40 × 10 × 25 = 10,000 outlets: one bulk insert."""
    rows: list[OrgUnit] = []
    next_id = (OrgUnit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

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

    ho = add("HO", "晓宝银行总行", "head_office", None)
    add("HO-CPD", "消费者权益保护部", "department", ho)
    for b in range(BRANCHES):
        branch = add(f"B{b:02d}", f"第{b + 1}分行", "branch", ho)
        for s in range(SUBS):
            sub = add(f"B{b:02d}-{s:02d}", f"第{b + 1}分行第{s + 1}支行", "sub_branch", branch)
            for o in range(OUTLETS):
                add(f"B{b:02d}-{s:02d}-{o:02d}", f"第{b + 1}分行{s + 1}支{o + 1}号网点", "outlet", sub)
    OrgUnit.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('core_orgunit', 'id'), %s)", [next_id])
            cur.execute("ANALYZE core_orgunit")
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=["HO-CPD", *[f"B{b:02d}" for b in range(BRANCHES)]])
    }
    user_create(
        actor=None,
        username="hq_cp",
        full_name="总行消保专员",
        org_unit=units["HO-CPD"],
        roles=["hq_cp_officer"],
        password=PASSWORD,
    )
    for b in range(BRANCHES):
        user_create(
            actor=None,
            username=f"b{b:02d}_cp",
            full_name=f"分行消保专员{b}",
            org_unit=units[f"B{b:02d}"],
            roles=["branch_cp_officer"],
            password=PASSWORD,
        )
        user_create(
            actor=None,
            username=f"b{b:02d}_approver",
            full_name=f"分行审批人{b}",
            org_unit=units[f"B{b:02d}"],
            roles=["approver"],
            password=PASSWORD,
        )


def quarter_ends(today: dt.date) -> list[dt.date]:
    """The ends of the four quarters up to and including the current one."""
    q = Period.containing("quarter", today)
    out = []
    for _ in range(4):
        out.append(q.end)
        q = q.previous()
    return sorted(out)


def fill_inspections(today: dt.date, seed: int = 13) -> dict[str, int]:
    """Four inspections per outlet (one per quarter), findings and rectification items, bulk."""
    from xiaobao.casework.models import DeadlineRule
    from xiaobao.inspections.models import ChecklistTemplate, Finding, Inspection
    from xiaobao.rectification.models import Rectification, RectificationClock

    rng = random.Random(seed)
    template = ChecklistTemplate.objects.filter(code="mystery_shopping", is_current=True).first()
    template = template or ChecklistTemplate.objects.filter(is_current=True).order_by("pk").first()
    if template is None:
        sys.exit("No checklist template: the inspections migrations preload them.")
    sections = list(template.sections.order_by("order").values_list("code", "name"))
    items = list(template.items.order_by("section__order", "order").values_list("code", "text"))
    rule = DeadlineRule.objects.get(code="rectification-10wd")
    hq = User.objects.get(username="hq_cp")
    cps = {
        u.org_unit.path: u for u in User.objects.filter(username__endswith="_cp").select_related("org_unit")
    }
    outlets = list(OrgUnit.objects.filter(kind="outlet").order_by("path").values_list("pk", "path"))
    ends = quarter_ends(today)
    ins_rows: list[Inspection] = []
    n = Inspection.objects.count()
    for quarter_end in ends:
        for pk, path in outlets:
            n += 1
            inspector = cps.get(path[: 2 * PATH_SEGMENT], hq)
            due = Period.month(quarter_end.year, quarter_end.month - 2 + n % 3).end  # spread over the quarter
            ref = f"JC{due:%Y%m}{n:07d}"
            if due >= today:
                status = "planned" if rng.random() < 0.7 else "in_progress"
                ins_rows.append(
                    Inspection(
                        reference=ref,
                        status=status,
                        org_unit_id=pk,
                        handler=inspector,
                        template=template,
                        kind="mystery_shopping",
                        due_date=due,
                        is_mystery=True,
                    )
                )
                continue
            per_section = [
                (code, name, rng.choice([40, 60, 75, 80, 90, 100, 100])) for code, name in sections
            ]
            percent = Decimal(sum(p for *_x, p in per_section)) / len(per_section)
            at = timezone.make_aware(
                dt.datetime.combine(due - dt.timedelta(days=rng.randint(1, 25)), dt.time(11))
            )
            ins_rows.append(
                Inspection(
                    reference=ref,
                    status="submitted",
                    org_unit_id=pk,
                    handler=inspector,
                    template=template,
                    kind="mystery_shopping",
                    due_date=due,
                    is_mystery=True,
                    started_at=at,
                    submitted_at=at,
                    score=percent,
                    max_score=Decimal(100),
                    percent=percent.quantize(Decimal("0.01")),
                    stars=min(5, max(1, int(percent) // 20)),
                    section_scores=[
                        {"code": c, "name": nm, "score": str(p), "max_score": "100", "percent": f"{p:.2f}"}
                        for c, nm, p in per_section
                    ],
                )
            )
    Inspection.objects.bulk_create(ins_rows, batch_size=5000)
    submitted = list(
        Inspection.objects.filter(status="submitted", reference__startswith="JC").values_list(
            "pk", "org_unit_id", "submitted_at", "handler_id"
        )
    )
    findings: list[Finding] = []
    for pk, unit_id, _at, _handler in submitted:
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            code, text = rng.choice(items)
            findings.append(
                Finding(
                    inspection_id=pk,
                    org_unit_id=unit_id,
                    item_code=code,
                    description=text,
                    severity=rng.choice(["minor", "minor", "major", "critical"]),
                )
            )
    Finding.objects.bulk_create(findings, batch_size=5000)
    rows = list(
        Finding.objects.filter(inspection__reference__startswith="JC")
        .values_list("pk", "org_unit_id", "inspection__submitted_at", "inspection__handler_id", "description")
        .order_by("pk")
    )
    rects: list[Rectification] = []
    clocks: list[RectificationClock] = []
    r = Rectification.objects.count()
    for fid, unit_id, at, inspector, text in rows:
        r += 1
        opened = timezone.localtime(at).date()
        due = opened + dt.timedelta(days=14)  # ≈ 10 working days
        # most old items are verified (85 % on time); 5 % of them are still open (overdue), recent ones mixed
        verified = rng.random() < (0.95 if due < today - dt.timedelta(days=20) else 0.3)
        if verified:
            on_time = rng.random() < 0.85
            status, state, met = "verified", "met" if on_time else "breached", due if on_time else None
        else:
            status = rng.choice(["open", "in_progress", "submitted"])
            state, met = ("breached" if due < today else "running"), None
        rects.append(
            Rectification(
                reference=f"ZG{opened:%Y%m}{r:07d}",
                status=status,
                org_unit_id=unit_id,
                handler_id=inspector,
                title=text[:200],
                description=text,
                source="inspection",
                opened_on=opened,
                opened_by_id=inspector,
                rule=rule,
                finding_id=fid,
                due_date=due,
                clock_state=state,
                verified_by_id=inspector if verified else None,
                verified_at=timezone.make_aware(dt.datetime.combine(met or due, dt.time(15)))
                if verified
                else None,
            )
        )
    Rectification.objects.bulk_create(rects, batch_size=5000)
    for item_id, opened, due, state in Rectification.objects.filter(reference__startswith="ZG").values_list(
        "pk", "opened_on", "due_date", "clock_state"
    ):
        clocks.append(
            RectificationClock(
                item_id=item_id,
                name="rectification",
                rule=rule,
                start_date=opened,
                days=10,
                due_date=due,
                state=state,
                met_on=due if state == "met" else None,
            )
        )
    RectificationClock.objects.bulk_create(clocks, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in ("inspections_inspection", "inspections_finding", "rectification_rectification"):
                cur.execute(f"VACUUM (ANALYZE) {table}")
    return {"inspections": len(ins_rows), "findings": len(findings), "rectifications": len(rects)}


# --- measuring --------------------------------------------------------------------------------------------


def summary(ms: list[float]) -> tuple[float, float, float]:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
    return statistics.median(ms), p95, ms[-1]


def timed(fn: Callable[[], Any], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def captured(fn: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]


def replay(sqls: list[str], runs: int) -> list[float]:
    out = []
    with connection.cursor() as cur:
        for _ in range(runs):
            t0 = time.perf_counter()
            for sql in sqls:
                cur.execute(sql)
                cur.fetchall()
            out.append((time.perf_counter() - t0) * 1000)
    return out


def explain(sqls: list[str]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for sql in sqls:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(r[0] for r in cur.fetchall()), "\n")


ROWS: list[str] = []


def record(name: str, fn: Callable[[], Any], runs: int, show_plan: bool = False) -> None:
    sqls = captured(fn)
    med, p95, worst = summary(timed(fn, runs))
    floor = statistics.median(replay(sqls, max(3, runs // 3)))
    ROWS.append(
        f"| {name} | {runs} | {med:.1f} | {p95:.1f} | {worst:.1f} | {len(sqls)} | {floor:.1f} | "
        f"{med / floor if floor else 0:.1f}× |"
    )
    print(ROWS[-1], flush=True)
    if show_plan:
        explain(sqls)


def page(client: Client, url: str) -> Callable[[], Any]:
    def get() -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return response

    return get


def sweep_scenario(runs: int) -> None:
    """100,000 open clocks (complaints + rectification items), two passes, rolled back."""
    from xiaobao.casework.sweeper import sweep_clocks
    from xiaobao.complaints.choices import ClockState, Status
    from xiaobao.complaints.models import Clock, Complaint
    from xiaobao.rectification.models import Rectification, RectificationClock

    today = timezone.localdate()
    passes: dict[int, list[float]] = {1: [], 2: []}
    floors: dict[int, list[float]] = {1: [], 2: []}
    queries: dict[int, int] = {}
    report: dict[int, str] = {}
    opened = (0, 0)
    for _ in range(runs):
        with transaction.atomic():
            rids = list(Rectification.objects.order_by("pk").values_list("pk", flat=True)[:SWEEP_EACH])
            for i in range(0, len(rids), 10_000):
                Rectification.objects.filter(pk__in=rids[i : i + 10_000]).update(
                    status="in_progress", verified_at=None, verified_by=None, clock_state="running"
                )
            ids = list(  # complaints make up the 100,000
                Complaint.objects.filter(status=Status.ARCHIVED)
                .order_by("pk")
                .values_list("pk", flat=True)[: 2 * SWEEP_EACH - len(rids)]
            )
            for i in range(0, len(ids), 10_000):
                Complaint.objects.filter(pk__in=ids[i : i + 10_000]).update(status=Status.IN_PROGRESS)
            for offset in range(-3, 45):
                due = today + dt.timedelta(days=offset)
                fresh = {"state": ClockState.RUNNING, "due_date": due, "warned": [], "escalation_level": 0}
                Clock.objects.filter(complaint_id__in=ids[offset + 3 :: 48], name="decision").update(
                    **fresh, met_on=None
                )
                RectificationClock.objects.filter(item_id__in=rids[offset + 3 :: 48]).update(
                    **fresh, met_on=None
                )
                Rectification.objects.filter(pk__in=rids[offset + 3 :: 48]).update(due_date=due)
            opened = (
                Clock.objects.filter(
                    state=ClockState.RUNNING, complaint__status__in=Status.open_statuses()
                ).count(),
                RectificationClock.objects.filter(state=ClockState.RUNNING).count(),
            )
            for p in (1, 2):
                t0 = time.perf_counter()
                with CaptureQueriesContext(connection) as ctx:
                    report[p] = str(sweep_clocks())
                passes[p].append((time.perf_counter() - t0) * 1000)
                queries[p] = len(ctx.captured_queries)
                sqls = [
                    q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
                ]
                floors[p] += replay(sqls, 1)
            transaction.set_rollback(True)
    for p, title in ((1, "first pass: breach, escalate, warn what is due"), (2, "second pass: nothing new")):
        med, p95, worst = summary(passes[p])
        floor = statistics.median(floors[p])
        ROWS.append(
            f"| sweeper over {opened[0]:,} complaint + {opened[1]:,} rectification running clocks, {title} "
            f"| {runs} | {med:.0f} | {p95:.0f} | {worst:.0f} | {queries[p]} | {floor:.0f} "
            f"| {med / floor:.1f}× |"
        )
        print(ROWS[-1], f"  ({report[p]})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sweep-runs", type=int, default=2)
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated: pages,sweep")
    parser.add_argument("--match", default="", help="only the page scenarios whose name contains this")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(","))) or {"pages", "sweep"}

    from xiaobao.complaints.models import Complaint
    from xiaobao.inspections import figures
    from xiaobao.inspections.models import Finding, Inspection

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if not OrgUnit.objects.filter(code="HO").exists():
        t0 = time.perf_counter()
        build_tree()
        print(
            f"institution: {OrgUnit.objects.count():,} units in {time.perf_counter() - t0:.1f} s", flush=True
        )
    have = Complaint.objects.count()
    if have < args.complaints:
        call_command("bench_generate", complaints=args.complaints - have)
    if not Inspection.objects.filter(reference__startswith="JC").exists():
        t0 = time.perf_counter()
        made = fill_inspections(today)
        print(f"filled {made} in {time.perf_counter() - t0:.1f} s", flush=True)

    hq = User.objects.get(username="hq_cp")
    branch_user = User.objects.get(username="b17_cp")
    ho = OrgUnit.objects.get(code="HO")
    branch = OrgUnit.objects.get(code="B17")
    last_q = Period.containing("quarter", today).previous()
    counts = {
        "outlets": OrgUnit.objects.filter(kind="outlet").count(),
        "inspections": Inspection.objects.count(),
        "findings": Finding.objects.count(),
        "complaints": Complaint.objects.count(),
    }
    from xiaobao.rectification.models import Rectification

    counts["rectifications"] = Rectification.objects.count()
    print(
        f"\n# Inspections — {', '.join(f'{v:,} {k}' for k, v in counts.items())}; {connection.vendor}; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; today {today}\n"
    )
    print("| scenario | runs | median ms | p95 ms | max ms | SQL | floor median ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|", flush=True)
    if "pages" in only:
        hq_client, b_client = Client(), Client()
        hq_client.force_login(hq)
        b_client.force_login(branch_user)
        q = f"date_from={last_q.start}&date_to={last_q.end}"
        ins, rect, stats = (
            reverse("inspections:list"),
            reverse("rectification:list"),
            reverse("analytics:dashboard"),
        )
        for name, client, url in (
            ("inspection list, head office, first page", hq_client, ins),
            ("inspection list, a branch officer (250 outlets), first page", b_client, ins),
            (
                f"inspection list, head office, unit=B17 and due {last_q.label}",
                hq_client,
                f"{ins}?unit=B17&{q}",
            ),
            ("rectification list ?overdue=true, head office", hq_client, f"{rect}?overdue=true"),
            ("rectification list ?overdue=true, a branch officer", b_client, f"{rect}?overdue=true"),
            (
                f"statistics page with its inspection section, head office, {last_q.label}",
                hq_client,
                f"{stats}?period={last_q.label}",
            ),
        ):
            if args.match in name:
                record(name, page(client, url), args.runs, show_plan=args.explain)
        last_m = Period.containing("month", today).previous()  # the statistics page's default period
        for who, user, unit in (("head office", hq, ho), ("a branch", branch_user, branch)):
            for period in (last_m, last_q):
                name = f"inspection section of the statistics page (stats_section), {who}, {period.label}"
                if args.match in name:
                    record(
                        name,
                        lambda u=user, un=unit, p=period: figures.stats_section(user=u, unit=un, period=p),
                        args.runs,
                        show_plan=args.explain,
                    )
    if "sweep" in only:
        sweep_scenario(args.sweep_runs)
    print("\n" + "\n".join(ROWS))


if __name__ == "__main__":
    main()
