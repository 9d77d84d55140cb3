"""Read side of reports: every function takes the acting user and goes through `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.reports.models import ReportJob, ReportTemplate

ANALYSED_KINDS = (OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH)


def report_list(*, user: Any, kind: str = "", state: str = "") -> QuerySet[ReportJob]:
    qs = ReportJob.objects.visible_to(user).select_related("org_unit", "requested_by", "template")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def report_detail(*, user: Any, pk: int) -> ReportJob | None:
    return report_list(user=user).filter(pk=pk).first()


def report_units(*, user: Any) -> QuerySet[OrgUnit]:
    """Units a report can be about: head office, branches and sub-branches in the user's scope."""
    return OrgUnit.objects.visible_to(user).active().filter(kind__in=ANALYSED_KINDS).order_by("path")


def template_list(*, user: Any, kind: str = "", active_only: bool = False) -> QuerySet[ReportTemplate]:
    """Templates are institution-wide (a layout, no data): everyone who may see reports may see them."""
    if not (user.has_perm("reports.view_reportjob") or user.has_perm("reports.manage_reporttemplate")):
        return ReportTemplate.objects.none()
    qs = ReportTemplate.objects.select_related("uploaded_by")
    if kind:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("kind", "name")
