"""The audit trail's cost to concurrent writers, with the HTTP stack and the CPU left out (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiaobao_bench_10k .venv/bin/python bench/audit_bench.py

N threads each run T transactions that write one audit row and then do `--tail-ms` of further work in the
same transaction (the statements a complaint's creation issues after its audit row, and the commit):

- `locked`: the former design, rebuilt here as the baseline — a transaction-level advisory lock taken before
  the row, the previous row's hash read, the row inserted; the lock is held until commit, so the writers of
  the whole institution queue behind one another;
- `unsealed`: today's `audit_record` — one INSERT, no lock, no read; then `audit_seal` chains the rows
  after commit (its time is reported separately).

Prints transactions per second, median and p95 per transaction for each. The rows it writes stay in the
audit trail of the (scratch) database: refuses a database whose name has no "bench" or "scratch".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_DEBUG", "1")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from xiaobao.core.models import AuditEvent  # noqa: E402
from xiaobao.core.services.audit import audit_record, audit_seal  # noqa: E402

LOCK_KEY = 0x58494142


def _write(mode: str, tail_s: float) -> None:
    with transaction.atomic():
        if mode == "locked":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        audit_record(actor=None, action="create", object_type="bench", object_repr="audit bench")
        with connection.cursor() as cur:
            cur.execute("SELECT pg_sleep(%s)", [tail_s])


def run(mode: str, threads: int, per_thread: int, tail_s: float) -> dict[str, float]:
    times: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = []
        for _ in range(per_thread):
            t0 = time.perf_counter()
            _write(mode, tail_s)
            mine.append(time.perf_counter() - t0)
        connection.close()
        with lock:
            times.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    times.sort()
    return {
        "per_s": len(times) / elapsed,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--per-thread", type=int, default=30)
    parser.add_argument("--tail-ms", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    a = parser.parse_args()
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "postgresql" or not any(w in name for w in ("bench", "scratch")):
        sys.exit(f"refusing {connection.vendor} database {name!r}: PostgreSQL, name with bench or scratch")
    audit_seal()
    print(f"{a.threads} threads × {a.per_thread} transactions, {a.tail_ms} ms after the audit row, on {name}")
    print("| design | round | per second | median ms | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in range(1, a.rounds + 1):
        for mode in ("locked", "unsealed"):
            res = run(mode, a.threads, a.per_thread, a.tail_ms / 1000)
            print(f"| {mode} | {r} | {res['per_s']:.1f} | {res['median_ms']:.1f} | {res['p95_ms']:.1f} |")
    t0 = time.perf_counter()
    sealed = audit_seal().sealed
    print(f"audit_seal afterwards: {sealed} rows in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
