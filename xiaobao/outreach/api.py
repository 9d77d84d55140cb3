"""Notices to complainants API."""

from ninja import Router

router = Router(tags=["Notices to complainants"])
