"""Education API (/api/v1/education/...): the catalogue and editions (api_campaigns), activities and their
approval (api_activities), the summary and figures (api_figures)."""

from ninja import Router

from xiaobao.education.api_activities import router as activities_router
from xiaobao.education.api_campaigns import router as campaigns_router
from xiaobao.education.api_figures import router as figures_router

router = Router(tags=["education"])
router.add_router("/", campaigns_router)
router.add_router("/", activities_router)
router.add_router("/", figures_router)
