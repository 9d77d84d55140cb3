"""The complaint list as spreadsheet rows: masked complainant name only, never ID numbers or phones.

Free text (request, description) stays out too: it is where personal details end up. Cells are passed to
`xiaobao.core.exports.xlsx_response`, which neutralises anything a spreadsheet would run as a formula.

A list longer than `COMPLAINT_EXPORT_SYNC_ROWS` (default 2,000) is exported by the task worker instead
(`export_request` → `export_run`): same filters, scope and masking, with progress on the job's page, and the
workbook is downloadable by its requester only (each download audited) for the period of the retention rule
"export_file" (7 days by default; the retention purge deletes it then).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.complaints.choices import ClockState, Liability, Priority, Source, Status
from xiaobao.complaints.models import Complaint, ExportJob
from xiaobao.core.errors import Conflict
from xiaobao.core.exports import xlsx_bytes
from xiaobao.core.jobs import (
    job_enqueue,
    job_finish_with_file,
    job_progress,
    job_reap_stale,
    job_run,
)
from xiaobao.core.models import RecordType, RetentionRule
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.jobs import JobState
from xiaobao.core.services.audit import audit_record
from xiaobao.core.stored_files import delete_files
from xiaobao.core.vault import crypto

log = logging.getLogger(__name__)


def _label(choices: Any, value: str | None) -> str:
    return str(dict(choices.choices).get(value, value or ""))


def complaint_sheet(complaints: Iterable[Complaint]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows for rows of `selectors.complaint_list` (annotated with the decision clock)."""
    headers = [
        _("Reference"),
        _("Received at"),
        _("Day of receipt"),
        _("Source"),
        _("Channel"),
        _("Business type"),
        _("Cause"),
        _("Responsible unit"),
        _("Status"),
        _("Handler"),
        _("Complainant"),
        _("Product"),
        _("Amount in dispute"),
        _("Decision due"),
        _("Decision clock"),
        _("Major"),
        _("Priority"),
        _("Liability"),
        _("Closed at"),
    ]
    rows = [
        [
            c.reference,
            c.received_at,
            c.receipt_date,
            _label(Source, c.source),
            str(c.channel),
            str(c.business_type),
            str(c.cause),
            f"{c.org_unit.name} ({c.org_unit.code})",
            _label(Status, c.status),
            c.handler.username if c.handler else "",
            c.complainant.masked_name,
            c.product,
            float(c.amount_in_dispute) if c.amount_in_dispute is not None else None,
            getattr(c, "decision_due", None),
            _label(ClockState, getattr(c, "decision_state", None)),
            _("yes") if c.is_major else "",
            _label(Priority, c.priority),
            _label(Liability, c.liability) if c.liability else "",
            c.closed_at,
        ]
        for c in complaints
    ]
    return headers, rows


# --- large exports: a background job with progress ------------------------------------------------------

EXPORT_LIMIT = 100_000  # rows in one workbook
# up to this many rows the export is answered in the request (setting COMPLAINT_EXPORT_SYNC_ROWS)
SYNC_ROWS = 2_000
PROGRESS_EVERY = 1_000
QUERY_KIND = "export_query"  # the vault's context for an export job's sealed query string


def export_file_days() -> int | None:
    """How many days an export's workbook is kept (RetentionRule "export_file"; None: kept)."""
    rule = RetentionRule.active_for(RecordType.EXPORT_FILE)
    if rule is None:
        return None
    return rule.days or 365 * (rule.years or 0)


class ExportError(Exception):
    """A reason the export cannot be built, kept as the job's reason."""


def sync_rows() -> int:
    return int(getattr(settings, "COMPLAINT_EXPORT_SYNC_ROWS", SYNC_ROWS))


def export_is_large(rows: QuerySet[Complaint]) -> bool:
    """More rows than are answered in the request (counted up to the limit + 1 only)."""
    limit = sync_rows()
    return rows.order_by()[: limit + 1].count() > limit


def _filters_for_audit(filters: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in filters.items() if v not in (None, "", [])}


def export_request(*, actor: Any, query: dict[str, list[str]], filters: dict[str, Any]) -> ExportJob:
    """Record the export job (who, which filters; audited) and queue it; returns the job as it stands."""
    from xiaobao.core.models import OrgUnit

    job_reap_stale(ExportJob)
    unit = actor.org_unit or OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if unit is None:
        raise Conflict(_("The institution has no units yet."), code="no_unit")
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor,
            org_unit=unit,
            query={"sealed": crypto.encrypt(json.dumps(query), QUERY_KIND)},  # free text may name a person
            language=translation.get_language() or "zh-hans",
        )
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=job, changes={"filters": _filters_for_audit(filters)}
        )
    _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: ExportJob) -> None:
    from xiaobao.complaints.tasks import complaint_export_task

    job_enqueue(job, complaint_export_task)


def export_run(job: ExportJob) -> ExportJob:
    """Claim and run one export job (the task comes here); failures are recorded on the job."""
    return job_run(job, _export_build)


def _export_build(job: ExportJob) -> None:
    """The requester's filtered list (their scope, as now), masked as the synchronous export, stored."""
    from xiaobao.complaints.filtersets import ComplaintFilter
    from xiaobao.complaints.selectors import complaint_list

    with translation.override(job.language or None):
        user = job.requested_by
        if not (user.is_active and user.has_perm("complaints.export_complaint")):
            raise ExportError(_("The requester may no longer export complaints."))
        params = QueryDict(mutable=True)
        for key, values in _query_of(job).items():
            params.setlist(key, [str(v) for v in values])
        form = ComplaintFilter(params or None)
        if form.is_bound and not form.is_valid():
            raise ExportError(_("The filters of this export are not valid."))
        rows = complaint_list(user=user, filters=form.cleaned_data if form.is_bound else {})[:EXPORT_LIMIT]
        total = rows.count()
        job_progress(job, done=0, total=total + 1, message=_("Reading complaints"))
        headers, sheet = complaint_sheet(_counted(rows.iterator(chunk_size=PROGRESS_EVERY), job, total))
        job_progress(job, done=total, message=_("Writing the workbook"))
        _store(job, xlsx_bytes(_("Complaints"), headers, sheet), len(sheet))


def _store(job: ExportJob, content: bytes, rows: int) -> None:
    """Store the workbook under a name starting with the job's id, then record it and finish the job (a
    recording that fails takes its file with it; the orphan sweep finds one a killed worker left)."""
    filename = f"complaints-{timezone.localdate():%Y%m%d}-{job.pk}.xlsx"
    job_finish_with_file(
        job,
        stored=f"job{job.pk}_{filename}",
        filename=filename,
        content=content,
        rows=rows,
        query={},  # the filters are not kept once used
    )


def _query_of(job: ExportJob) -> dict[str, list[str]]:
    sealed = (job.query or {}).get("sealed")
    return json.loads(crypto.decrypt(sealed, QUERY_KIND)) if sealed else {}


def _counted(rows: Iterable[Complaint], job: ExportJob, total: int) -> Iterator[Complaint]:
    for i, complaint in enumerate(rows, start=1):
        yield complaint
        if i % PROGRESS_EVERY == 0:
            job_progress(job, done=i, total=total + 1)


def export_file(*, actor: Any, job: ExportJob) -> IO[bytes]:
    """Open a finished export's workbook for its requester; every download is audited."""
    if job.state == JobState.DONE and not job.file:
        raise Conflict(
            _("The file was deleted %(days)s days after it was built; export the list again.")
            % {"days": export_file_days()},
            code="file_purged",
        )
    if not job.has_file:
        raise Conflict(_("The export is not ready."), code="not_ready")
    fh = job.file.open("rb")
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=job,
        object_repr="complaint list export",
        changes={"file": job.filename, "rows": job.rows, "sha256": job.sha256},
    )
    return fh


def export_file_purge(*, now: dt.datetime, dry_run: bool = False) -> int:
    """Delete the workbooks of exports built before the rule's cutoff (RetentionRule "export_file"; the job
    stays, with its row count); how many (are due)."""
    rule = RetentionRule.active_for(RecordType.EXPORT_FILE)
    if rule is None:
        return 0
    due = (
        ExportJob.objects.filter(state=JobState.DONE, finished_at__lt=rule.cutoff(now))
        .exclude(file="")
        .order_by("pk")
    )
    if dry_run:
        return due.count()
    storage = ExportJob._meta.get_field("file").storage
    deleted = 0
    while batch := list(due.values_list("pk", "file")[:500]):
        with transaction.atomic():
            deleted += (
                ExportJob.objects.filter(pk__in=[pk for pk, _ in batch]).exclude(file="").update(file="")
            )
            # the files go once the rows no longer name them (a rolled-back batch keeps both)
            transaction.on_commit(partial(delete_files, storage, [name for _, name in batch]))
    return deleted
