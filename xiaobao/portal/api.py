"""Consumer portal API."""

from ninja import Router

router = Router(tags=["Consumer portal"])
