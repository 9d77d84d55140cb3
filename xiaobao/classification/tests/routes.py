"""Scoping-quartet entries for classification (see core/tests/route_table.py).

The model and its figures are the institution's (one model for every unit; `manage_classifier` is granted to
head-office roles only); the similar-complaints panel and API are per complaint, within the user's scope."""

from __future__ import annotations

from typing import Any

from xiaobao.core.tests.route_table import Route

POWER_PERMS = ["classification.manage_classifier"]


def setup(ctx: Any) -> None:
    from django.utils import timezone

    from xiaobao.classification.models import ClassifierModel, TrainingJob

    # A version row without a file (activating it loads nothing; suggestions just stay empty).
    ctx.classifier_model = ClassifierModel.objects.create(
        version=900, trained_at=timezone.now(), file="model-v900-missing.joblib", sha256="0" * 64
    )
    ctx.training_job = TrainingJob.objects.create(
        requested_by=ctx.b1_user, org_unit=ctx.org.b1, state="done", progress_total=100, progress_done=100
    )


PAGE_ROUTES: list[Route] = [
    Route("classification:home", "get", kind="global"),
    Route("classification:train", "post", kind="global", ok=(302,)),
    Route("classification:job_progress", "get", lambda c: {"pk": c.training_job.pk}, kind="global"),
    Route(
        "classification:activate",
        "post",
        lambda c: {"pk": c.classifier_model.pk},
        kind="global",
        ok=(302,),
    ),
    Route("classification:similar", "get", lambda c: {"pk": c.complaint.pk}),
]
API_ROUTES: list[Route] = [
    Route(
        "POST /api/v1/complaints/suggest",
        "post",
        kind="global",
        data=lambda c: {"request": "要求退还信用卡年费", "description": "未提前告知即扣收年费"},
    ),
    Route("GET /api/v1/complaints/{complaint_id}/similar", "get", lambda c: {"complaint_id": c.complaint.pk}),
]
