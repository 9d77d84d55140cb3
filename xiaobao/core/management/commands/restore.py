from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a `xiaobao backup` archive into an EMPTY database (DATABASE_URL) and an empty MEDIA_ROOT. "
        "Every file is checked against the manifest first; after restoring, row counts, the audit chain and "
        "its head, the vault keys and every file are verified. Refuses a database that has tables."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by `xiaobao backup`")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="check the archive's checksums, migrations and vault keys; restore nothing",
        )
        parser.add_argument(
            "--allow-missing-keys",
            action="store_true",
            help="restore even if the keyring cannot decrypt some personal data (it stays unreadable)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            outcome = backup_restore(
                archive=Path(opts["archive"]),
                verify_only=opts["verify_only"],
                allow_missing_keys=opts["allow_missing_keys"],
                progress=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in outcome.lines:
            self.stdout.write(line)
        for warning in outcome.warnings:
            self.stderr.write(f"WARNING: {warning}")
        self.stdout.write("archive verified: nothing restored" if opts["verify_only"] else "restore complete")
