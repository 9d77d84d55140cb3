"""`xiaobao classifier_evaluate --csv PATH [--format zh] [--seeds 1,2,3]`: measure the classifier on a
labelled file without touching the database: train on a random 80 % (stratified on the business type),
report top-1, top-3 and macro-F1 of each dimension on the other 20 %, and the plain baseline beside them.

`--format zh` (the default): UTF-8 CSV with the columns request, description, business_type, cause — the
codes as in the complaint code tables (B0201, C07 …). `--format cfpb`: a CFPB export with the columns
Product and Consumer complaint narrative, the product mapped to a business type by the `cfpb` preset's table.
With several seeds the figures are the mean over the splits (and the spread)."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.classification import ml

FIGURES = ("top1", "top3", "macro_f1")


def read_zh(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    texts: list[str] = []
    labels: dict[str, list[str]] = {"business_type": [], "cause": []}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"request", "description", "business_type", "cause"} - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"{path}: missing columns {', '.join(sorted(missing))}", returncode=2)
        for row in reader:
            texts.append(ml.complaint_text(row["request"], row["description"]))
            labels["business_type"].append((row["business_type"] or "").strip())
            labels["cause"].append((row["cause"] or "").strip())
    return texts, labels


def read_cfpb(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    from xiaobao.imports.presets import CFPB_BUSINESS_TYPES, CFPB_DEFAULTS
    from xiaobao.imports.targets import norm_value

    table = {norm_value(k): v for k, v in CFPB_BUSINESS_TYPES.items()}
    texts: list[str] = []
    labels: dict[str, list[str]] = {"business_type": []}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            narrative = row.get("Consumer complaint narrative") or ""
            if not narrative.strip():
                continue
            texts.append(ml.complaint_text("", narrative))
            labels["business_type"].append(
                table.get(norm_value(row.get("Product")), CFPB_DEFAULTS["business_type"])
            )
    return texts, labels


def summary(runs: list[dict[str, Any]], dim: str, key: str | None = None) -> str:
    parts = []
    for figure in FIGURES:
        values = [
            (r[dim][key] if key else r[dim])[figure] for r in runs if dim in r and "skipped" not in r[dim]
        ]
        if not values:
            return "not trained"
        spread = f" ± {statistics.pstdev(values):.3f}" if len(values) > 1 else ""
        parts.append(f"{figure} {statistics.mean(values):.3f}{spread}")
    return ", ".join(parts)


class Command(BaseCommand):
    help = "Measure the classifier on a labelled CSV file (80/20 split), with the baseline beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, help="the labelled file")
        parser.add_argument("--format", choices=["zh", "cfpb"], default="zh")
        parser.add_argument("--seeds", default="1", help="comma-separated seeds of the random splits")
        parser.add_argument("--no-baseline", action="store_true", help="skip the baseline")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        texts, labels = (read_zh if options["format"] == "zh" else read_cfpb)(path)
        try:
            seeds = [int(s) for s in options["seeds"].split(",") if s.strip()]
        except ValueError as exc:
            raise CommandError("--seeds takes integers separated by commas", returncode=2) from exc
        self.stdout.write(f"{path.name}: {len(texts)} complaints, seeds {seeds}")
        for dim, values in labels.items():
            counts = sorted(((v, values.count(v)) for v in set(values) if v), key=lambda x: -x[1])
            self.stdout.write(f"  {dim}: {len(counts)} codes — " + ", ".join(f"{c} {n}" for c, n in counts))
        runs = []
        for seed in seeds:
            outcome = ml.train(texts, labels, seed=seed, with_baseline=not options["no_baseline"])
            runs.append(outcome.metrics)
            self.stdout.write(
                f"seed {seed}: trained on {outcome.n_train}, held out {outcome.n_test}, "
                f"{outcome.seconds:.1f} s"
            )
        for dim in labels:
            self.stdout.write(f"{dim}: {summary(runs, dim)}")
            if not options["no_baseline"] and all("baseline" in r.get(dim, {}) for r in runs):
                self.stdout.write(f"{dim} baseline: {summary(runs, dim, 'baseline')}")
