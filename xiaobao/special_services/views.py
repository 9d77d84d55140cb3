"""Pages: the overview, the outlets' facilities (a phone page per outlet saving each tick by htmx), the
checklist items (head office), home services (list, record, detail with reveal, edit, delete, Excel) and the
figures with drill-down and Excel. Invisible objects are 404, visible but not allowed 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from xiaobao.analytics.periods import Period
from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import add_service_errors
from xiaobao.special_services import selectors
from xiaobao.special_services import services as svc
from xiaobao.special_services.figures import P, compute, count_tables, may_see
from xiaobao.special_services.forms import FacilityItemForm, HomeServiceForm, RevealForm
from xiaobao.special_services.models import MANAGE, MANAGE_ITEMS, VIEW, FacilityItem, HomeService
from xiaobao.special_services.stats import figures_workbook, home_services_workbook

LIST_PAGE = 50


def _unit_param(request: HttpRequest) -> OrgUnit | None:
    code = (request.GET.get("unit") or "").strip()[:32]
    if not code:
        return OrgUnit.objects.visible_to(request.user).order_by("path").first()
    unit = OrgUnit.objects.visible_to(request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def _period_param(request: HttpRequest) -> tuple[Period, str]:
    text = (request.GET.get("period") or "").strip()[:40]
    if not text:
        return Period.year(localdate().year), ""
    try:
        return Period.parse(text), ""
    except ValueError as exc:
        return Period.year(localdate().year), str(exc)


@permission_required(VIEW, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    unit = OrgUnit.objects.visible_to(request.user).order_by("path").first()
    if unit is None:
        raise PermissionDenied
    period = Period.year(localdate().year)
    data = compute(user=request.user, unit=unit, period=period)
    recent = list(selectors.home_services(request.user)[:8])
    rows = selectors.outlet_rows(request.user, unit)
    attention = [r for r in rows if not r.complete][:10]
    return render(
        request,
        "special_services/home.html",
        {"data": data, "recent": recent, "attention": attention, "outlets": len(rows)},
    )


# --- facilities -----------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def facilities(request: HttpRequest) -> HttpResponse:
    unit = _unit_param(request)
    rows = selectors.outlet_rows(request.user, unit)
    show = request.GET.get("show", "")
    if show == "incomplete":
        rows = [r for r in rows if not r.complete]
    return render(
        request,
        "special_services/facilities.html",
        {"rows": rows, "unit": unit, "show": show, "items": len(selectors.active_items())},
    )


def _visible_outlet(request: HttpRequest, unit_id: int) -> OrgUnit:
    outlet = selectors.visible_outlets(request.user).filter(pk=unit_id).first()
    if outlet is None:
        raise Http404
    return outlet


@permission_required(VIEW, raise_exception=True)
def outlet(request: HttpRequest, unit_id: int) -> HttpResponse:
    o = _visible_outlet(request, unit_id)
    page = selectors.outlet_page(request.user, o)
    return render(
        request,
        "special_services/outlet.html",
        {"page": page, "can_edit": request.user.has_perm(MANAGE), "today": localdate()},
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def tick(request: HttpRequest, unit_id: int, item_id: int) -> HttpResponse:
    """Save one item's state (htmx: answers the item's card; otherwise back to the outlet page)."""
    o = _visible_outlet(request, unit_id)
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    item = get_object_or_404(FacilityItem, pk=item_id)
    errors: dict[str, list[str]] = {}
    try:
        svc.facility_set(
            actor=request.user,
            outlet=o,
            item=item,
            present=request.POST.get("present"),
            note=request.POST.get("note", ""),
            checked_on=request.POST.get("checked_on") or None,
        )
    except ValidationError as exc:
        errors = exc.message_dict
    status = 400 if errors else 200
    if not request.htmx:  # type: ignore[attr-defined]
        if errors:
            for msgs in errors.values():
                for m in msgs:
                    messages.error(request, m)
        return redirect("special_services:outlet", unit_id=o.pk)
    state = selectors.item_state(request.user, o, item)
    return render(
        request,
        "special_services/_item_card.html",
        {
            "s": state,
            "outlet": o,
            "can_edit": True,
            "errors": errors,
            "saved": not errors,
            "today": localdate(),
        },
        status=status,
    )


# --- the checklist items (head office) ------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def items(request: HttpRequest) -> HttpResponse:
    form = FacilityItemForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(MANAGE_ITEMS):
            raise PermissionDenied
        if form.is_valid():
            try:
                svc.facility_item_save(actor=request.user, data=form.cleaned_data | {"active": True})
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Checklist item added."))
                return redirect("special_services:items")
        status = 400
    rows = FacilityItem.objects.order_by("-active", "sort_order", "code")
    return render(request, "special_services/items.html", {"rows": rows, "form": form}, status=status)


@permission_required(MANAGE_ITEMS, raise_exception=True)
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(FacilityItem, pk=pk)
    initial = {
        f: getattr(item, f)
        for f in ("code", "name", "description", "inspection_item", "sort_order", "active")
    }
    form = FacilityItemForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.facility_item_save(actor=request.user, data=form.cleaned_data, item=item)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Checklist item saved."))
                return redirect("special_services:items")
        status = 400
    return render(request, "special_services/item_form.html", {"form": form, "item": item}, status=status)


# --- home services --------------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[Any, selectors.HomeServiceFilter]:
    form = selectors.HomeServiceFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HomeService.objects.none(), form
    return selectors.home_services(request.user, form.cleaned_data if form.is_bound else {}), form


@permission_required(VIEW, raise_exception=True)
def home_services(request: HttpRequest) -> HttpResponse:
    qs, form = _filtered(request)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    total = qs.count()
    rows = list(qs[(page - 1) * LIST_PAGE : page * LIST_PAGE])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "special_services/home_services.html",
        {
            "rows": rows,
            "form": form,
            "total": total,
            "page": page,
            "has_next": page * LIST_PAGE < total,
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@permission_required(VIEW, raise_exception=True)
def home_services_export(request: HttpRequest) -> HttpResponse:
    qs, form = _filtered(request)
    if form.errors:
        return home_services(request)
    lines = [f"{_('Exported')}: {localdate()} · {request.user.get_username()}"]
    if form.is_bound:
        lines.append(" · ".join(f"{form.fields[k].label}: {v}" for k, v in form.cleaned_data.items() if v))
    content = home_services_workbook(qs.iterator(chunk_size=500), lines=lines)
    audit_record(
        actor=request.user,
        action="export",
        object_type="special_services.homeservice",
        object_repr="home services",
        changes={"filters": request.GET.urlencode()[:500]},
    )
    return xlsx_file_response(f"home-services-{localdate():%Y%m%d}.xlsx", content)


@permission_required(MANAGE, raise_exception=True)
def home_service_new(request: HttpRequest) -> HttpResponse:
    form = HomeServiceForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                s = svc.home_service_create(actor=request.user, data=form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Home service recorded."))
                return redirect(s.get_absolute_url())
        status = 400
    return render(request, "special_services/home_service_form.html", {"form": form}, status=status)


def _visible_service(request: HttpRequest, pk: int) -> HomeService:
    s = selectors.home_service_detail(request.user, pk)
    if s is None:
        raise Http404
    return s


@permission_required(VIEW, raise_exception=True)
def home_service(request: HttpRequest, pk: int) -> HttpResponse:
    s = _visible_service(request, pk)
    fields = [
        ("phone", _("Phone"), s.consumer.phone),
        ("id_number", _("ID number"), s.consumer.id_number),
        ("address", _("Address"), s.consumer.address),
    ]
    return render(request, "special_services/home_service.html", {"s": s, "fields": fields})


@require_POST
@permission_required(VIEW, raise_exception=True)
def home_service_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """One personal field of the person served, with a reason (logged by core's reveal)."""
    s = _visible_service(request, pk)
    if not request.user.has_perm("core.reveal_personal_data"):
        raise PermissionDenied
    form = RevealForm(request.POST)
    value, status = None, 200
    if form.is_valid():
        try:
            value = svc.home_service_reveal(
                actor=request.user,
                service=s,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
    else:
        status = 400
    name = request.POST.get("field", "")
    sealed = getattr(s.consumer, name, "") if name in ("phone", "id_number", "address") else ""
    return render(
        request,
        "special_services/_reveal_cell.html",
        {"s": s, "name": name, "form": form, "value": value, "sealed": sealed},
        status=status,
    )


@permission_required(MANAGE, raise_exception=True)
def home_service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    s = _visible_service(request, pk)
    if not unit_in_scope(request.user, s.org_unit):
        raise PermissionDenied
    initial = {
        "org_unit": s.org_unit.code,
        "served_on": s.served_on,
        "reason": s.reason.code,
        "service": s.service.code,
        "place": s.place,
        "staff_involved": s.staff_involved,
        "outcome": s.outcome,
        "notes": s.notes,
    }
    form = HomeServiceForm(request.POST or None, user=request.user, editing=True, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.service_data()
            for k in ("name", "phone", "id_number", "address"):
                if not data.get(k):
                    data.pop(k, None)
            try:
                svc.home_service_update(actor=request.user, service=s, data=data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Home service saved."))
                return redirect(s.get_absolute_url())
        status = 400
    return render(request, "special_services/home_service_form.html", {"form": form, "s": s}, status=status)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def home_service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    s = _visible_service(request, pk)
    svc.home_service_delete(actor=request.user, service=s)
    messages.success(request, _("Home service deleted."))
    return redirect("special_services:home_services")


# --- figures --------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def figures(request: HttpRequest) -> HttpResponse:
    unit = _unit_param(request)
    if unit is None or not may_see(request.user, unit):
        raise PermissionDenied
    period, period_error = _period_param(request)
    data = compute(user=request.user, unit=unit, period=period)
    ancestors = list(
        unit.ancestors().filter(pk__in=OrgUnit.objects.visible_to(request.user)).order_by("depth")
    )
    return render(
        request,
        "special_services/figures.html",
        {
            "data": data,
            "period_text": request.GET.get("period", period.label)[:40],
            "period_error": period_error,
            "ancestors": ancestors,
            "tables": count_tables(data),
            "charts": {
                "by_unit": {
                    "labels": [r.name for r in data.by_unit],
                    "values": [r.tally.services for r in data.by_unit],
                    "links": [r.urls.get("drill", "") for r in data.by_unit],
                },
                "by_reason": {
                    "labels": [r.name for r in data.by_reason],
                    "values": [r.count for r in data.by_reason],
                    "links": [r.url for r in data.by_reason],
                },
            },
        },
        status=400 if period_error else 200,
    )


@permission_required(VIEW, raise_exception=True)
def figures_export(request: HttpRequest) -> HttpResponse:
    unit = _unit_param(request)
    if unit is None or not may_see(request.user, unit):
        raise PermissionDenied
    period, period_error = _period_param(request)
    if period_error:
        return figures(request)
    data = compute(user=request.user, unit=unit, period=period)
    name = pgettext(P, "special-services")
    return xlsx_file_response(f"{name}-{unit.code}-{period.label}.xlsx", figures_workbook(data))
