"""Complaints' part of `xiaobao demo_load` (declared as `Module.demo` / `Module.demo_arguments`): a year of
synthetic complaints through the workflow services, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def arguments(parser: CommandParser) -> None:
    from xiaobao.complaints.demo import DEFAULT_COUNT

    parser.add_argument(
        "--complaints",
        type=int,
        default=DEFAULT_COUNT,
        help=f"Synthetic complaints over the last 365 days (default {DEFAULT_COUNT}, ≈ 0.1 s each; "
        "0 for none). Skipped when complaints exist already.",
    )


def load(command: BaseCommand, *, seed: int, complaints: int = 0, **opts: Any) -> None:
    """Load `complaints` demo complaints unless there are some already; reports on the command's output."""
    from xiaobao.complaints.demo import complaints_demo_load
    from xiaobao.complaints.models import Complaint

    if complaints <= 0:
        return
    out = command.stdout
    if Complaint.objects.exists():
        out.write("Demo complaints already loaded.")
        return

    def progress(done: int, total: int) -> None:
        out.write(f"  … {done:,} / {total:,} workflow steps")

    out.write(f"Loading {complaints:,} demo complaints through the workflow services …")
    result = complaints_demo_load(seed=seed, count=complaints, progress=progress)
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
    out.write(
        command.style.SUCCESS(
            f"Demo complaints loaded: {result.created:,} complaints, {result.steps:,} steps in "
            f"{result.seconds:.1f} s ({by_status})."
        )
    )
