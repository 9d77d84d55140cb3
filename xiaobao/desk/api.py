"""Desk API (/api/v1/...)."""

from ninja import Router

router = Router(tags=["Desk"])
