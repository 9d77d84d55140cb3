"""Statistics at volume: the dashboard's figures for head office and for one branch, over a month, a quarter
and a year, against the database in DATABASE_URL (filled by `xiaobao bench_generate`). Read-only.

For each case: the full `stats.dashboard()` (what the page and `GET /api/v1/statistics/dashboard` compute:
16 headline figures for the period, the previous period and the same period a year before; five breakdowns;
the volume series), median / p95 / max over --runs after one warm-up, the SQL statements issued, and the
floor: the one bare SQL aggregate the figures stand on (`SELECT count(*) … GROUP BY business_type_id` over the
same rows), so the ratio holds on a noisy machine.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiaobao_bench .venv/bin/python bench/analytics_bench.py
    [--runs 7] [--today 2026-11-23]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")


def _ms(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--today", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from xiaobao.analytics import stats
    from xiaobao.analytics.periods import Period
    from xiaobao.complaints.models import Complaint
    from xiaobao.core.models import User

    today = dt.date.fromisoformat(args.today) if args.today else timezone.localdate()
    hq = User.objects.filter(groups__name="hq_cp_officer", is_active=True).order_by("pk").first()
    branch_user = User.objects.filter(groups__name="branch_cp_officer", is_active=True).order_by("pk").first()
    if hq is None or branch_user is None:
        sys.exit(
            "No hq_cp_officer / branch_cp_officer: fill the database with `xiaobao bench_generate` first."
        )
    total = Complaint.objects.count()
    print(
        f"# Statistics dashboard — {total:,} complaints, {connection.vendor}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, today {today}\n"
    )
    print("| who | period | complaints in period | median ms | p95 ms | max ms | SQL | floor ms | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    month = Period.containing("month", today)
    periods = [
        month.previous(),
        Period.containing("quarter", today).previous(),
        Period.year(today.year - 1),
    ]
    for user in (hq, branch_user):
        unit = stats.analysed_unit(user=user, code=None)
        for period in periods:
            stats.dashboard(user=user, unit=unit, period=period)  # warm-up
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    board = stats.dashboard(user=user, unit=unit, period=period)
                samples.append(time.perf_counter() - started)
            qs = stats.scoped_complaints(user=user, unit=unit, period=period)
            sql, params = (
                qs.values("business_type_id")
                .annotate(n=Count("pk"))
                .values_list("business_type_id", "n")
                .query.sql_with_params()
            )
            floor = []
            with connection.cursor() as cursor:
                for _ in range(args.runs):
                    started = time.perf_counter()
                    cursor.execute(sql, params)
                    cursor.fetchall()
                    floor.append(time.perf_counter() - started)
            med, p95, worst = _ms(samples)
            fmed = statistics.median(floor) * 1000
            print(
                f"| {unit.code} | {period.label} | {board.received:,} | {med:.0f} | {p95:.0f} | "
                f"{worst:.0f} | {len(queries)} | {fmed:.1f} | {med / fmed:.1f}× |"
            )


if __name__ == "__main__":
    main()
