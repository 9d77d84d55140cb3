from ninja import Router

router = Router()

# --- approvals (api_approvals.py) ---
from xiaobao.review.api_approvals import router as approvals_router  # noqa: E402

router.add_router("", approvals_router)
