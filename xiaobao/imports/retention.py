"""Retention of uploaded import files: past the rule's period (`RetentionRule` "import_file", counted from
the upload) the file is deleted, with what the job took from it that can hold personal data — the preview
rows and distinct values of the mapping screen and the error report's rows — and the job keeps its summary:
file name, size, SHA-256, the mapping, the counts and the outcome. A file whose complaints include one on
legal hold is kept. A job whose file is gone cannot be validated or imported again (upload it again).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from xiaobao.complaints.models import ComplaintEvent
from xiaobao.core.models import JobState, RecordType, RetentionRule
from xiaobao.core.stored_files import delete_files
from xiaobao.imports.models import ImportJob, ImportStage
from xiaobao.imports.writer import EVENT_ACTION

BATCH = 100


def held_jobs() -> set[int]:
    """Imports that created a complaint now on legal hold (each imported complaint's first event names its
    job)."""
    events = ComplaintEvent.objects.filter(action=EVENT_ACTION, complaint__legal_hold=True)
    return {int(job) for job in events.values_list("data__job", flat=True).distinct() if job is not None}


def _due(cutoff: dt.datetime) -> QuerySet[ImportJob]:
    running = Q(
        stage__in=[ImportStage.VALIDATE, ImportStage.IMPORT], state__in=[JobState.QUEUED, JobState.RUNNING]
    )
    return ImportJob.objects.filter(created_at__lt=cutoff).exclude(file="").exclude(running).order_by("pk")


def import_file_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Delete the uploaded files of imports older than the rule's cutoff; returns (deleted or due, kept
    because of a legal hold)."""
    rule = RetentionRule.active_for(RecordType.IMPORT_FILE)
    if rule is None:
        return 0, 0
    now = now or timezone.now()
    cutoff = rule.cutoff(now)
    held = held_jobs()
    due = _due(cutoff).exclude(pk__in=held)
    kept = _due(cutoff).filter(pk__in=held).count() if held else 0
    if dry_run:
        return due.count(), kept
    storage = ImportJob._meta.get_field("file").storage
    purged = 0
    while batch := list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            names = []
            jobs = _due(cutoff).select_for_update().filter(pk__in=batch).only("pk", "file", "profile")
            for job in jobs:
                names.append(job.file.name or "")
                profile: dict[str, Any] = job.profile or {}
                ImportJob.objects.filter(pk=job.pk).update(
                    file="",
                    file_purged_at=now,
                    profile={"headers": profile.get("headers", []), "rows": profile.get("rows", 0)},
                    errors=[],
                    updated_at=timezone.now(),
                )
                purged += 1
            transaction.on_commit(partial(delete_files, storage, names))
    return purged, kept
