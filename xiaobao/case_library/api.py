"""Case library API (/api/v1/...)."""

from ninja import Router

router = Router(tags=["Case library"])
