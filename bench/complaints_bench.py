"""Complaints at volume: create through the API, open the complaint page, read the API detail.

Against the database in DATABASE_URL (a scratch one filled by `xiaobao bench_generate`), in-process with
django.test.Client (no network, no server: the figures are Django + database time), sequential:

- create: `POST /api/v1/complaints` with a Bearer token (hq_cp), a new synthetic complainant most of
  the time (vault encryption, consumer + complaint audit rows, clocks), at a random outlet;
- page: `GET /complaints/<pk>/` logged in as hq_cp (falls back to the API detail when that page route does
  not exist, and says so);
- API detail `GET /api/v1/complaints/<pk>` and the timeline `GET /api/v1/complaints/<pk>/events`;
- the first page of the list `GET /api/v1/complaints?limit=20` (fewer runs).

Random existing complaints are opened (uniform over the id range). Prints a markdown table (median, p95,
p99, max ms), the number of SQL queries of one request of each kind, and with `--explain` the EXPLAIN
(ANALYZE, BUFFERS) of every query of one page request (PostgreSQL).

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiaobao_bench .venv/bin/python bench/complaints_bench.py
    [--creates 500] [--reads 500] [--list-reads 50] [--explain] [--seed 1]

It writes (the created complaints stay), so it refuses a SQLite file outside the temporary directory whose
name does not say bench/scratch, and a PostgreSQL database whose name does not contain bench/scratch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")  # dev vault keys (as bench_generate used), test client host


def _refuse_unless_scratch(url: str) -> None:
    if not url:
        sys.exit("Set DATABASE_URL to a scratch database filled by `xiaobao bench_generate`.")
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

from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402

from xiaobao.complaints.demo import (  # noqa: E402
    CHANNEL_WEIGHTS,
    description,
    new_person,
    pick_business,
    weighted,
)
from xiaobao.complaints.models import Complaint, ComplaintEvent  # noqa: E402
from xiaobao.core.models import OrgUnit, User  # noqa: E402
from xiaobao.core.services.accounts import api_token_create  # noqa: E402


def _stats(ms: list[float]) -> tuple[float, float, float, float]:
    ms = sorted(ms)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, max(0, round(p * len(ms)) - 1))]

    return statistics.median(ms), pct(0.95), pct(0.99), ms[-1]


def _timed(fn, runs: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _payload(rng: random.Random, outlets: list[OrgUnit], people: list) -> dict:
    unit = rng.choice(outlets)
    business = pick_business(rng)
    fact = rng.choice(business.facts)
    channel = weighted(rng, CHANNEL_WEIGHTS)
    received = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=rng.randint(5, 600))
    amount = rng.randint(*fact.amount) if fact.amount else None
    slots = {"d1": "3月5日", "amt": f"{amount:,}" if amount else "", "amount": amount, "n": 3, "rate": "3.6"}
    text, request = description(
        rng, fact=fact, channel=channel, source="direct", branch_code="", outlet=unit.name, slots=slots
    )
    if people and rng.random() < 0.3:
        person = rng.choice(people)  # a repeat complainant: found by the blind index
    else:
        region = unit.region_code if len(unit.region_code or "") == 6 else "110101"
        person = new_person(rng, region[:4] + "01" if region.endswith("00") else region)
        people.append(person)
    return {
        "received_at": received.isoformat(),
        "channel": channel,
        "business_type": business.code,
        "cause": fact.cause,
        "source": "direct",
        "org_unit": unit.code,
        "complainant": {"name": person.name, "id_number": person.id_number, "phone": person.phone},
        "request": request,
        "description": text,
        "product": rng.choice(business.products),
        "amount_in_dispute": str(amount) if amount is not None else None,
    }


def _explain(sqls: list[str]) -> None:
    print("\n### EXPLAIN (ANALYZE, BUFFERS) of each query of one page request\n")
    with connection.cursor() as cur:
        for sql in sqls:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [r[0] for r in cur.fetchall()]
            timing = next((line for line in reversed(plan) if "Execution Time" in line), "")
            print(f"-- {timing.strip()}\n{sql[:600]}{' …' if len(sql) > 600 else ''}")
            print("\n".join("   " + line for line in plan))
            print()


def _explain_list(user: User) -> None:
    """The list's queryset as a paginator should run it: one page (LIMIT 20) and the COUNT."""
    from xiaobao.complaints.selectors import complaint_list

    qs = complaint_list(user=user, filters={})
    print("### EXPLAIN (ANALYZE, BUFFERS) of the list queryset sliced to one page, and its COUNT\n")
    with connection.cursor() as cur:
        for title, query in (("page of 20", qs[:20].query), ("count", qs.order_by().values("pk").query)):
            sql, params = query.sql_with_params()
            if title == "count":
                sql = f"SELECT COUNT(*) FROM ({sql}) sub"
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print(f"-- {title}")
            print("\n".join("   " + r[0] for r in cur.fetchall()))
            print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument(
        "--list-reads", type=int, default=20, help="0 skips the list (it loads the whole table: see docs)"
    )
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    total = Complaint.objects.count()
    if not total:
        sys.exit("No complaints: run `xiaobao bench_generate --complaints N` first.")
    events = ComplaintEvent.objects.count() if connection.vendor != "postgresql" else None
    if events is None:
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'complaints_complaintevent'")
            events = cur.fetchone()[0]
    hq = User.objects.get(username="hq_cp")
    _, raw = api_token_create(actor=hq, user=hq, name="complaints bench")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    browser = Client()
    browser.force_login(hq)
    outlets = list(OrgUnit.objects.filter(kind="outlet", is_active=True))
    bounds = Complaint.objects.aggregate(lo=Min("pk"), hi=Max("pk"))

    def random_pk() -> int:
        while True:
            pk = rng.randint(bounds["lo"], bounds["hi"])
            if Complaint.objects.filter(pk=pk).exists():
                return pk

    pks = [random_pk() for _ in range(args.reads + 20)]
    try:
        resolve("/complaints/1/")
        page_url, page_label = "/complaints/{}/", "open the complaint page `GET /complaints/<pk>/` (hq_cp)"
    except Resolver404:
        page_url = "/api/v1/complaints/{}"
        page_label = "page route missing — measured `GET /api/v1/complaints/<pk>` with the session instead"

    people: list = []
    failures: list[str] = []

    def create() -> None:
        r = api.post("/api/v1/complaints", _payload(rng, outlets, people), content_type="application/json")
        if r.status_code != 201:
            failures.append(f"create {r.status_code} {r.content[:300]!r}")

    def getter(client: Client, url: str):
        it = iter(pks * 3)

        def get() -> None:
            r = client.get(url.format(next(it)))
            if r.status_code != 200:
                failures.append(f"{url} {r.status_code}")

        return get

    list_page = lambda: api.get("/api/v1/complaints?limit=20")  # noqa: E731
    queries = {}
    for key, fn in [
        ("create", create),
        ("page", getter(browser, page_url)),
        ("detail", getter(api, "/api/v1/complaints/{}")),
        ("events", getter(api, "/api/v1/complaints/{}/events")),
        ("list", list_page if args.list_reads else None),
    ]:
        if fn is not None:
            with CaptureQueriesContext(connection) as ctx:
                fn()
            queries[key] = ctx.captured_queries

    detail = getter(api, "/api/v1/complaints/{}")
    timeline = getter(api, "/api/v1/complaints/{}/events")
    rows = [
        (
            "create `POST /api/v1/complaints` (Bearer, new complainant 70 %)",
            "create",
            _timed(create, args.creates, 5),
        ),
        (page_label, "page", _timed(getter(browser, page_url), args.reads)),
        ("API detail `GET /api/v1/complaints/<pk>`", "detail", _timed(detail, args.reads)),
        ("API timeline `GET /api/v1/complaints/<pk>/events`", "events", _timed(timeline, args.reads)),
    ]
    if args.list_reads:
        label = "API list, first page `GET /api/v1/complaints?limit=20` (hq_cp: all)"
        rows.append((label, "list", _timed(list_page, args.list_reads, warmup=1)))
    version = (
        connection.pg_version if connection.vendor == "postgresql" else connection.Database.sqlite_version
    )
    print(f"database: {connection.vendor} {version}; complaints: {total:,}; events ≈ {events:,}")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {dt.date.today()}"
    )
    print("\n| operation | runs | queries | median ms | p95 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for label, key, ms in rows:
        med, p95, p99, mx = _stats(ms)
        print(f"| {label} | {len(ms)} | {len(queries[key])} | {med:.1f} | {p95:.1f} | {p99:.1f} | {mx:.1f} |")
    if failures:
        print(f"\n{len(failures)} failed requests, first: {failures[0]}")
    if args.explain and connection.vendor == "postgresql":
        _explain([q["sql"] for q in queries["page"]])
        _explain_list(hq)


if __name__ == "__main__":
    main()
