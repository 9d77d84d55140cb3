"""Reports at volume: how long the monthly statistics table (and the other reports) take to build.

Against the database in DATABASE_URL (e.g. a scratch one filled by `xiaobao bench_generate`), in-process,
sequential, calling the report builders directly (no job row, no file written: the figures are query +
workbook/document time, read-only):

- monthly (built-in layout): the aggregation alone (one GROUP BY per dimension) and the whole workbook, for
  head office and for its largest branch;
- monthly with a template: a generated form with one `{{count business_type=… unit=…}}` cell per top-level
  business type × branch (plus totals), filled from one grouped query;
- quarterly Word report (the quarter containing the month), disclosure table and board figures (the year).

Prints a markdown table (median and max seconds over --runs), the SQL queries per build, and with --explain
the EXPLAIN (ANALYZE, BUFFERS) of the monthly grid query (PostgreSQL).

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiaobao_bench .venv/bin/python bench/reports_bench.py
    [--user hq_cp] [--org HO] [--month 2026-10] [--runs 3] [--explain] [--skip-quarterly]
The target for the monthly table is under 10 s at 1,000,000 complaints on PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")  # dev vault keys, as bench_generate used

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from xiaobao.analytics import stats  # noqa: E402
from xiaobao.analytics.periods import Period  # noqa: E402
from xiaobao.complaints.models import Complaint, ComplaintCode  # noqa: E402
from xiaobao.core.models import OrgUnit, User  # noqa: E402
from xiaobao.reports.builders import BuildContext, build  # noqa: E402
from xiaobao.reports.builders.monthly import grids  # noqa: E402


class FakeTemplate:
    """Stands in for a ReportTemplate (only `.name` and `.file.open()` are used by the filler)."""

    def __init__(self, content: bytes) -> None:
        self.name = "bench"
        self.file = self
        self._content = content

    def open(self, mode: str = "rb") -> BytesIO:
        return BytesIO(self._content)


def template_for(unit: OrgUnit) -> tuple[FakeTemplate, int]:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    children = list(OrgUnit.objects.filter(parent=unit).order_by("code"))
    types = list(ComplaintCode.objects.filter(dimension="business_type", parent=None).order_by("code"))
    ws.append(["{{institution}} {{period}}", *[c.code for c in children], "{{org}}"])
    cells = 0
    for t in types:
        row = [t.name, *[f"{{{{count business_type={t.code} unit={c.code}}}}}" for c in children]]
        row.append(f"{{{{count business_type={t.code}}}}}")
        cells += len(row) - 1
        ws.append(row)
    ws.append(["合计", *[f"{{{{count unit={c.code}}}}}" for c in children], "{{total}}"])
    ws.append(["监管转办", "{{count source=forwarded}}"])
    buf = BytesIO()
    wb.save(buf)
    return FakeTemplate(buf.getvalue()), cells + len(children) + 2


def timed(fn, runs: int) -> tuple[float, float, int]:
    with CaptureQueriesContext(connection) as q:
        fn()  # warm-up run, also counts the queries
    queries = len(q)
    secs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        secs.append(time.perf_counter() - t0)
    return statistics.median(secs), max(secs), queries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--user", default="hq_cp")
    parser.add_argument("--org", default="")
    parser.add_argument("--month", default="")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--skip-quarterly", action="store_true")
    args = parser.parse_args()

    user = User.objects.get(username=args.user)
    unit = (
        OrgUnit.objects.get(code=args.org)
        if args.org
        else OrgUnit.objects.filter(parent=None).order_by("path").first()
    )
    last = Complaint.objects.aggregate(m=Max("receipt_date"))["m"]
    if last is None:
        sys.exit("No complaints: fill the database with `xiaobao bench_generate --complaints N` first.")
    month = Period.parse(args.month) if args.month else Period.containing("month", last).previous()
    quarter = Period.containing("quarter", month.start)
    year = Period.containing("year", month.start)
    branch = OrgUnit.objects.filter(parent=unit).annotate(n=Count("children")).order_by("-n", "code").first()
    total = Complaint.objects.count()
    in_month = stats.scoped_complaints(user=user, unit=unit, period=month).count()
    head = f"{connection.vendor}, {total:,} complaints, {in_month:,} in {month.label} ({unit.code})"
    print(f"# Reports bench — {head}")
    print(f"{platform.node()} · Python {platform.python_version()} · runs={args.runs}\n")

    def ctx(u: OrgUnit, p: Period, template=None) -> BuildContext:  # type: ignore[no-untyped-def]
        return BuildContext(user=user, unit=u, period=p, template=template)

    def monthly_grid(u: OrgUnit) -> None:
        c = ctx(u, month)
        grids(stats.scoped_complaints(user=user, unit=u, period=month), c)

    template, cells = template_for(unit)
    cases = [
        (f"monthly aggregation only ({unit.code})", lambda: monthly_grid(unit)),
        (f"monthly workbook ({unit.code})", lambda: build("monthly", ctx(unit, month))),
    ]
    if branch is not None:
        cases.append((f"monthly workbook ({branch.code})", lambda: build("monthly", ctx(branch, month))))
    cases.append(
        (
            f"monthly with a template, {cells} cells ({unit.code})",
            lambda: build("monthly", ctx(unit, month, template)),
        )
    )
    if not args.skip_quarterly:
        cases.append(
            (
                f"quarterly report {quarter.label} ({unit.code})",
                lambda: build("quarterly", ctx(unit, quarter)),
            )
        )
    cases += [
        (f"disclosure {year.label} ({unit.code})", lambda: build("disclosure", ctx(unit, year))),
        (f"board figures {year.label} ({unit.code})", lambda: build("board", ctx(unit, year))),
    ]
    print("| build | median s | max s | SQL queries |")
    print("| --- | ---: | ---: | ---: |")
    for name, fn in cases:
        median, worst, queries = timed(fn, args.runs)
        print(f"| {name} | {median:.2f} | {worst:.2f} | {queries} |", flush=True)

    if args.explain and connection.vendor == "postgresql":
        qs = stats.scoped_complaints(user=user, unit=unit, period=month)
        grid_qs = (
            qs.order_by()
            .annotate(col=Substr("org_unit__path", 1, len(unit.path) + 8))
            .values_list("col", "business_type_id")
            .annotate(n=Count("pk"))
        )
        print("\n```\n" + grid_qs.explain(analyze=True, buffers=True) + "\n```")


if __name__ == "__main__":
    main()
