"""Directory sign-in API."""

from ninja import Router

router = Router(tags=["Directory sign-in"])
