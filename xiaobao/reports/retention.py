"""Retention of generated report files: past the rule's period (`RetentionRule` "report_file", counted from
when the report was generated) the file is deleted and the job stays — kind, period, unit, who asked, file
name, size and SHA-256 — with the moment the file went (`file_purged_at`). A report can be asked for again.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.utils import timezone

from xiaobao.core.models import JobState, RecordType, RetentionRule
from xiaobao.core.stored_files import delete_files
from xiaobao.reports.models import ReportJob

BATCH = 200


def report_file_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete the files of reports generated before the rule's cutoff; returns how many (are due)."""
    rule = RetentionRule.active_for(RecordType.REPORT_FILE)
    if rule is None:
        return 0
    now = now or timezone.now()
    due = (
        ReportJob.objects.filter(state=JobState.DONE, finished_at__lt=rule.cutoff(now))
        .exclude(file="")
        .order_by("pk")
    )
    if dry_run:
        return due.count()
    storage = ReportJob._meta.get_field("file").storage
    purged = 0
    while batch := list(due.values_list("pk", "file")[:BATCH]):
        with transaction.atomic():
            purged += (
                ReportJob.objects.filter(pk__in=[pk for pk, _ in batch])
                .exclude(file="")
                .update(file="", file_purged_at=now, updated_at=timezone.now())
            )
            # the files go once the rows no longer name them (a rolled-back batch keeps both)
            transaction.on_commit(partial(delete_files, storage, [name for _, name in batch]))
    return purged
