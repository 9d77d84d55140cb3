"""Import pages: list, upload, the mapping screen, the job page (progress, summary, error report), presets.

Thin: validate the form → fetch for the user → call one service → render or redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.complaints.choices import SpecialGroup
from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors, paginate
from xiaobao.imports import services
from xiaobao.imports.forms import (
    TABLE_DIMENSIONS,
    MappingForm,
    PresetForm,
    UploadForm,
    code_choices,
    posted_value_maps,
)
from xiaobao.imports.models import IMPORT_PERM, MANAGE_PRESETS_PERM, ImportJob, ImportPreset, ImportStage
from xiaobao.imports.selectors import (
    import_job_detail,
    import_job_list,
    import_preset_list,
    job_value_tables,
    preset_value_tables,
)
from xiaobao.imports.targets import CODE_DIMENSIONS, DIMENSION_LABELS, LIABILITY_CHOICES, STATUS_CHOICES
from xiaobao.imports.tasks import enqueue
from xiaobao.imports.writer import reference_prefix

ERRORS_SHOWN = 200


def _job(request: AuthedRequest, pk: int) -> ImportJob:
    job = import_job_detail(user=request.user, pk=pk)
    if job is None:
        raise Http404
    return job


def _target_choices() -> dict[str, list[tuple[str, str]]]:
    choices = {dim: code_choices(dim) for dim in CODE_DIMENSIONS}
    choices["status"] = [(str(v), str(label)) for v, label in STATUS_CHOICES]
    choices["liability"] = [(str(v), str(label)) for v, label in LIABILITY_CHOICES if v]
    choices["special_groups"] = [(str(v), str(label)) for v, label in SpecialGroup.choices]
    return choices


@permission_required(IMPORT_PERM, raise_exception=True)
def import_list(request: AuthedRequest) -> HttpResponse:
    """Imports into units of the user's subtree, newest first, with their state and counts."""
    page = paginate(request, import_job_list(user=request.user))
    return render(request, "imports/list.html", {"page": page})


@permission_required(IMPORT_PERM, raise_exception=True)
def import_create(request: AuthedRequest) -> HttpResponse:
    """Upload a file, choose the preset and the unit: the file is stored and queued to be read, then the
    mapping screen."""
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = services.import_job_create(
                    actor=request.user,
                    fileobj=data["file"],
                    name=data["file"].name,
                    preset=data["preset"],
                    org_unit=data["org_unit"],
                    skip_invalid=data["skip_invalid"],
                    received_on=data["received_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                enqueue(job)  # the worker reads the rows; the mapping screen waits for it
                return redirect("imports:mapping", pk=job.pk)
    return render(request, "imports/create.html", {"form": form}, status=status)


def _mapping_context(job: ImportJob, form: MappingForm) -> dict[str, Any]:
    return {
        "job": job,
        "form": form,
        "tables": job_value_tables(job, TABLE_DIMENSIONS),
        "choices": _target_choices(),
        "headers": job.profile.get("headers", []),
        "preview": job.profile.get("preview", []),
    }


@permission_required(IMPORT_PERM, raise_exception=True)
def import_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    """The mapping screen: the file's headers and first rows, the column mapping, the value tables (with the
    values found in the file), defaults and options. Save, save and validate, or save as a named preset."""
    job = _job(request, pk)
    if job.is_active or job.is_imported or job.stage == ImportStage.READ:  # being read, or unreadable
        return redirect("imports:detail", pk=job.pk)
    if "save_preset" in request.POST and not request.user.has_perm(MANAGE_PRESETS_PERM):
        raise PermissionDenied
    form = MappingForm(request.POST or None, job=job)
    if request.method != "POST":
        return render(request, "imports/mapping.html", _mapping_context(job, form))
    if form.is_valid():
        try:
            services.import_job_set_mapping(
                actor=request.user,
                job=job,
                columns=form.columns(),
                value_maps=posted_value_maps(request.POST, job.value_maps),
                defaults=form.defaults(),
                skip_invalid=form.cleaned_data["skip_invalid"],
                received_on=form.cleaned_data["received_on"],
            )
            if "save_preset" in request.POST:
                name = form.cleaned_data["preset_name"] or (job.preset.name if job.preset else "")
                try:
                    preset = services.import_preset_from_job(actor=request.user, job=job, name=name)
                except ValidationError as exc:
                    raise ValidationError({"preset_name": exc.messages}) from exc
                messages.success(request, _("Saved as preset %(name)s.") % {"name": preset.name})
            if "validate" in request.POST:
                enqueue(services.import_job_start(actor=request.user, job=job, stage=ImportStage.VALIDATE))
                return redirect("imports:detail", pk=job.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("imports:detail", pk=job.pk)
        else:
            messages.success(request, _("Mapping saved."))
            return redirect("imports:mapping", pk=job.pk)
    job.refresh_from_db()
    return render(request, "imports/mapping.html", _mapping_context(job, form), status=400)


@permission_required(IMPORT_PERM, raise_exception=True)
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The job: progress while it runs, then the summary, values not in the tables and the error report."""
    job = _job(request, pk)
    context = {
        "job": job,
        "errors": job.errors[:ERRORS_SHOWN],
        "errors_shown": ERRORS_SHOWN,
        "unmapped": [(DIMENSION_LABELS.get(d, d), values) for d, values in (job.unmapped or {}).items()],
        "complaints_query": urlencode({"q": reference_prefix(job.pk), "unit": job.org_unit.code}),
    }
    return render(request, "imports/detail.html", context)


@permission_required(IMPORT_PERM, raise_exception=True)
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress partial the job page polls; when the run has ended the page reloads for the summary."""
    job = _job(request, pk)
    response = render(
        request,
        "core/_job.html",
        {"job": job, "poll_url": reverse("imports:progress", args=[job.pk])},
    )
    if request.htmx and not job.is_active:
        response["HX-Refresh"] = "true"
    return response


def _start(request: AuthedRequest, job: ImportJob, stage: str) -> HttpResponse:
    try:
        enqueue(services.import_job_start(actor=request.user, job=job, stage=stage))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=job.pk)


@require_POST
@permission_required(IMPORT_PERM, raise_exception=True)
def import_validate(request: AuthedRequest, pk: int) -> HttpResponse:
    """Check every row (dry run): the error report and the values not in the tables, nothing written."""
    return _start(request, _job(request, pk), ImportStage.VALIDATE)


@require_POST
@permission_required(IMPORT_PERM, raise_exception=True)
def import_run(request: AuthedRequest, pk: int) -> HttpResponse:
    """Import the file: refused while rows are invalid unless the job skips invalid rows."""
    job = _job(request, pk)
    if not job.can_run:
        messages.error(request, _("Validate the file first; it can be imported when no row is invalid."))
        return redirect("imports:detail", pk=job.pk)
    return _start(request, job, ImportStage.IMPORT)


@permission_required(IMPORT_PERM, raise_exception=True)
def import_errors(request: AuthedRequest, pk: int) -> HttpResponse:
    """The row-by-row error report as Excel (values shown with ID, phone and card numbers masked)."""
    job = _job(request, pk)
    rows = [(e["row"], e["column"], e["message"]) for e in job.errors]
    headers = [_("Row"), _("Column"), _("Problem")]
    return xlsx_response(f"import-{job.pk}-errors.xlsx", _("Errors"), headers, rows)


# --- presets --------------------------------------------------------------------------------------------


@permission_required(IMPORT_PERM, raise_exception=True)
def preset_list(request: AuthedRequest) -> HttpResponse:
    """The presets (column and value mappings) imports can start from."""
    return render(request, "imports/presets.html", {"presets": import_preset_list()})


@permission_required(MANAGE_PRESETS_PERM, raise_exception=True)
def preset_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit a preset: name, header aliases per field, value tables, defaults."""
    preset = ImportPreset.objects.filter(pk=pk).first()
    if preset is None:
        raise Http404
    form = PresetForm(request.POST or None, preset=preset)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.import_preset_save(
                    actor=request.user,
                    preset=preset,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    columns=form.columns(),
                    value_maps=posted_value_maps(request.POST, {}),
                    defaults=form.defaults(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Preset saved."))
                return redirect("imports:preset_edit", pk=preset.pk)
    context = {
        "preset": preset,
        "form": form,
        "tables": preset_value_tables(preset, TABLE_DIMENSIONS),
        "choices": _target_choices(),
    }
    return render(request, "imports/preset_form.html", context, status=status)
