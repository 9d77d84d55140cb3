"""`POST /api/v1/review-checks` (helper A1 fills this in; the name `router` is mounted by checker/api.py)."""

from ninja import Router

router = Router()
