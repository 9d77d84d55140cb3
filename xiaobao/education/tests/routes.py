"""Scoping-quartet entries for the education pages and API operations (see core/tests/route_table.py).

Each part of the module lists its own routes in a module of this package: the catalogue and editions
(`routes_campaigns`), activities (`routes_activities`), figures and documents (`routes_figures`). This
file adds up their PAGE_ROUTES, API_ROUTES, POWER_PERMS and PUBLIC_PAGES / PUBLIC_API, and its `setup(ctx)`
runs each part's `setup` in that order (a later part may use the objects an earlier one made).
"""

from __future__ import annotations

import importlib
from typing import Any

from xiaobao.core.tests.route_table import Route

PARTS = ("routes_campaigns", "routes_activities", "routes_figures")


def _parts() -> list[Any]:
    out = []
    for name in PARTS:
        try:
            out.append(importlib.import_module(f"xiaobao.education.tests.{name}"))
        except ImportError:
            continue
    return out


def setup(ctx: Any) -> None:
    for part in _parts():
        if hasattr(part, "setup"):
            part.setup(ctx)


POWER_PERMS: list[str] = []
PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = []
PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[str] = set()

for _part in _parts():
    PAGE_ROUTES += getattr(_part, "PAGE_ROUTES", [])
    API_ROUTES += getattr(_part, "API_ROUTES", [])
    POWER_PERMS += [p for p in getattr(_part, "POWER_PERMS", []) if p not in POWER_PERMS]
    PUBLIC_PAGES |= set(getattr(_part, "PUBLIC_PAGES", ()))
    PUBLIC_API |= set(getattr(_part, "PUBLIC_API", ()))
