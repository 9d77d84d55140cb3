"""Exams and training at volume (issue 15): 2,000 candidates sitting one exam at once through the production
server, and training coverage over a staff register of 100,000 people with a year of attendance.

Against the scratch PostgreSQL database `xiaobao_bench_exams` (or BENCH_DATABASE_URL; the name must contain
"bench" or "scratch": it writes), created, migrated and filled when empty. Bulk inserts, no services, no audit
trail for the filled rows:

- the institution: head office (+ its consumer-protection department), 40 branches × 10 sub-branches × 5
  outlets; a head-office officer `hq_train` (hq_cp_officer) and a branch officer `b00_cp`;
- the staff register: --staff people (default 100,000; 80 % in outlets, 16 % in sub-branches, the rest in
  branches and head office; layers by level: senior and middle management, front line, new hires; 2 %
  inactive); the first front-line person of each outlet (more per outlet above 2,000) gets an account with the
  learner role, username = employee number (the register's link rule), for --candidates accounts (+ 1 spare
  for the floors);
- a year of training (--year, default last year): head office's plan with a target per layer, ten branches'
  own plans raising the front-line target (the nearest plan up the tree sets a person's target), 2 sessions a
  month at head office and at each branch, 1 a month at each sub-branch, and attendance: each person attends
  sessions of the own sub-branch, branch and head office until reaching a personal goal of 0.4–1.6 × the
  target (≈ 800,000 rows, COPY);
- a question bank of --questions questions (40 % single, 28 % multiple, 20 % true/false, 12 % blank).

Scenario `exam` (over HTTP): collects static files, starts gunicorn with the production settings
(`xiaobao/gunicorn_conf.py`, DEBUG off, as bench/run.py does) on a free loopback port. The floors first: the
organiser sets an exam of the same questions for one spare candidate (`POST /api/v1/exams`, Bearer), who
starts, saves and submits in process (django.test.Client, logged in) with the SQL captured — statements per
request, and each request's SQL replayed through a bare cursor with its transactions as they were (the
start's INSERTs of rows that now exist each in a savepoint, that transaction rolled back). Then the exam:
`POST /api/v1/exams` with the candidates by username, all-or-nothing multiple choice, opening now, closing
--minutes after the load starts, time limit --minutes (so every attempt ends when the exam closes). A separate
load-generating process (`--loadgen`: standard-library asyncio, HTTP/1.1, one keep-alive connection per
candidate, reopened when gunicorn's 5 s keep-alive closed it between two saves, as a browser does) plays every
candidate: starts the attempt at a random moment of the first --ramp seconds (default 180, at most a third of
the exam: `POST /api/v1/exams/{id}/attempts`), saves an answer every 20–40 s (random, seeded; the questions
in order, then changing earlier answers: `PUT /api/v1/attempts/{id}/answers/{qid}` with display indexes or
text) and submits at a random moment of the last two minutes (`POST /api/v1/attempts/{id}/submit`).
Authentication: the browser's session cookie with its CSRF token (default, as the taking page does; sessions
inserted in bulk) or `--auth token` (Bearer tokens inserted in bulk). Reported: median/p95/p99/max of start,
save (and of the saves inside the submit window) and submit, rates, statuses. Then, in the database: every
attempt submitted; every answer the load generator saved with a 200 (its last save per question) stored as
given (display → original indexes through the item's option order), graded (correct and earned set) and
graded right (checked here independently: all-or-nothing key comparison, blanks normalised); no other item
answered; each attempt's points = the sum of its items, score and pass as the submit answered.

Scenario `coverage` (in process): `training.coverage.coverage(user=hq_train, unit=<root>, year, by="layer")`
and `by="unit"`, median of --runs after a warm-up, queries, the floor (its SQL replayed), and the figures
checked against an independent computation from the attendance rows (target: < 1 s). `--explain` prints
EXPLAIN (ANALYZE, BUFFERS) of each coverage query.

Results: a markdown table on stdout and in var/bench/exams.md, raw figures in var/bench/exams.json.

Usage (`make bench-exams` runs the first line):
    .venv/bin/python bench/exams_bench.py [--minutes 30] [--candidates 2000] [--questions 50]
        [--only exam,coverage] [--auth session|token] [--ramp 180] [--staff 100000] [--year 2025] [--runs 5]
        [--explain] [--workers N] [--seed 1]
    .venv/bin/python bench/exams_bench.py --minutes 4 --candidates 300      # a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import random
import secrets
import statistics
import string
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.loadgen import Client, percentile  # noqa: E402  (standard library only)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xiaobao_bench_exams"
PASSWORD = "Bench-exams-2026-long"
BRANCHES, SUBS, OUTLETS = 40, 10, 5
LAYERS = ("senior_management", "middle_management", "front_line", "new_hire")
TARGETS = {"senior_management": 24, "middle_management": 20, "front_line": 16, "new_hire": 32}
RAISED_FRONT_LINE = 20  # B00–B09's own plans
BLANK_ANSWERS = ["十五日|15日", "七日|7日", "八项", "双录", "冷静期", "知情权"]
BLANK_GUESSES = ["十五日", "15日", "七日", "三十日", "八项", "六项", "双录", "冷静期", "知情权", "不知道"]


def pct_summary(latencies: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    if not ordered:
        return {"count": 0}
    return {
        "count": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


# === the load-generating process (standard library only: no Django here) ====================================


class KeepAliveClient(Client):
    """bench/loadgen.py's client; a connection the server closed while idle (gunicorn's keep-alive is 5 s,
    a candidate saves every 20–40 s) is reopened before the request, as a browser does."""

    reopened = 0
    connects = 0

    async def _connect(self) -> None:
        KeepAliveClient.connects += 1
        await super()._connect()

    async def request(self, req: dict[str, Any]) -> tuple[int, bytes]:
        if self.reader is not None and self.reader.at_eof():
            self.close()
            KeepAliveClient.reopened += 1
        return await super().request(req)


async def _sleep_until(when: float) -> None:
    delay = when - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


def _answer_for(q: dict[str, Any], rng: random.Random) -> Any:
    n = len(q.get("options") or [])
    if q["kind"] == "blank":
        return rng.choice(BLANK_GUESSES)
    if q["kind"] == "multiple":
        return sorted(rng.sample(range(n), rng.randint(1, n)))
    return [rng.randrange(n)]


async def _candidate(spec: dict[str, Any], c: dict[str, Any], out: dict[str, Any]) -> None:
    rng = random.Random(f"{spec['seed']}:{c['username']}")
    t0, lo, hi = spec["t0"], spec["interval"][0], spec["interval"][1]
    records, errors = out["records"], out["errors"]
    client = KeepAliveClient(spec["host"], spec["port"])
    headers = dict(c["headers"])

    async def call(kind: str, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, bytes]:
        req = {"method": method, "path": path, "headers": headers, "body": json.dumps(body) if body else ""}
        sent = time.time()
        started = time.perf_counter()
        try:
            status, data = await client.request(req)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            status, data = 0, f"{type(exc).__name__}: {exc}".encode()
        records.append((kind, round(sent - t0, 3), time.perf_counter() - started, status))
        if status not in (200, 201) and len(errors.setdefault(f"{kind} {status}", [])) < 3:
            errors[f"{kind} {status}"].append(data[:300].decode("utf-8", "replace"))
        return status, data

    try:
        await _sleep_until(t0 + c["start_at"])
        status, data = await call("start", "POST", f"/api/v1/exams/{spec['exam_id']}/attempts", {})
        if status not in (200, 201):
            return
        attempt = json.loads(data)
        aid, questions = attempt["id"], attempt["questions"]
        saved: dict[str, Any] = {}
        uncertain: set[str] = set()
        out["attempts"][c["username"]] = {"id": aid, "saved": saved, "uncertain": uncertain}
        submit_at = t0 + c["submit_at"]
        when = time.time() + rng.uniform(lo, hi)
        i = 0
        while when < submit_at:
            await _sleep_until(when)
            q = questions[i] if i < len(questions) else rng.choice(questions)
            i += 1
            answer = _answer_for(q, rng)
            path = f"/api/v1/attempts/{aid}/answers/{q['id']}"
            status, _ = await call("save", "PUT", path, {"answer": answer})
            if status == 200:
                saved[str(q["id"])] = answer
                uncertain.discard(str(q["id"]))
            elif status == 0 or status >= 500:  # may or may not have been written
                uncertain.add(str(q["id"]))
            when += rng.uniform(lo, hi)
        await _sleep_until(submit_at)
        status, data = await call("submit", "POST", f"/api/v1/attempts/{aid}/submit", {})
        if status == 200:
            out["attempts"][c["username"]]["result"] = json.loads(data)
    finally:
        client.close()


async def _progress(spec: dict[str, Any], out: dict[str, Any], done: asyncio.Event) -> None:
    seen = 0
    while not done.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=30)
        recs = out["records"]
        window, seen = recs[seen:], len(recs)
        by_kind = Counter(r[0] for r in window)
        saves = sorted(r[2] for r in window if r[0] == "save")
        bad = sum(1 for r in window if r[3] not in (200, 201))
        p95 = f"{percentile(saves, 0.95) * 1000:.0f} ms" if saves else "-"
        print(
            f"  [{time.time() - spec['t0']:6.0f} s] started {by_kind['start']}, saved {by_kind['save']} "
            f"(p95 {p95}), submitted {by_kind['submit']}, errors {bad} in the last 30 s",
            file=sys.stderr,
            flush=True,
        )


async def _load(spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"records": [], "errors": {}, "attempts": {}}
    done = asyncio.Event()
    progress = asyncio.create_task(_progress(spec, out, done))
    await asyncio.gather(*(_candidate(spec, c, out) for c in spec["candidates"]))
    done.set()
    await progress
    out["reopened"] = KeepAliveClient.reopened
    # connections opened again after a failure (the request resent once: a worker restarted or killed)
    out["retried"] = KeepAliveClient.connects - KeepAliveClient.reopened - len(spec["candidates"])
    out["cpu_s"] = round(time.process_time(), 1)
    for a in out["attempts"].values():
        a["uncertain"] = sorted(a["uncertain"])
    return out


def loadgen_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out = asyncio.run(_load(spec))
    Path(spec["out"]).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


# === the benchmark (Django in process, production settings on the scratch database) ========================


def setup_django(url: str, data_dir: Path) -> dict[str, str]:
    from bench import run

    run.refuse_unless_scratch(url)
    env = run.environment(url, data_dir)
    run.ensure_database(url)
    run.xiaobao(env, "migrate", "--noinput", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    return env


def copy_rows(table: str, columns: list[str], rows: Any) -> int:
    """COPY rows into a table (PostgreSQL)."""
    from django.db import connection

    n = 0
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            n += 1
    return n


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红娥玲芬燕彬鹏辉飞宇浩然子轩欣怡雨涵"


def fill(args: argparse.Namespace) -> None:
    """The institution, the staff register with candidates' accounts, a year of training and the question
    bank — each step only when its rows are missing."""
    from xiaobao.core.models import OrgUnit

    if not OrgUnit.objects.filter(code="HO").exists():
        t = time.perf_counter()
        build_tree()
        print(
            f"  institution: {OrgUnit.objects.count():,} units in {time.perf_counter() - t:.1f} s", flush=True
        )
    from xiaobao.training.models import Attendance, StaffMember

    if not StaffMember.objects.exists():
        t = time.perf_counter()
        fill_staff(args)
        print(
            f"  staff register: {StaffMember.objects.count():,} people, candidates' accounts, "
            f"{time.perf_counter() - t:.1f} s",
            flush=True,
        )
    if not Attendance.objects.filter(date__year=args.year).exists():
        t = time.perf_counter()
        n = fill_training(args)
        print(f"  training {args.year}: {n:,} attendance rows, {time.perf_counter() - t:.1f} s", flush=True)
    from xiaobao.exams.models import Question

    have = Question.objects.filter(tags__name="基准测试").count()
    if have < args.questions:
        t = time.perf_counter()
        fill_questions(have, args.questions)
        print(
            f"  question bank: {args.questions - have} questions, {time.perf_counter() - t:.1f} s", flush=True
        )


def build_tree() -> None:
    from django.db import connection

    from xiaobao.core.models import OrgUnit
    from xiaobao.core.models.org import PATH_SEGMENT
    from xiaobao.core.services.accounts import user_create

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
                add(f"B{b:02d}-{s:02d}-{o}", f"第{b + 1}分行{s + 1}支{o + 1}号网点", "outlet", sub)
    OrgUnit.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('core_orgunit', 'id'), %s)", [next_id])
        cur.execute("ANALYZE core_orgunit")
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=["HO-CPD", "B00"])}
    user_create(
        actor=None,
        username="hq_train",
        full_name="总行培训管理员",
        org_unit=units["HO-CPD"],
        roles=["hq_cp_officer"],
        password=PASSWORD,
    )
    user_create(
        actor=None,
        username="b00_cp",
        full_name="第1分行消保专员",
        org_unit=units["B00"],
        roles=["branch_cp_officer"],
        password=PASSWORD,
    )


def fill_staff(args: argparse.Namespace) -> None:
    """The register (bulk) and the candidates' accounts (learner role), linked to their staff entries."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from xiaobao.core.models import OrgUnit, User
    from xiaobao.training.models import PositionLayer, StaffMember

    rng = random.Random(args.seed)
    layers = {pl.code: pl for pl in PositionLayer.objects.filter(code__in=LAYERS)}
    if len(layers) != len(LAYERS):
        sys.exit(f"Position layers missing (training 0002 presets them): {sorted(layers)}")
    by_kind: dict[str, list[OrgUnit]] = {}
    for u in OrgUnit.objects.order_by("path"):
        by_kind.setdefault(u.kind, []).append(u)
    # share of the register and the layer mix at each level
    levels = [
        ("outlet", 0.80, {"middle_management": 0.05, "front_line": 0.80, "new_hire": 0.15}),
        ("sub_branch", 0.16, {"middle_management": 0.20, "front_line": 0.72, "new_hire": 0.08}),
        ("branch", 0.036, {"senior_management": 0.08, "middle_management": 0.30, "front_line": 0.62}),
        ("department", 0.004, {"senior_management": 0.10, "middle_management": 0.40, "front_line": 0.50}),
    ]
    today = timezone.localdate()
    staff: list[StaffMember] = []
    n = 0
    for kind, share, mix in levels:
        units = by_kind[kind]
        count = round(args.staff * share) if kind != "department" else args.staff - n
        codes, weights = list(mix), list(mix.values())
        for i in range(count):
            unit = units[i % len(units)]
            # the first person of each outlet (and of every later round up to --candidates + 1) is front line
            layer = "front_line" if kind == "outlet" and i <= args.candidates else None
            layer = layer or rng.choices(codes, weights)[0]
            n += 1
            hired = (
                dt.date(args.year, 1, 1) + dt.timedelta(days=rng.randrange(300))
                if layer == "new_hire"
                else today - dt.timedelta(days=rng.randrange(365, 20 * 365))
            )
            staff.append(
                StaffMember(
                    employee_no=f"E{n:06d}",
                    name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                    org_unit=unit,
                    layer=layers[layer],
                    position={
                        "senior_management": "行长",
                        "middle_management": "主管",
                        "new_hire": "见习",
                    }.get(layer, "柜员"),
                    hire_date=hired,
                    active=rng.random() >= 0.02 or (kind == "outlet" and i <= args.candidates),
                )
            )
    StaffMember.objects.bulk_create(staff, batch_size=5000)
    # candidates' accounts: outlets' front-line people in register order, username = employee number
    candidates = [
        s for s in staff if s.org_unit.kind == "outlet" and s.layer.code == "front_line" and s.active
    ]
    candidates = candidates[: args.candidates + 1]
    password = make_password(PASSWORD)
    now = timezone.now()
    users = User.objects.bulk_create(
        [
            User(
                username=s.employee_no,
                full_name=s.name,
                org_unit=s.org_unit,
                password=password,
                password_changed_at=now,
            )
            for s in candidates
        ],
        batch_size=2000,
    )
    learner = Group.objects.get(name="learner")
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=learner.pk) for u in users], batch_size=5000
    )
    for s, u in zip(candidates, users, strict=True):
        s.user = u
    StaffMember.objects.bulk_update(candidates, ["user"], batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE training_staffmember")


def fill_training(args: argparse.Namespace) -> int:
    """Plans with per-layer targets, a year of sessions and everyone's attendance (COPY)."""
    from django.db import connection
    from django.utils import timezone

    from xiaobao.core.models import OrgUnit, User
    from xiaobao.training.models import (
        Attendance,
        LayerTarget,
        PositionLayer,
        StaffMember,
        TrainingPlan,
        TrainingSession,
    )

    rng = random.Random(args.seed + 1)
    year = args.year
    hq = User.objects.get(username="hq_train")
    layers = {pl.code: pl for pl in PositionLayer.objects.filter(code__in=LAYERS)}
    units = {u.code: u for u in OrgUnit.objects.all()}
    ho = units["HO"]
    # a run stopped before the attendance was written left the year's plans and sessions: start over
    TrainingSession.objects.filter(date__year=year, attendances__isnull=True).delete()
    TrainingPlan.objects.filter(year=year).delete()
    plan = TrainingPlan.objects.create(
        year=year, org_unit=ho, title=f"{year}年度全行消保培训计划", created_by=hq
    )
    LayerTarget.objects.bulk_create(
        [LayerTarget(plan=plan, layer=layers[c], target_hours=Decimal(TARGETS[c])) for c in LAYERS]
    )
    for b in range(10):
        own = TrainingPlan.objects.create(
            year=year, org_unit=units[f"B{b:02d}"], title=f"{year}年第{b + 1}分行培训计划", created_by=hq
        )
        LayerTarget.objects.create(
            plan=own, layer=layers["front_line"], target_hours=Decimal(RAISED_FRONT_LINE)
        )
    tz = timezone.get_current_timezone()
    sessions: list[TrainingSession] = []

    def add(unit: OrgUnit, month: int, k: int, hours: str, title: str) -> None:
        day = dt.date(year, month, 3 + 11 * k + rng.randrange(8))
        sessions.append(
            TrainingSession(
                plan=plan,
                title=title,
                topic="金融消费者权益保护",
                org_unit=unit,
                date=day,
                start_time=dt.time(14, 0),
                end_time=dt.time(14 + int(float(hours) + 0.5), 0),
                hours=Decimal(hours),
                mode="online" if unit.kind == "head_office" else "onsite",
                created_by=hq,
            )
        )

    for month in range(1, 13):
        for k in range(2):
            add(ho, month, k, "3.0", f"总行消保大讲堂 {month}月第{k + 1}期")
            for b in range(BRANCHES):
                add(units[f"B{b:02d}"], month, k, "2.0", f"分行消保培训 {month}月第{k + 1}期")
        for b in range(BRANCHES):
            for s in range(SUBS):
                add(units[f"B{b:02d}-{s:02d}"], month, 0, "1.5", f"支行晨会案例学习 {month}月")
    TrainingSession.objects.bulk_create(sessions, batch_size=5000)
    by_unit: dict[int, list[tuple[int, dt.date, Decimal]]] = {}
    for pk, unit_id, day, hours in TrainingSession.objects.filter(date__year=year).values_list(
        "pk", "org_unit_id", "date", "hours"
    ):
        by_unit.setdefault(unit_id, []).append((pk, day, hours))
    paths = {u.pk: u.path for u in units.values()}
    by_path = {u.path: u.pk for u in units.values()}
    raised = {units[f"B{b:02d}"].path for b in range(10)}
    seg = len(ho.path)

    # read before the COPY: the connection cannot run a query while it copies
    staff = list(StaffMember.objects.order_by("pk").values_list("pk", "org_unit_id", "layer_id"))

    def rows() -> Any:
        now = timezone.now()
        methods = ["qr"] * 6 + ["import"] * 3 + ["manual"]
        for pk, unit_id, layer_id in staff:
            path = paths[unit_id]
            ancestors = [by_path[path[:i]] for i in range(seg, len(path) + 1, seg)]
            offered = [s for a in ancestors for s in by_unit.get(a, [])]
            layer = next(c for c, pl in layers.items() if pl.pk == layer_id)
            target = TARGETS[layer]
            if layer == "front_line" and path[: 2 * seg] in raised:
                target = RAISED_FRONT_LINE
            goal = target * rng.uniform(0.4, 1.6)
            got = Decimal(0)
            for session_pk, day, hours in rng.sample(offered, len(offered)):
                if got >= goal:
                    break
                got += hours
                method = rng.choice(methods)
                signed = dt.datetime.combine(day, dt.time(13, 50 + rng.randrange(10)), tz)
                yield (
                    now,
                    now,
                    session_pk,
                    pk,
                    day,
                    hours,
                    method,
                    signed,
                    None if method == "qr" else hq.pk,
                )

    columns = [
        "created_at",
        "updated_at",
        "session_id",
        "staff_id",
        "date",
        "hours",
        "method",
        "signed_at",
        "recorded_by_id",
    ]
    n = copy_rows(Attendance._meta.db_table, columns, rows())
    with connection.cursor() as cur:
        for table in ("training_attendance", "training_trainingsession", "training_staffmember"):
            cur.execute(f"VACUUM (ANALYZE) {table}")  # constant table names
    return n


def fill_questions(have: int, n: int) -> None:
    """Questions have+1 … n of the bench's bank (with their first version), tagged 基准测试; bulk."""
    from xiaobao.core.models import OrgUnit, User
    from xiaobao.exams.models import Question, QuestionVersion, Tag

    rng = random.Random(5)
    hq = User.objects.get(username="hq_train")
    ho = OrgUnit.objects.get(code="HO")
    tag, _ = Tag.objects.get_or_create(kind="topic", name="基准测试")
    kinds = ["single"] * 20 + ["multiple"] * 14 + ["true_false"] * 10 + ["blank"] * 6
    questions = []
    for i in range(have, n):
        kind = kinds[i % len(kinds)]
        if kind == "single":
            options = [f"说法{c}：关于消费者权益保护的第{i + 1}题选项" for c in "ABCD"]
            answer: Any = [rng.randrange(4)]
        elif kind == "multiple":
            options = [f"做法{c}：第{i + 1}题的一种做法" for c in "ABCDE"]
            answer = sorted(rng.sample(range(5), rng.randint(2, 4)))
        elif kind == "true_false":
            options, answer = ["正确", "错误"], [rng.randrange(2)]
        else:
            options, answer = [], BLANK_ANSWERS[i % len(BLANK_ANSWERS)]
        questions.append(
            Question(
                org_unit=ho,
                kind=kind,
                stem=f"（基准题{i + 1}）银行业金融机构开展金融消费者权益保护工作，下列要求如何理解？",
                options=options,
                answer=answer,
                explanation=f"第{i + 1}题解析：依据《金融消费者权益保护实施办法》。",
                difficulty=1 + i % 5,
                created_by=hq,
            )
        )
    Question.objects.bulk_create(questions)
    versions = QuestionVersion.objects.bulk_create(
        [
            QuestionVersion(
                question=q,
                number=1,
                kind=q.kind,
                stem=q.stem,
                options=q.options,
                answer=q.answer,
                explanation=q.explanation,
                difficulty=q.difficulty,
            )
            for q in questions
        ]
    )
    for q, v in zip(questions, versions, strict=True):
        q.current_version = v
    Question.objects.bulk_update(questions, ["current_version"])
    Question.tags.through.objects.bulk_create(
        [Question.tags.through(question_id=q.pk, tag_id=tag.pk) for q in questions]
    )


# --- timing helpers ---------------------------------------------------------------------------------------


STRUCTURE = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


def replay(sqls: list[str], runs: int, tolerate: bool = False) -> tuple[list[float], list[str]]:
    """A request's captured SQL through a bare cursor, its transactions as they were (BEGIN … COMMIT or
    ROLLBACK; statements outside them in autocommit; nested savepoints left out), `runs` times after two
    warm-ups. `tolerate`: each statement in its own savepoint and a transaction with a failed one rolled back
    (a replayed INSERT of a row that exists: the start's attempt and items)."""
    from django.db import connection, transaction

    groups: list[tuple[bool, list[str], bool]] = []  # (in a transaction, statements, rolled back)
    open_tx: list[str] | None = None
    for sql in sqls:
        head = sql.lstrip().upper()
        if head.startswith("BEGIN"):
            open_tx = []
        elif head.startswith(("COMMIT", "ROLLBACK")) and not head.startswith("ROLLBACK TO"):
            if open_tx is not None:
                groups.append((True, open_tx, head.startswith("ROLLBACK")))
            open_tx = None
        elif head.startswith(STRUCTURE):
            continue
        elif open_tx is not None:
            open_tx.append(sql)
        else:
            groups.append((False, [sql], False))
    failed: list[str] = []

    def run(cur: Any, sql: str) -> None:
        if not tolerate:
            cur.execute(sql)
            if cur.description:
                cur.fetchall()
            return
        sid = transaction.savepoint()
        try:
            cur.execute(sql)
            if cur.description:
                cur.fetchall()
        except Exception as exc:  # a replayed INSERT on a unique key
            failed.append(f"{sql[:60]}…: {str(exc).splitlines()[0]}")
            transaction.savepoint_rollback(sid)
        else:
            transaction.savepoint_commit(sid)

    def once() -> None:
        failed.clear()
        for in_tx, group, rolled_back in groups:
            if not in_tx:
                with connection.cursor() as cur:
                    run(cur, group[0])
                continue
            with transaction.atomic(), connection.cursor() as cur:
                before = len(failed)
                for sql in group:
                    run(cur, sql)
                if rolled_back or len(failed) > before:
                    transaction.set_rollback(True)

    for _ in range(2):
        once()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        once()
        out.append(time.perf_counter() - t0)
    return out, list(failed)


def statements(captured: list[dict[str, Any]]) -> list[str]:
    """The data statements of a captured request (not BEGIN/COMMIT and savepoints)."""
    return [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith(STRUCTURE)]


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(ln.split()[1]) // (1024 * 1024)
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        ),
        0,
    )
    from django.db import connection

    pg = ".".join(map(str, divmod(connection.pg_version, 10000)))
    return f"{cpu}, {os.cpu_count()} CPUs, {mem} GiB, Python {platform.python_version()}, PostgreSQL {pg}"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class CpuSampler(threading.Thread):
    """CPU seconds the run costs the machine: the gunicorn master and its workers (recycled workers
    included: each process's last reading counts), and the PostgreSQL backends of the bench database
    (process title with the database name), read from /proc every 5 s; `take()` returns the CPU used
    since `start()` per kind."""

    def __init__(self, master: int, database: str) -> None:
        super().__init__(daemon=True)
        self.master, self.database = master, database.encode()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple[str, float]] = {}
        self.stopped = threading.Event()
        self.born: list[int] = []  # seconds from the start of the load at which a new worker was seen
        self.t0 = time.time()
        self.sample(baseline=True)

    def sample(self, baseline: bool = False) -> None:
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
                cmd = Path(f"/proc/{name}/cmdline").read_bytes()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            pid, ppid = int(name), int(fields[1])
            if pid == self.master or ppid == self.master:
                kind = "app server"
            elif cmd.startswith(b"postgres") and self.database in cmd:
                kind = "database"
            else:
                continue
            used = (int(fields[11]) + int(fields[12])) / self.tick
            if pid == self.master:  # + the workers it has reaped (recycled after max_requests)
                used += (int(fields[13]) + int(fields[14])) / self.tick
            if baseline:
                self.first[pid] = used
            elif pid not in self.last and kind == "app server":
                self.born.append(round(time.time() - self.t0))  # a recycled worker's successor
            self.last[pid] = (kind, used)

    def run(self) -> None:
        while not self.stopped.wait(5):
            self.sample()

    def take(self) -> dict[str, float]:
        self.sample()
        self.stopped.set()
        out: dict[str, float] = {}
        for pid, (kind, used) in self.last.items():
            out[kind] = out.get(kind, 0.0) + used - self.first.get(pid, 0.0)
        # a reaped worker is in the master's children's time (its whole life) and was also seen alive
        # (last − first added above): take its last reading off, so it counts as whole life − first
        for pid, (kind, used) in self.last.items():
            if pid != self.master and kind == "app server" and not Path(f"/proc/{pid}").exists():
                out[kind] -= used
        return {k: round(v, 1) for k, v in out.items()}


# --- scenario: the exam -----------------------------------------------------------------------------------


def http_json(port: int, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        try:
            return resp.status, json.loads(data)
        except ValueError:
            return resp.status, data[:500]
    finally:
        conn.close()


def credentials(users: list[Any], auth: str) -> dict[str, dict[str, str]]:
    """Per candidate the request headers: a session (as after logging in) and its CSRF token, or a Bearer
    token — rows inserted in bulk."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from xiaobao.core.models import ApiToken
    from xiaobao.core.services.accounts import TOKEN_PREFIX

    out: dict[str, dict[str, str]] = {}
    if auth == "token":
        tokens = []
        for u in users:
            raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
            tokens.append(
                ApiToken(user=u, name="exams bench", prefix=raw[:10], digest=ApiToken.digest_of(raw))
            )
            out[u.username] = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
        ApiToken.objects.bulk_create(tokens, batch_size=2000)
        return out
    store = SessionStore()
    expires = timezone.now() + dt.timedelta(hours=8)
    rows = []
    alphabet = string.ascii_letters + string.digits
    for u in users:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(u.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: u.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        csrf = "".join(secrets.choice(alphabet) for _ in range(32))
        out[u.username] = {
            "Cookie": f"sessionid={key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/json",
        }
    Session.objects.bulk_create(rows, batch_size=2000)
    return out


def in_process_floors(exam_id: int, spare: Any) -> dict[str, Any]:
    """A spare candidate starts, saves and submits in process (django.test.Client, logged in) with the SQL
    captured: statements per request and the floor (those statements replayed through a bare cursor)."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient()
    client.force_login(spare)
    out: dict[str, Any] = {}

    def capture(name: str, fn: Callable[[], Any], runs: int, tolerate: bool = False) -> Any:
        """The request in process with its SQL captured, then that SQL replayed (before the next request
        changes the rows it touches: a save replayed after the submit would update nothing)."""
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            resp = fn()
            took = time.perf_counter() - t0
        if resp.status_code not in (200, 201):
            sys.exit(f"{name} in process answered {resp.status_code}: {resp.content[:500]!r}")
        every = [q["sql"] for q in ctx.captured_queries]
        times, failed = replay(every, runs, tolerate)
        out[name] = {
            "statements": len(statements(ctx.captured_queries)),
            "in_process_ms": round(took * 1000, 2),
            "floor": pct_summary(times),
            "floor_failed_statements": failed,
            "sql": every,
        }
        return resp.json()

    attempt = capture(
        "start",
        lambda: client.post(f"/api/v1/exams/{exam_id}/attempts", {}, "application/json"),
        10,
        tolerate=True,
    )
    q = next(q for q in attempt["questions"] if q["kind"] == "single")
    path = f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}"
    capture("save", lambda: client.put(path, {"answer": [0]}, "application/json"), 50)
    capture(
        "submit", lambda: client.post(f"/api/v1/attempts/{attempt['id']}/submit", {}, "application/json"), 20
    )
    return out


def exam_scenario(args: argparse.Namespace, env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    from bench import run
    from xiaobao.core.models import User
    from xiaobao.core.services.accounts import api_token_create
    from xiaobao.exams.models import Question

    run.xiaobao(env, "collectstatic", "--noinput", "-v0")
    hq = User.objects.get(username="hq_train")
    users = list(User.objects.filter(groups__name="learner", username__startswith="E").order_by("username"))
    if len(users) < args.candidates + 1:
        sys.exit(
            f"{len(users)} candidate accounts, {args.candidates + 1} needed: fill with a larger --candidates"
        )
    users, spare = users[: args.candidates], users[args.candidates]
    question_ids = list(
        Question.objects.filter(tags__name="基准测试")
        .order_by("pk")
        .values_list("pk", flat=True)[: args.questions]
    )
    kinds = Counter(Question.objects.filter(pk__in=question_ids).values_list("kind", flat=True))
    _, token = api_token_create(actor=hq, user=hq, name="exams bench organiser")
    creds = credentials(users, args.auth)
    rng = random.Random(args.seed)
    port = run.free_port()
    result: dict[str, Any] = {"candidates": len(users), "questions": len(question_ids), "kinds": dict(kinds)}
    print(
        f"gunicorn on 127.0.0.1:{port}, {args.workers} workers × 2 threads (production settings)", flush=True
    )
    with run.gunicorn(env, port, args.workers) as server:
        # the floors first, on an exam of the spare candidate alone (the same 50 questions)
        now = time.time()
        floor_exam = {
            "title": f"基准考试（基线）{dt.datetime.now():%Y-%m-%d %H:%M}",
            "question_ids": question_ids,
            "opens_at": dt.datetime.fromtimestamp(now, dt.UTC).isoformat(),
            "closes_at": dt.datetime.fromtimestamp(now + 3600, dt.UTC).isoformat(),
            "time_limit_minutes": args.minutes,
            "pass_mark": 60,
            "candidates": [spare.username],
            "multiple_choice_scoring": "all_or_nothing",
        }
        status, created = http_json(port, "POST", "/api/v1/exams", token, floor_exam)
        if status != 201:
            sys.exit(f"POST /api/v1/exams answered {status}: {created}")
        result["in_process"] = in_process_floors(created["id"], spare)
        for name in ("start", "save", "submit"):
            r = result["in_process"][name]
            print(
                f"  in process, {name}: {r['statements']} statements, {r['in_process_ms']} ms; "
                f"floor median {r['floor']['median_ms']} ms"
                + (
                    f"; replay refused {r['floor_failed_statements']}" if r["floor_failed_statements"] else ""
                ),
                flush=True,
            )
        # the exam: opens now, closes --minutes after the load starts (30 s from now: the exam's creation
        # with its candidates and the load process's start come first)
        t0 = time.time() + 30
        closes = t0 + args.minutes * 60
        body = {
            "title": f"基准考试 {dt.datetime.now():%Y-%m-%d %H:%M}（{len(users)} 人）",
            "question_ids": question_ids,
            "opens_at": dt.datetime.fromtimestamp(time.time(), dt.UTC).isoformat(),
            "closes_at": dt.datetime.fromtimestamp(closes, dt.UTC).isoformat(),
            "time_limit_minutes": args.minutes,
            "pass_mark": 60,
            "candidates": [u.username for u in users],
            "multiple_choice_scoring": "all_or_nothing",
        }
        started = time.perf_counter()
        status, created = http_json(port, "POST", "/api/v1/exams", token, body)
        result["create_exam_ms"] = round((time.perf_counter() - started) * 1000, 1)
        if status != 201:
            sys.exit(f"POST /api/v1/exams answered {status}: {created}")
        exam_id = created["id"]
        print(f"  exam {exam_id} created through the API in {result['create_exam_ms']} ms", flush=True)
        if time.time() > t0 - 3:
            sys.exit("The exam took too long to create: the load would start late.")
        window = min(120.0, args.minutes * 60 / 2)
        spec = {
            "host": "127.0.0.1",
            "port": port,
            "exam_id": exam_id,
            "t0": t0,
            "seed": args.seed,
            "interval": [20, 40],
            "out": str(data_dir / "exams-loadgen-out.json"),
            "candidates": [
                {
                    "username": u.username,
                    "headers": creds[u.username],
                    "start_at": rng.uniform(0, args.ramp),
                    "submit_at": args.minutes * 60 - rng.uniform(10, window),
                }
                for u in users
            ],
        }
        spec_path = data_dir / "exams-loadgen-spec.json"
        spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        result["load_before"] = load_average()
        print(
            f"  load: {len(users)} candidates from {time.strftime('%H:%M:%S', time.localtime(t0))} for "
            f"{args.minutes} min (starts within {args.ramp:.0f} s, a save every 20–40 s, submits in the last "
            f"{window:.0f} s); load average {result['load_before']}",
            flush=True,
        )
        sampler = CpuSampler(server.pid, urlparse(args.database_url).path.lstrip("/"))
        sampler.start()
        wall = time.perf_counter()
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--loadgen", str(spec_path)], check=True
        )
        result["wall_s"] = round(time.perf_counter() - wall, 1)
        result["cpu_s"] = sampler.take()
        result["new_workers_at_s"] = [round(t - (t0 - sampler.t0)) for t in sampler.born]
        result["load_after"] = load_average()
    log = (data_dir / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    result["server_log"] = {
        "tracebacks": log.count("Traceback"),
        "worker_timeouts": log.count("WORKER TIMEOUT"),
    }
    out = json.loads(Path(spec["out"]).read_text(encoding="utf-8"))
    result["cpu_s"]["load generator"] = out["cpu_s"]
    result.update(summarise_load(out, args, window))
    result["verify"] = verify(exam_id, out)
    return result


def summarise_load(out: dict[str, Any], args: argparse.Namespace, window: float) -> dict[str, Any]:
    records = out["records"]
    end = args.minutes * 60
    res: dict[str, Any] = {
        "load": {},
        "reopened_connections": out["reopened"],
        "retried_requests": out.get("retried", 0),
        "error_samples": out["errors"],
    }
    for kind in ("start", "save", "submit"):
        mine = [r for r in records if r[0] == kind]
        ok = [r[2] for r in mine if r[3] in (200, 201)]
        span = (max(r[1] for r in mine) - min(r[1] for r in mine)) if mine else 0
        res["load"][kind] = {
            **pct_summary(ok),
            "requests": len(mine),
            "statuses": dict(Counter(str(r[3]) for r in mine)),
            "per_s": round(len(mine) / span, 1) if span else None,
        }
    late = [r[2] for r in records if r[0] == "save" and r[3] == 200 and r[1] >= end - window]
    res["load"]["save_in_submit_window"] = pct_summary(late)
    windows = []
    for w in range(0, int(max((r[1] for r in records), default=0)) + 30, 30):
        mine = [r for r in records if w <= r[1] < w + 30]
        saves = sorted(r[2] for r in mine if r[0] == "save" and r[3] == 200)
        windows.append(
            {
                "from_s": w,
                "requests": len(mine),
                "saves": len(saves),
                "save_p95_ms": round(percentile(saves, 0.95) * 1000, 1) if saves else None,
                "not_ok": sum(1 for r in mine if r[3] not in (200, 201)),
            }
        )
    res["windows"] = windows
    busiest = Counter(int(r[1] // 10) for r in records)
    res["load"]["peak_requests_per_s"] = round(max(busiest.values()) / 10, 1) if busiest else 0
    return res


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def verify(exam_id: int, out: dict[str, Any]) -> dict[str, Any]:
    """Every answer the load generator saved with a 200 is in the database as given and graded, and graded
    right; every attempt submitted with points = the sum of its items and the score it answered."""
    from xiaobao.exams.models import Attempt, AttemptItem, Exam

    exam = Exam.objects.get(pk=exam_id)
    by_id = {a["id"]: a for a in out["attempts"].values()}
    attempts = {a.pk: a for a in Attempt.objects.filter(pk__in=list(by_id))}
    items: dict[tuple[int, int], Any] = {}
    per_attempt: dict[int, list[Any]] = {}
    for it in AttemptItem.objects.filter(attempt_id__in=list(by_id)).select_related("version"):
        items[(it.attempt_id, it.question_id)] = it
        per_attempt.setdefault(it.attempt_id, []).append(it)
    v: Counter[str] = Counter()
    samples: list[str] = []

    def bad(what: str, detail: str) -> None:
        v[what] += 1
        if len(samples) < 10:
            samples.append(f"{what}: {detail}")

    for aid, a in by_id.items():
        att = attempts.get(aid)
        if att is None:
            bad("attempt missing", str(aid))
            continue
        v["attempts"] += 1
        if att.status != "submitted":
            bad("attempt not submitted", str(aid))
        mine = per_attempt.get(aid, [])
        earned = sum((it.earned or Decimal(0)) for it in mine)
        if att.points is None or Decimal(att.points) != earned:
            bad("points ≠ sum of items", f"{aid}: {att.points} vs {earned}")
        result = a.get("result")
        if (
            result is not None
            and att.score is not None
            and abs(float(result["score"]) - float(att.score)) > 0.01
        ):
            bad("score ≠ submit answer", f"{aid}: {result['score']} vs {att.score}")
        passed = att.score is not None and att.score >= exam.pass_mark
        if att.passed != passed or (result is not None and result.get("passed") != att.passed):
            bad("passed wrong", f"{aid}: {att.score} → {att.passed}, answered {result}")
        for qid, display in a["saved"].items():
            v["saved answers"] += 1
            it = items.get((aid, int(qid)))
            if it is None:
                bad("item missing", f"{aid}/{qid}")
                continue
            if isinstance(display, list):
                order = it.option_order or list(range(len(it.version.options)))
                expected: Any = sorted(order[i] for i in display)
                stored = sorted(it.answer) if isinstance(it.answer, list) else it.answer
            else:
                expected, stored = _norm(display), _norm(it.answer) if it.answer is not None else None
            if stored != expected:
                bad("answer not as saved", f"{aid}/{qid}: saved {display} → {expected}, stored {it.answer}")
                continue
            v["stored as saved"] += 1
            if it.correct is None or it.earned is None:
                bad("saved answer not graded", f"{aid}/{qid}")
                continue
            v["graded"] += 1
            key = it.version.answer
            if isinstance(key, list):
                right = sorted(key) == expected
            else:
                right = _norm(expected) in {_norm(k) for k in str(key).split("|")}
            if bool(it.correct) != right or Decimal(it.earned) != (it.points if right else Decimal(0)):
                bad("graded wrong", f"{aid}/{qid}: {it.answer} vs key {key}: {it.correct}, {it.earned}")
            else:
                v["graded right"] += 1
            v["correct" if right else "wrong"] += 1
        for qid in a.get("uncertain", []):
            if qid not in a["saved"]:
                v["uncertain (last save failed)"] += 1
        answered = sum(1 for it in mine if it.answer not in (None, "", []))
        if answered != len(a["saved"]):
            bad("answered items ≠ answers saved", f"{aid}: {answered} vs {len(a['saved'])}")
    v["exam attempts in the database"] = Attempt.objects.filter(exam=exam).count()
    return {"counts": dict(v), "samples": samples}


# --- scenario: coverage -----------------------------------------------------------------------------------


def expected_coverage(year: int) -> dict[str, dict[str, Any]]:
    """People and covered per layer for the whole institution, computed here from the attendance rows and
    the plans (the nearest plan up the tree with a target for the person's layer)."""
    from django.db import connection

    from xiaobao.training.models import LayerTarget

    targets: dict[tuple[str, int], Decimal] = {
        (path, layer): hours
        for path, layer, hours in LayerTarget.objects.filter(plan__year=year).values_list(
            "plan__org_unit__path", "layer_id", "target_hours"
        )
    }
    with connection.cursor() as cur:
        cur.execute(
            """SELECT l.code, u.path, s.layer_id, COALESCE(SUM(a.hours), 0), COUNT(a.id)
               FROM training_staffmember s
               JOIN core_orgunit u ON u.id = s.org_unit_id
               JOIN training_positionlayer l ON l.id = s.layer_id
               LEFT JOIN training_attendance a ON a.staff_id = s.id AND a.date BETWEEN %s AND %s
               WHERE s.active GROUP BY s.id, l.code, u.path, s.layer_id""",
            [dt.date(year, 1, 1), dt.date(year, 12, 31)],
        )
        rows = cur.fetchall()
    seg = 8
    out: dict[str, dict[str, Any]] = {}
    for code, path, layer_id, hours, times in rows:
        target = next(
            (
                targets[(path[:i], layer_id)]
                for i in range(len(path), 0, -seg)
                if (path[:i], layer_id) in targets
            ),
            None,
        )
        row = out.setdefault(code, {"people": 0, "covered": 0, "hours": Decimal(0), "person_times": 0})
        row["hours"] += hours
        row["person_times"] += times
        if target is not None:
            row["people"] += 1
            row["covered"] += int(hours >= target)
    return out


def coverage_scenario(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiaobao.core.models import OrgUnit, User
    from xiaobao.training.coverage import coverage

    hq = User.objects.get(username="hq_train")
    root = OrgUnit.objects.get(code="HO")
    res: dict[str, Any] = {"load_before": load_average()}
    for by in ("layer", "unit"):
        coverage(user=hq, unit=root, year=args.year, by=by)  # warm-up
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            rows = coverage(user=hq, unit=root, year=args.year, by=by)
            times.append(time.perf_counter() - t0)
        with CaptureQueriesContext(connection) as ctx:
            rows = coverage(user=hq, unit=root, year=args.year, by=by)
        sqls = [q["sql"] for q in ctx.captured_queries]
        floor, _ = replay(sqls, args.runs)
        res[by] = {
            **pct_summary(times),
            "runs": [round(t * 1000, 1) for t in times],
            "queries": len(sqls),
            "floor": pct_summary(floor),
            "rows": [
                {
                    "key": str(r.key),
                    "label": str(r.label),
                    "people": r.people,
                    "covered": r.covered,
                    "share": None if r.share is None else round(float(r.share), 4),
                    "hours": float(r.hours or 0),
                    "person_times": r.person_times,
                }
                for r in rows
            ],
            "slowest_sql": max(ctx.captured_queries, key=lambda q: float(q["time"]))["sql"] if sqls else "",
        }
        print(
            f"  coverage by {by}: median {res[by]['median_ms']} ms (runs {res[by]['runs']}), "
            f"{len(sqls)} queries, floor {res[by]['floor']['median_ms']} ms",
            flush=True,
        )
        if args.explain:
            with connection.cursor() as cur:
                for sql in sqls:
                    if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                        print(f"\n-- {sql[:300]}…\n" + "\n".join(r[0] for r in cur.fetchall()), flush=True)
    # the figures against an independent computation
    from xiaobao.training.models import PositionLayer

    expected = expected_coverage(args.year)
    names: dict[str, str] = {}
    for pl in PositionLayer.objects.all():
        for alias in (pl.code, str(pl.pk), pl.name):
            names[alias] = pl.code
    checks, notes = [], []
    for r in res["layer"]["rows"]:
        code = names.get(r["key"]) or names.get(r["label"])
        e = expected.get(code or "")
        if e is None:
            checks.append(f"layer row {r['key']} ({r['label']}) not in the independent figures")
            continue
        if (r["people"], r["covered"]) != (e["people"], e["covered"]):
            checks.append(
                f"{code}: people/covered {r['people']}/{r['covered']} vs independent "
                f"{e['people']}/{e['covered']}"
            )
        got = (r["person_times"], round(r["hours"], 1))
        want = (e["person_times"], round(float(e["hours"]), 1))
        if got != want:
            notes.append(f"{code}: person-times/hours {got} vs active staff's {want}")
    by_unit = res["unit"]["rows"]
    tot = (sum(r["people"] for r in by_unit), sum(r["covered"] for r in by_unit))
    want_tot = (sum(e["people"] for e in expected.values()), sum(e["covered"] for e in expected.values()))
    if tot != want_tot:
        checks.append(f"by unit: people/covered summed over the children {tot} vs the whole {want_tot}")
    res["notes"] = notes
    res["load_after"] = load_average()
    res["check"] = checks or ["coverage figures match the independent computation"]
    res["expected"] = {
        k: {
            **v,
            "hours": float(v["hours"]),
            "share": round(v["covered"] / v["people"], 4) if v["people"] else None,
        }
        for k, v in expected.items()
    }
    for line in res["check"] + notes:
        print(f"  check: {line}", flush=True)
    return res


# --- report -----------------------------------------------------------------------------------------------


def ratio(ms: float | None, floor: float | None) -> str:
    return f"{ms / floor:.1f}×" if ms and floor else ""


def markdown(meta: dict[str, Any], exam: dict[str, Any] | None, cov: dict[str, Any] | None) -> str:
    out = [f"### Exams and training — {meta['date']}", "", f"Machine: {meta['machine']}.", ""]
    out += [f"Command: `{meta['command']}`. Scale: {meta['scale']}.", ""]
    if exam:
        ip = exam["in_process"]
        out += [
            f"Exam: {exam['candidates']:,} candidates, {exam['questions']} questions {exam['kinds']}, "
            f"{meta['minutes']} min, starts spread over {meta['ramp']:.0f} s, auth {meta['auth']}, "
            f"gunicorn {meta['workers']} workers × 2 threads; "
            f"created through the API in {exam['create_exam_ms']} ms; "
            f"load average {exam['load_before']} before, {exam['load_after']} after; "
            f"connections reopened after the server's keep-alive: {exam['reopened_connections']:,}, "
            f"requests resent on a new connection after a failure: {exam.get('retried_requests', 0):,}; "
            f"peak {exam['load']['peak_requests_per_s']} requests/s (10 s window); server log: "
            f"{exam['server_log']['tracebacks']} tracebacks, "
            f"{exam['server_log']['worker_timeouts']} worker timeouts.",
            "",
            "| request | n | statuses | median ms | p95 ms | p99 ms | max ms | rate/s | SQL "
            "| floor median ms | ratio |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        labels = {
            "start": "start `POST /api/v1/exams/{id}/attempts`",
            "save": "save `PUT /api/v1/attempts/{id}/answers/{qid}`",
            "save_in_submit_window": "… saves during the submit window",
            "submit": "submit `POST /api/v1/attempts/{id}/submit`",
        }
        for key in ("start", "save", "save_in_submit_window", "submit"):
            r = exam["load"][key]
            base = key if key in ip else "save"
            floor = ip[base]["floor"]["median_ms"]
            statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(r.get("statuses", {}).items()))
            out.append(
                f"| {labels[key]} | {r.get('count', 0):,} | {statuses} | {r.get('median_ms', '')} | "
                f"{r.get('p95_ms', '')} | {r.get('p99_ms', '')} | {r.get('max_ms', '')} | "
                f"{r.get('per_s') or ''} | "
                f"{ip[base]['statements']} | {floor} | {ratio(r.get('median_ms'), floor)} |"
            )
        cpu = exam.get("cpu_s", {})
        requests = sum(exam["load"][k].get("requests", 0) for k in ("start", "save", "submit"))
        if cpu and requests:
            total = sum(cpu.values())
            out += [
                "",
                "CPU over the load's "
                + f"{exam['wall_s']:,.0f} s: "
                + ", ".join(
                    f"{k} {v:,.0f} s ({1000 * v / requests:.1f} ms a request)" for k, v in cpu.items()
                )
                + f"; together {total / exam['wall_s']:.2f} of the {os.cpu_count()} cores on average "
                + "(the rest of the machine's load was other work).",
            ]
        wins = [w for w in exam.get("windows", []) if w["save_p95_ms"] is not None and w["saves"] >= 50]
        if wins:
            over = [w for w in wins if w["save_p95_ms"] > 150]
            out += [
                "",
                f"Saves per 30 s window ({len(wins)} windows with ≥ 50 saves): p95 from "
                f"{min(w['save_p95_ms'] for w in wins):,.0f} to "
                f"{max(w['save_p95_ms'] for w in wins):,.0f} ms, "
                f"over 150 ms in {len(over)} (from s {', '.join(str(w['from_s']) for w in over) or '–'}); "
                "gunicorn workers started (recycled after max_requests) at s "
                + (", ".join(map(str, exam.get("new_workers_at_s", []))) or "–")
                + ".",
            ]
        c = exam["verify"]["counts"]
        out += [
            "",
            f"Database check: {c.get('attempts', 0):,} attempts of the load generator, "
            f"{c.get('saved answers', 0):,} answers saved with a 200 (the last per question), "
            f"{c.get('stored as saved', 0):,} stored as saved, {c.get('graded', 0):,} graded, "
            f"{c.get('graded right', 0):,} graded right ({c.get('correct', 0):,} correct, "
            f"{c.get('wrong', 0):,} wrong). "
            "Problems: "
            + (
                ", ".join(
                    f"{k} {n}"
                    for k, n in c.items()
                    if k
                    not in {
                        "attempts",
                        "saved answers",
                        "stored as saved",
                        "graded",
                        "graded right",
                        "correct",
                        "wrong",
                        "exam attempts in the database",
                    }
                )
                or "none"
            )
            + ".",
            "",
        ]
    if cov:
        out += [
            "| coverage, head office (hq_train), whole institution | runs | median ms | max ms | SQL "
            "| floor median ms | ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for by in ("layer", "unit"):
            r = cov[by]
            out.append(
                f'| `coverage(by="{by}")` ({len(r["rows"])} rows) | {r["count"]} | {r["median_ms"]} | '
                f"{r['max_ms']} | {r['queries']} | {r['floor']['median_ms']} | "
                f"{ratio(r['median_ms'], r['floor']['median_ms'])} |"
            )
        out += [
            "",
            f"Load average {cov['load_before']} before, {cov['load_after']} after. Check: "
            + "; ".join(cov["check"] + cov.get("notes", []))
            + ".",
            "",
        ]
        out += [
            "| layer | people | covered | share | hours | person-times |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in cov["layer"]["rows"]:
            share = "" if r["share"] is None else f"{100 * r['share']:.1f} %"
            out.append(
                f"| {r['label']} | {r['people']:,} | {r['covered']:,} | {share} | {r['hours']:,.1f} | "
                f"{r['person_times']:,} |"
            )
        out.append("")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--loadgen", metavar="SPEC", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--only", default="exam,coverage", help="exam,coverage (fill: only fill)")
    parser.add_argument("--minutes", type=int, default=30, help="exam length (time limit and window), ≥ 3")
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument(
        "--ramp",
        type=float,
        default=180.0,
        help="seconds over which the candidates start (at most a third of the exam)",
    )
    parser.add_argument("--auth", choices=("session", "token"), default="session")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.loadgen:
        loadgen_main(args.loadgen)
        return
    if args.minutes < 3:
        sys.exit("--minutes: at least 3 (two of them are the submit window)")
    args.ramp = min(args.ramp, args.minutes * 60 / 3)
    url = args.database_url
    name = urlparse(url).path.lstrip("/")
    out_dir = ROOT / "var" / "bench"
    data_dir = out_dir / f"data-{name}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = setup_django(url, data_dir)
    fill(args)
    only = set(filter(None, args.only.split(",")))
    from xiaobao.training.models import StaffMember

    meta = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "command": "make bench-exams" + (f' BENCH_ARGS="{" ".join(sys.argv[1:])}"' if sys.argv[1:] else ""),
        "scale": f"{StaffMember.objects.count():,} staff, attendance of {args.year}; "
        f"{args.candidates:,} candidates",
        "minutes": args.minutes,
        "auth": args.auth,
        "ramp": args.ramp,
        "workers": args.workers,
    }
    exam = exam_scenario(args, env, data_dir) if "exam" in only else None
    cov = coverage_scenario(args) if "coverage" in only else None
    text = markdown(meta, exam, cov)
    print("\n" + text)
    (out_dir / "exams.md").write_text(text, encoding="utf-8")
    (out_dir / "exams.json").write_text(
        json.dumps({"meta": meta, "exam": exam, "coverage": cov}, ensure_ascii=False, indent=1, default=str),
        encoding="utf-8",
    )
    print("written: var/bench/exams.md and .json")


if __name__ == "__main__":
    main()
