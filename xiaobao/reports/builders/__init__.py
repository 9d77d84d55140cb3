"""Report builders: one module per kind, each `build(ctx) -> bytes` (the file's content)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xiaobao.analytics.periods import Period
from xiaobao.core.models import OrgUnit


@dataclass
class BuildContext:
    user: Any  # the requester: every figure is computed for them (their scope)
    unit: OrgUnit  # the unit analysed (its subtree)
    period: Period
    template: Any = None  # a ReportTemplate, or None for the built-in layout
    progress: Callable[[int, int, str], None] = lambda done, total, message: None


def build(kind: str, ctx: BuildContext) -> bytes:
    from xiaobao.reports.builders import board, disclosure, monthly, quarterly

    builders: dict[str, Callable[[BuildContext], bytes]] = {
        "monthly": monthly.build,
        "quarterly": quarterly.build,
        "disclosure": disclosure.build,
        "board": board.build,
    }
    return builders[kind](ctx)
