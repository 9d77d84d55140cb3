"""Assisted classification on real complaints: accuracy, suggestion latency, training time at 100,000.

1. Imports the CFPB narratives (`../shared/data/cfpb/narratives_product_sha-hsg.csv`, 3,947 complaints with
   their product; override the data directory with XIAOBAO_SHARED_DATA) through the shipped `cfpb` preset into
   a fresh unit, exactly as `xiaobao import_complaints` does; the preset maps the product to a business type.
2. Trains from the database (`classifier_train`: the complaints with confirmed codes, a random stratified
   80/20 split with a fixed seed) and prints top-1, top-3 and macro-F1 of the business type on the held-out
   20 %, with the plain baseline (character 1–4-gram TF-IDF + LinearSVC) on the same split. With `--seeds`
   several splits (each a new version) and the mean.
3. Suggestion latency: `services.suggest` (the API's service: cached model, code names) on 1,000 held-out
   texts, and `POST /api/v1/complaints/suggest` through the test client on 200; median / p95 / max ms.
4. Recording the suggestions of an import (the task run after an import commits) for the imported rows.
5. Similar complaints of one complaint (the panel's computation) over its pool; median / p95 of 30.
6. Training time on 100,000 complaints: SYNTHETIC — the CFPB narratives repeated 25 times, each copy perturbed
   (10 % of the words dropped, sentences shuffled), with a stand-in cause per source narrative (C01–C06) so
   both dimensions are trained, in memory with the same `ml.train` (the database read is not included).

Usage:
    DATABASE_URL=sqlite:////tmp/classifier-bench.sqlite3 .venv/bin/python bench/classifier_bench.py \
        [--seeds 1,2,3] [--large 100000] [--skip-large]

It writes, so it refuses a SQLite file outside the temporary directory whose name does not say bench/scratch,
and a PostgreSQL database whose name does not contain bench/scratch. An empty database is migrated first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
os.environ.setdefault("XIAOBAO_TESTING", "1")  # development vault keys, like bench_generate


def _refuse_unless_scratch(url: str) -> None:
    """The same guard as bench/import_bench.py: only a scratch database."""
    if not url:
        sys.exit(
            "Set DATABASE_URL to a scratch database (sqlite:////tmp/classifier-bench.sqlite3 or …bench)."
        )
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path.lstrip("/") if parsed.netloc else parsed.path).resolve()
        tmp = Path(tempfile.gettempdir()).resolve()
        if not (path.is_relative_to(tmp) or any(w in path.name for w in ("bench", "scratch"))):
            sys.exit(f"Refusing {path}: not a scratch SQLite file (put it under {tmp} or name it *bench*).")
    elif not any(w in parsed.path.lstrip("/") for w in ("bench", "scratch")):
        sys.exit("Refusing the database: the benchmark writes; use a scratch database (*bench*).")


_refuse_unless_scratch(os.environ.get("DATABASE_URL", ""))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from xiaobao.classification import ml, selectors, services  # noqa: E402
from xiaobao.complaints.models import Complaint  # noqa: E402
from xiaobao.core.models import OrgUnit, User  # noqa: E402
from xiaobao.core.services.org import org_unit_create  # noqa: E402
from xiaobao.imports.models import ImportPreset  # noqa: E402
from xiaobao.imports.services import import_job_create, import_job_run, import_job_start  # noqa: E402
from xiaobao.imports.writer import reference_prefix  # noqa: E402

DATA = Path(os.environ.get("XIAOBAO_SHARED_DATA") or ROOT.parent / "shared" / "data")
SAMPLE = DATA / "cfpb" / "narratives_product_sha-hsg.csv"


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
    return f"{statistics.median(values) * 1000:.1f} / {p95 * 1000:.1f} / {values[-1] * 1000:.1f}"


def _setup() -> tuple[User, OrgUnit]:
    call_command("migrate", verbosity=0)
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        root = org_unit_create(actor=None, code="BENCH-HO", name="基准总行", kind="head_office", parent=None)
    actor = User.objects.filter(is_superuser=True, is_active=True).first()
    if actor is None:
        actor = User.objects.create_superuser("bench_classifier", password=None, org_unit=root)
    return actor, root


def _import(actor: User, root: OrgUnit) -> tuple[OrgUnit, int, float]:
    unit = org_unit_create(
        actor=None, code=f"BENCH-CLS-{time.time_ns() // 1000}", name="分类基准", kind="branch", parent=root
    )
    t0 = time.perf_counter()
    job = import_job_create(
        actor=actor,
        fileobj=io.BytesIO(SAMPLE.read_bytes()),
        name=SAMPLE.name,
        preset=ImportPreset.objects.get(name="cfpb"),
        org_unit=unit,
        received_on=dt.date(2015, 6, 30),  # the file has no dates (its complaints are from 2015)
        language="en",
    )
    job = import_job_run(job=import_job_start(actor=actor, job=job, stage="import"))
    if job.state != "done":
        sys.exit(f"import failed: {job.error}")
    return unit, job.pk, time.perf_counter() - t0


def _perturb(text: str, rng: random.Random) -> str:
    sentences = [s for s in text.split(". ") if s]
    rng.shuffle(sentences)
    words = " ".join(sentences).split()
    return " ".join(w for w in words if rng.random() > 0.1)


def _large(n: int) -> None:
    """Training time on n synthetic complaints: the imported narratives repeated, each copy perturbed."""
    rows = services.training_rows()
    rng = random.Random(7)
    big_texts: list[str] = []
    big_labels: dict[str, list[str]] = {"business_type": [], "cause": []}
    while len(big_texts) < n:
        for i in range(len(rows)):
            big_texts.append(ml.complaint_text("", _perturb(rows.texts[i], rng)))
            big_labels["business_type"].append(rows.labels["business_type"][i])
            # the file has no causes (all C99): a stand-in cause per source narrative, so that the
            # second dimension is trained and timed too
            big_labels["cause"].append(f"C0{1 + i % 6}")
            if len(big_texts) >= n:
                break
    t0 = time.perf_counter()
    outcome = ml.train(big_texts, big_labels, seed=1)
    secs = time.perf_counter() - t0
    bt = outcome.metrics["business_type"]
    print(
        f"\ntraining on {len(big_texts):,} synthetic complaints (CFPB narratives repeated, perturbed): "
        f"{secs:.0f} s ({outcome.n_train:,} learnt, {outcome.n_test:,} held out; top-1 there "
        f"{bt['top1']:.3f} — inflated, the copies share their source)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1", help="seeds of the 80/20 splits (comma-separated)")
    parser.add_argument(
        "--large", type=int, default=100_000, help="synthetic complaints for the training time"
    )
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--large-only", action="store_true", help="import, then only the training time")
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    if not SAMPLE.is_file():
        sys.exit(f"{SAMPLE} not found: set XIAOBAO_SHARED_DATA to the shared data directory")
    actor, root = _setup()
    # Only this run's complaints are learnt from: earlier runs' units are emptied of confirmed complaints
    # by training from a database that holds just one import (use a fresh scratch database per run).
    if Complaint.objects.exists():
        sys.exit("The scratch database already holds complaints: start from an empty one (delete the file).")
    unit, job_id, import_s = _import(actor, root)
    n = Complaint.objects.filter(org_unit=unit).count()
    print(f"\n{SAMPLE.name}: {n:,} complaints imported with the cfpb preset in {import_s:.1f} s")

    if args.large_only:
        _large(args.large)
        return
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = []
    for seed in seeds:
        t0 = time.perf_counter()
        model = services.classifier_train(actor=actor, seed=seed, with_baseline=True)
        runs.append((seed, model, time.perf_counter() - t0))
    print(
        "\n| seed | trained on | held out | top-1 | top-3 | macro-F1 | baseline top-1 | baseline top-3 "
        "| baseline macro-F1 | training s (with baseline) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for seed, m, secs in runs:
        bt = m.metrics["business_type"]
        b = bt["baseline"]
        print(
            f"| {seed} | {m.n_train:,} | {m.n_test:,} | {bt['top1']:.3f} | {bt['top3']:.3f} | "
            f"{bt['macro_f1']:.3f} | {b['top1']:.3f} | {b['top3']:.3f} | {b['macro_f1']:.3f} | {secs:.1f} |"
        )
    if len(runs) > 1:

        def mean(key: str, base: bool = False) -> str:
            vals = [
                (m.metrics["business_type"]["baseline"] if base else m.metrics["business_type"])[key]
                for _, m, _ in runs
            ]
            return f"{statistics.mean(vals):.3f}"

        print(
            f"| mean | | | {mean('top1')} | {mean('top3')} | {mean('macro_f1')} | {mean('top1', True)} | "
            f"{mean('top3', True)} | {mean('macro_f1', True)} | |"
        )
    last = runs[-1][1]
    print("\nPer business type (last split): code, held out, correct, F1")
    for code, row in sorted(last.metrics["business_type"]["per_class"].items()):
        print(f"  {code}: {row['test']} held out, {row['correct']} right, F1 {row['f1']}")
    cause = last.metrics.get("cause", {})
    print(f"cause: {cause.get('skipped') or cause.get('top1')} (the file has no issue column: all C99)")

    # 3. suggestion latency
    services.forget_active()
    texts = list(Complaint.objects.filter(org_unit=unit).values_list("request", "description")[: args.calls])
    services.suggest(request=texts[0][0], description=texts[0][1])  # loads the model once
    timings = []
    for request, description in texts:
        t0 = time.perf_counter()
        out = services.suggest(request=request, description=description)
        timings.append(time.perf_counter() - t0)
    assert len(out.business_type) <= 3
    print(f"\nsuggest (service, {len(timings)} calls) median / p95 / max ms: {_ms(timings)}")
    client = Client()
    client.force_login(actor)
    api_timings = []
    for request, description in texts[:200]:
        t0 = time.perf_counter()
        r = client.post(
            "/api/v1/complaints/suggest",
            {"request": request, "description": description},
            content_type="application/json",
        )
        api_timings.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.content
    print(
        f"POST /api/v1/complaints/suggest ({len(api_timings)} calls) median / p95 / max ms: "
        f"{_ms(api_timings)}"
    )

    # 4. recording an import's suggestions
    t0 = time.perf_counter()
    recorded = services.record_import_job(job_id)
    print(
        f"\nrecording the import's suggestions: {recorded:,} complaints in {time.perf_counter() - t0:.1f} s"
    )

    # 5. similar complaints
    sample = list(Complaint.objects.filter(org_unit=unit).order_by("-received_at", "-pk")[:30])
    sim = []
    for c in sample:
        t0 = time.perf_counter()
        selectors.similar(user=actor, complaint=c)
        sim.append(time.perf_counter() - t0)
    print(f"similar complaints (pool ≤ {selectors.SIMILAR_POOL:,}) median / p95 / max ms: {_ms(sim)}")

    # 6. training time at 100,000 (synthetic)
    if not args.skip_large:
        _large(args.large)
    version = getattr(connection, "pg_version", "")
    db = connection.vendor + (f" {version}" if connection.vendor == "postgresql" else "")
    print(
        f"\n{db} · Python {platform.python_version()} · Django {django.get_version()} · "
        f"scikit-learn {__import__('sklearn').__version__} · {os.cpu_count()} CPUs · "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"(import prefix {reference_prefix(job_id)})")


if __name__ == "__main__":
    main()
