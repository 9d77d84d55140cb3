"""Scoping-quartet entries for this app's pages and API operations (see core/tests/route_table.py)."""

from xiaobao.core.tests.route_table import Route

# The dashboard is "global": every user with complaint access has one (their own subtree). Another branch's
# unit is a 404 — tested in test_views.py.
PAGE_ROUTES: list[Route] = [
    Route("analytics:dashboard", "get", kind="global"),
    Route("analytics:export", "get", kind="global"),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/statistics/dashboard", "get", kind="global"),
]
