"""`xiaobao retention_purge [--dry-run]`: remove what is past its retention rule (xiaobao/retention.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.retention import retention_purge


class Command(BaseCommand):
    help = (
        "Apply the retention rules (xiaobao retention_rules): anonymise ended complaints (not on legal "
        "hold), delete old report and import files, read notifications and the personal data of consumers no "
        "complaint names; statistics stay. One audit record per run with the counts per record type."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what is due; change nothing.")

    def handle(self, *args: Any, **opts: Any) -> None:
        report = retention_purge(dry_run=opts["dry_run"])
        self.stdout.write(f"retention_purge{' (dry run)' if opts['dry_run'] else ''}:\n{report}")
