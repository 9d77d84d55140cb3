"""Assisted classification API (/api/v1/...)."""

from ninja import Router

router = Router(tags=["Assisted classification"])
