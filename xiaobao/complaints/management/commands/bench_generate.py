"""`xiaobao bench_generate --complaints N [--batch 10000]`: bulk synthetic complaints for benchmarks.

Writes N complaints received over the last three years with what the workflow would have written for
them — events (register, assign, accept, contact, pause/resume, extend, draft, submit/approve, notify,
follow-up, close, archive, withdraw, decline, review request/decision), their decision / first-contact /
review clocks (computed by the real clock engine, `complaints.sla.compute_clocks`, from those events, as of
today), extensions, and a pool of complainants (min(N, 50,000) consumers, personal data encrypted and
blind-indexed with the real vault, reused across complaints).

It does NOT go through the services and does NOT write the audit trail (nor notifications) for these rows:
it is for measuring reads and writes at volume, not a history anybody did. Never run it on a production
database.

Institution: the demo bank if one is loaded (HO exists), else a larger one is built: head office with
its departments, 36 branches, ~10 sub-branches each, ~10 outlets each (≈ 4,000 units), and ~470 staff
(a consumer-protection officer, a handler and an approver per branch, a handler per sub-branch).

Ids are set explicitly (references `TS<yyyymmdd><pk:07d>` are precomputed), rows go in batches — COPY on
PostgreSQL (psycopg `cursor.copy()`, from a writer thread while the next batch is generated),
`bulk_create` elsewhere — sequences are reset at the end and the tables are ANALYZEd (on PostgreSQL with
VACUUM (ANALYZE), so the visibility map is set as on a settled table). Running it again adds N more
complaints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import queue
import random
import threading
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from xiaobao.complaints import demo, sla, workflow
from xiaobao.complaints.choices import Source
from xiaobao.complaints.models import Clock, Complaint, ComplaintCode, ComplaintEvent, DeadlineRule, Extension
from xiaobao.core.demo import HO_DEPARTMENTS
from xiaobao.core.models import Consumer, OrgUnit, User
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.vault import crypto
from xiaobao.core.vault.fields import Sealed
from xiaobao.core.workdays import get_calendar

CITIES = [  # name, GB/T 2260 code
    ("北京", "110000"), ("天津", "120000"), ("石家庄", "130100"), ("太原", "140100"), ("呼和浩特", "150100"),
    ("沈阳", "210100"), ("大连", "210200"), ("长春", "220100"), ("哈尔滨", "230100"), ("上海", "310000"),
    ("南京", "320100"), ("苏州", "320500"), ("杭州", "330100"), ("宁波", "330200"), ("合肥", "340100"),
    ("福州", "350100"), ("厦门", "350200"), ("南昌", "360100"), ("济南", "370100"), ("青岛", "370200"),
    ("郑州", "410100"), ("武汉", "420100"), ("长沙", "430100"), ("广州", "440100"), ("深圳", "440300"),
    ("南宁", "450100"), ("海口", "460100"), ("重庆", "500000"), ("成都", "510100"), ("贵阳", "520100"),
    ("昆明", "530100"), ("拉萨", "540100"), ("西安", "610100"), ("兰州", "620100"), ("西宁", "630100"),
    ("银川", "640100"),
]  # fmt: skip
DISTRICTS = [
    "城东",
    "城西",
    "城南",
    "城北",
    "高新区",
    "开发区",
    "滨江",
    "新区",
    "站前",
    "大学城",
    "港城",
    "中心",
]
STREETS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "文化路",
    "胜利路",
    "青年路",
    "长江路",
    "黄河路",
    "友谊路",
    "花园路",
    "光明路",
    "幸福路",
]
KEY_USERS = [  # username, full name, unit, role
    ("admin", "系统管理员", "HO-IT", "sysadmin"),
    ("hq_cp", "总行消保专员", "HO-CPD", "hq_cp_officer"),
    ("hq_handler", "陈思远", "HO-CPD", "complaint_handler"),
    ("approver", "郑国华", "HO", "approver"),
    ("auditor", "孙慧敏", "HO-AUD", "auditor"),
    ("retail_responder", "何立新", "HO-RET", "business_responder"),
]
YEARS = 3
POOL_MAX = 50_000


class _Stop(Exception):
    """The next step of a complaint's life lies after now: the complaint stays where it is."""


# --- row writing ---------------------------------------------------------------------------------------


def _columns(model: type[models.Model]) -> list[str]:
    return [str(f.column) for f in model._meta.concrete_fields]


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """Each column's default, so a row lists every column even when other code adds fields."""
    out = {}
    for f in model._meta.concrete_fields:
        out[str(f.column)] = f.get_default() if f.has_default() or not f.null else None
    return out


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
Converter = Callable[[Any], str]


def _text(value: Any) -> str:
    return (value.token if isinstance(value, Sealed) else str(value)).translate(_ESCAPES)


def _converter(field: models.Field) -> Converter:
    """COPY text form of one column's values (None → \\N)."""
    if isinstance(field, models.BooleanField):
        inner: Converter = lambda v: "t" if v else "f"  # noqa: E731
    elif isinstance(field, models.JSONField):
        inner = lambda v: json.dumps(v, ensure_ascii=False).translate(_ESCAPES)  # noqa: E731
    elif isinstance(field, models.DateField):  # and DateTimeField (aware datetimes)
        inner = lambda v: v.isoformat()  # noqa: E731
    elif isinstance(field, models.CharField | models.TextField):
        inner = _text
    else:
        inner = str
    return lambda v: "\\N" if v is None else inner(v)


class _Writer:
    """Rows as dicts of column → value, written per table with COPY (PostgreSQL) or bulk_create.

    On PostgreSQL `submit()` hands a batch, already encoded as COPY text, to a writer thread with its own
    connection, so the server ingests one batch while Python generates the next (2 cores: both busy).
    """

    def __init__(self, copy: bool) -> None:
        self.copy = copy
        self.queue: queue.Queue[list[tuple[str, str]] | None] = queue.Queue(maxsize=2)
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def _encode(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> tuple[str, str]:
        fields = model._meta.concrete_fields
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        plan = [(str(f.column), _converter(f)) for f in fields]
        lines = ["\t".join([conv(row[col]) for col, conv in plan]) for row in rows]
        return f"COPY {table} ({cols}) FROM STDIN", "\n".join(lines) + "\n"

    @staticmethod
    def _copy(sql: str, text: str) -> None:
        with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
            for i in range(0, len(text), 1 << 20):
                copy.write(text[i : i + (1 << 20)])

    def write(self, model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
        """Write now, in the caller's connection and transaction."""
        if not rows:
            return
        if self.copy:
            self._copy(*self._encode(model, rows))
        else:
            attnames = {str(f.column): f.attname for f in model._meta.concrete_fields}
            objs = [model(**{attnames[c]: v for c, v in row.items()}) for row in rows]
            model._default_manager.bulk_create(objs, batch_size=500)

    def submit(self, tables: list[tuple[type[models.Model], list[dict[str, Any]]]]) -> None:
        """Write one batch (several tables) in one transaction: in the writer thread on PostgreSQL."""
        if not self.copy or connection.in_atomic_block:  # inside a caller's transaction (tests): stay in it
            with transaction.atomic():
                for model, rows in tables:
                    self.write(model, rows)
            return
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="bench-copy", daemon=True)
            self.thread.start()
        self._check()
        self.queue.put([self._encode(model, rows) for model, rows in tables if rows])

    def _run(self) -> None:
        try:
            with connection.cursor() as cur:  # a bulk load: do not wait for the WAL flush at each commit
                cur.execute("SET synchronous_commit TO off")
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    with transaction.atomic():
                        for sql, text in batch:
                            self._copy(sql, text)
        except BaseException as exc:  # handed to the main thread
            self.error = exc
            while self.queue.get() is not None:  # drain so the producer never blocks
                pass
        finally:
            connection.close()

    def _check(self) -> None:
        if self.error is not None:
            raise CommandError(f"writing failed: {self.error!r}") from self.error

    def finish(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        self._check()


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _drop_indexes(models_: Iterable[type[models.Model]]) -> list[str]:
    """PostgreSQL: drop the secondary indexes of these tables (not primary keys or constraints' indexes)
    and return their definitions, also written to a file in the data dir in case the run is interrupted.
    Loading without them and building each once afterwards is several times faster than maintaining
    two dozen indexes row by row."""
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        found = cur.fetchall()
        keep = Path(settings.DATA_DIR) / "bench_generate_dropped_indexes.sql"
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_text("".join(f"{d};\n" for _, d in found), encoding="utf-8")
        for name, _ in found:
            cur.execute(f"DROP INDEX {name}")
    return [d for _, d in found]


def _create_indexes(definitions: list[str], out: Any) -> None:
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem TO '1GB'")
        cur.execute("SET max_parallel_maintenance_workers TO 2")
        for sql in sorted(definitions, key=lambda d: " USING gin " in d):  # B-trees first, the slow GIN last
            t = time.perf_counter()
            cur.execute(sql)
            out.write(f"  {sql[:90]}… {time.perf_counter() - t:.1f} s")
            out.flush()


def _replicate(copies: int, out: Any, first: int = 1, tops: dict | None = None) -> int:
    """PostgreSQL: append `copies` shifted copies of every complaint already generated, with its events,
    clocks and extensions, in SQL (INSERT … SELECT): copy k has ids + k × max id, its own reference and
    idempotency key, the same dates, units, codes, texts and complainants. Ten times the rows of a
    generated 1M table in a fraction of the generator's time; per-day volumes grow k + 1 times, which is
    what a larger bank over the same three years looks like. Returns the complaints added."""
    qn = connection.ops.quote_name
    shifted = {
        Complaint: {"id": "id + {k} * {c}", "merged_into_id": "merged_into_id + {k} * {c}"},
        ComplaintEvent: {"id": "id + {k} * {t}", "complaint_id": "complaint_id + {k} * {c}"},
        Clock: {"id": "id + {k} * {t}", "complaint_id": "complaint_id + {k} * {c}"},
        Extension: {"id": "id + {k} * {t}", "complaint_id": "complaint_id + {k} * {c}"},
    }
    shifted[Complaint]["reference"] = (
        "'TS' || to_char(receipt_date, 'YYYYMMDD') || "  # 7 digits at least, never cut (lpad truncates)
        "lpad((id + {k} * {c})::text, greatest(7, length((id + {k} * {c})::text)), '0')"
    )
    shifted[Complaint]["idempotency_key"] = (
        "CASE WHEN idempotency_key IS NULL THEN NULL ELSE idempotency_key || '-{k}' END"
    )
    tops = tops or {m: _next_id(m) - 1 for m in shifted}
    c = tops[Complaint]
    added = 0
    with connection.cursor() as cur:
        # copies of rows whose references are already checked: skip the per-row foreign-key triggers
        # (a superuser setting; scratch databases only) and the WAL flush at each commit
        cur.execute("SET session_replication_role TO replica; SET synchronous_commit TO off")
    for k in range(first, copies + 1):
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            for model, exprs in shifted.items():
                cols = [str(f.column) for f in model._meta.concrete_fields]
                select = ", ".join(exprs.get(col, qn(col)).format(k=k, c=c, t=tops[model]) for col in cols)
                table = qn(model._meta.db_table)
                cur.execute(  # model tables and columns only, no input
                    f"INSERT INTO {table} ({', '.join(qn(x) for x in cols)}) SELECT {select} FROM {table} "  # noqa: S608
                    f"WHERE id <= %s",
                    [tops[model]],
                )
                if model is Complaint:
                    added += cur.rowcount
        out.write(
            f"  copy {k} / {copies}: {c:,} complaints with their rows in {time.perf_counter() - t0:.1f} s"
        )
    with connection.cursor() as cur:
        cur.execute("RESET session_replication_role; RESET synchronous_commit")
    return added


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute(sql)


# --- institution -----------------------------------------------------------------------------------------


def _build_institution(rng: random.Random, writer: _Writer, out: Any) -> None:
    """HO + departments + 36 branches × ~10 sub-branches × ~10 outlets, and their staff (bulk)."""
    from xiaobao.core.services.accounts import user_create

    now = timezone.now()
    next_id = _next_id(OrgUnit)
    rows: list[dict[str, Any]] = []
    base = _defaults(OrgUnit)

    def add(
        code: str, name: str, kind: str, parent: dict[str, Any] | None, region: str = ""
    ) -> dict[str, Any]:
        nonlocal next_id
        path = (parent["path"] if parent else "") + str(next_id).zfill(PATH_SEGMENT)
        row = {
            **base,
            "id": next_id,
            "created_at": now,
            "updated_at": now,
            "code": code,
            "name": name,
            "kind": kind,
            "parent_id": parent["id"] if parent else None,
            "path": path,
            "depth": len(path) // PATH_SEGMENT,
            "region_code": region,
        }
        rows.append(row)
        next_id += 1
        return row

    ho = add("HO", "晓宝银行总行", "head_office", None, "110000")
    for code, name in HO_DEPARTMENTS:
        add(code, name, "department", ho)
    branches = []
    for b, (city, region) in enumerate(CITIES, start=1):
        branch = add(f"B{b:02d}", f"{city}分行", "branch", ho, region)
        branches.append(branch)
        add(f"B{b:02d}-CP", "消费者权益保护办公室", "department", branch)
        for s in range(1, rng.randint(8, 12) + 1):
            sub_name = f"{city}{DISTRICTS[(s - 1) % len(DISTRICTS)]}支行"
            sub_region = region[:4] + f"{s:02d}"
            sub = add(f"B{b:02d}-{s:02d}", sub_name, "sub_branch", branch, sub_region)
            for o in range(1, rng.randint(8, 12) + 1):
                street = STREETS[(s * 7 + o) % len(STREETS)]
                add(f"B{b:02d}-{s:02d}-{o:02d}", f"{street}{o}号网点", "outlet", sub, sub_region)
    writer.write(OrgUnit, rows)
    _reset_sequences([OrgUnit])
    units = {u.code: u for u in OrgUnit.objects.all()}
    # key users through the service (audited, hashed once each); the many branch staff in bulk
    for username, full_name, unit_code, role in KEY_USERS:
        if not User.objects.filter(username=username).exists():
            user_create(
                actor=None,
                username=username,
                full_name=full_name,
                org_unit=units[unit_code],
                roles=[role],
                password=demo.DEMO_PASSWORD,
            )
    password = make_password(demo.DEMO_PASSWORD)
    plan: list[tuple[str, str, str]] = []  # username, unit code, role
    for b in range(1, len(branches) + 1):
        plan += [
            (f"b{b:02d}_cp", f"B{b:02d}", "branch_cp_officer"),
            (f"b{b:02d}_handler", f"B{b:02d}", "complaint_handler"),
        ]
        plan.append((f"b{b:02d}_approver", f"B{b:02d}", "approver"))
        for code in sorted(c for c in units if c.startswith(f"B{b:02d}-") and units[c].kind == "sub_branch"):
            plan.append((f"b{code[1:].replace('-', '_').lower()}_handler", code, "complaint_handler"))
    users = [
        User(
            username=username,
            full_name=demo.synthetic_name(rng),
            org_unit=units[unit_code],
            password=password,
            password_changed_at=now,
        )
        for username, unit_code, _role in plan
    ]
    User.objects.bulk_create(users, batch_size=500)
    groups = {g.name: g for g in Group.objects.all()}
    ids = dict(User.objects.filter(username__in=[p[0] for p in plan]).values_list("username", "pk"))
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=ids[username], group_id=groups[role].pk) for username, _unit, role in plan],
        batch_size=1000,
    )
    out.write(f"institution: {len(rows):,} units, {len(plan) + len(KEY_USERS):,} staff")


# --- staff per unit -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Staff:
    """Who registers, assigns, handles and approves for one unit; users as (id, username, unit path)."""

    unit: OrgUnit
    branch: OrgUnit | None
    handler: tuple[int, str, str]
    handler_in_unit: bool
    registrar: tuple[int, str, str]
    assigner: tuple[int, str, str]
    approver: tuple[int, str, str]


class _People:
    """Who registers, assigns, handles and approves for each unit: the nearest ancestor with that role."""

    def __init__(self, units: dict[int, OrgUnit]) -> None:
        self.units = units
        self.by_path = {u.path: u for u in units.values()}
        self.by_role: dict[str, dict[str, list[tuple[int, str, str]]]] = {}
        users = User.objects.filter(is_active=True, org_unit__isnull=False)
        for user in users.select_related("org_unit").prefetch_related("groups"):
            for role in user.role_codes:
                entry = (user.pk, user.username, user.org_unit.path)
                self.by_role.setdefault(role, {}).setdefault(user.org_unit.path, []).append(entry)
        hq = User.objects.filter(username="hq_cp").values_list("pk", "username").first()
        if hq is None:
            raise CommandError("No hq_cp user: load the demo bank or run on an empty database.")
        self.hq = (hq[0], hq[1], "")
        any_approver = next(iter(self.by_role.get("approver", {}).values()), [self.hq])
        self.any_approver = any_approver[0]
        self.cache: dict[int, _Staff] = {}

    def _nearest(self, role: str, path: str) -> tuple[int, str, str] | None:
        table = self.by_role.get(role, {})
        for end in range(len(path), 0, -PATH_SEGMENT):
            found = table.get(path[:end])
            if found:
                return found[0]
        return None

    def for_unit(self, unit: OrgUnit) -> _Staff:
        staff = self.cache.get(unit.pk)
        if staff is None:
            path = unit.path
            branch = next(
                (
                    self.by_path[path[:end]]
                    for end in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)
                    if self.by_path.get(path[:end]) is not None and self.by_path[path[:end]].kind == "branch"
                ),
                None,
            )
            if unit.code == "HO-CPD" or branch is None:
                handler = self._nearest("complaint_handler", path) or self.hq
                cp = self.hq
            else:
                handler = self._nearest("complaint_handler", path) or self.hq
                cp = self._nearest("branch_cp_officer", path) or self.hq
            sub_handler = self._nearest("complaint_handler", path)
            staff = _Staff(
                unit=unit,
                branch=branch,
                handler=handler,
                handler_in_unit=handler[2].startswith(path),
                registrar=sub_handler or cp,
                assigner=cp,
                approver=self._nearest("approver", path) or self.any_approver,
            )
            self.cache[unit.pk] = staff
        return staff


# --- the generator ---------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, rng: random.Random, today: dt.date, limit: dt.datetime, pool: int) -> None:
        self.rng = rng
        self.today = today
        self.limit = limit
        self.tz = timezone.get_default_timezone()
        self.cal = get_calendar()
        units = {u.pk: u for u in OrgUnit.objects.filter(is_active=True)}
        self.people = _People(units)
        self.units_by_code = {u.code: u for u in units.values()}
        branches = sorted((u for u in units.values() if u.kind == "branch"), key=lambda u: u.code)
        if not branches:
            raise CommandError("The institution has no branch.")
        self.branches = branches
        # bigger branches get more complaints (a long tail, as at a national bank)
        self.branch_weights = list(itertools.accumulate(1.0 / (i + 3) ** 0.7 for i in range(len(branches))))
        self.targets: dict[int, tuple[list[OrgUnit], list[OrgUnit]]] = {}
        for b in branches:
            below = [u for u in units.values() if u.path.startswith(b.path) and u.pk != b.pk]
            outlets = [u for u in below if u.kind == "outlet"]
            subs = [u for u in below if u.kind == "sub_branch"]
            self.targets[b.pk] = (outlets or subs or [b], subs or [b])
        self.cpd = self.units_by_code.get("HO-CPD") or next(
            u for u in units.values() if u.kind == "head_office"
        )
        codes = dict(ComplaintCode.objects.active().values_list("code", "pk"))
        self.codes = codes
        channels = {k: w for k, w in demo.CHANNEL_WEIGHTS.items() if k in codes}
        self.channel_keys, self.channel_cum = list(channels), list(itertools.accumulate(channels.values()))
        businesses = [b for b in demo.BUSINESSES if b.code in codes]
        self.business, self.business_cum = (
            businesses,
            list(itertools.accumulate(b.weight for b in businesses)),
        )
        self.sources, self.source_cum = (
            list(demo.SOURCE_WEIGHTS),
            list(itertools.accumulate(demo.SOURCE_WEIGHTS.values())),
        )
        rules = list(DeadlineRule.objects.filter(is_active=True, subject="complaints.complaint"))
        by_code = {r.code: r for r in rules}
        self.rule_ids = {r.code: r.pk for r in rules}
        self.rules: dict[str, dict[str, sla.RuleSpec]] = {}
        for source in Source.values:
            decision = next((r for r in rules if r.clock == "decision" and source in r.sources), None)
            decision = decision or by_code.get("nfra-2020")
            if decision is None:
                raise CommandError("No active decision deadline rule (run migrate).")
            specs = {
                "decision": sla.RuleSpec(decision.code, decision.days, decision.unit, decision.roll_forward)
            }
            for clock in ("first_contact", "review"):
                r = next((x for x in rules if x.clock == clock), None)
                if r:
                    specs[clock] = sla.RuleSpec(r.code, r.days, r.unit, r.roll_forward)
            self.rules[source] = specs
        self.extension_steps = {r.code: [int(s["to_days"]) for s in r.extensions] for r in rules}
        from xiaobao.complaints.services import _approval_threshold

        self.threshold = _approval_threshold()
        start = today - dt.timedelta(days=YEARS * 365 - 1)
        self.days = [start + dt.timedelta(days=i) for i in range((today - start).days + 1)]
        self.day_cum = list(itertools.accumulate(1.0 if self.cal.is_workday(d) else 0.55 for d in self.days))
        self.pool_size = pool
        self.consumers: dict[int, list[int]] = {}  # branch id → consumer ids
        self.all_consumers: list[int] = []
        self.defaults = {m: _defaults(m) for m in (Complaint, ComplaintEvent, Clock, Extension, Consumer)}

    # --- helpers ---------------------------------------------------------------------------------------

    def pick(self, keys: Sequence[Any], cum: Sequence[float]) -> Any:
        return keys[bisect(cum, self.rng.random() * cum[-1])]

    def moment(self, day: dt.date, lo: float = 9.0, hi: float = 17.5) -> dt.datetime:
        minutes = self.rng.randint(int(lo * 60), int(hi * 60))
        return dt.datetime.combine(day, dt.time(), tzinfo=self.tz) + dt.timedelta(minutes=minutes)

    def pick_unit(self) -> OrgUnit:
        r = self.rng.random()
        if r < 0.06:
            return self.cpd
        branch = self.pick(self.branches, self.branch_weights)
        outlets, subs = self.targets[branch.pk]
        if r < 0.10:
            return branch
        if r < 0.25:
            return self.rng.choice(subs)
        return self.rng.choice(outlets)

    # --- consumers -------------------------------------------------------------------------------------

    def make_consumers(self, writer: _Writer, batch: int) -> int:
        """The complainant pool, spread over the branches like the complaints; encrypted with the vault."""
        rng, now = self.rng, timezone.now()
        next_id = _next_id(Consumer)
        base = self.defaults[Consumer]
        rows: list[dict[str, Any]] = []
        for _ in range(self.pool_size):
            branch = self.pick(self.branches, self.branch_weights)
            unit = rng.choice(self.targets[branch.pk][0])
            region = unit.region_code or branch.region_code or "110101"
            region = region[:4] + "01" if region.endswith("00") else region
            person = demo.new_person(rng, region)
            values = {
                "id_number": person.id_number,
                "phone": person.phone,
                "account_number": person.account,
                "address": person.address,
            }
            row = {
                **base,
                "id": next_id,
                "created_at": now,
                "updated_at": now,
                "org_unit_id": unit.pk,
                "kind": "person",
                "name": person.name,
                "id_type": "resident_id",
            }
            for name, value in values.items():
                if name != "address":
                    value = crypto.normalise(value, name)
                    row[f"{name}_bidx"] = crypto.blind_index(value, name)
                row[name] = Sealed(crypto.encrypt(value, name), name)
            rows.append(row)
            self.consumers.setdefault(branch.pk, []).append(next_id)
            self.all_consumers.append(next_id)
            next_id += 1
            if len(rows) >= batch:
                with transaction.atomic():
                    writer.write(Consumer, rows)
                rows = []
        with transaction.atomic():
            writer.write(Consumer, rows)
        return self.pool_size

    # --- one complaint ---------------------------------------------------------------------------------

    def complaint(self, cid: int, ids: dict[str, int]) -> tuple[dict, list[dict], list[dict], list[dict]]:
        rng, tz = self.rng, self.tz
        receipt = self.pick(self.days, self.day_cum)
        unit = self.pick_unit()
        staff = self.people.for_unit(unit)
        source = self.pick(self.sources, self.source_cum)
        channel = self.pick(self.channel_keys, self.channel_cum)
        business = self.pick(self.business, self.business_cum)
        major = rng.random() < 0.0005
        if major:
            code, cause, text, request_text = rng.choice(demo.MAJOR_FACTS)
            business = demo.BUSINESS_BY_CODE[code]
            fact = demo.Fact(cause, text, request_text)
            channel = "A01" if "A01" in self.codes else channel
        else:
            fact = rng.choice(business.facts)
        central = channel in demo.CENTRAL_CHANNELS or source != Source.DIRECT
        lo, hi = (8.0, 21.5) if central else (9.0, 17.0)
        received = self.moment(receipt, lo, hi)
        if received > self.limit:
            received = self.limit - dt.timedelta(minutes=rng.randint(45, 300))
            receipt = received.astimezone(tz).date()
        slots = demo._slots(rng, fact, receipt)
        people = rng.randint(20, 80) if major else 1
        slots.update(people=people, reps=rng.randint(3, 5))
        branch = staff.branch
        text, request = demo.description(
            rng,
            fact=fact,
            channel=channel,
            source=source,
            branch_code=branch.code if branch else "",
            outlet=unit.name if unit.kind == "outlet" else "网点",
            slots=slots,
        )
        pool = self.consumers.get(branch.pk) if branch else None
        complainant = rng.choice(pool or self.all_consumers)
        amount = slots["amount"]
        groups = ["elderly"] if rng.random() < 0.07 else []
        tags = []
        if source != Source.DIRECT:
            tags.append("regulatory")
        if channel == "A08" or major:
            tags.append("public_opinion")
        if groups:
            tags.append("special_group")
        registrar = self.people.hq if central else staff.registrar
        assigner = self.people.hq if central else staff.assigner
        needs_approval = (
            major or source != Source.DIRECT or (amount is not None and Decimal(amount) >= self.threshold)
        )
        c = {
            **self.defaults[Complaint],
            "id": cid,
            "reference": f"TS{receipt:%Y%m%d}{cid:07d}",
            "status": "registered",
            "source": source,
            "external_reference": f"JGZB-{receipt:%Y%m%d}-{rng.randint(100, 999)}"
            if source != Source.DIRECT
            else "",
            "channel_id": self.codes[channel],
            "business_type_id": self.codes[business.code],
            "cause_id": self.codes.get(fact.cause) or self.codes["C99"],
            "received_at": received,
            "receipt_date": receipt,
            "registered_by_id": registrar[0],
            "registering_unit_id": self._unit_of(registrar),
            "org_unit_id": unit.pk,
            "product": rng.choice(business.products),
            "amount_in_dispute": Decimal(amount) if amount is not None else None,
            "complainant_id": complainant,
            "complainant_role": "self",
            "special_groups": groups,
            "request": request,
            "description": text,
            "sensitivity_tags": sorted(tags),
            "people_count": people,
            "face_to_face": major,
            "is_major": major,
            # repeat / secondary as registration would flag them (≈6% and ≈2%, like the demo bank)
            "is_repeat": (repeat := rng.random() < 0.06),
            "is_secondary": repeat and rng.random() < 0.35,
            "major_reason": f"{people}人集体当面投诉（第二十九条）" if major else "",
            "priority": "urgent" if major else ("high" if groups else "normal"),
            "created_by_id": registrar[0],
        }
        events: list[dict] = []
        extensions: list[dict] = []
        with contextlib.suppress(_Stop):  # the rest of its life lies after now
            self._life(c, events, extensions, ids, staff, assigner, needs_approval, business, channel, major)
        c["created_at"] = events[0]["at"]
        c["updated_at"] = events[-1]["at"]
        c["version"] = len(events)
        specs = [sla.EventSpec(e["action"], e["effective_date"], e["data"]) for e in events]
        results = sla.compute_clocks(
            self.cal,
            rules=self.rules[source],
            receipt=receipt,
            events=specs,
            status=c["status"],
            today=self.today,
            review_requested_on=c["review_requested_on"],
        )
        clocks = []
        for r in results:
            ids["clock"] += 1
            clocks.append(
                {
                    **self.defaults[Clock],
                    "id": ids["clock"],
                    "complaint_id": cid,
                    "name": r.name,
                    "rule_id": self.rule_ids[r.rule],
                    **r.stored(),
                    "warned": [],
                }
            )
            if r.name == "decision":  # as complaint_recompute_clocks keeps them on the complaint row
                c["decision_state"], c["decided_on"] = r.state, r.met_on
                c["decision_due"] = r.due_date
                c["is_extended"] = any(e["state"] == "approved" for e in extensions)
        return c, events, clocks, extensions

    def _unit_of(self, user: tuple[int, str, str]) -> int:
        if not user[2]:
            return self.cpd.pk
        return self.people.by_path[user[2]].pk

    def _life(
        self,
        c: dict,
        events: list[dict],
        extensions: list[dict],
        ids: dict[str, int],
        staff: _Staff,
        assigner: tuple[int, str, str],
        needs_approval: bool,
        business: demo.Business,
        channel: str,
        major: bool,
    ) -> None:
        """Append the events of the complaint's life up to now, updating its fields as the services do."""
        rng, tz, limit, cal = self.rng, self.tz, self.limit, self.cal
        receipt: dt.date = c["receipt_date"]
        base = self.defaults[ComplaintEvent]
        state = {"last": min(c["received_at"] + dt.timedelta(minutes=rng.randint(2, 40)), limit)}

        def day_of(at: dt.datetime) -> dt.date:
            return at.astimezone(tz).date()

        def step(
            action: str,
            actor: tuple,
            on: dt.date | None,
            data: dict,
            lo: float = 9,
            hi: float = 17.5,
            work: bool = True,
        ) -> dt.datetime:
            last = state["last"]
            if on is None:
                at = last
            else:
                if work:
                    on = cal.next_workday(on)
                at = self.moment(on, lo, hi)
                if at <= last:
                    at = last + dt.timedelta(minutes=rng.randint(3, 40))
            if at > limit:
                raise _Stop
            old = c["status"] if events else ""
            new = workflow.next_status(old, action) if events else "registered"
            ids["event"] += 1
            events.append(
                {
                    **base,
                    "id": ids["event"],
                    "complaint_id": c["id"],
                    "at": at,
                    "effective_date": day_of(at),
                    "actor_id": actor[0],
                    "action": action,
                    "from_status": old,
                    "to_status": new,
                    "data": data,
                }
            )
            c["status"] = new
            state["last"] = at
            return at

        def later(days: int) -> dt.date:
            return day_of(state["last"]) + dt.timedelta(days=days)

        step("register", (c["registered_by_id"],), None, {"source": c["source"], "major": c["is_major"]})
        u = rng.random()
        if u < 0.015:  # not a valid complaint: declined
            reason, notice = rng.choice(demo.DECLINE_REASONS)
            c["decline_reason"] = reason
            step("decline", assigner, later(0), {"notice": notice})
            return
        handler = staff.handler
        unit_code = staff.unit.code
        step(
            "assign",
            assigner,
            later(0),
            {"unit": unit_code, "handler": handler[1] if staff.handler_in_unit else None},
            hi=18.5,
        )
        c["handler_id"] = handler[0] if staff.handler_in_unit else None
        step(
            "accept",
            handler,
            later(1 if rng.random() < 0.1 else 0),
            {"unit": unit_code, "handler": handler[1]},
        )
        c["handler_id"] = handler[0]
        r = rng.random()
        decision_day = (
            rng.randint(0, 1) if r < 0.22 else rng.randint(2, 7) if r < 0.62 else rng.randint(8, 14)
        )
        kind = rng.random()
        extension = 0
        pause = 0
        if kind < 0.05:
            extension, decision_day = 30, rng.randint(17, 29)
        elif kind < 0.06:
            extension, decision_day = 60, rng.randint(32, 58)
        elif kind < 0.09:
            pause = rng.randint(7, 45)
        elif kind < 0.12:
            decision_day = rng.randint(17, 26)  # late: the decision clock is breached
        if major:
            decision_day = max(decision_day, 10)
        if decision_day > 1 or rng.random() < 0.3:
            on = later(rng.randint(2, 4)) if rng.random() < 0.06 else later(0)
            step("contact", handler, on, {"method": "phone", "summary": ""}, work=False)
        if 0.12 <= u < 0.14:  # withdrawn
            step("withdraw", handler, receipt + dt.timedelta(days=rng.randint(1, 10)), {}, work=False)
            return
        if pause:
            reason = rng.choice(["appraisal", "mediation"])
            at = step(
                "pause",
                handler,
                receipt + dt.timedelta(days=rng.randint(2, 6)),
                {"reason": reason, "detail": ""},
            )
            step("resume", handler, day_of(at) + dt.timedelta(days=pause), {})
            decision_day = (day_of(state["last"]) - receipt).days + rng.randint(2, 9)
        if extension:
            allowed = self.extension_steps.get(self.rules[c["source"]]["decision"].code, [])
            for to_days in (30, 60):
                if to_days > extension or to_days not in allowed:
                    continue
                approval = to_days == 60
                ids["extension"] += 1
                ext_id = ids["extension"]
                on = receipt + dt.timedelta(
                    days=rng.randint(10, 14) if to_days == 30 else rng.randint(24, 28)
                )
                at = step(
                    "extend",
                    handler,
                    on,
                    {"to_days": to_days, "needs_approval": approval, "extension": ext_id},
                )
                ext = {
                    **self.defaults[Extension],
                    "id": ext_id,
                    "created_at": at,
                    "updated_at": at,
                    "complaint_id": c["id"],
                    "to_days": to_days,
                    "reason": demo.EXTENSION_REASONS[to_days],
                    "state": "pending" if approval else "approved",
                    "requested_by_id": handler[0],
                    "complainant_told_at": at,
                }
                extensions.append(ext)
                if approval:
                    at = step(
                        "approve_extension",
                        staff.approver,
                        later(rng.randint(0, 2)),
                        {"to_days": to_days, "extension": ext_id},
                    )
                    ext.update(
                        state="approved", decided_by_id=staff.approver[0], decided_at=at, updated_at=at
                    )
        liability = rng.choices(["invalid", "valid", "at_fault"], weights=[18, 47, 35])[0]
        decision = max(receipt + dt.timedelta(days=decision_day), day_of(state["last"]))
        c["decision_verification"] = rng.choice(demo.VERIFY).format(evidence=business.evidence) + rng.choice(
            demo.FINDINGS[liability]
        )
        c["decision_basis"] = f"依据{business.basis}的相关规定。"
        c["decision_result"] = rng.choice(demo.RESULTS[liability]).format(remedy=rng.choice(demo.REMEDIES))
        c["decision_remedies"] = (
            "如对处理结果有异议，可在收到之日起30日内向我行上级机构申请核查，或申请调解、仲裁、诉讼。"
        )
        c["needs_approval"] = needs_approval
        step(
            "draft",
            handler,
            max(decision - dt.timedelta(days=rng.randint(0, 2)), day_of(state["last"])),
            {"needs_approval": needs_approval},
        )
        if needs_approval:
            step("submit", handler, later(0), {})
            step("approve", staff.approver, later(rng.randint(0, 1)), {})
            c["decision_approved_by_id"] = staff.approver[0]
        method = {"A0302": "phone", "A06": "letter", "A01": "in_person"}.get(channel, "sms")
        at = step(
            "notify", handler, max(decision, day_of(state["last"])), {"method": method}, hi=20, work=False
        )
        events[-1]["data"]["at"] = at.isoformat()
        c["notify_method"], c["notified_at"] = method, at
        c["notify_proof"] = {
            "phone": "通话录音",
            "sms": "短信平台发送回执",
            "letter": "EMS挂号信回执",
            "in_person": "客户签收回执",
        }[method]
        notified_on = day_of(at)
        if rng.random() < 0.93:
            score = rng.choices([5, 4, 3, 2, 1], weights=[55, 28, 10, 5, 2])[0]
            step("follow_up", handler, later(rng.randint(1, 5)), {"satisfaction": score})
            c["satisfaction"] = score
            c["satisfaction_comment"] = rng.choice(demo.FOLLOW_UP_COMMENTS[score])
        at = step("close", handler, later(rng.randint(0, 2)), {"liability": liability})
        c["liability"], c["closed_at"] = liability, at
        if liability == "at_fault":
            c["root_cause"] = rng.choice(demo.ROOT_CAUSES)
        if rng.random() < 0.025:
            review_unit = self.people.units.get(staff.unit.parent_id or 0) or staff.unit
            at = step(
                "request_review",
                handler,
                max(notified_on + dt.timedelta(days=rng.randint(5, 25)), day_of(state["last"])),
                {"review_unit": review_unit.code},
                work=False,
            )
            c["review_unit_id"], c["review_requested_on"] = review_unit.pk, day_of(at)
            reviewer = staff.approver
            at = step("decide_review", reviewer, later(rng.randint(5, 25)), {})
            c["review_result"] = "经复核，原处理程序合规、时限符合规定，处理结果适当，维持原处理意见。"
            c["closed_at"] = at
        step("archive", handler, later(rng.randint(3, 40)), {})


# --- command --------------------------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Bulk-generate N synthetic complaints (3 years, with events, clocks, extensions and a consumer pool) "
        "for benchmarks. No audit trail is written for them. Never on production data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--complaints", type=int, required=True, help="How many complaints to add.")
        parser.add_argument("--batch", type=int, default=10_000, help="Complaints per batch (default 10000).")
        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run although XIAOBAO_DEBUG is off (only ever on a scratch database).",
        )
        parser.add_argument(
            "--copies",
            type=int,
            default=0,
            help="PostgreSQL: after generating, append this many shifted copies of all generated complaints "
            "in SQL (10M = 1M generated + 9 copies). With --complaints 0 only copies.",
        )
        parser.add_argument(
            "--defer-indexes",
            action="store_true",
            help="PostgreSQL: drop the bulk tables' secondary indexes for the load and build them afterwards "
            "(much faster for millions of rows; the definitions are kept in DATA_DIR meanwhile).",
        )
        parser.add_argument(
            "--consumers",
            type=int,
            default=None,
            help=f"Size of the complainant pool (default min(N, {POOL_MAX:,})); only when none exist yet.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        n, batch = opts["complaints"], max(1, opts["batch"])
        if n < 0 or (n == 0 and opts["copies"] <= 0):
            raise CommandError("--complaints must be positive (or 0 with --copies).")
        if opts["copies"] and connection.vendor != "postgresql":
            raise CommandError("--copies needs PostgreSQL.")
        if not (settings.DEBUG or getattr(settings, "TESTING", False) or opts["force"]):
            raise CommandError(
                "Refusing to fill a database configured for production (XIAOBAO_DEBUG is off) with synthetic "
                "complaints; on a scratch database set XIAOBAO_DEBUG=1 or pass --force."
            )
        rng = random.Random(opts["seed"] + _next_id(Complaint))
        copy = connection.vendor == "postgresql"
        writer = _Writer(copy)
        started = time.perf_counter()
        if not OrgUnit.objects.filter(code="HO").exists():
            with transaction.atomic():
                _build_institution(rng, writer, self.stdout)
        else:
            self.stdout.write("institution: reusing the loaded one")
        today = timezone.localdate()
        limit = timezone.localtime(timezone.now()) - dt.timedelta(minutes=1)
        gen = _Generator(rng, today, limit, 0)
        # complainants: a pool of min(complaints, 50,000), topped up when it is smaller, reused
        existing = list(Consumer.objects.values_list("pk", "org_unit__path"))
        for pk, path in existing:
            branch = next((b for b in gen.branches if path.startswith(b.path)), None)
            gen.consumers.setdefault(branch.pk if branch else 0, []).append(pk)
            gen.all_consumers.append(pk)
        target = (
            opts["consumers"]
            if opts["consumers"] is not None
            else min(n + Complaint.objects.count(), POOL_MAX)
        )
        gen.pool_size = max(0, target - len(existing))
        t0 = time.perf_counter()
        if gen.pool_size:
            gen.make_consumers(writer, batch)
        self.stdout.write(
            f"consumers: {len(existing):,} reused, {gen.pool_size:,} created (encrypted) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        if not gen.all_consumers:
            raise CommandError("No consumers to use as complainants (--consumers 0 on an empty database).")
        ids = {
            "event": _next_id(ComplaintEvent) - 1,
            "clock": _next_id(Clock) - 1,
            "extension": _next_id(Extension) - 1,
        }
        first = _next_id(Complaint)
        deferred: list[str] = []
        if opts["defer_indexes"] and copy and not connection.in_atomic_block:
            deferred = _drop_indexes([Complaint, ComplaintEvent, Clock, Extension])
            self.stdout.write(f"indexes: {len(deferred)} dropped for the load")
        rows = 0
        t0 = time.perf_counter()
        done = 0
        while done < n:
            size = min(batch, n - done)
            complaints, events, clocks, extensions = [], [], [], []
            for cid in range(first + done, first + done + size):
                c, ev, cl, ex = gen.complaint(cid, ids)
                complaints.append(c)
                events += ev
                clocks += cl
                extensions += ex
            writer.submit(
                [(Complaint, complaints), (ComplaintEvent, events), (Clock, clocks), (Extension, extensions)]
            )
            done += size
            rows += len(complaints) + len(events) + len(clocks) + len(extensions)
            elapsed = time.perf_counter() - t0
            self.stdout.write(
                f"  {done:,} / {n:,} complaints ({len(events) / size:.1f} events each), "
                f"{done / elapsed:,.0f} complaints/s, {rows / elapsed:,.0f} rows/s"
            )
        writer.finish()
        if opts["copies"]:
            n += _replicate(opts["copies"], self.stdout)
        if deferred:
            t2 = time.perf_counter()
            _create_indexes(deferred, self.stdout)
            self.stdout.write(f"indexes: {len(deferred)} built in {time.perf_counter() - t2:.1f} s")
        _reset_sequences([Complaint, ComplaintEvent, Clock, Extension, Consumer])
        t1 = time.perf_counter()
        with connection.cursor() as cur:
            if copy:  # VACUUM too: sets the visibility map, so counts can be index-only as on a settled table
                vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"  # no VACUUM in tests
                for model in (Complaint, ComplaintEvent, Clock, Extension, Consumer, OrgUnit, User):
                    cur.execute(f"{vacuum} {connection.ops.quote_name(model._meta.db_table)}")
            else:
                cur.execute("ANALYZE")
        gen_s = t1 - t0
        self.stdout.write(
            self.style.SUCCESS(
                f"{n:,} complaints ({rows:,} rows with events, clocks and extensions) in {gen_s:.1f} s: "
                f"{n / gen_s:,.0f} complaints/s, {rows / gen_s:,.0f} rows/s; "
                f"{'VACUUM ' if copy else ''}ANALYZE {time.perf_counter() - t1:.1f} s; "
                f"total {time.perf_counter() - started:.1f} s. No audit trail was written for these rows."
            )
        )
