"""Reports pages: ask for a report and list past ones, one report's progress and download, templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.errors import Conflict
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors, paginate, query_without_page
from xiaobao.reports.choices import CONTENT_TYPES, TEMPLATE_KINDS, ReportKind
from xiaobao.reports.forms import ReportRequestForm, TemplateUploadForm, default_period, period_options
from xiaobao.reports.models import ReportJob, ReportTemplate
from xiaobao.reports.selectors import report_detail, report_list, template_list
from xiaobao.reports.services import report_file, report_request, template_set_active, template_upload

VIEW = "reports.view_reportjob"
RUN = "reports.run_report"
MANAGE_TEMPLATES = "reports.manage_reporttemplate"


def _templates_perm(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Templates are seen by whoever sees reports or manages templates."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (request.user.has_perm(VIEW) or request.user.has_perm(MANAGE_TEMPLATES)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _get_report(request: AuthedRequest, pk: int) -> ReportJob:
    job = report_detail(user=request.user, pk=pk)
    if job is None:
        raise Http404
    return job


def _list_context(request: AuthedRequest, form: ReportRequestForm | None) -> dict[str, Any]:
    kind = (form["kind"].value() if form is not None else None) or ReportKind.MONTHLY
    today = timezone.localdate()
    page = paginate(request, report_list(user=request.user))
    return {
        "form": form,
        "kind": kind,
        "period_value": (form["period"].value() if form is not None and form.is_bound else None)
        or default_period(kind, today),
        "period_options": period_options(kind, today),
        "month_max": f"{today:%Y-%m}",
        "templates_apply": kind in TEMPLATE_KINDS,
        "templates": [t for t in template_list(user=request.user, active_only=True) if t.kind == kind],
        "page": page,
        "query": query_without_page(request),
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def report_list_view(request: AuthedRequest) -> HttpResponse:
    """The form to ask for a report (for those who may run them) and the reports in the user's scope."""
    form = None
    if request.user.has_perm(RUN):
        kind = request.GET.get("kind") or ReportKind.MONTHLY
        form = ReportRequestForm(
            user=request.user, initial={"kind": kind if kind in ReportKind.values else ReportKind.MONTHLY}
        )
    context = _list_context(request, form)
    if request.htmx and request.GET.get("kind"):
        return render(request, "reports/list.html#kind-fields", context)
    return render(request, "reports/list.html", context)


@require_POST
@permission_required(RUN, raise_exception=True)
def report_create(request: AuthedRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = report_request(
                actor=request.user,
                kind=data["kind"],
                period=data["period"],
                unit_code=data["org_unit"].code,
                template_id=data["template"].pk if data["template"] else None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The report has been queued."))
            return redirect("reports:detail", pk=job.pk)
    return render(request, "reports/list.html", _list_context(request, form), status=400)


@require_GET
@permission_required(VIEW, raise_exception=True)
def report_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return render(request, "reports/detail.html", {"job": _get_report(request, pk)})


@require_GET
@permission_required(VIEW, raise_exception=True)
def report_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress partial the detail page polls (and, once done, the download link out of band)."""
    return render(request, "reports/detail.html#status", {"job": _get_report(request, pk), "oob": True})


@require_GET
@permission_required(VIEW, raise_exception=True)
def report_download(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    """The generated file again, as often as needed; every download is audited."""
    job = _get_report(request, pk)
    try:
        fh = report_file(actor=request.user, job=job)
    except Conflict as exc:
        return render(request, "reports/detail.html", {"job": job, "error": exc.message}, status=409)
    ext = job.filename.rsplit(".", 1)[-1]
    response = FileResponse(
        fh, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES.get(ext)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@_templates_perm
def templates(request: AuthedRequest) -> HttpResponse:
    """Uploaded layouts and the placeholder grammar; those who manage templates upload new ones here."""
    form = None
    status = 200
    if request.user.has_perm(MANAGE_TEMPLATES):
        form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                template = template_upload(
                    actor=request.user,
                    name=data["name"],
                    kind=data["kind"],
                    description=data["description"],
                    fileobj=data["file"],
                    filename=data["file"].name,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Template “%(name)s” uploaded.") % {"name": template.name})
                return redirect("reports:templates")
        status = 400
    context = {"form": form, "templates": template_list(user=request.user)}
    return render(request, "reports/templates.html", context, status=status)


@require_GET
@_templates_perm
def template_download(request: AuthedRequest, pk: int) -> FileResponse:
    template = get_object_or_404(template_list(user=request.user), pk=pk)
    response = FileResponse(
        template.file.open("rb"),
        as_attachment=True,
        filename=template.original_name,
        content_type=CONTENT_TYPES["xlsx"],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@permission_required(MANAGE_TEMPLATES, raise_exception=True)
def template_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    """Retire a template (it stays on the reports made with it) or bring it back."""
    template = get_object_or_404(ReportTemplate.objects.all(), pk=pk)
    template_set_active(actor=request.user, template=template, active=not template.is_active)
    return redirect("reports:templates")
