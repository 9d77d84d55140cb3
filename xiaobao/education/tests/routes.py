"""Scoping-quartet entries for the education pages and API operations (see core/tests/route_table.py).

Each part lists its own routes in a module of this package: the catalogue and editions (`routes_campaigns`),
activities (`routes_activities`), figures and documents (`routes_figures`); `route_table.combine` adds them up
in that order.
"""

from __future__ import annotations

from xiaobao.core.tests.route_table import combine

PARTS = ("routes_campaigns", "routes_activities", "routes_figures")

_all = combine("xiaobao.education.tests", PARTS)
setup = _all.setup
POWER_PERMS = _all.power_perms
PAGE_ROUTES = _all.page_routes
API_ROUTES = _all.api_routes
PUBLIC_PAGES = _all.public_pages
PUBLIC_API = _all.public_api
