"""Scoping-quartet entries for outreach (see core/tests/route_table.py)."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS: list[str] = []


def setup(ctx: Any) -> None:
    pass


PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = []
