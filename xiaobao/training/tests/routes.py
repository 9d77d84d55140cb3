"""Scoping-quartet entries for the training pages and API operations (see core/tests/route_table.py).

Each part lists its own routes in a module of this package: the staff register and training records
(`routes_staff`), plans, sessions, attendance, sign-in and coverage (`routes_sessions`) and the figures'
export (`routes_figures`); `route_table.combine` adds them up in that order.
"""

from __future__ import annotations

from xiaobao.core.tests.route_table import combine

PARTS = ("routes_staff", "routes_sessions", "routes_figures")

_all = combine("xiaobao.training.tests", PARTS)
setup = _all.setup
POWER_PERMS = _all.power_perms
PAGE_ROUTES = _all.page_routes
API_ROUTES = _all.api_routes
PUBLIC_PAGES = _all.public_pages
PUBLIC_API = _all.public_api
