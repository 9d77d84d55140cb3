"""Scoping-quartet entries for this app's pages and API operations (see core/tests/route_table.py)."""

from xiaobao.core.tests.route_table import Route

PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = []
