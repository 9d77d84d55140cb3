"""Webhooks API."""

from ninja import Router

router = Router(tags=["Webhooks"])
