from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.core.demo import DEMO_PASSWORD, demo_load
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.roles import role_name


class Command(BaseCommand):
    help = "Load the synthetic demo bank and a year of its complaints (once each) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        from xiaobao.complaints.demo import DEFAULT_COUNT

        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument(
            "--complaints",
            type=int,
            default=DEFAULT_COUNT,
            help=f"Synthetic complaints over the last 365 days (default {DEFAULT_COUNT}, ≈ 0.1 s each; "
            "0 for none). Skipped when complaints exist already.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if OrgUnit.objects.filter(code="HO").exists():
            self.stdout.write("Demo bank already loaded.")
        else:
            demo_load(seed=opts["seed"])
            self.stdout.write(self.style.SUCCESS("Demo bank loaded."))
        if opts["complaints"] > 0:
            self._complaints(opts["seed"], opts["complaints"])
        logins = [
            (
                u.username,
                ", ".join(role_name(c) for c in u.role_codes),
                u.org_unit.name if u.org_unit else "-",
            )
            for u in User.objects.select_related("org_unit").prefetch_related("groups").order_by("pk")
        ]
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<22} {role:<28} {unit}")

    def _complaints(self, seed: int, count: int) -> None:
        from xiaobao.complaints.demo import complaints_demo_load
        from xiaobao.complaints.models import Complaint

        if Complaint.objects.exists():
            self.stdout.write("Demo complaints already loaded.")
            return

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  … {done:,} / {total:,} workflow steps")

        self.stdout.write(f"Loading {count:,} demo complaints through the workflow services …")
        result = complaints_demo_load(seed=seed, count=count, progress=progress)
        by_status = ", ".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo complaints loaded: {result.created:,} complaints, {result.steps:,} steps in "
                f"{result.seconds:.1f} s ({by_status})."
            )
        )
        from xiaobao.early_warning.scan import warning_scan

        report = warning_scan()
        self.stdout.write(f"Early-warning scan over the demo complaints: {report}")
