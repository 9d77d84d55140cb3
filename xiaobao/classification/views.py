"""Pages: the administrators' page (versions, figures, train now, acceptance by code), the similar-complaints
panel of the complaint page (loaded with HTMX)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from xiaobao.classification import selectors, services
from xiaobao.classification.models import ClassifierModel, Origin, TrainingJob
from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest

MANAGE = services.MANAGE


def _dimension_rows(model: ClassifierModel) -> list[dict[str, Any]]:
    rows = []
    for dim in services.DIMENSIONS:
        m = model.metrics.get(dim) or {}
        rows.append({"dimension": dim, "metrics": m, "baseline": m.get("baseline")})
    return rows


@require_GET
@permission_required(MANAGE, raise_exception=True)
def home(request: AuthedRequest) -> HttpResponse:
    models = selectors.versions()
    ready, reason = services.readiness()
    job = TrainingJob.objects.select_related("model").first()
    bt_rows, bt_total = selectors.acceptance("business_type")
    cause_rows, cause_total = selectors.acceptance("cause")
    context = {
        "models": [(m, _dimension_rows(m)) for m in models],
        "active": next((m for m in models if m.is_active), None),
        "ready": ready,
        "reason": reason,
        "minimum": services.min_complaints(),
        "job": job,
        "acceptance": [
            ("business_type", bt_rows, bt_total),
            ("cause", cause_rows, cause_total),
        ],
        "origins": selectors.origin_counts(),
        "imported": Origin.IMPORTED,
    }
    return render(request, "classification/home.html", context)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def train(request: AuthedRequest) -> HttpResponse:
    try:
        services.training_job_create(actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("classification:home")


@require_GET
@permission_required(MANAGE, raise_exception=True)
def job_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(TrainingJob, pk=pk)
    response = render(
        request,
        "core/_job.html",
        {"job": job, "poll_url": reverse("classification:job_progress", args=[job.pk])},
    )
    if request.htmx and not job.is_active:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@permission_required(MANAGE, raise_exception=True)
def activate(request: AuthedRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(ClassifierModel, pk=pk)
    services.classifier_activate(actor=request.user, model=model)
    messages.success(request, str(model))
    return redirect("classification:home")


@require_GET
def similar(request: AuthedRequest, pk: int) -> HttpResponse:
    """The panel's body (HTMX): the earlier complaints most like this one, within the user's scope."""
    complaint = selectors.visible_complaint(request.user, pk)
    rows = selectors.similar(user=request.user, complaint=complaint)
    return render(request, "classification/_similar_rows.html", {"rows": rows, "object": complaint})
