"""Report builders: one module per kind, each `build(ctx) -> bytes` (the file's content)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from xiaobao.analytics.periods import Period
from xiaobao.core.models import OrgUnit

PRODUCT_NAME = "Xiaobao"  # the software's name: the default of XIAOBAO_INSTITUTION_NAME, never the bank's
HEAD_OFFICE_SUFFIXES = ("总行", "总部", "总公司")


def institution_name() -> str:
    """The institution the reports speak for: XIAOBAO_INSTITUTION_NAME when it is configured, else the
    institution tree's root (head office) without its "总行" ("晓宝银行总行" → "晓宝银行")."""
    configured = str(getattr(settings, "INSTITUTION_NAME", "") or "").strip()
    if configured and configured != PRODUCT_NAME:
        return configured
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").values_list("name", flat=True).first()
    name = (root or "").strip()
    for suffix in HEAD_OFFICE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name or configured or PRODUCT_NAME


class NoChineseFont(RuntimeError):
    """No installed font can draw Chinese: a report's charts would show boxes (the job fails instead)."""


@dataclass
class BuildContext:
    user: Any  # the requester: every figure is computed for them (their scope)
    unit: OrgUnit  # the unit analysed (its subtree)
    period: Period
    template: Any = None  # a ReportTemplate, or None for the built-in layout
    progress: Callable[[int, int, str], None] = lambda done, total, message: None


def build(kind: str, ctx: BuildContext) -> bytes:
    from xiaobao.inspections import report as inspections_report
    from xiaobao.reports.builders import board, disclosure, monthly, quarterly

    builders: dict[str, Callable[[BuildContext], bytes]] = {
        "monthly": monthly.build,
        "quarterly": quarterly.build,
        "disclosure": disclosure.build,
        "board": board.build,
        "inspections": inspections_report.build,
    }
    return builders[kind](ctx)
