"""Scoping-quartet entries for the exams pages and API operations (see core/tests/route_table.py).

Each part lists its own routes in a module of this package: the question bank (`routes_questions`), exams and
attempts API (`routes_exams`), the organisers' pages (`routes_organiser`) and the candidates' pages
(`routes_candidate`); `route_table.combine` adds them up in that order.
"""

from __future__ import annotations

from xiaobao.core.tests.route_table import combine

PARTS = ("routes_questions", "routes_exams", "routes_organiser", "routes_candidate")

_all = combine("xiaobao.exams.tests", PARTS)
setup = _all.setup
POWER_PERMS = _all.power_perms
PAGE_ROUTES = _all.page_routes
API_ROUTES = _all.api_routes
PUBLIC_PAGES = _all.public_pages
PUBLIC_API = _all.public_api
