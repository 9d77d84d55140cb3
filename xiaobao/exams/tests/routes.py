"""Scoping-quartet entries for the exams pages and API operations (see core/tests/route_table.py)."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

POWER_PERMS: list[str] = []


def setup(ctx):
    pass


PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = []
