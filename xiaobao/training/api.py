"""Training API (/api/v1/...): the staff register and training records (api_staff), plans, sessions,
attendance and coverage (api_sessions)."""

from ninja import Router

from xiaobao.training.api_sessions import router as sessions_router
from xiaobao.training.api_staff import router as staff_router

router = Router(tags=["training"])
router.add_router("/", staff_router)
router.add_router("/", sessions_router)
