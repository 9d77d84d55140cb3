"""`xiaobao import_complaints FILE --preset cfpb --org B1 [--skip-invalid] [--actor NAME] [--received-on D]`.

Runs the same services as the import pages, synchronously, with a progress line on the terminal and a
summary at the end. Exit status: 0 when the rows were imported (or were all imported before), 1 when nothing
was written because rows are invalid (the first errors are printed) or the run failed, 2 for bad arguments.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.models import JobState, OrgUnit, User
from xiaobao.imports.models import ImportJob, ImportPreset, ImportStage
from xiaobao.imports.services import import_job_create, import_job_run, import_job_start
from xiaobao.imports.writer import BATCH_SIZE

SHOWN_ERRORS = 20


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Import historical complaints from an Excel (.xlsx) or CSV file with a named preset."
    _next_percent = 0  # next progress step printed when stderr is not a terminal

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--preset", required=True, help="preset name (e.g. cfpb)")
        parser.add_argument("--org", required=True, help="code of the unit the complaints belong to")
        parser.add_argument(
            "--actor", help="username recorded as first responder (default: the only active superuser)"
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, skip the rest"
        )
        parser.add_argument(
            "--received-on",
            help="date of receipt (YYYY-MM-DD) for rows without one (files with no date column)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"rows per batch ({BATCH_SIZE})"
        )

    def _actor(self, username: str | None) -> User:
        """The named user; without --actor the only active superuser (an import is recorded with who ran
        it, so the command never picks one of several people)."""
        qs = User.objects.filter(is_active=True)
        if username:
            actor = qs.filter(username=username).first()
            if actor is None:
                raise CommandError(f"unknown or inactive user {username!r}", returncode=2)
            return actor
        admins = list(qs.filter(is_superuser=True)[:2])
        if len(admins) != 1:
            raise CommandError("give --actor (there is not exactly one active superuser)", returncode=2)
        return admins[0]

    def _progress(self, job: ImportJob) -> None:
        if not job.progress_total:
            return
        line = f"\r{job.message or job.get_stage_display()}: {job.percent:3d}%"
        if self.stderr.isatty():
            self.stderr.write(line.ljust(60), ending="")
        elif job.percent >= self._next_percent:
            self.stderr.write(line.strip())
            self._next_percent = job.percent + 10

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        preset = ImportPreset.objects.filter(name=options["preset"]).first()
        if preset is None:
            names = ", ".join(ImportPreset.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"unknown preset {options['preset']!r} (presets: {names})", returncode=2)
        unit = OrgUnit.objects.filter(code=options["org"]).first()
        if unit is None:
            raise CommandError(f"unknown unit {options['org']!r}", returncode=2)
        received_on = None
        if options["received_on"]:
            try:
                received_on = dt.date.fromisoformat(options["received_on"])
            except ValueError as exc:
                raise CommandError("--received-on must be a date YYYY-MM-DD", returncode=2) from exc
        actor = self._actor(options["actor"])
        try:
            with path.open("rb") as fh:
                job = import_job_create(
                    actor=actor,
                    fileobj=fh,
                    name=path.name,
                    preset=preset,
                    org_unit=unit,
                    skip_invalid=options["skip_invalid"],
                    received_on=received_on,
                    language=settings.LANGUAGE_CODE,
                )
        except PermissionDenied as exc:
            raise CommandError(f"{actor.username} may not import complaints", returncode=2) from exc
        except ValidationError as exc:
            raise CommandError(_messages(exc), returncode=2) from exc
        self._next_percent = 0
        job = import_job_start(actor=actor, job=job, stage=ImportStage.IMPORT)
        job = import_job_run(job=job, on_progress=self._progress, batch_size=options["batch_size"])
        if self.stderr.isatty():
            self.stderr.write("")
        self._summary(job)
        if job.state != JobState.DONE:
            raise CommandError(job.error or "the import failed", returncode=1)

    def _summary(self, job: ImportJob) -> None:
        out = self.stdout
        out.write(f"import #{job.pk} {job.original_name} → {job.org_unit.code} ({job.get_state_display()})")
        out.write(f"  rows:               {job.rows}")
        out.write(f"  imported:           {job.created}")
        out.write(f"  already imported:   {job.skipped_existing}")
        out.write(f"  repeated in file:   {job.duplicates}")
        out.write(
            f"  invalid:            {job.invalid}"
            + (" (skipped)" if job.skip_invalid and job.invalid else "")
        )
        for dimension, values in (job.unmapped or {}).items():
            shown = ", ".join(f"{v} ×{n}" for v, n in list(values.items())[:8])
            more = f" … (+{len(values) - 8})" if len(values) > 8 else ""
            out.write(f"  not in the {dimension} table (→ other): {shown}{more}")
        for e in job.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"  row {e['row']} · {e['column']}: {e['message']}")
        if job.error_count > SHOWN_ERRORS:
            self.stderr.write(f"  … {job.error_count - SHOWN_ERRORS} more errors")
