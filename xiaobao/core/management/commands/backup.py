from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) of the database, the stored files (MEDIA_ROOT) and a manifest with "
        "checksums, row counts, migration state, vault key ids and the audit chain head. The vault keys are "
        "not in it: back the key file up separately."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            required=True,
            help="a directory (the archive is named xiaobao-backup-<UTC time>.tar.gz) or the archive's path",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            outcome = backup_create(out=Path(opts["out"]), progress=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in outcome.lines:
            self.stdout.write(line)
        for warning in outcome.warnings:
            self.stderr.write(f"WARNING: {warning}")
        self.stdout.write(f"backup written: {outcome.archive}")
