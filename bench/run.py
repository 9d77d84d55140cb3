"""`make bench`: the benchmark suite at one scale, end to end, against a scratch database.

    make bench BENCH_SCALE=1000000                 # PostgreSQL database xiaobao_bench_1m on 127.0.0.1
    make bench BENCH_SCALE=100000 BENCH_DATABASE_URL=sqlite:////tmp/xiaobao_bench_100k.sqlite3

Steps: create the database if it is missing, migrate, fill it with `xiaobao bench_generate` up to the
scale (above 1,000,000 on PostgreSQL: 1,000,000 generated + shifted copies in SQL), collect static files,
start gunicorn with the production settings (`xiaobao.gunicorn_conf`, DEBUG off, whitenoise) on a free
loopback port, and measure:

- over HTTP, from a separate load-generating process (bench/loadgen.py): complaint creation through the
  API with N concurrent clients, and sequentially (one client): creation, my queue, the filtered complaint
  list, Chinese substring search, the complaint page, the API list, the statistics dashboard;
- in process: the monthly statistics table (whole workbook), the SLA sweep over 100,000 open complaints
  (opened for the run inside a transaction that is rolled back), the CFPB import (28,156 rows; the rows
  are deleted afterwards), deadline computation.

Every scenario also measures its floor in the same run: the raw database work it stands on — the SQL
statements one request issues, replayed through a bare cursor (so the ratio says what Django, Python,
templates and the network add), plain INSERT … COMMIT of the same rows for creation, the bare date
arithmetic for deadlines. Results: a markdown table on stdout and in var/bench/<database>.md, the raw
figures in var/bench/<database>.json.

Refuses databases whose name does not contain "bench" or "scratch": it writes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # what bench_generate used
BASE = 1_000_000  # above this, PostgreSQL scales are reached with shifted copies of a 1M generation


def label(scale: int) -> str:
    for unit, size in (("m", 1_000_000), ("k", 1_000)):
        if scale >= size and scale % size == 0:
            return f"{scale // size}{unit}"
    return str(scale)


def refuse_unless_scratch(url: str) -> None:
    parsed = urlparse(url)
    name = Path(parsed.path).name if parsed.scheme.startswith("sqlite") else parsed.path.lstrip("/")
    if not any(w in name for w in ("bench", "scratch")):
        sys.exit(f"Refusing {url}: the benchmark writes; use a scratch database whose name contains 'bench'.")


def environment(url: str, data_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off) on the scratch database, plain HTTP on loopback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIAOBAO_") and k != "PYTEST_VERSION"}
    env.update(
        DATABASE_URL=url,
        XIAOBAO_DATA_DIR=str(data_dir),
        XIAOBAO_SECRET_KEY=DEV_SECRET,  # the development vault keys bench_generate encrypted with
        XIAOBAO_HTTPS="0",
        XIAOBAO_LOG_LEVEL="WARNING",
        XIAOBAO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        XIAOBAO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SETTINGS_MODULE="xiaobao.settings",
    )
    return env


def xiaobao(env: dict[str, str], *args: str) -> None:
    print(f"$ xiaobao {' '.join(args)}", flush=True)
    subprocess.run([str(BIN / "xiaobao"), *args], env=env, check=True, cwd=ROOT)


def ensure_database(url: str) -> None:
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        return
    import psycopg

    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def count_complaints(url: str) -> int:
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT count(*) FROM complaints_complaint").fetchone()
            return int(row[0]) if row else 0
    import sqlite3

    with contextlib.closing(sqlite3.connect(parsed.path)) as conn:
        return int(conn.execute("SELECT count(*) FROM complaints_complaint").fetchone()[0])


def fill(url: str, env: dict[str, str], scale: int) -> None:
    have = count_complaints(url)
    if have >= scale:
        print(f"{have:,} complaints already there (scale {scale:,})")
        return
    postgres = url.startswith("postgres")
    defer = ["--defer-indexes"] if postgres and scale - have >= 100_000 else []
    if postgres and scale > BASE and have <= BASE and scale % BASE == 0:
        todo, copies = BASE - have, scale // BASE - 1
        xiaobao(env, "bench_generate", "--force", "--complaints", str(todo), "--copies", str(copies), *defer)
    else:
        xiaobao(env, "bench_generate", "--force", "--complaints", str(scale - have), *defer)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen]:
    server_env = {
        **env,
        "XIAOBAO_BIND": f"127.0.0.1:{port}",
        "XIAOBAO_WEB_WORKERS": str(workers),
        "XIAOBAO_ACCESS_LOG": "",
    }
    log = open(Path(env["XIAOBAO_DATA_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:xiaobao.gunicorn_conf", "xiaobao.wsgi"],
        env=server_env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    if b" 200 " in s.recv(100):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start: see {log.name}")
            time.sleep(0.3)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def run_load(spec: dict[str, Any], data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / "loadgen-spec.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "loadgen.py"), str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    return {
        "count": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(pct(0.95), 2),
        "p99_ms": round(pct(0.99), 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def timed(fn: Callable[[], Any], runs: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


# --- in-process part (Django set up against the same database) ------------------------------------------


class Suite:
    def __init__(self, args: argparse.Namespace, url: str, env: dict[str, str]) -> None:
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        self.args, self.url, self.env = args, url, env
        self.connection = connection
        self.data_dir = Path(env["XIAOBAO_DATA_DIR"])
        self.rng = random.Random(args.seed)
        self.results: list[dict[str, Any]] = []

    def vacuum(self) -> None:
        """PostgreSQL: VACUUM ANALYZE the tables the scenarios read, so every run starts from the same state —
        the sweep scenario's rolled-back updates of 100,000 complaints leave that many dead row versions, and
        a later run's counts then visit the heap (a 1M run measured the API list at 155 ms instead of 40)."""
        if self.connection.vendor != "postgresql":
            return
        t0 = time.perf_counter()
        with self.connection.cursor() as cur:
            for table in ("complaints_complaint", "complaints_clock", "complaints_complaintevent"):
                cur.execute(f"VACUUM (ANALYZE) {table}")  # constant table names
        print(f"  VACUUM ANALYZE: {time.perf_counter() - t0:.1f} s", flush=True)

    # captured SQL replayed through a bare cursor: the floor of a request -------------------------------
    def captured(self, fn: Callable[[], Any]) -> list[str]:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(self.connection) as ctx:
            fn()
        return [
            q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]

    def replay(self, sqls: list[str], runs: int) -> list[float]:
        def once() -> None:
            with self.connection.cursor() as cur:
                for sql in sqls:
                    cur.execute(sql)
                    cur.fetchall()

        return timed(once, runs, warmup=2)

    def floor_of_get(self, user: Any, paths: list[str], runs: int) -> tuple[dict[str, float], int]:
        """Median over the paths of replaying each request's SELECTs (captured from one in-process GET)."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        per_path = []
        queries = 0
        for path in paths[: min(len(paths), 10)]:
            sqls = self.captured(lambda p=path: client.get(p))
            queries = max(queries, len(sqls))
            per_path += self.replay(sqls, 3)
        return summary(per_path), queries

    def record(
        self, name: str, what: str, measured: dict[str, Any], floor: dict[str, Any] | None, **extra: Any
    ) -> None:
        row = {"name": name, "what": what, **measured, **extra}
        if floor:
            row["floor"] = floor
            if measured.get("median_ms") and floor.get("median_ms"):
                row["ratio"] = round(measured["median_ms"] / floor["median_ms"], 1)
        self.results.append(row)
        ratio = f" ratio {row['ratio']}×" if "ratio" in row else ""
        print(
            f"  {name}: median {measured.get('median_ms')} ms, p95 {measured.get('p95_ms')} ms, "
            f"p99 {measured.get('p99_ms')} ms{ratio}",
            flush=True,
        )

    # users, tokens, sessions -----------------------------------------------------------------------------
    def actors(self) -> None:
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from django.db.models import Count, Q

        from xiaobao.complaints.choices import Status
        from xiaobao.core.models import User
        from xiaobao.core.services.accounts import api_token_create

        self.hq = User.objects.get(username="hq_cp")
        self.handler = (
            User.objects.annotate(
                n=Count("handled_complaints", filter=Q(handled_complaints__status__in=Status.open_statuses()))
            )
            .order_by("-n", "pk")
            .first()
        )
        _, self.token = api_token_create(actor=self.hq, user=self.hq, name=f"bench {uuid.uuid4().hex[:6]}")
        self.cookies = {}
        for user in (self.hq, self.handler):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            self.cookies[user.pk] = f"sessionid={session.session_key}"

    def get_requests(self, user: Any, paths: list[str]) -> list[dict[str, Any]]:
        return [{"method": "GET", "path": p, "headers": {"Cookie": self.cookies[user.pk]}} for p in paths]

    def create_requests(self, n: int) -> list[dict[str, Any]]:
        sys.path.insert(0, str(ROOT))
        from bench.complaints_bench import _payload  # the same synthetic complaints as the in-process bench
        from xiaobao.core.models import OrgUnit

        outlets = list(OrgUnit.objects.filter(kind="outlet", is_active=True))
        people: list = []
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return [
            {
                "method": "POST",
                "path": "/api/v1/complaints",
                "headers": {**headers, "Idempotency-Key": uuid.uuid4().hex},
                "body": json.dumps(_payload(self.rng, outlets, people), ensure_ascii=False),
            }
            for _ in range(n)
        ]

    # scenarios ---------------------------------------------------------------------------------------------
    def http(self) -> None:
        from django.db.models import Max, Min

        from xiaobao.analytics.periods import Period
        from xiaobao.complaints.models import Complaint

        a = self.args
        self.actors()
        bounds = Complaint.objects.aggregate(lo=Min("pk"), hi=Max("pk"), last=Max("receipt_date"))
        pks: list[int] = []
        while len(pks) < a.reads:
            pk = self.rng.randint(bounds["lo"], bounds["hi"])
            if Complaint.objects.filter(pk=pk).exists():
                pks.append(pk)
        month = Period.containing("month", bounds["last"]).previous()
        filters = [
            "status=in_progress",
            "business_type=B03&open=true",
            f"received_from={month.start}&received_to={month.end}&channel=A03",
            "major=true",
            "source=nfra_transfer&ordering=due",
            "cause=C07&business_type=B01",
            "clock_state=breached&open=true",
            "repeat=true&open=true",
        ]
        # search terms of three to six characters and of two (the common case in Chinese), from rare to
        # common in the generated texts; on PostgreSQL both are answered from the character-bigram index
        long_terms = [
            "收益未达预期",
            "未经同意",
            "手续费",
            "信用卡",
            "吞卡后",
            "理财产品",
            "征信记录",
            "提前还款",
        ]
        short_terms = ["理财", "年费", "征信", "保险", "房贷", "销户"]
        pages = {
            "my_queue": (self.handler, ["/complaints/queue/"] * a.reads),
            "list_filtered": (self.hq, [f"/complaints/?{filters[i % len(filters)]}" for i in range(a.reads)]),
            "search": (
                self.hq,
                [f"/complaints/?q={quote(long_terms[i % 8])}" for i in range(a.search_reads)],
            ),
            "search_2chars": (
                self.hq,
                [f"/complaints/?q={quote(short_terms[i % 6])}" for i in range(a.search_reads)],
            ),
            "complaint_page": (self.hq, [f"/complaints/{pk}/" for pk in pks]),
            "api_list": (
                self.hq,
                [f"/api/v1/complaints?limit=20&offset={20 * (i % 5)}" for i in range(a.reads)],
            ),
            "dashboard_month": (self.hq, [f"/statistics/?period={month.label}"] * a.dashboard_reads),
            "dashboard_year": (self.hq, [f"/statistics/?period={month.start.year - 1}"] * a.dashboard_reads),
        }
        what = {
            "my_queue": "my queue page `/complaints/queue/` (the handler with the most open complaints)",
            "list_filtered": f"complaint list, {len(filters)} filter combinations rotating (head office)",
            "search": "complaint list `?q=` Chinese text of 3–6 characters, 8 terms rotating (head office)",
            "search_2chars": "complaint list `?q=` two Chinese characters, 6 terms rotating (head office)",
            "complaint_page": "complaint page `/complaints/<pk>/`, random complaints",
            "api_list": "API list `GET /api/v1/complaints?limit=20`, first five pages",
            "dashboard_month": f"statistics dashboard page, head office, {month.label}",
            "dashboard_year": f"statistics dashboard page, head office, year {month.start.year - 1}",
        }
        wanted = set(filter(None, a.scenarios.split(","))) or None
        spec_scenarios = [
            {
                "name": "create_concurrent",
                "concurrency": a.clients,
                "warmup": a.clients,
                "requests": self.create_requests(a.creates + a.clients),
            },
            {
                "name": "create_sequential",
                "concurrency": 1,
                "warmup": 10,
                "requests": self.create_requests(a.reads + 10),
            },
        ]
        for name, (user, paths) in pages.items():
            reqs = self.get_requests(user, paths)
            spec_scenarios.append(
                {"name": name, "concurrency": 1, "warmup": min(5, len(reqs) - 1), "requests": reqs[:5] + reqs}
            )
        if wanted:
            spec_scenarios = [sc for sc in spec_scenarios if sc["name"] in wanted]
            pages = {k: v for k, v in pages.items() if k in wanted}
        port = free_port()
        print(
            f"gunicorn on 127.0.0.1:{port}, {a.workers} workers × 2 threads; load from a separate process",
            flush=True,
        )
        with gunicorn(self.env, port, a.workers):
            measured = {
                r["name"]: r
                for r in run_load(
                    {"host": "127.0.0.1", "port": port, "scenarios": spec_scenarios}, self.data_dir
                )
            }
        for r in measured.values():
            if r["errors"]:
                print(f"  !! {r['name']}: {r['errors']} errors, e.g. {r['error_samples'][:1]}", flush=True)
        if "create_concurrent" in measured:
            floor_create = self.create_floor(a.clients, a.creates)
            self.record(
                "create_concurrent",
                f"`POST /api/v1/complaints`, {a.clients} concurrent clients (Bearer, unique Idempotency-Key)",
                measured["create_concurrent"],
                floor_create,
                per_s=measured["create_concurrent"]["per_s"],
                floor_per_s=floor_create["per_s"],
            )
        if "create_sequential" in measured:
            self.record(
                "create_sequential",
                "`POST /api/v1/complaints`, one client",
                measured["create_sequential"],
                self.create_floor(1, min(300, a.reads)),
            )
        for name, (user, paths) in pages.items():
            floor, queries = self.floor_of_get(user, paths, a.reads)
            self.record(name, what[name], measured[name], floor, queries=queries)

    def create_floor(self, clients: int, total: int) -> dict[str, Any]:
        """Plain INSERT … COMMIT of the rows one creation writes (the complaint, its events and clocks),
        copied from a complaint created through the API, through bare cursors in `clients` threads."""
        from django.db import connections, transaction

        from xiaobao.complaints.models import Clock, Complaint, ComplaintEvent

        model = Complaint.objects.order_by("-pk").first()
        assert model is not None
        n_events = ComplaintEvent.objects.filter(complaint=model).count()
        n_clocks = Clock.objects.filter(complaint=model).count()
        qn = self.connection.ops.quote_name

        def cols(m: Any) -> list[str]:
            return [str(f.column) for f in m._meta.concrete_fields if f.column != "id"]

        c_cols, e_cols, k_cols = cols(Complaint), cols(ComplaintEvent), cols(Clock)
        marker = f"FLOOR{uuid.uuid4().hex[:8]}"
        latencies: list[float] = []
        lock = threading.Lock()
        counter = iter(range(total))

        def insert(
            cur: Any, table: str, columns: list[str], where: str, params: list[Any], over: dict[str, str]
        ) -> None:
            select = ", ".join(over.get(c, qn(c)) for c in columns)
            cur.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "
                f"SELECT {select} FROM {table} WHERE {where}",
                params,
            )

        def worker() -> None:
            try:
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    t0 = time.perf_counter()
                    with transaction.atomic(), connections["default"].cursor() as cur:
                        insert(
                            cur,
                            qn(Complaint._meta.db_table),
                            c_cols,
                            "id = %s",
                            [model.pk],
                            {"reference": f"'{marker}{i:07d}'", "idempotency_key": "NULL"},
                        )
                        cur.execute(
                            f"SELECT id FROM {qn(Complaint._meta.db_table)} WHERE reference = %s",
                            [f"{marker}{i:07d}"],
                        )
                        new = cur.fetchone()[0]
                        insert(
                            cur,
                            qn(ComplaintEvent._meta.db_table),
                            e_cols,
                            "complaint_id = %s",
                            [model.pk],
                            {"complaint_id": str(int(new))},
                        )
                        insert(
                            cur,
                            qn(Clock._meta.db_table),
                            k_cols,
                            "complaint_id = %s",
                            [model.pk],
                            {"complaint_id": str(int(new))},
                        )
                    with lock:
                        latencies.append(time.perf_counter() - t0)
            finally:
                connections.close_all()

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        floor_ids = Complaint.objects.filter(reference__startswith=marker)
        ComplaintEvent.objects.filter(complaint__in=floor_ids).delete()
        Clock.objects.filter(complaint__in=floor_ids).delete()
        floor_ids.delete()
        return {
            **summary(latencies),
            "per_s": round(len(latencies) / wall, 1),
            "rows": 1 + n_events + n_clocks,
        }

    def monthly(self) -> None:
        from django.db.models import Max

        from xiaobao.analytics.periods import Period
        from xiaobao.complaints.models import Complaint
        from xiaobao.core.models import OrgUnit
        from xiaobao.reports.builders import BuildContext, build

        last = Complaint.objects.aggregate(m=Max("receipt_date"))["m"]
        month = Period.containing("month", last).previous()
        unit = OrgUnit.objects.filter(parent=None).order_by("path").first()
        ctx = BuildContext(user=self.hq, unit=unit, period=month)
        sqls = self.captured(lambda: build("monthly", ctx))
        self.record(
            "monthly_table",
            f"monthly statistics table workbook, head office, {month.label} (in process)",
            summary(timed(lambda: build("monthly", ctx), self.args.slow_runs)),
            summary(self.replay(sqls, self.args.slow_runs)),
            queries=len(sqls),
        )

    def sweep(self) -> None:
        """SLA sweep over 100,000 open complaints: that many archived complaints are reopened with a
        running decision clock due from 3 days ago to 44 days ahead (evenly), inside a transaction that is
        rolled back afterwards (the sweep's own transactions become savepoints). Two passes: the first
        breaches, escalates and warns what is due; the second (the steady state of a sweeper that runs
        every few minutes) finds nothing new."""
        from django.db import transaction
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from xiaobao.complaints.choices import ClockState, Status
        from xiaobao.complaints.models import Clock, Complaint
        from xiaobao.complaints.sweeper import sla_sweep

        n = self.args.sweep_open
        today = timezone.localdate()
        passes: dict[int, list[float]] = {1: [], 2: []}
        floors: dict[int, list[float]] = {1: [], 2: []}
        reports: dict[int, str] = {}
        queries: dict[int, int] = {}
        opened = 0
        for _ in range(self.args.slow_runs):
            with transaction.atomic():
                ids = list(
                    Complaint.objects.filter(status=Status.ARCHIVED)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:n]
                )
                for i in range(0, len(ids), 10_000):
                    Complaint.objects.filter(pk__in=ids[i : i + 10_000]).update(status=Status.IN_PROGRESS)
                for offset in range(-3, 45):
                    chunk = ids[offset + 3 :: 48]
                    Clock.objects.filter(complaint_id__in=chunk, name="decision").update(
                        state=ClockState.RUNNING,
                        due_date=today + dt.timedelta(days=offset),
                        warned=[],
                        escalation_level=0,
                        met_on=None,
                    )
                opened = Complaint.objects.filter(status__in=Status.open_statuses()).count()
                for p in (1, 2):
                    t0 = time.perf_counter()
                    with CaptureQueriesContext(self.connection) as ctx:
                        reports[p] = str(sla_sweep())
                    passes[p].append(time.perf_counter() - t0)
                    queries[p] = len(ctx.captured_queries)
                    sqls = [
                        q["sql"]
                        for q in ctx.captured_queries
                        if q["sql"].lstrip().upper().startswith("SELECT")
                    ]
                    floors[p] += self.replay(sqls, 1)
                transaction.set_rollback(True)
        for p, title in (
            (1, "first pass: breach, escalate, warn what is due"),
            (2, "second pass: nothing new"),
        ):
            self.record(
                f"sla_sweep_{p}",
                f"SLA sweep with {opened:,} open complaints, {title} (in process)",
                summary(passes[p]),
                summary(floors[p]),
                queries=queries[p],
                report=reports[p],
            )

    def forget(self, complaints: Any) -> None:
        """Delete the complaints the import scenario wrote and every row that points at them, in SQL: the
        ORM's cascade walked 28,156 complaints in batches for 15 minutes on SQLite."""
        from django.apps import apps
        from django.db import transaction

        from xiaobao.complaints.models import Complaint

        qn = self.connection.ops.quote_name
        ids_sql, ids_params = complaints.values("pk").query.sql_with_params()
        with transaction.atomic(), self.connection.cursor() as cur:
            pointing = [  # every table with a foreign key to complaints (many-to-many tables too)
                (model._meta.db_table, f.column)
                for model in apps.get_models(include_auto_created=True)
                if model is not Complaint
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is Complaint
            ]
            for table, column in pointing:
                cur.execute(  # model tables and columns only; the ids are a sub-select with parameters
                    f"DELETE FROM {qn(table)} WHERE {qn(column)} IN ({ids_sql})", ids_params
                )
            table = qn(Complaint._meta.db_table)
            cur.execute(f"DELETE FROM {table} WHERE id IN ({ids_sql})", ids_params)

    def import_cfpb(self) -> None:
        from xiaobao.complaints.models import Complaint

        sys.path.insert(0, str(ROOT))
        try:
            from bench import import_bench as ib
        except SystemExit:
            return
        if not ib.SAMPLE.is_file():
            print(f"  import: {ib.SAMPLE} not found, skipped")
            return
        data = ib.SAMPLE.read_bytes()
        actor, root = ib._setup()
        unit = ib._fresh_unit(root)
        total, created, _, check, write = ib._import(actor, unit, data)
        rows = Complaint.objects.filter(org_unit=unit)
        # floor: the same number of complaint rows inserted by INSERT … SELECT in one transaction
        from django.db import transaction

        qn = self.connection.ops.quote_name
        cols = [str(f.column) for f in Complaint._meta.concrete_fields if f.column != "id"]
        table = qn(Complaint._meta.db_table)
        select = ", ".join(
            "'F' || " + qn(c) if c == "reference" else ("NULL" if c == "idempotency_key" else qn(c))
            for c in cols
        )
        t0 = time.perf_counter()
        with transaction.atomic(), self.connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) "
                f"SELECT {select} FROM {table} WHERE org_unit_id = %s",
                [unit.pk],
            )
            transaction.set_rollback(True)
        floor = time.perf_counter() - t0
        self.forget(rows)
        self.record(
            "import",
            f"CFPB import, {created:,} rows (cfpb preset, all-or-nothing; in process)",
            {"median_ms": round(total * 1000, 1), "rows_per_s": round(created / total)},
            {"median_ms": round(floor * 1000, 1), "rows_per_s": round(created / floor)},
            check_s=round(check, 2),
            write_s=round(write, 2),
        )

    def deadlines(self) -> None:
        from xiaobao.core.workdays import get_calendar

        cal = get_calendar()
        rng = random.Random(1)
        days0 = dt.date(2024, 1, 1).toordinal()
        inputs = [
            (dt.date.fromordinal(days0 + rng.randrange(1095)), rng.choice((7, 15, 30, 60)))
            for _ in range(200_000)
        ]
        run = timed(lambda: [cal.deadline(d, n, "working") for d, n in inputs], 3)
        base = timed(lambda: [d + dt.timedelta(days=n) for d, n in inputs], 3)
        per = statistics.median(run) / len(inputs)
        floor = statistics.median(base) / len(inputs)
        self.record(
            "deadline",
            "working-day deadline (200,000 per run, from the database calendar)",
            {"median_ms": round(per * 1000, 5), "per_s": round(1 / per)},
            {"median_ms": round(floor * 1000, 5), "per_s": round(1 / floor)},
        )


def markdown(meta: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    out = [
        f"### {meta['scale']:,} complaints — {meta['database']} — {meta['date']}",
        "",
        f"Machine: {meta['machine']}. Command: `{meta['command']}`.",
        "",
        "| scenario | n | median ms | p95 ms | p99 ms | throughput | SQL | floor median ms | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        floor = r.get("floor", {})
        thru = r.get("per_s") or r.get("rows_per_s")
        unit = "/s" if "per_s" in r else (" rows/s" if "rows_per_s" in r else "")
        out.append(
            f"| {r['what']} | {r.get('count', '')} | {r.get('median_ms', '')} | {r.get('p95_ms', '')} | "
            f"{r.get('p99_ms', '')} | {f'{thru:,}{unit}' if thru else ''} | {r.get('queries', '')} | "
            f"{floor.get('median_ms', '')} | {str(r['ratio']) + '×' if 'ratio' in r else ''} |"
        )
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE") or 10_000))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--creates", type=int, default=1500)
    parser.add_argument("--reads", type=int, default=200)
    parser.add_argument("--dashboard-reads", type=int, default=20)
    parser.add_argument("--search-reads", type=int, default=24)
    parser.add_argument(
        "--scenarios", default="", help="HTTP scenarios to run (comma-separated names; all if empty)"
    )
    parser.add_argument("--slow-runs", type=int, default=3)
    parser.add_argument("--sweep-open", type=int, default=100_000)
    parser.add_argument("--only", default="", help="comma-separated: http,monthly,sweep,import,deadline")
    parser.add_argument("--skip-fill", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = args.database_url or f"postgres://postgres@127.0.0.1:5432/xiaobao_bench_{label(args.scale)}"
    refuse_unless_scratch(url)
    name = Path(urlparse(url).path).stem if url.startswith("sqlite") else urlparse(url).path.lstrip("/")
    out_dir = ROOT / "var" / "bench"
    data_dir = out_dir / f"data-{name}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = environment(url, data_dir)
    ensure_database(url)
    xiaobao(env, "migrate", "--noinput", "-v0")
    if not args.skip_fill:
        fill(url, env, args.scale)
    xiaobao(env, "collectstatic", "--noinput", "-v0")
    total = count_complaints(url)
    suite = Suite(args, url, env)
    conn = suite.connection
    db = (
        f"{conn.vendor} {'.'.join(map(str, divmod(conn.pg_version, 10000)))}"
        if conn.vendor == "postgresql"
        else f"sqlite {__import__('sqlite3').sqlite_version}"
    )
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    meta = {
        "scale": total,
        "database": db,
        "date": dt.date.today().isoformat(),
        "machine": f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"gunicorn {args.workers} workers × 2 threads, {args.clients} load clients",
        "command": " ".join(
            ["make bench", f"BENCH_SCALE={args.scale}"]
            + ([f"BENCH_DATABASE_URL={url}"] if args.database_url else [])
        ),
    }
    print(f"\n== {total:,} complaints on {db}", flush=True)
    only = set(filter(None, args.only.split(","))) or {"http", "monthly", "sweep", "import", "deadline"}
    suite.vacuum()
    for part in ("http", "monthly", "sweep", "deadline", "import"):
        if part in only:
            getattr(suite, {"import": "import_cfpb", "deadline": "deadlines"}.get(part, part))()
            if part == "sweep":
                suite.vacuum()
    text = markdown(meta, suite.results)
    print("\n" + text)
    (out_dir / f"{name}.md").write_text(text, encoding="utf-8")
    (out_dir / f"{name}.json").write_text(
        json.dumps({"meta": meta, "results": suite.results}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    print(f"written: var/bench/{name}.md and .json")


if __name__ == "__main__":
    main()
