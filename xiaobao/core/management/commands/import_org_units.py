from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.services.org import org_units_import


class Command(BaseCommand):
    help = "Import or update units from an .xlsx sheet (code, name, kind, parent_code, region_code)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        with opts["file"].open("rb") as fh:
            report = org_units_import(actor=None, fileobj=fh, scope_root=None)
        for err in report.errors:
            for field, msg in err["fields"].items():
                self.stderr.write(f"row {err['row']}: {field}: {msg}")
        if not report.ok:
            raise CommandError(f"nothing imported: {len(report.errors)} rows with errors")
        self.stdout.write(f"created {report.created}, updated {report.updated}")
