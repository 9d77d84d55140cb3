"""Exams API (/api/v1/...): the question bank (api_questions); exams, attempts, answers and results
(api_exams)."""

from ninja import Router

from xiaobao.exams.api_exams import router as exams_router
from xiaobao.exams.api_questions import router as questions_router

router = Router(tags=["exams"])
router.add_router("/", questions_router)
router.add_router("/", exams_router)
