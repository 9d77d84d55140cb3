"""Write side of reports: ask for a report (a job), generate it, hand the file out (audited), templates."""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.analytics.periods import Period
from xiaobao.complaints.models import ComplaintCode
from xiaobao.core.jobs import (
    job_enqueue,
    job_finish_with_file,
    job_progress,
    job_reap_stale,
    job_run,
)
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_record
from xiaobao.core.validators import check_zip_bounds
from xiaobao.reports.builders import BuildContext, NoChineseFont, build
from xiaobao.reports.choices import (
    DEFAULT_KIND_PERM,
    EXTENSIONS,
    FILE_STEMS,
    KIND_GRAINS,
    KIND_PERMS,
    TEMPLATE_KINDS,
    ReportKind,
)
from xiaobao.reports.files import stored_name
from xiaobao.reports.fill import TemplateError
from xiaobao.reports.models import ReportJob, ReportTemplate
from xiaobao.reports.placeholders import references, scan_workbook

log = logging.getLogger(__name__)

RUN_PERM = "reports.run_report"
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024
Progress = Callable[[int, int, str], None]


class ReportError(ValueError):
    """The report cannot be generated (the job fails with this message)."""


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- asking for a report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    period: Period
    unit: OrgUnit
    template: ReportTemplate | None


def grain_names() -> dict[str, str]:
    return {
        "month": _("a month (2026-10)"),
        "quarter": _("a quarter (2026-Q3)"),
        "half": _("a half-year (2026-H1)"),
        "year": _("a year (2026)"),
    }


def report_validate(
    *, actor: Any, kind: str, period: str, unit_code: str, template_id: int | None = None
) -> ReportRequest:
    """Check a request field by field (all errors at once): kind, period, unit in scope, template."""
    errors: dict[str, list[str]] = {}
    if kind not in ReportKind.values:
        errors["kind"] = [_("Choose a kind of report.")]
    elif kind in KIND_PERMS and not actor.has_perm(KIND_PERMS[kind]):
        errors["kind"] = [_("You may not see the figures of this report.")]
    parsed: Period | None = None
    try:
        parsed = Period.parse(period)
    except ValueError as exc:
        errors["period"] = [str(exc)]
    if parsed is not None and kind in KIND_GRAINS and parsed.grain not in KIND_GRAINS[kind]:
        wanted = " / ".join(grain_names()[g] for g in KIND_GRAINS[kind])
        errors["period"] = [_("This report covers %(wanted)s.") % {"wanted": wanted}]
    elif parsed is not None and parsed.start > timezone.localdate():
        errors["period"] = [_("The period has not begun yet.")]
    unit = OrgUnit.objects.filter(code=(unit_code or "").strip()).first()
    if unit is None or not unit_in_scope(actor, unit):
        errors["org_unit"] = [_("Unknown unit, or not in your scope.")]
    template = None
    if template_id:
        template = ReportTemplate.objects.filter(pk=template_id, is_active=True).first()
        if template is None:
            errors["template"] = [_("Unknown or retired template.")]
        elif template.kind != kind:
            errors["template"] = [_("This template is for another kind of report.")]
    if errors:
        raise ValidationError(errors)
    return ReportRequest(kind, parsed, unit, template)  # type: ignore[arg-type]


def report_request(
    *,
    actor: Any,
    kind: str,
    period: str,
    unit_code: str,
    template_id: int | None = None,
    enqueue: bool = True,
) -> ReportJob:
    """Record the job (who asked, when, what) and queue its generation; returns the job as it stands."""
    req = report_validate(actor=actor, kind=kind, period=period, unit_code=unit_code, template_id=template_id)
    job_reap_stale(ReportJob)  # jobs whose worker died are marked failed, not left "running" for ever
    with transaction.atomic():
        job = ReportJob(
            kind=req.kind,
            period=req.period.label,
            org_unit=req.unit,
            template=req.template,
            requested_by=actor,
            language=translation.get_language() or "zh-hans",
        )
        job.full_clean()
        job.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=job,
            changes={"kind": [None, job.kind], "period": [None, job.period], "unit": [None, req.unit.code]},
        )
    if enqueue:
        _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: ReportJob) -> None:
    from xiaobao.reports.tasks import report_generate_task

    job_enqueue(job, report_generate_task)


# --- generating -------------------------------------------------------------------------------------------


def report_filename(kind: str, period: Period, unit: OrgUnit) -> str:
    code = re.sub(r"[^\w-]", "_", unit.code)
    return f"{FILE_STEMS[kind]}_{period.label}_{code}.{EXTENSIONS[kind]}"


def report_generate(job: ReportJob, on_progress: Progress | None = None) -> None:
    """Build the file for the job as its requester (their scope, today), store it, finish the job."""

    def progress(done: int, total: int, message: str) -> None:
        job_progress(job, done=done, total=total, message=message)
        if on_progress is not None:
            on_progress(done, total, message)

    with translation.override(job.language or None):
        user, unit = job.requested_by, job.org_unit
        needed = KIND_PERMS.get(job.kind, DEFAULT_KIND_PERM)
        allowed = user.is_active and user.has_perm(RUN_PERM) and user.has_perm(needed)
        if not allowed or not unit_in_scope(user, unit):
            raise ReportError(_("The requester may no longer run reports for this unit."))
        try:
            period = Period.parse(job.period)
        except ValueError as exc:
            raise ReportError(str(exc)) from exc
        ctx = BuildContext(user=user, unit=unit, period=period, template=job.template, progress=progress)
        content = build(job.kind, ctx)
        filename = report_filename(job.kind, period, unit)
        # the reaper finds a file a killed worker left by its name (ReportJob.on_reaped)
        job_finish_with_file(job, stored=stored_name(job.pk, filename), filename=filename, content=content)
        if on_progress is not None:
            on_progress(job.progress_total, job.progress_total, _("Done"))


def _generate_or_explain(job: ReportJob, on_progress: Progress | None) -> None:
    """Expected failures keep their message; anything else becomes a stable reason naming only the error's
    type (an exception's text may quote data), logged with where it happened."""
    try:
        report_generate(job, on_progress)
    except (ReportError, TemplateError):
        raise
    except NoChineseFont as exc:  # the charts would show boxes: fail with what to install
        raise ReportError(str(exc)) from exc
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        log.warning(  # type and place only: an exception's text may quote data
            "report job %s failed: %s at %s:%s",
            job.pk,
            type(exc).__name__,
            where.filename if where else "?",
            where.lineno if where else "?",
        )
        with translation.override(job.language or None):
            reason = _("The report could not be generated (%(error)s); please tell the administrator.")
            raise ReportError(reason % {"error": type(exc).__name__}) from exc


def report_run(job: ReportJob, on_progress: Progress | None = None) -> ReportJob:
    """Claim and run one job (the task and the command line both come here); failures are recorded."""
    return job_run(job, lambda j: _generate_or_explain(j, on_progress))


def report_file(*, actor: Any, job: ReportJob) -> IO[bytes]:
    """Open a finished report's file for the actor (who may see the job); every download is audited."""
    from xiaobao.core.errors import Conflict

    if job.file_purged_at:
        raise Conflict(
            _("The file was deleted after its retention period; ask for the report again."),
            code="file_purged",
        )
    if not job.has_file:
        raise Conflict(_("The report is not ready."), code="not_ready")
    fh = job.file.open("rb")
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=job,
        changes={"file": job.filename, "sha256": job.sha256},
    )
    return fh


# --- templates --------------------------------------------------------------------------------------------


def _check_references(placeholders: list[Any]) -> list[str]:
    refs = references(placeholders)
    errors = []
    for dimension in ("channel", "business_type", "cause"):
        known = set(
            ComplaintCode.objects.filter(dimension=dimension, code__in=refs[dimension]).values_list(
                "code", flat=True
            )
        )
        errors += [
            _("Unknown %(key)s code “%(code)s”.") % {"key": dimension, "code": c}
            for c in sorted(refs[dimension] - known)
        ]
    known_units = set(OrgUnit.objects.filter(code__in=refs["unit"]).values_list("code", flat=True))
    errors += [_("Unknown unit code “%(code)s”.") % {"code": c} for c in sorted(refs["unit"] - known_units)]
    return errors


def template_check(data: bytes) -> list[Any]:
    """The placeholders of an uploaded workbook; ValidationError on the `file` field for anything wrong."""
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        raise _err("file", _("Upload an Excel workbook (.xlsx)."))
    check_zip_bounds(data)  # before openpyxl unpacks it (a zip bomb, millions of rows)
    try:
        wb = load_workbook(BytesIO(data))
    except Exception as exc:  # a damaged or non-Excel zip: never a 500
        raise _err("file", _("The file cannot be read as an Excel workbook (.xlsx).")) from exc
    found, errors = scan_workbook(wb)
    errors += _check_references([f.placeholder for f in found])
    if errors:
        raise ValidationError({"file": errors[:20]})
    if not found:
        raise _err("file", _("The workbook has no placeholders such as {{total}}."))
    return found


def template_upload(
    *, actor: Any, name: str, kind: str, fileobj: IO[bytes], filename: str, description: str = ""
) -> ReportTemplate:
    data = fileobj.read(TEMPLATE_MAX_BYTES + 1)
    if len(data) > TEMPLATE_MAX_BYTES:
        raise _err("file", _("The file is larger than %(mb)d MB.") % {"mb": TEMPLATE_MAX_BYTES // 2**20})
    if kind not in TEMPLATE_KINDS:
        raise _err("kind", _("Templates can be used for the monthly table and the disclosure table."))
    found = template_check(data)
    safe_name = re.sub(r"[/\\]", "_", filename or "template.xlsx")[-200:]
    with transaction.atomic():
        template = ReportTemplate(
            name=(name or "").strip(),
            kind=kind,
            description=(description or "").strip(),
            original_name=safe_name,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            placeholders=sorted({f.placeholder.raw for f in found}),
            uploaded_by=actor,
        )
        template.file.name = "pending.xlsx"  # full_clean needs a value; the real file is saved below
        template.full_clean(exclude=["file"])
        template.file.save(f"{template.sha256[:16]}.xlsx", ContentFile(data), save=False)
        template.save()
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=template,
            changes={"name": [None, template.name], "kind": [None, kind], "sha256": [None, template.sha256]},
        )
    return template


def template_set_active(*, actor: Any, template: ReportTemplate, active: bool) -> ReportTemplate:
    with transaction.atomic():
        ReportTemplate.objects.filter(pk=template.pk).update(is_active=active, updated_at=timezone.now())
        template.is_active = active
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=template, changes={"is_active": [not active, active]}
        )
    return template
