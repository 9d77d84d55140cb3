"""Education pages of the catalogue and the editions: the module's landing page, the catalogue (campaigns,
venue types, topics; head office), the editions of each year with their targets per unit, plan vs actual
and the outlets that have not reported yet.

Editions are read through `campaigns.editions_visible_to(user)` (404 outside it); changes need
`education.manage_education` over the organising unit (403), the catalogue head office's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from xiaobao.core.clock import localdate
from xiaobao.core.http import AuthedRequest
from xiaobao.core.scoping import subtree_q
from xiaobao.core.views.common import add_service_errors
from xiaobao.education import campaigns as svc
from xiaobao.education.forms_campaigns import TARGET_FIELDS, CatalogueForm, EditionForm, targets_from_post
from xiaobao.education.models import Activity, Campaign, CampaignEdition, Topic, Venue

VIEW, MANAGE = svc.VIEW, svc.MANAGE
KIND_LABELS = {"campaign": "Campaigns", "venue": "Venue types", "topic": "Topics"}


def _edition(request: AuthedRequest, pk: int) -> CampaignEdition:
    edition = svc.edition_detail(request.user, pk)
    if edition is None:
        raise Http404
    return edition


def _has_template(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _plan_vs_actual(user: Any, edition: CampaignEdition) -> Any:
    """edu-figures' rows (`figures.plan_vs_actual`) when that part and its template exist; else None."""
    try:
        from xiaobao.education.figures import plan_vs_actual  # type: ignore[attr-defined]
    except ImportError:
        return None
    if not _has_template("education/_plan_vs_actual.html"):
        return None
    return plan_vs_actual(user, edition)


def _suggestions(user: Any, today: Any) -> Any:
    """edu-figures' anti-fraud campaign suggestions (`suggestions.suggestions`) when that part exists."""
    try:
        from xiaobao.education.suggestions import suggestions  # type: ignore[attr-defined]
    except ImportError:
        return None
    if not _has_template("education/_suggestions.html"):
        return None
    return suggestions(user, today=today)


# --- home -----------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    today = localdate()
    current = svc.current_editions(user, today)
    silent = {e.pk: svc.silent_outlets(user, e, today) for e in current}
    mine = user.org_unit if user.org_unit_id else svc.view_root(user)
    recent: list[Activity] = []
    if mine is not None:
        recent = list(
            Activity.objects.visible_to(user)
            .filter(subtree_q(mine.path, "org_unit__path"))
            .select_related("org_unit", "venue", "edition__campaign")
            .order_by("-held_on", "-id")[:10]
        )
    year_editions = list(svc.editions(user, year=today.year))
    return render(
        request,
        "education/campaigns/home.html",
        {
            "today": today,
            "current": [(e, silent[e.pk]) for e in current],
            "year_editions": year_editions,
            "recent": recent,
            "awaiting": svc.awaiting_my_approval(user),
            "can_manage": svc.may_manage_edition(user),
            "can_catalogue": svc.may_manage_catalogue(user),
            "suggestions": _suggestions(user, today),
        },
    )


# --- catalogue ------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def catalogue(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "education/campaigns/catalogue.html",
        {
            "campaigns": Campaign.objects.order_by("sort_order", "code"),
            "venues": Venue.objects.order_by("sort_order", "code"),
            "topics": Topic.objects.order_by("sort_order", "code"),
            "can_catalogue": svc.may_manage_catalogue(request.user),
        },
    )


def _kind(kind: str) -> Any:
    if kind not in svc.CATALOGUE:
        raise Http404
    return svc.CATALOGUE[kind]


def _catalogue_form(request: AuthedRequest, kind: str, obj: Any) -> HttpResponse:
    if not svc.may_manage_catalogue(request.user):
        raise PermissionDenied
    form = CatalogueForm(request.POST or None, kind=kind, obj=obj)
    if request.method == "POST" and form.is_valid():
        try:
            saved = svc.catalogue_save(actor=request.user, kind=kind, data=form.to_data(), obj=obj)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
            return redirect("education:catalogue")
    return render(
        request,
        "education/campaigns/catalogue_form.html",
        {"form": form, "kind": kind, "obj": obj},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def catalogue_new(request: AuthedRequest, kind: str) -> HttpResponse:
    _kind(kind)
    return _catalogue_form(request, kind, None)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def catalogue_edit(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    obj = _kind(kind).objects.filter(pk=pk).first() if 0 < pk < 2**31 else None
    if obj is None:
        raise Http404
    return _catalogue_form(request, kind, obj)


# --- editions ----------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def editions(request: AuthedRequest) -> HttpResponse:
    year_raw = request.GET.get("year", "")
    year = int(year_raw) if year_raw.isdigit() and svc.MIN_YEAR <= int(year_raw) <= svc.MAX_YEAR else None
    campaign = Campaign.objects.filter(code=request.GET.get("campaign", "")[:40]).first()
    rows = list(svc.editions(request.user, year=year, campaign=campaign))
    years = sorted(
        set(svc.editions_visible_to(request.user).values_list("year", flat=True)) | {localdate().year},
        reverse=True,
    )
    return render(
        request,
        "education/campaigns/editions.html",
        {
            "rows": rows,
            "years": years,
            "year": year,
            "campaign": campaign,
            "campaigns": Campaign.objects.order_by("sort_order"),
            "can_manage": svc.may_manage_edition(request.user),
            "today": localdate(),
        },
    )


def _grid(request: AuthedRequest, edition: CampaignEdition) -> list[dict[str, Any]]:
    units = svc.target_units(request.user, edition)
    targets = svc.targets_by_unit(request.user, edition)
    return [{"unit": u, "target": targets.get(u.pk)} for u in units]


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def edition_new(request: AuthedRequest) -> HttpResponse:
    form = EditionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            edition = svc.edition_create(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The campaign is open: now set the targets per unit."))
            return redirect("education:edition_edit", edition.pk)
    return render(
        request,
        "education/campaigns/edition_form.html",
        {"form": form, "edition": None, "grid": []},
        status=422 if form.errors else 200,
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def edition(request: AuthedRequest, pk: int) -> HttpResponse:
    ed = _edition(request, pk)
    today = localdate()
    silent = svc.silent_outlets(request.user, ed, today)
    return render(
        request,
        "education/campaigns/edition.html",
        {
            "edition": ed,
            "grid": _grid(request, ed),
            "silent": silent,
            "plan_vs_actual": _plan_vs_actual(request.user, ed),
            "can_manage": svc.may_manage_edition(request.user, ed.org_unit),
            "reminder_days": svc.reminder_days(ed),
            "today": today,
            "activity_count": Activity.objects.visible_to(request.user).filter(edition=ed).count(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def edition_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    ed = _edition(request, pk)
    if not svc.may_manage_edition(request.user, ed.org_unit):
        raise PermissionDenied
    form = EditionForm(request.POST or None, user=request.user, edition=ed)
    grid = _grid(request, ed)
    grid_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        units = [row["unit"] for row in grid]
        target_rows = targets_from_post(request.POST, units)
        if form.is_valid():
            try:
                ed = svc.edition_update(
                    actor=request.user, edition=ed, data={**form.to_data(), "targets": target_rows}
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                grid_errors = {k: v for k, v in exc.message_dict.items() if k.startswith("targets")}
            else:
                messages.success(request, _("Saved the campaign and its targets."))
                return redirect("education:edition", ed.pk)
        # show what was typed
        typed = {r["org_unit"]: r for r in target_rows}
        for i, row in enumerate(grid):
            row["typed"] = typed.get(row["unit"].code)
            row["errors"] = [
                m for k, msgs in grid_errors.items() if k.startswith(f"targets.{i}.") for m in msgs
            ]
    return render(
        request,
        "education/campaigns/edition_form.html",
        {"form": form, "edition": ed, "grid": grid, "fields": TARGET_FIELDS},
        status=422 if form.errors or grid_errors else 200,
    )
