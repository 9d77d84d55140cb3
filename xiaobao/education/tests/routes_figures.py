"""Scoping-quartet entries: figures."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route


def setup(ctx: Any) -> None:
    pass


POWER_PERMS: list[str] = []
PAGE_ROUTES: list[Route] = []
API_ROUTES: list[Route] = []
