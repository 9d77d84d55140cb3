"""Review figures at volume: a year of reviews (default 20,000, ≈ 3 issued opinions each, some approvals)
over 40 branches × 5 sub-branches, bulk-inserted (no services, no audit); then, in process, median / max ms
and SQL queries of:
- `figures.compute` for a quarter and for the year, head office and one branch;
- `stats.stats_section` (the statistics page's section: the period and the previous one), head office;
- the register's workbook (`exports.register_workbook`) for the year, head office: rows/s and peak memory
  growth (tracemalloc) — the write-only workbook keeps memory flat whatever the number of rows.

Against a scratch database whose name contains "bench" (SQLite file or PostgreSQL); migrated and filled when
it has no reviews:
    DATABASE_URL=sqlite:////tmp/review-bench.sqlite3 .venv/bin/python bench/review_figures_bench.py \\
        [--reviews 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")
os.environ.setdefault("XIAOBAO_LOG_LEVEL", "WARNING")

URL = os.environ.get("DATABASE_URL", "")
if "bench" not in (Path(urlparse(URL).path).name if URL.startswith("sqlite") else urlparse(URL).path):
    sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench': the benchmark writes.")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

CST = ZoneInfo("Asia/Shanghai")
YEAR = 2025
BRANCHES, SUBS = 40, 5
KINDS = ["new_product", "product_change", "fee_change", "contract", "marketing", "service_process", "other"]
CATEGORIES = ["suitability", "disclosure", "pricing", "contract_terms", "marketing", "personal_info", "other"]


def fill(n: int) -> None:
    from xiaobao.casework.models import DeadlineRule
    from xiaobao.core.models import OrgUnit, User
    from xiaobao.core.services.org import org_unit_create
    from xiaobao.review.models import (
        Approval,
        DocumentVersion,
        ProductKind,
        Review,
        ReviewDocument,
        ReviewOpinion,
    )

    rng = random.Random(20250101)
    ho = OrgUnit.objects.filter(parent__isnull=True).first() or org_unit_create(
        actor=None, code="HO", name="总行", kind="head_office", parent=None
    )
    units = []
    for b in range(BRANCHES):
        branch = org_unit_create(actor=None, code=f"B{b:02d}", name=f"第{b}分行", kind="branch", parent=ho)
        units.append(branch)
        for s in range(SUBS):
            units.append(
                org_unit_create(actor=None, code=f"B{b:02d}-{s}", name=f"第{b}分行{s}支行", kind="sub_branch",
                                parent=branch)
            )  # fmt: skip
    user = User.objects.create(username="bench_reviewer", full_name="bench", org_unit=ho)
    rule = DeadlineRule.objects.get(code="review-10wd")
    kinds = list(ProductKind.objects.all())
    reviews = []
    for i in range(n):
        submitted = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(355))
        took = rng.randrange(2, 30)
        concluded = dt.datetime.combine(submitted + dt.timedelta(days=took), dt.time(10), tzinfo=CST)
        done = rng.random() < 0.9
        conclusion = rng.choice(["pass", "pass", "pass_with_changes", "reject"]) if done else ""
        status = {"pass": "passed", "pass_with_changes": "passed_with_changes", "reject": "rejected"}
        reviews.append(
            Review(
                reference=f"SC{YEAR}{i:07d}", status=status.get(conclusion, "in_review"),
                org_unit=rng.choice(units), title=f"审查事项 {i}", kind=rng.choice(KINDS),
                product_kind=rng.choice(kinds), created_by=user, submitted_by=user, submitted_on=submitted,
                rule=rule, conclusion=conclusion, concluded_at=concluded if done else None,
                due_date=submitted + dt.timedelta(days=14), clock_state="met" if took <= 14 else "breached",
            )
        )  # fmt: skip
    Review.objects.bulk_create(reviews, batch_size=2000)
    opinions, approvals = [], []
    for r in Review.objects.filter(reference__startswith=f"SC{YEAR}").only("pk", "conclusion"):
        for k in range(rng.randrange(0, 7)):
            answered = r.conclusion in ("pass", "pass_with_changes") or rng.random() < 0.5
            response = rng.choice(["adopted", "adopted", "adopted", "partly_adopted", "not_adopted"])
            opinions.append(
                ReviewOpinion(
                    review_id=r.pk, number=k + 1, category=rng.choice(CATEGORIES),
                    severity=rng.choice(["must_change", "suggestion"]), body="请修改相关表述", author=user,
                    issued=True, response=response if answered else "",
                    state="closed" if answered else "open",
                )
            )  # fmt: skip
    ReviewOpinion.objects.bulk_create(opinions, batch_size=5000)
    passed = list(Review.objects.filter(conclusion="pass").values_list("pk", "concluded_at")[: n // 5])
    docs = ReviewDocument.objects.bulk_create(
        [ReviewDocument(review_id=pk, title="折页") for pk, _at in passed]
    )
    versions = DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(document=d, number=1, file="x.docx", original_name="x.docx", content_type="x",
                            size=1, sha256=f"{d.pk:064d}", uploaded_by=user)
            for d in docs
        ]
    )  # fmt: skip
    for (pk, at), v in zip(passed, versions, strict=True):
        approvals.append(
            Approval(review_id=pk, number=f"XB-SC-{pk}", code=f"{pk:08d}", version=v, sha256=v.sha256,
                     issued_at=at, issued_by=user)
        )  # fmt: skip
    Approval.objects.bulk_create(approvals, batch_size=5000)
    print(
        f"filled: {n:,} reviews, {len(opinions):,} opinions, {len(approvals):,} approvals, {len(units)} units"
    )


def measure(name: str, fn, runs: int) -> None:
    times, queries = [], 0
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            fn()
            times.append(1000 * (time.perf_counter() - t0))
        queries = len(ctx.captured_queries)
    print(
        f"{name:<48} median {statistics.median(times):8.1f} ms  max {max(times):8.1f} ms  {queries} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from xiaobao.analytics.periods import Period
    from xiaobao.core.models import OrgUnit, User
    from xiaobao.review.exports import EXPORT_LIMIT, register_workbook
    from xiaobao.review.figures import compute
    from xiaobao.review.models import Review
    from xiaobao.review.stats import stats_section

    if not Review.objects.exists():
        fill(args.reviews)
    from conftest import make_user

    ho = OrgUnit.objects.get(code="HO")
    branch = OrgUnit.objects.get(code="B07")
    hq = User.objects.filter(username="bench_hq").first() or make_user("bench_hq", ho, ["hq_cp_officer"])
    b = User.objects.filter(username="bench_b07").first() or make_user(
        "bench_b07", branch, ["branch_cp_officer"]
    )
    hq, b = User.objects.get(pk=hq.pk), User.objects.get(pk=b.pk)
    q3, year = Period.quarter(YEAR, 3), Period.year(YEAR)
    print(f"{Review.objects.count():,} reviews; {connection.vendor}")
    measure("compute, head office, a quarter", lambda: compute(user=hq, unit=ho, period=q3), args.runs)
    measure("compute, head office, the year", lambda: compute(user=hq, unit=ho, period=year), args.runs)
    measure("compute, a branch, the year", lambda: compute(user=b, unit=branch, period=year), args.runs)
    measure(
        "stats_section, head office, a quarter", lambda: stats_section(user=hq, unit=ho, period=q3), args.runs
    )
    reviews = Review.objects.visible_to(hq)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    content = register_workbook(reviews, unit=ho, institution="晓宝银行")
    seconds = time.perf_counter() - t0
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    n = min(reviews.count(), EXPORT_LIMIT)
    print(
        f"register workbook, head office, {n:,} reviews: {seconds:.1f} s ({n / seconds:,.0f} reviews/s), "
        f"{len(content) / 1e6:.1f} MB file, peak resident size grew {grew:.0f} MB"
    )


if __name__ == "__main__":
    main()
