"""Scoping-quartet entries for notes (see core/tests/route_table.py)."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = []
