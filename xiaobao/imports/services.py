"""Write side of imports: upload a file (a job), adjust its mapping, validate it, import it; presets.

The page, the API and the `import_complaints` command all go through these services. A run (`import_job_run`)
reads the stored file, checks every row in memory (validation.py) and, for the import stage, writes the valid
rows in bulk (writer.py) — all of them or none — unless some rows are invalid and the user did not choose
to skip them, in which case nothing is written and the job fails with the error report.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.core.errors import Conflict
from xiaobao.core.jobs import job_fail, job_finish, job_progress, job_reap_stale, job_run
from xiaobao.core.models import JobState, OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.imports import readers, writer
from xiaobao.imports.kinds import COMPLAINTS, ImportKind, kind_of
from xiaobao.imports.models import MANAGE_PRESETS_PERM, ImportJob, ImportPreset, ImportStage
from xiaobao.imports.targets import norm_header, resolve_columns
from xiaobao.imports.validation import Result

Progress = Callable[[ImportJob], None]


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- upload ---------------------------------------------------------------------------------------------


def import_job_create(
    *,
    actor: User,
    fileobj: IO[bytes],
    name: str,
    preset: ImportPreset,
    org_unit: OrgUnit,
    skip_invalid: bool = False,
    received_on: dt.date | None = None,
    language: str | None = None,
) -> ImportJob:
    """Store an uploaded file as a job queued to be read (stage `read`); the caller enqueues it, or starts
    the validation or import at once (`import_job_start`). Only cheap checks run here — size, kind by content,
    a workbook's unzipped size and compression ratio — the rows are read by the worker (`_read`), which takes
    the preset's mapping matched to the file's headers. The job is of the preset's kind (complaints, or a
    kind a module declares), which the actor must be allowed to import."""
    import_kind = kind_of(preset.kind)
    if not actor.has_perm(import_kind.permission):
        raise PermissionDenied
    job_reap_stale(ImportJob)  # runs whose worker died are marked failed, not left "running" for ever
    if not org_unit.is_active or not unit_in_scope(actor, org_unit):
        raise _err("org_unit", _("Unknown or closed unit."))
    limit = readers.max_bytes()
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise _err("file", _("The file is larger than %(mb)d MB.") % {"mb": limit // 2**20})
    kind, encoding = readers.sniff(data)
    job = ImportJob(
        requested_by=actor,
        org_unit=org_unit,
        kind=import_kind.code,
        preset=preset,
        original_name=(name.replace("/", "_").replace("\\", "_")[-200:] or f"import.{kind}"),
        file_kind=kind,
        encoding=encoding,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        skip_invalid=skip_invalid,
        received_on=received_on,
        language=(language or translation.get_language() or settings.LANGUAGE_CODE)[:10],
        value_maps=copy.deepcopy(preset.value_maps or {}),
        defaults=copy.deepcopy(preset.defaults or {}),
        stage=ImportStage.READ,
        state=JobState.QUEUED,
    )
    with transaction.atomic():
        job.file.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
        job.save()
    return job


# --- mapping --------------------------------------------------------------------------------------------


def _editable(job: ImportJob, starting: bool = False) -> None:
    """Refuses changes to a purged, running or imported job; a job still queued to be read may be started
    (its run reads the file first)."""
    if job.file_purged_at:
        raise Conflict(
            _("The uploaded file was deleted after its retention period; upload it again."),
            code="file_purged",
        )
    waiting_to_be_read = job.stage == ImportStage.READ and job.state == JobState.QUEUED
    if job.is_active and not (starting and waiting_to_be_read):
        raise Conflict(_("This import is running; wait until it finishes."), code="job_running")
    if job.is_imported:
        raise Conflict(_("This file has been imported; upload it again to import it again."), code="imported")


def _clean_columns(job: ImportJob, columns: dict[str, str]) -> dict[str, str]:
    headers = set(job.profile.get("headers", []))
    targets = kind_of(job.kind).targets_by_name
    out = {}
    for field, header in (columns or {}).items():
        if field not in targets:
            raise _err("columns", _("Unknown field: %(f)s") % {"f": field})
        if header in (None, ""):
            continue
        if header not in headers:
            raise _err(f"col_{field}", _("The file has no column %(h)s.") % {"h": header})
        out[field] = header
    return out


def _clean_maps(kind: ImportKind, value_maps: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for dim, mapping in (value_maps or {}).items():
        if dim not in kind.dimensions or not isinstance(mapping, dict):
            raise _err("value_maps", _("Unknown value table: %(d)s") % {"d": dim})
        # An empty target removes the entry (the value then gets the default), except for liability,
        # where "" is a choice: not determined.
        out[dim] = {
            str(k).strip()[:100]: str(v or "")
            for k, v in mapping.items()
            if str(k).strip() and (v or dim == "liability")
        }
    return out


def import_job_set_mapping(
    *,
    actor: User,
    job: ImportJob,
    columns: dict[str, str],
    value_maps: dict[str, Any],
    defaults: dict[str, Any],
    skip_invalid: bool,
    received_on: dt.date | None,
) -> ImportJob:
    """Replace the job's mapping (columns by the file's headers, value tables, defaults, options)."""
    _editable(job)
    kind = kind_of(job.kind)
    cleaned_maps = _clean_maps(kind, value_maps)
    merged_defaults = {**(job.defaults or {}), **(defaults or {})}
    kind.check(cleaned_maps, merged_defaults)
    job.columns = _clean_columns(job, columns)
    job.value_maps, job.defaults = cleaned_maps, merged_defaults
    job.skip_invalid, job.received_on = skip_invalid, received_on
    job.stage, job.state, job.validated_at = ImportStage.MAPPING, JobState.QUEUED, None
    job.save(
        update_fields=[
            "columns",
            "value_maps",
            "defaults",
            "skip_invalid",
            "received_on",
            "stage",
            "state",
            "validated_at",
            "updated_at",
        ]
    )
    return job


# --- runs -----------------------------------------------------------------------------------------------


def import_job_start(*, actor: User, job: ImportJob, stage: str) -> ImportJob:
    """Queue a validation (dry run) or the import itself; refuses to import a file known to be invalid
    unless the user chose to skip invalid rows. The caller enqueues the task (or runs it in place). A job
    still queued to be read may be started: its run reads the file first."""
    _editable(job, starting=True)
    if stage not in (ImportStage.VALIDATE, ImportStage.IMPORT):
        raise _err("stage", _("Unknown stage."))
    if stage == ImportStage.IMPORT and job.is_validated and job.invalid and not job.skip_invalid:
        raise Conflict(
            _("%(n)d rows are invalid: correct the file, or choose to skip invalid rows.")
            % {"n": job.invalid},
            code="invalid_rows",
        )
    fields = {
        "stage": stage,
        "state": JobState.QUEUED,
        "progress_done": 0,
        "message": "",
        "error": "",
        "started_at": None,
        "finished_at": None,
        "heartbeat_at": None,
        "updated_at": timezone.now(),
    }
    moved = (
        ImportJob.objects.filter(pk=job.pk)
        .exclude(
            state__in=[JobState.QUEUED, JobState.RUNNING],
            stage__in=[ImportStage.VALIDATE, ImportStage.IMPORT],
        )
        .exclude(stage=ImportStage.IMPORT, state=JobState.DONE)
        .exclude(stage=ImportStage.READ, state=JobState.RUNNING)
        .update(**fields)
    )
    if not moved:
        raise Conflict(_("This import is running or has finished."), code="job_running")
    job.refresh_from_db()
    return job


def _report(job: ImportJob, result: Result, existing: int) -> None:
    job.valid_rows, job.invalid, job.duplicates = len(result.rows), result.invalid, result.duplicates
    job.errors, job.error_count = [e.as_dict() for e in result.errors], result.error_count
    job.unmapped, job.skipped_existing = result.unmapped_json(), existing
    job.validated_at = timezone.now()
    job.save(
        update_fields=[
            "valid_rows",
            "invalid",
            "duplicates",
            "errors",
            "error_count",
            "unmapped",
            "skipped_existing",
            "validated_at",
            "updated_at",
        ]
    )


def _summary(job: ImportJob) -> str:
    return _(
        "%(rows)d rows: %(created)d imported, %(existing)d already imported, %(invalid)d invalid, "
        "%(unmapped)d values not in the value tables."
    ) % {
        "rows": job.rows,
        "created": job.created,
        "existing": job.skipped_existing,
        "invalid": job.invalid,
        "unmapped": job.unmapped_total,
    }


def _audit(job: ImportJob, actor: User, outcome: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=job,
        changes={
            "file": job.original_name,
            "unit": job.org_unit.code,
            "preset": job.preset.name if job.preset else "",
            "outcome": outcome,
            "rows": job.rows,
            "created": job.created,
            "skipped_existing": job.skipped_existing,
            "invalid": job.invalid,
        },
    )


def _read(job: ImportJob, progress: Callable[..., None]) -> readers.Table:
    """The file's rows, read here in the worker (never in the web request); the first read records the
    profile the mapping screen shows and the preset's mapping matched to the file's headers."""
    progress(0, None, _("Reading the file"))
    job.file.open("rb")
    try:
        data = job.file.read()
    finally:
        job.file.close()
    table = readers.read_table(data, job.file_kind, job.encoding)
    if not job.profile:
        job.profile = readers.profile(table)
        job.rows = job.progress_total = len(table.rows)
        job.columns = resolve_columns(
            job.preset.columns if job.preset else {}, table.headers, kind_of(job.kind).targets_by_name
        )
        job.save(update_fields=["profile", "rows", "progress_total", "columns", "updated_at"])
    return table


def _work(job: ImportJob, on_progress: Progress | None, batch_size: int) -> None:
    def progress(done: int, total: int | None = None, message: str = "") -> None:
        job_progress(job, done=done, total=total, message=message)
        if on_progress:
            on_progress(job)

    user, unit, kind = job.requested_by, job.org_unit, kind_of(job.kind)
    if not (
        user.is_active and user.has_perm(kind.permission) and unit.is_active and unit_in_scope(user, unit)
    ):
        raise PermissionDenied(
            _("%(user)s may no longer import into %(unit)s.") % {"user": user, "unit": unit.name}
        )
    table = _read(job, progress)
    if job.stage == ImportStage.READ:
        job_finish(job, message=_("%(n)d rows read.") % {"n": job.rows}, stage=ImportStage.MAPPING)
        return
    writing = job.stage == ImportStage.IMPORT
    n = len(table.rows)
    # Writing takes about three times as long as checking: the bar gives it three quarters.
    total = n * 4 if writing else n
    progress(0, total, _("Checking rows"))
    checked = kind.resolve("run")(job, table, lambda done: progress(done, message=_("Checking rows")))
    result = checked.result
    _report(job, result, checked.existing)
    if not writing:
        job_finish(job, message=_summary(job))
        return
    if result.invalid and (not job.skip_invalid or not result.rows):
        _audit(job, job.requested_by, "refused")
        job_fail(
            job,
            reason=_("Nothing was imported: %(n)d rows are invalid (see the error report).")
            % {"n": result.invalid},
        )
        return
    progress(n, message=str(kind.writing_message) % {"n": len(result.rows)})

    def audited(created: int, skipped: int) -> None:
        job.created, job.skipped_existing = created, skipped
        _audit(job, job.requested_by, "imported")

    created, skipped = checked.write(
        batch_size, lambda fraction: progress(n + int(3 * n * fraction)), audited
    )
    job_finish(
        job,
        message=_summary(job),
        created=created,
        skipped_existing=skipped,
        imported_at=timezone.now(),
    )


def _refusals_as_messages(job: ImportJob, work: Callable[[], None]) -> None:
    """A file refused while it is read (too many rows, unreadable) fails the job with the message itself."""
    try:
        work()
    except ValidationError as exc:
        job_fail(job, reason=" ".join(exc.messages))


def import_job_run(
    *, job: ImportJob, on_progress: Progress | None = None, batch_size: int = writer.BATCH_SIZE
) -> ImportJob:
    """Run a queued job (validation or import) to its end; the outcome is on the job (state, counts)."""
    job = ImportJob.objects.select_related("org_unit", "requested_by", "preset").get(pk=job.pk)
    with translation.override(job.language):  # messages and the error report in the requester's language
        job_run(job, lambda j: _refusals_as_messages(j, lambda: _work(j, on_progress, batch_size)))
    job.refresh_from_db()
    return job


# --- presets --------------------------------------------------------------------------------------------


def _clean_aliases(kind: ImportKind, columns: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, names in (columns or {}).items():
        if field not in kind.targets_by_name:
            raise _err("columns", _("Unknown field: %(f)s") % {"f": field})
        names = [names] if isinstance(names, str) else list(names or [])
        seen, kept = set(), []
        for name in names:
            name = str(name).strip()[:100]
            if name and norm_header(name) not in seen:
                seen.add(norm_header(name))
                kept.append(name)
        if kept:
            out[field] = kept
    return out


@transaction.atomic
def import_preset_save(
    *,
    actor: User,
    name: str,
    preset: ImportPreset | None = None,
    description: str | None = None,
    columns: dict[str, Any] | None = None,
    value_maps: dict[str, Any] | None = None,
    defaults: dict[str, Any] | None = None,
    kind: str = COMPLAINTS,
) -> ImportPreset:
    """Create or edit a preset (columns as alias lists, value tables, defaults); audited. `kind` is the kind
    of a new preset (an existing preset keeps its own)."""
    if not actor.has_perm(MANAGE_PRESETS_PERM):
        raise PermissionDenied
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise _err("name", _("Give the preset a name of at most 60 characters."))
    others = ImportPreset.objects.filter(name=name)
    clash = (others.exclude(pk=preset.pk) if preset else others).exists()
    if clash:
        raise _err("name", _("A preset with this name exists."))
    if preset is not None:
        preset = ImportPreset.objects.select_for_update().get(pk=preset.pk)
    before = snapshot(preset) if preset else None
    preset = preset or ImportPreset(file_kinds=["csv", "xlsx"], kind=kind)
    kind_def = kind_of(preset.kind)
    preset.name = name
    if description is not None:
        preset.description = description.strip()[:300]
    if columns is not None:
        preset.columns = _clean_aliases(kind_def, columns)
    if value_maps is not None:
        preset.value_maps = {**(preset.value_maps or {}), **_clean_maps(kind_def, value_maps)}
    if defaults is not None:
        preset.defaults = {**(preset.defaults or {}), **defaults}
    kind_def.check(preset.value_maps, preset.defaults)
    preset.updated_by = actor
    preset.full_clean()
    preset.save()
    audit_change(actor=actor, obj=preset, before=before)
    return preset


def import_preset_set_values(
    *, actor: User, preset: ImportPreset, dimension: str, values: dict[str, str]
) -> ImportPreset:
    """Replace one value table of a preset (e.g. the other system's products → our business types)."""
    if dimension not in kind_of(preset.kind).dimensions:
        raise _err("dimension", _("Unknown value table: %(d)s") % {"d": dimension})
    return import_preset_save(actor=actor, preset=preset, name=preset.name, value_maps={dimension: values})


def import_preset_from_job(*, actor: User, job: ImportJob, name: str) -> ImportPreset:
    """Save a job's mapping as a named preset: a new one, or the named one updated (its header aliases kept,
    the file's headers added first; a field deliberately left unmapped for this file is dropped)."""
    target = ImportPreset.objects.filter(name=(name or "").strip()).first()
    if target is not None and target.kind != job.kind:
        raise _err("name", _("A preset with this name exists."))
    base = target or job.preset
    columns = copy.deepcopy(base.columns) if base else {}
    headers = {norm_header(h) for h in job.profile.get("headers", [])}
    for field in kind_of(job.kind).targets_by_name:
        aliases = columns.get(field) or []
        if field in job.columns:
            columns[field] = [job.columns[field], *aliases]
        elif any(norm_header(a) in headers for a in aliases):
            columns.pop(field, None)
    return import_preset_save(
        actor=actor,
        name=name,
        preset=target,
        description=None if target else (base.description if base else ""),
        columns=columns,
        value_maps=job.value_maps,
        defaults=job.defaults,
        kind=job.kind,
    )
