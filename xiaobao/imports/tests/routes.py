"""Scoping-quartet entries for this app's pages and API operations (collected by core/tests/test_scoping.py)."""

from xiaobao.core.tests.route_table import Route

PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = []
