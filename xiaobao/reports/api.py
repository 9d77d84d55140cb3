"""Reports API: ask for a report (a background job), follow it, download its file; list templates."""

import datetime as dt
from typing import cast

from django.http import FileResponse, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.models import User
from xiaobao.reports.choices import CONTENT_TYPES
from xiaobao.reports.models import ReportJob
from xiaobao.reports.selectors import report_list, template_list
from xiaobao.reports.services import report_file, report_request

router = Router(tags=["reports"])

VIEW = "reports.view_reportjob"
RUN = "reports.run_report"


class ReportIn(Schema):
    kind: str = Field(
        ..., max_length=20, description="monthly | quarterly | disclosure | board | inspections"
    )
    period: str = Field(
        ...,
        max_length=32,
        description="2026-10 (monthly), 2026-Q3 (quarterly), 2026 (disclosure), 2026 or 2026-H1 (board)",
    )
    org_unit: str = Field(..., max_length=32, description="Code of the unit analysed (in your scope)")
    template: int | None = Field(None, description="Id of an active template of the same kind")


class ReportOut(Schema):
    id: int
    kind: str
    period: str
    org_unit: str
    template: int | None
    state: str
    progress_done: int
    progress_total: int
    percent: int
    message: str
    error: str
    filename: str
    size: int
    sha256: str
    requested_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    file_url: str | None
    file_purged_at: dt.datetime | None = Field(
        None, description="When the retention purge deleted the file (name, size and SHA-256 are kept)"
    )

    @staticmethod
    def resolve_org_unit(obj: ReportJob) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_template(obj: ReportJob) -> int | None:
        return obj.template_id

    @staticmethod
    def resolve_requested_by(obj: ReportJob) -> str:
        return obj.requested_by.username

    @staticmethod
    def resolve_file_url(obj: ReportJob) -> str | None:
        return f"/api/v1/reports/{obj.pk}/file" if obj.has_file else None


class ReportFilter(Schema):
    kind: str = Field("", max_length=20)
    state: str = Field("", max_length=10)


class TemplateOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    is_active: bool
    placeholders: list[str]
    sha256: str
    created_at: dt.datetime


def _visible(request: HttpRequest, report_id: int) -> ReportJob:
    require_perm(request.user, VIEW)
    return get_visible(report_list(user=request.user), pk=report_id)


@router.get("/report-templates", response=list[TemplateOut], summary="Report templates (Excel layouts)")
def templates(request: HttpRequest, kind: str = ""):
    user = request.user
    if not (user.has_perm(VIEW) or user.has_perm("reports.manage_reporttemplate")):
        require_perm(user, VIEW)
    return list(template_list(user=user, kind=kind))


@router.post(
    "/reports", response={201: ReportOut}, summary="Ask for a report: a background job (201, then poll it)"
)
def report_create(request: HttpRequest, payload: ReportIn):
    require_perm(request.user, RUN)
    job = report_request(
        actor=cast(User, request.user),
        kind=payload.kind,
        period=payload.period,
        unit_code=payload.org_unit,
        template_id=payload.template,
    )
    # the requester may run reports without the permission to list them: answer with the job itself
    return Status(201, report_list(user=request.user).filter(pk=job.pk).first() or job)


@router.get("/reports", response=list[ReportOut], summary="Reports about units in your scope, newest first")
@paginate(LimitOffsetPagination)
def reports(request: HttpRequest, filters: Query[ReportFilter]):
    require_perm(request.user, VIEW)
    return report_list(user=request.user, kind=filters.kind, state=filters.state)  # sliced in SQL


@router.get("/reports/{report_id}", response=ReportOut, summary="One report job: state, progress, file")
def report_get(request: HttpRequest, report_id: int):
    return _visible(request, report_id)


@router.get("/reports/{report_id}/file", summary="The generated file (409 until done); audited")
def report_download(request: HttpRequest, report_id: int):
    job = _visible(request, report_id)
    fh = report_file(actor=request.user, job=job)
    ext = job.filename.rsplit(".", 1)[-1]
    response = FileResponse(
        fh, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES.get(ext)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
