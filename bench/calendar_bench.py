"""Deadline-computation benchmark: how many deadlines per second one core computes.

Builds a `WorkCalendar` from the `chinesecalendar` package data alone (no database, no Django settings)
and times 1,000,000 deadlines mixing calendar and working days, roll-forward on and off, with random
receipt dates in 2024–2026. Best of 5 runs. Run: `.venv/bin/python bench/calendar_bench.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xiaobao.core.workdays import WorkCalendar

FIRST, LAST = dt.date(2024, 1, 1), dt.date(2026, 12, 31)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def workload(n: int, seed: int) -> list[tuple[dt.date, int, str, bool]]:
    """n (start, days, unit, roll_forward) cases: regulators' usual 7/15/30/60 days, mixed units."""
    rng = random.Random(seed)
    span = (LAST - FIRST).days + 1
    cases = []
    for _ in range(n):
        start = FIRST + dt.timedelta(days=rng.randrange(span))
        unit = "working" if rng.random() < 0.5 else "calendar"
        cases.append((start, rng.choice((7, 15, 30, 60)), unit, rng.random() < 0.9))
    return cases


def run_once(cal: WorkCalendar, cases: list[tuple[dt.date, int, str, bool]]) -> float:
    deadline = cal.deadline
    t0 = time.perf_counter()
    for start, days, unit, roll in cases:
        deadline(start, days, unit, roll)  # type: ignore[arg-type]
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="deadlines per run (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs; the best is reported (default 5)")
    args = parser.parse_args()

    t0 = time.perf_counter()
    cal = WorkCalendar(today=dt.date(2026, 1, 1))
    build = time.perf_counter() - t0
    cases = workload(args.n, seed=2026)
    times = [run_once(cal, cases) for _ in range(args.runs)]
    best = min(times)

    print(f"machine   : {platform.platform()}; CPU {cpu_model()}")
    print(f"python    : {platform.python_implementation()} {platform.python_version()}")
    print(f"calendar  : built in {build * 1000:.1f} ms")
    print(f"workload  : {args.n:,} deadlines (calendar/working, 7/15/30/60 days, starts 2024–2026)")
    print(f"runs (s)  : {', '.join(f'{t:.3f}' for t in times)}")
    print(
        f"best      : {args.n / best:,.0f} deadlines/second on one core ({best / args.n * 1e6:.2f} µs each)"
    )


if __name__ == "__main__":
    main()
