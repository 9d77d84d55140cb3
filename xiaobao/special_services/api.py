"""Special-group services API (/api/v1/...)."""

from ninja import Router

router = Router(tags=["special_services"])
