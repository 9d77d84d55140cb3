"""early_warning API (router mounted at /api/v1/)."""

from ninja import Router

router = Router(tags=["early_warning"])
