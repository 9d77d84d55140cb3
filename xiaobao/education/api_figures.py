"""API: figures."""

from ninja import Router

router = Router()
