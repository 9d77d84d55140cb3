"""Import pages: list, upload, the mapping screen, the job page (progress, summary, error report), presets.

Thin: validate the form → fetch for the user → call one service → render or redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors, paginate
from xiaobao.imports import services
from xiaobao.imports.forms import UploadForm, posted_value_maps
from xiaobao.imports.kinds import COMPLAINTS, ImportKind, kind_of, kinds_for, may_import
from xiaobao.imports.models import MANAGE_PRESETS_PERM, ImportJob, ImportPreset, ImportStage
from xiaobao.imports.selectors import (
    import_job_detail,
    import_job_list,
    import_preset_list,
    job_value_tables,
    preset_value_tables,
)
from xiaobao.imports.tasks import enqueue

ERRORS_SHOWN = 200


def _job(request: AuthedRequest, pk: int) -> ImportJob:
    job = import_job_detail(user=request.user, pk=pk)
    if job is None:
        raise Http404
    return job


def import_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The import pages are for users who may import some kind (each job is then scoped by its kind)."""

    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_import(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _kind(request: AuthedRequest) -> ImportKind:
    """The kind an upload is for (`?kind=`, default complaints): unknown → 404, not allowed → 403."""
    code = request.POST.get("kind") or request.GET.get("kind") or COMPLAINTS
    try:
        kind = kind_of(code)
    except KeyError:
        raise Http404 from None
    if not request.user.has_perm(kind.permission):
        raise PermissionDenied
    return kind


@import_required
def import_list(request: AuthedRequest) -> HttpResponse:
    """Imports into units of the user's subtree, newest first, with their state and counts."""
    page = paginate(request, import_job_list(user=request.user))
    return render(request, "imports/list.html", {"page": page})


@import_required
def import_create(request: AuthedRequest) -> HttpResponse:
    """Upload a file, choose the preset and the unit: the file is stored and queued to be read, then the
    mapping screen."""
    kind = _kind(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, kind=kind)
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
    return render(request, "imports/create.html", {"form": form, "kind": kind}, status=status)


def _mapping_context(job: ImportJob, form: Any, kind: ImportKind) -> dict[str, Any]:
    return {
        "job": job,
        "form": form,
        "kind": kind,
        "tables": job_value_tables(job, kind.table_dimensions, kind.dimension_labels),
        "choices": kind.resolve("choices")(),
        "headers": job.profile.get("headers", []),
        "preview": job.profile.get("preview", []),
    }


@import_required
def import_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    """The mapping screen: the file's headers and first rows, the column mapping, the value tables (with the
    values found in the file), defaults and options. Save, save and validate, or save as a named preset."""
    job = _job(request, pk)
    if job.is_active or job.is_imported or job.stage == ImportStage.READ:  # being read, or unreadable
        return redirect("imports:detail", pk=job.pk)
    if "save_preset" in request.POST and not request.user.has_perm(MANAGE_PRESETS_PERM):
        raise PermissionDenied
    kind = kind_of(job.kind)
    form = kind.resolve("mapping_form")(request.POST or None, job=job)
    if request.method != "POST":
        return render(request, "imports/mapping.html", _mapping_context(job, form, kind))
    if form.is_valid():
        try:
            services.import_job_set_mapping(
                actor=request.user,
                job=job,
                columns=form.columns(),
                value_maps=posted_value_maps(request.POST, job.value_maps, kind.table_dimensions),
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
    return render(request, "imports/mapping.html", _mapping_context(job, form, kind), status=400)


@import_required
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The job: progress while it runs, then the summary, values not in the tables and the error report."""
    job = _job(request, pk)
    kind = kind_of(job.kind)
    context = {
        "job": job,
        "kind": kind,
        "errors": job.errors[:ERRORS_SHOWN],
        "errors_shown": ERRORS_SHOWN,
        "unmapped": [(kind.label_of(d), values) for d, values in (job.unmapped or {}).items()],
        "results_url": kind.resolve("results_url")(job) if kind.results_url else "",
    }
    return render(request, "imports/detail.html", context)


@import_required
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
@import_required
def import_validate(request: AuthedRequest, pk: int) -> HttpResponse:
    """Check every row (dry run): the error report and the values not in the tables, nothing written."""
    return _start(request, _job(request, pk), ImportStage.VALIDATE)


@require_POST
@import_required
def import_run(request: AuthedRequest, pk: int) -> HttpResponse:
    """Import the file: refused while rows are invalid unless the job skips invalid rows."""
    job = _job(request, pk)
    if not job.can_run:
        messages.error(request, _("Validate the file first; it can be imported when no row is invalid."))
        return redirect("imports:detail", pk=job.pk)
    return _start(request, job, ImportStage.IMPORT)


@import_required
def import_errors(request: AuthedRequest, pk: int) -> HttpResponse:
    """The row-by-row error report as Excel (values shown with ID, phone and card numbers masked)."""
    job = _job(request, pk)
    rows = [(e["row"], e["column"], e["message"]) for e in job.errors]
    headers = [_("Row"), _("Column"), _("Problem")]
    return xlsx_response(f"import-{job.pk}-errors.xlsx", _("Errors"), headers, rows)


# --- presets --------------------------------------------------------------------------------------------


@import_required
def preset_list(request: AuthedRequest) -> HttpResponse:
    """The presets (column and value mappings) imports can start from."""
    kinds = [k.code for k in kinds_for(request.user)]
    return render(request, "imports/presets.html", {"presets": import_preset_list(kinds=kinds)})


@permission_required(MANAGE_PRESETS_PERM, raise_exception=True)
def preset_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit a preset: name, header aliases per field, value tables, defaults."""
    preset = ImportPreset.objects.filter(pk=pk).first()
    if preset is None:
        raise Http404
    kind = kind_of(preset.kind)
    form = kind.resolve("preset_form")(request.POST or None, preset=preset)
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
                    value_maps=posted_value_maps(request.POST, {}, kind.table_dimensions),
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
        "tables": preset_value_tables(preset, kind.table_dimensions, labels=kind.dimension_labels),
        "choices": kind.resolve("choices")(),
    }
    return render(request, "imports/preset_form.html", context, status=status)
