"""Kinds of report, and which periods each accepts."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly statistics table (Excel)")
    QUARTERLY = "quarterly", _("Quarterly complaint analysis report (Word)")
    DISCLOSURE = "disclosure", _("Yearly public disclosure table (Excel)")
    BOARD = "board", _("Board report figures (Excel)")
    INSPECTIONS = "inspections", _("Quarterly service inspection report (Word)")


# Period grains (analytics.periods.Period.grain) each kind accepts.
KIND_GRAINS: dict[str, tuple[str, ...]] = {
    ReportKind.MONTHLY: ("month",),
    ReportKind.QUARTERLY: ("quarter",),
    ReportKind.DISCLOSURE: ("year",),
    ReportKind.BOARD: ("year", "half"),
    ReportKind.INSPECTIONS: ("quarter",),
}

# The permission a report's figures need besides reports.run_report (complaint reports: view_complaint).
KIND_PERMS: dict[str, str] = {ReportKind.INSPECTIONS: "inspections.view_inspection"}
DEFAULT_KIND_PERM = "complaints.view_complaint"

# Kinds a ReportTemplate (an uploaded Excel layout with placeholders) can be used for.
TEMPLATE_KINDS = (ReportKind.MONTHLY, ReportKind.DISCLOSURE)

# File names as regulators and banks name these documents (fixed Chinese stems, whatever the UI language).
FILE_STEMS: dict[str, str] = {
    ReportKind.MONTHLY: "月度投诉统计表",
    ReportKind.QUARTERLY: "投诉分析报告",
    ReportKind.DISCLOSURE: "年度投诉情况披露表",
    ReportKind.BOARD: "董事会投诉数据",
    ReportKind.INSPECTIONS: "服务检查季度报告",
}
EXTENSIONS: dict[str, str] = {
    ReportKind.MONTHLY: "xlsx",
    ReportKind.QUARTERLY: "docx",
    ReportKind.DISCLOSURE: "xlsx",
    ReportKind.BOARD: "xlsx",
    ReportKind.INSPECTIONS: "docx",
}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
