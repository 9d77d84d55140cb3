"""The retention purge of every record type (`xiaobao retention_purge [--dry-run]`): one audit record a run.

Each record type has one `core.RetentionRule` row (its period in years or days, its source, on or off); a
type without an active rule is kept. Past its period:

- complaint — ended complaint files anonymised: texts, attachments, personal data go, figures stay
  (complaints/retention.py); legal hold wins;
- report_file — a generated report's file deleted, the job kept with file name, size and SHA-256
  (reports/retention.py);
- import_file — an uploaded import file deleted with the preview and error rows taken from it, the job's
  summary kept; kept while a complaint it created is on legal hold (imports/retention.py);
- notification — read notifications deleted (none about a complaint on legal hold);
- consumer — consumers no complaint has ever named, unchanged for the period: personal data wiped;
- export_file — complaint-export workbooks deleted after the period (7 days by default: a download, not a
  record), the job and its row count kept (complaints/exports.py).

Every run also deletes files in the report, import, export, attachment and template directories that no
row records and that are older than `ORPHAN_GRACE` (a process killed between storing a file and recording
it), and marks jobs whose worker died as failed (a report's stored but unrecorded file goes with it). Then it
writes one audit record with the counts per type, also when there was nothing to do. A dry run counts what
is due and changes nothing. The purge never touches the audit trail itself (append-only).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import Storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.complaints.exports import export_file_purge
from xiaobao.complaints.models import Attachment, ExportJob
from xiaobao.complaints.retention import PurgeReport, complaint_purge, consumer_purge, notification_purge
from xiaobao.core.jobs import job_reap_stale
from xiaobao.core.models import RecordType, RetentionRule
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.core.stored_files import walk
from xiaobao.imports.models import ImportJob
from xiaobao.imports.retention import import_file_purge
from xiaobao.reports.models import ReportJob, ReportTemplate
from xiaobao.reports.retention import report_file_purge

log = logging.getLogger(__name__)

ORPHAN_GRACE = dt.timedelta(hours=1)  # longer than storing a file and recording it can take
FILE_FIELDS: list[tuple[type[models.Model], str]] = [
    (ReportJob, "reports"),
    (ImportJob, "imports"),
    (ExportJob, "exports"),
    (Attachment, "complaints"),
    (ReportTemplate, "report_templates"),
]


@dataclass
class RetentionReport:
    dry_run: bool = False
    complaint: PurgeReport = field(default_factory=PurgeReport)
    report_files: int = 0
    import_files: int = 0
    import_files_held: int = 0
    notifications: int = 0
    consumers: int = 0
    export_files: int = 0
    orphan_files: int = 0
    jobs_reaped: int = 0
    rules: dict[str, str] = field(default_factory=dict)  # record type → period, for the active rules

    def counts(self) -> dict[str, Any]:
        """What the audit record holds: per record type, how many were removed (or are due, dry run)."""
        c = self.complaint
        return {
            "complaint": {
                "anonymised": c.anonymised,
                "consumers_wiped": c.consumers_wiped,
                "attachments_deleted": c.attachments_deleted,
                "on_hold": c.held,
                "references": c.references[:1000],
            },
            "report_file": {"files_deleted": self.report_files},
            "import_file": {"files_deleted": self.import_files, "on_hold": self.import_files_held},
            "notification": {"deleted": self.notifications},
            "consumer": {"wiped": self.consumers},
            "export_file": {"files_deleted": self.export_files},
            "unrecorded_files_deleted": self.orphan_files,
            "jobs_reaped": self.jobs_reaped,
            "rules": self.rules,
        }

    def __str__(self) -> str:
        verb = "due" if self.dry_run else "done"
        lines = [
            f"complaint: {self.complaint}",
            f"report_file: {verb}={self.report_files}",
            f"import_file: {verb}={self.import_files} on_hold={self.import_files_held}",
            f"notification: {verb}={self.notifications}",
            f"consumer: {verb}={self.consumers}",
            f"export_file: {verb}={self.export_files}",
        ]
        lines.append(f"unrecorded files: {verb}={self.orphan_files}")
        if not self.dry_run:
            lines.append(f"jobs whose worker died, reaped: {self.jobs_reaped}")
        return "\n".join(lines)


def orphan_files_sweep(*, older_than: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete stored files that no row records (in the directories of FILE_FIELDS), last modified before
    `older_than` (default: `ORPHAN_GRACE` ago, by the real clock); returns how many (are due)."""
    older_than = older_than or timezone.now() - ORPHAN_GRACE
    deleted = 0
    for model, top in FILE_FIELDS:
        storage: Storage = model._meta.get_field("file").storage  # type: ignore[union-attr]
        names = list(walk(storage, top))
        recorded: set[str] = set()
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            recorded.update(model._default_manager.filter(file__in=chunk).values_list("file", flat=True))
        for name in names:
            if name in recorded:
                continue
            try:
                if storage.get_modified_time(name) >= older_than:
                    continue  # may be on its way to being recorded
                if not dry_run:
                    storage.delete(name)
                deleted += 1
            except FileNotFoundError:
                continue
    if deleted:
        log.info("deleted %d stored file(s) that no record names", deleted)
    return deleted


def retention_purge(
    *, actor: Any = None, now: dt.datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Purge every record type past its rule (see the module's description); `now` moves the retention
    periods' clock only (reaping and the unrecorded-file sweep go by the real clock)."""
    now = now or timezone.now()
    report = RetentionReport(dry_run=dry_run)
    report.rules = {
        rule.record_type: rule.period_code
        for rule in RetentionRule.objects.filter(is_active=True).order_by("pk")
    }
    if not dry_run:
        report.jobs_reaped = sum(job_reap_stale(m) for m in (ReportJob, ImportJob, ExportJob))
    report.complaint = complaint_purge(now=now, dry_run=dry_run)
    report.report_files = report_file_purge(now=now, dry_run=dry_run)
    report.import_files, report.import_files_held = import_file_purge(now=now, dry_run=dry_run)
    report.notifications = notification_purge(now=now, dry_run=dry_run)
    report.consumers = consumer_purge(now=now, dry_run=dry_run)
    report.export_files = export_file_purge(now=now, dry_run=dry_run)
    report.orphan_files = orphan_files_sweep(dry_run=dry_run)
    if dry_run:
        return report
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=RetentionRule._meta.label_lower,
        object_repr=_("retention purge"),
        changes={**report.counts(), "at": now.isoformat()},
    )
    return report


__all__ = ["ORPHAN_GRACE", "RecordType", "RetentionReport", "orphan_files_sweep", "retention_purge"]
