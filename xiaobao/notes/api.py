"""Notes and templates API (/api/v1/...)."""

from ninja import Router

router = Router(tags=["Notes and templates"])
