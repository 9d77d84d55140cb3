"""Education figures at volume: 200,000 activities across a bench institution (head office, 30 branches, 3
sub-branches each, 5 outlets under each sub-branch: 450 outlets) in the PostgreSQL scratch database
`xiaobao_bench_education` (created and migrated on first run; the rows bulk-inserted once, `--rebuild` to
start again). About 75% approved, the rest submitted or returned; days spread over 2025–2026.

Measured, median / p95 / max over --runs after one warm-up:
- `summary()` for head office over a year (what `GET /api/v1/education/summary?period=2026` computes);
- the floor: the same aggregate through a bare cursor (the ratio holds on a noisy machine);
- `compute()` (the figures page's figures: by unit, venue, topic) for head office over the year;
- the same for one branch.
The 1-minute load average is printed before and after: the machine is shared.

Usage:
    .venv/bin/python bench/education_bench.py [--runs 9] [--rows 200000] [--rebuild]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "xiaobao_bench_education"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")


def _ms(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def _time(fn, runs: int) -> tuple[float, float, float]:
    fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return _ms(out)


def _createdb(rebuild: bool) -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{DB}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB}"')


def _populate(n: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from conftest import make_user
    from xiaobao.core.models import OrgUnit
    from xiaobao.core.services.org import org_unit_create
    from xiaobao.education.models import SEGMENTS, Activity, Campaign, CampaignEdition, Topic, Venue

    call_command("migrate", verbosity=0)
    if Activity.objects.count() >= n:
        return
    rnd = random.Random(16)
    ho = OrgUnit.objects.filter(code="BHO").first() or org_unit_create(
        actor=None, code="BHO", name="基准银行总行", kind="head_office", parent=None
    )
    units = []
    for b in range(30):
        branch = org_unit_create(actor=None, code=f"BB{b:02d}", name=f"第{b}分行", kind="branch", parent=ho)
        units.append(branch)
        for s in range(3):
            sub = org_unit_create(
                actor=None, code=f"BB{b:02d}S{s}", name=f"第{b}分行{s}支行", kind="sub_branch", parent=branch
            )
            units.append(sub)
            for o in range(5):
                units.append(
                    org_unit_create(
                        actor=None,
                        code=f"BB{b:02d}S{s}O{o}",
                        name=f"第{b}-{s}-{o}网点",
                        kind="outlet",
                        parent=sub,
                    )
                )
    user = make_user("bench_hq", ho, ["hq_cp_officer"])
    make_user("bench_branch", units[0], ["branch_cp_officer"])
    venues = [Venue.objects.get_or_create(code=f"v{i}", defaults={"name": f"场所{i}"})[0] for i in range(7)]
    topics = [
        Topic.objects.get_or_create(code=f"t{i}", defaults={"name": f"主题{i}", "fraud": i < 4})[0]
        for i in range(12)
    ]
    editions = []
    for i in range(8):
        c = Campaign.objects.get_or_create(code=f"c{i}", defaults={"name": f"活动{i}"})[0]
        for year in (2025, 2026):
            editions.append(
                CampaignEdition.objects.create(
                    campaign=c,
                    year=year,
                    starts_on=dt.date(year, i + 1, 1),
                    ends_on=dt.date(year, i + 1, 28),
                    report_by=dt.date(year, i + 2, 10),
                    org_unit=ho,
                    created_by=user,
                )
            )
    by_year = {(e.year, e.starts_on.month): e for e in editions}
    through = Activity.topics.through
    batch = 5000
    start = dt.date(2025, 1, 1)
    for first in range(0, n, batch):
        rows = []
        for i in range(first, min(n, first + batch)):
            day = start + dt.timedelta(days=rnd.randrange(730))
            audience = {s: rnd.randint(0, 30) for s in SEGMENTS}
            rows.append(
                Activity(
                    reference=f"EB{i:08d}",
                    status=rnd.choice(["approved"] * 6 + ["submitted", "returned"]),
                    org_unit=rnd.choice(units),
                    edition=by_year.get((day.year, day.month)),
                    title=f"活动{i}",
                    held_on=day,
                    venue=rnd.choice(venues),
                    reported_by=user,
                    people_reached=sum(audience.values()),
                    leaflets=rnd.randint(0, 300),
                    online_reads=rnd.randint(0, 500),
                    media_reports=rnd.randint(0, 2),
                    staff_involved=rnd.randint(1, 5),
                    **{f"audience_{s}": v for s, v in audience.items()},
                )
            )
        with transaction.atomic():
            made = Activity.objects.bulk_create(rows)
            through.objects.bulk_create(
                [through(activity_id=a.pk, topic_id=rnd.choice(topics).pk) for a in made]
            )
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    _createdb(args.rebuild)
    import django

    django.setup()
    from django.db import connection

    from xiaobao.core.models import OrgUnit, User
    from xiaobao.education.figures import Slice, compute, summary

    t0 = time.perf_counter()
    _populate(args.rows)
    print(f"data ready in {time.perf_counter() - t0:.0f} s")
    from xiaobao.education.models import Activity

    hq = User.objects.get(username="bench_hq")
    branch_user = User.objects.get(username="bench_branch")
    ho = OrgUnit.objects.get(code="BHO")
    branch = OrgUnit.objects.get(code="BB00")
    year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    load = os.getloadavg()[0]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load avg (1 min) {load:.2f}"
    )
    approved = Activity.objects.filter(status="approved").count()
    print(
        f"activities: {Activity.objects.count():,} (approved {approved:,}), units: {OrgUnit.objects.count()}"
    )
    got = summary(hq, start=year[0], end=year[1], unit=ho)
    print("summary HO 2026:", got)

    def floor() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*), sum(people_reached), sum(leaflets), sum(online_reads), sum(media_reports),"
                " sum(audience_elderly), sum(audience_students), sum(audience_young),"
                " sum(audience_new_citizens),"
                " sum(audience_rural), sum(audience_disabled), sum(audience_other),"
                " count(DISTINCT a.org_unit_id) FILTER (WHERE u.kind = 'outlet')"
                " FROM education_activity a JOIN core_orgunit u ON u.id = a.org_unit_id"
                " WHERE a.status = 'approved' AND a.held_on BETWEEN %s AND %s",
                list(year),
            )
            cur.fetchall()

    cases = [
        ("summary() HO, year", lambda: summary(hq, start=year[0], end=year[1], unit=ho)),
        ("floor: bare SQL aggregate, year", floor),
        (
            "figures page compute() HO, year",
            lambda: compute(user=hq, unit=ho, slc=Slice(start=year[0], end=year[1])),
        ),
        ("summary() branch, year", lambda: summary(branch_user, start=year[0], end=year[1], unit=branch)),
        (
            "figures page compute() branch, year",
            lambda: compute(user=branch_user, unit=branch, slc=Slice(start=year[0], end=year[1])),
        ),
    ]
    results = {}
    for name, fn in cases:
        results[name] = _time(fn, args.runs)
        med, p95, mx = results[name]
        print(f"{name:40s} median {med:7.1f} ms  p95 {p95:7.1f} ms  max {mx:7.1f} ms")
    ratio = results["summary() HO, year"][0] / results["floor: bare SQL aggregate, year"][0]
    print(f"summary / floor (median): {ratio:.2f}")
    print(f"load avg (1 min) after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
