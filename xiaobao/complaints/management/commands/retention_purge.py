"""`xiaobao retention_purge [--dry-run]`: anonymise complaint files past their retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.complaints.retention import retention_purge


class Command(BaseCommand):
    help = (
        "Anonymise ended complaints older than the retention rule (not on legal hold): texts, attachments "
        "and personal data go, statistics stay. One audit record per run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what is due.")

    def handle(self, *args: Any, **opts: Any) -> None:
        report = retention_purge(dry_run=opts["dry_run"])
        self.stdout.write(f"retention_purge{' (dry run)' if opts['dry_run'] else ''}: {report}")
