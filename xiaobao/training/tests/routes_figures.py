"""Scoping-quartet entries for the training-and-exams figures (the statistics section's Excel export): a
global route; its other-branch behaviour (a unit outside the scope is a 404) is tested in test_figures.py."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["training.view_training", "exams.view_exams"]
PAGE_ROUTES = [Route("training:figures_export", "get", kind="global")]
API_ROUTES: list[Route] = []
