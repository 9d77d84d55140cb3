"""A large complaint-list export's page: its progress (polled), then the workbook — for its requester only."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiaobao.complaints.exports import export_file, export_file_days
from xiaobao.complaints.models import ExportJob
from xiaobao.complaints.views.common import EXPORT
from xiaobao.core.errors import Conflict
from xiaobao.core.exports import XLSX
from xiaobao.core.http import AuthedRequest

TEMPLATE = "complaints/export_job.html"


def _get_export(request: AuthedRequest, pk: int) -> ExportJob:
    """The export if the user asked for it; 404 otherwise (another user's export is not revealed)."""
    job = ExportJob.objects.filter(pk=pk, requested_by=request.user).first()
    if job is None:
        raise Http404
    return job


@require_GET
@permission_required(EXPORT, raise_exception=True)
def export_job_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, TEMPLATE, {"job": _get_export(request, pk), "file_days": export_file_days()})


@require_GET
@permission_required(EXPORT, raise_exception=True)
def export_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress partial the page polls (and, once done, the download link out of band)."""
    context = {"job": _get_export(request, pk), "oob": True, "file_days": export_file_days()}
    return render(request, f"{TEMPLATE}#status", context)


@require_GET
@permission_required(EXPORT, raise_exception=True)
def export_download(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    """The workbook, as often as needed; every download is audited."""
    job = _get_export(request, pk)
    try:
        fh = export_file(actor=request.user, job=job)
    except Conflict as exc:
        context = {"job": job, "error": exc.message, "file_days": export_file_days()}
        return render(request, TEMPLATE, context, status=409)
    response = FileResponse(fh, as_attachment=True, filename=job.filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response
