"""analytics API (router mounted at /api/v1/)."""

from ninja import Router

router = Router(tags=["analytics"])
