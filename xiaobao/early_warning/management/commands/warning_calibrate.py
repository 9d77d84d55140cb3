"""`xiaobao warning_calibrate [--days N] [--alpha A] [--min-count K] [--k 3,5,8] [--trials T]`.

Replays the spike rule over the stored history and prints its false-alarm rate (alarms / unit-days
examined; on the demo data, which has no planted spikes, every alarm is false) and its detection rate for
k extra complaints injected in memory on random unit-days. Writes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.early_warning.calibration import CalibrationReport, calibrate
from xiaobao.early_warning.rules import SpikeRule


class Command(BaseCommand):
    help = "Measure the spike rule's false-alarm and detection rates on the stored complaints (read-only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=0, help="Replay the last N days (default: all).")
        parser.add_argument("--alpha", type=float, default=None, help="Override WARNING_SPIKE_ALPHA.")
        parser.add_argument("--min-count", type=int, default=None, help="Override WARNING_SPIKE_MIN_COUNT.")
        parser.add_argument(
            "--calendar-days",
            action="store_true",
            help="Baseline over all calendar days (not only days of the same type).",
        )
        parser.add_argument("--k", default="3,5,8", help="Injected spike sizes (default 3,5,8).")
        parser.add_argument("--trials", type=int, default=200, help="Injected unit-days per level (200).")
        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument("--show", type=int, default=10, help="List this many of the alarms (10).")

    def handle(self, *args: Any, **opts: Any) -> None:
        rule = SpikeRule.from_settings()
        changes: dict[str, Any] = {}
        if opts["alpha"] is not None:
            if not 0 < opts["alpha"] < 1:
                raise CommandError("--alpha must be between 0 and 1")
            changes["alpha"] = opts["alpha"]
        if opts["min_count"] is not None:
            changes["min_count"] = opts["min_count"]
        if opts["calendar_days"]:
            changes["same_day_type"] = False
        rule = dataclasses.replace(rule, **changes)
        try:
            ks = tuple(int(x) for x in opts["k"].split(",") if x.strip())
        except ValueError as exc:
            raise CommandError("--k is a comma-separated list of integers") from exc
        started = time.perf_counter()
        report = calibrate(
            days=opts["days"] or None, rule=rule, ks=ks, trials=opts["trials"], seed=opts["seed"]
        )
        self._print(report, ks, opts["show"], time.perf_counter() - started)

    def _print(self, r: CalibrationReport, ks: tuple[int, ...], show: int, seconds: float) -> None:
        w = self.stdout.write
        w(f"Rule: {r.rule.describe()}")
        if not r.examined:
            w("Not enough history: the replay needs complaints over more than the baseline window.")
            return
        w(f"History replayed: {r.first} .. {r.last} ({r.days} days), {r.complaints:,} complaints counted")
        w(
            f"False alarms: {len(r.alarms)} alarms / {r.examined:,} unit-days examined = {r.rate:.5%} "
            f"({r.rate * 1e5:.1f} per 100,000 unit-days; {len(r.alarms) / r.days * 7:.2f} per week)"
        )
        for level in r.rule.levels:
            f = r.by_level.get(level)
            if f and f.examined:
                w(f"  {level:<12} {f.alarms:>4} / {f.examined:>8,} = {f.alarms / f.examined:.5%}")
        if r.alarms and show:
            w(f"Alarms (first {min(show, len(r.alarms))}):")
            for a in r.alarms[:show]:
                unit = r.unit_codes.get(a.unit_id, a.unit_id)
                w(f"  {a.day} {unit} {a.category}: {a.count} (baseline {a.baseline:.2f}, limit {a.limit})")
        w("Detection of k extra complaints on one unit-day (random unit-days without an alarm):")
        w("  level        " + "".join(f"k={k:<10}" for k in ks))
        for level in r.rule.levels:
            cells = []
            for k in ks:
                hit, n = r.detection.get((level, k), (0, 0))
                cells.append(f"{hit / n:>6.1%}/{n:<4}" if n else f"{'-':>11}")
            w(f"  {level:<12} " + "".join(cells))
        w(f"({seconds:.1f} s)")
