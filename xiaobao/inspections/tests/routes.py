"""Scoping-quartet entries for the inspection pages and API operations (see core/tests/route_table.py).

Plan routes (helper-owned `routes_plans.py`, when present) are added to these lists.
"""

from __future__ import annotations

import importlib
from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1INSPMARK"  # the branch-1 inspection's reference: must not show in another branch's lists

POWER_PERMS = [
    "inspections.view_inspection",
    "inspections.plan_inspection",
    "inspections.conduct_inspection",
    "inspections.manage_checklist",
]


def setup(ctx: Any) -> None:
    from xiaobao.inspections.tests.factories import branch_one_inspection

    branch_one_inspection(ctx, MARK)
    for extra in _extras():
        if hasattr(extra, "setup"):
            extra.setup(ctx)


PAGE_ROUTES: list[Route] = [
    Route("inspections:list", "get", kind="list", marker=lambda c: MARK),
]
API_ROUTES: list[Route] = []


def _extras() -> list[Any]:
    out = []
    for name in ("routes_plans",):
        try:
            out.append(importlib.import_module(f"xiaobao.inspections.tests.{name}"))
        except ModuleNotFoundError:
            continue
    return out


for _extra in _extras():
    PAGE_ROUTES += getattr(_extra, "PAGE_ROUTES", [])
    API_ROUTES += getattr(_extra, "API_ROUTES", [])
    POWER_PERMS += [p for p in getattr(_extra, "POWER_PERMS", []) if p not in POWER_PERMS]


# --- inspection figures (helper F): the Excel export of the statistics page's inspection section -----------
# "global": every user with inspections.view_inspection exports their own subtree; another branch's unit is a
# 404 (tests/test_figures.py).
PAGE_ROUTES += [Route("inspections:figures_export", "get", kind="global")]
