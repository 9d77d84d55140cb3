"""Sales-recording pages: the register, monthly progress, quarterly samples (draw, detail, start a check) and
the import entry. Thin: validate → fetch for the user → one service or selector → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import RetentionRule
from xiaobao.core.views.common import add_service_errors, bound_filter, paginate, query_without_page
from xiaobao.sales_recording import services
from xiaobao.sales_recording.filtersets import SaleFilter
from xiaobao.sales_recording.forms import DrawForm, ProgressForm, RuleForm
from xiaobao.sales_recording.importing import CODE, PRESET_NAME, TARGETS
from xiaobao.sales_recording.models import CHECK_PERM, IMPORT_PERM, RULES_PERM, VIEW_PERM, SamplingRule
from xiaobao.sales_recording.selectors import (
    active_rules,
    progress_root,
    sale_list,
    sale_progress,
    sample_detail,
    sample_item_for,
    sample_items,
    sample_list,
)

RETENTION_TYPE = "sales_recording"


def check_url(inspection: Any) -> str:
    """Where a check is filled: the inspection's fill page (its detail page, or the list, until it exists)."""
    for name in ("inspections:fill", "inspections:detail"):
        try:
            return reverse(name, args=[inspection.pk])
        except NoReverseMatch:
            continue
    return reverse("inspections:list")


@permission_required(VIEW_PERM, raise_exception=True)
def sale_list_view(request: AuthedRequest) -> HttpResponse:
    """The register of sales that require recording in the user's scope, filtered; HTMX gets the results."""
    form, filters = bound_filter(request, SaleFilter)
    page = paginate(request, sale_list(user=request.user, filters=filters))
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "sales_recording/list.html#results" if request.htmx else "sales_recording/list.html"
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "retention": RetentionRule.objects.filter(record_type=RETENTION_TYPE).first(),
    }
    return render(request, template, context, status=status)


@permission_required(VIEW_PERM, raise_exception=True)
def progress_view(request: AuthedRequest) -> HttpResponse:
    """Recorded ÷ required for a month: the unit's subtree, each child unit's subtree, and month by month."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("year", str(today.year))
    data.setdefault("month", str(today.month))
    form = ProgressForm(data)
    if not form.is_valid():
        return render(request, "sales_recording/progress.html", {"form": form}, status=400)
    root = progress_root(request.user, form.cleaned_data["unit"])
    if root is None:
        raise Http404
    year, month = form.cleaned_data["year"], form.cleaned_data["month"]
    progress = sale_progress(user=request.user, root=root, year=year, month=month)
    return render(request, "sales_recording/progress.html", {"form": form, "progress": progress})


@permission_required(VIEW_PERM, raise_exception=True)
def sample_list_view(request: AuthedRequest) -> HttpResponse:
    """Quarterly samples in the user's scope; users who check recordings draw new ones here."""
    may_draw = request.user.has_perm(CHECK_PERM)
    form = DrawForm(request.POST or None, user=request.user) if may_draw else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                sample = services.sample_draw(
                    actor=request.user,
                    org_unit=data["unit"],
                    year=data["year"],
                    quarter=data["quarter"],
                    rule=data["rule"],
                    seed=data["seed"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Sample drawn."))
                return redirect("sales_recording:sample_detail", pk=sample.pk)
    elif form is not None:
        today = timezone.localdate()
        form.initial.update({"year": today.year, "quarter": (today.month - 1) // 3 + 1})
        form.initial.setdefault("unit", request.user.org_unit_id)
    page = paginate(request, sample_list(user=request.user))
    context = {"form": form, "page": page, "rules": active_rules()}
    return render(request, "sales_recording/samples.html", context, status=status)


@permission_required(VIEW_PERM, raise_exception=True)
def sample_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """One sample: its rule as drawn, the seed, and each sampled sale with its check and findings."""
    sample = sample_detail(user=request.user, pk=pk)
    if sample is None:
        raise Http404
    items = sample_items(sample)
    for view in items:
        view.url = check_url(view.item.inspection) if view.item.inspection else ""  # type: ignore[attr-defined]
    may_check = request.user.has_perm(CHECK_PERM) and request.user.has_perm("inspections.conduct_inspection")
    context = {"sample": sample, "items": items, "may_check": may_check}
    return render(request, "sales_recording/sample_detail.html", context)


@require_POST
@permission_required(CHECK_PERM, raise_exception=True)
def item_check_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Start (or resume) the check of a sampled sale: its inspection's fill page."""
    item = sample_item_for(user=request.user, pk=pk)
    if item is None:
        raise Http404
    try:
        inspection = services.sample_item_check(actor=request.user, item=item)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("sales_recording:sample_detail", pk=item.sample_id)
    return redirect(check_url(inspection))


@permission_required(IMPORT_PERM, raise_exception=True)
def import_entry_view(request: AuthedRequest) -> HttpResponse:
    """Importing the register: the columns a file can have, the upload, and the recent imports."""
    from xiaobao.imports.models import ImportJob

    jobs = (
        ImportJob.objects.visible_to(request.user)
        .filter(kind=CODE)
        .select_related("org_unit", "requested_by")
        .defer("profile", "errors", "value_maps", "columns", "defaults")
        .order_by("-created_at", "-id")[:20]
    )
    upload = f"{reverse('imports:create')}?kind={CODE}"
    context = {"jobs": jobs, "targets": TARGETS, "upload_url": upload, "preset_name": PRESET_NAME}
    return render(request, "sales_recording/import.html", context)


@permission_required(RULES_PERM, raise_exception=True)
def rule_edit_view(request: AuthedRequest, code: str) -> HttpResponse:
    """Edit a sampling rule (samples drawn before keep the rule as it was)."""
    rule = SamplingRule.objects.filter(code=code).first()
    if rule is None:
        raise Http404
    form = RuleForm(request.POST or None, initial=RuleForm.initial_for(rule))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.sampling_rule_save(actor=request.user, rule=rule, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Sampling rule saved."))
                return redirect("sales_recording:samples")
    return render(request, "sales_recording/rule_form.html", {"form": form, "rule": rule}, status=status)
