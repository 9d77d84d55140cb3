"""Special-group services API (/api/v1/special-services/...): the checklist items, an outlet's facilities
(GET the register beside the latest facilities inspection; PUT one item's state), home services (list with
filters, create, read, change, delete — the person masked), the figures of a unit and period.

Reading needs `special_services.view_special_services`, writing `manage_special_services`, both in the
caller's subtree: an outlet or service outside it is 404, a missing permission 403, bad input 422 with the
fields' messages (nothing stored)."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.analytics.periods import Period
from xiaobao.core.api.common import require_perm
from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError, field_error
from xiaobao.core.models import OrgUnit
from xiaobao.special_services import selectors
from xiaobao.special_services import services as svc
from xiaobao.special_services.figures import compute, may_see
from xiaobao.special_services.models import MANAGE, VIEW, FacilityItem, HomeService

router = Router(tags=["special_services"])


class FacilityItemOut(Schema):
    code: str
    name: str
    description: str
    inspection_item: str
    sort_order: int
    active: bool


class FacilityStateOut(Schema):
    item: str
    name: str
    present: bool | None = Field(..., description="null: not checked yet")
    note: str
    checked_on: dt.date | None
    checked_by: str | None
    inspection: str | None = Field(
        ..., description="The latest facilities inspection's answer for the same item: yes / no / na / null"
    )
    disagrees: bool


class OutletFacilitiesOut(Schema):
    outlet: str
    outlet_name: str
    inspection: str | None = Field(..., description="Reference of the latest submitted facilities inspection")
    items: list[FacilityStateOut]


class FacilityStateIn(Schema):
    present: bool
    note: str = Field("", max_length=300)
    checked_on: dt.date | None = Field(None, description="Default: today")


class HomeServiceIn(Schema):
    org_unit: str = Field(..., max_length=32, description="Unit code, in your subtree")
    served_on: dt.date
    name: str = Field(..., max_length=100, description="Name of the person served (stored masked)")
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)
    address: str = Field("", max_length=200)
    reason: str = Field(..., max_length=40, description="limited_mobility, serious_illness, advanced_age, …")
    service: str = Field(..., max_length=40, description="account_opening, loss_report, password_reset, …")
    place: str = Field("home", max_length=20, description="home, hospital, care_home or other")
    staff_involved: int = Field(2, ge=1, le=50)
    outcome: str = Field("done", max_length=20, description="done, partly or not_done")
    notes: str = Field("", max_length=2000)


class HomeServicePatch(Schema):
    org_unit: str | None = Field(None, max_length=32)
    served_on: dt.date | None = None
    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=18)
    address: str | None = Field(None, max_length=200)
    reason: str | None = Field(None, max_length=40)
    service: str | None = Field(None, max_length=40)
    place: str | None = Field(None, max_length=20)
    staff_involved: int | None = Field(None, ge=1, le=50)
    outcome: str | None = Field(None, max_length=20)
    notes: str | None = Field(None, max_length=2000)


class HomeServiceOut(Schema):
    id: int
    org_unit: str
    org_unit_name: str
    served_on: dt.date
    person: str = Field(..., description="The person's name, masked")
    phone: str = Field(..., description="Masked")
    reason: str
    reason_name: str
    service: str
    service_name: str
    place: str
    staff_involved: int
    outcome: str
    notes: str


class HomeServiceFilter(Schema):
    unit: str = Field("", max_length=32)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    reason: str = Field("", max_length=40)
    service: str = Field("", max_length=40)
    place: str = Field("", max_length=20)
    outcome: str = Field("", max_length=20)


class CountOut(Schema):
    code: str
    name: str
    count: int


class UnitFiguresOut(Schema):
    unit: str
    name: str
    outlets: int
    outlets_checked: int
    outlets_equipped: int
    home_services: int
    people_served: int
    special_complaints: int | None


class FiguresOut(Schema):
    unit: str
    period: str
    outlets: int
    outlets_checked: int
    outlets_equipped: int
    home_services: int
    people_served: int
    special_complaints: int | None = Field(..., description="null: you may not see complaints")
    by_reason: list[CountOut]
    by_service: list[CountOut]
    by_unit: list[UnitFiguresOut]


def _service_out(s: HomeService) -> dict[str, Any]:
    return {
        "id": s.pk,
        "org_unit": s.org_unit.code,
        "org_unit_name": s.org_unit.name,
        "served_on": s.served_on,
        "person": s.consumer.masked_name,
        "phone": getattr(s.consumer.phone, "masked", "") if s.consumer.phone else "",
        "reason": s.reason.code,
        "reason_name": s.reason.name,
        "service": s.service.code,
        "service_name": s.service.name,
        "place": s.place,
        "staff_involved": s.staff_involved,
        "outcome": s.outcome,
        "notes": s.notes,
    }


def _outlet(request: HttpRequest, code: str) -> OrgUnit:
    outlet = selectors.visible_outlets(request.user).filter(code=code[:32]).first()
    if outlet is None:
        raise Http404
    return outlet


def _facilities_out(request: HttpRequest, outlet: OrgUnit) -> dict[str, Any]:
    page = selectors.outlet_page(request.user, outlet)
    return {
        "outlet": outlet.code,
        "outlet_name": outlet.name,
        "inspection": page.inspection.reference if page.inspection else None,
        "items": [
            {
                "item": s.item.code,
                "name": s.item.name,
                "present": s.state.present if s.state else None,
                "note": s.state.note if s.state else "",
                "checked_on": s.state.checked_on if s.state else None,
                "checked_by": s.state.checked_by.username if s.state else None,
                "inspection": s.inspected or None,
                "disagrees": s.disagrees,
            }
            for s in page.items
        ],
    }


@router.get(
    "/special-services/facility-items", response=list[FacilityItemOut], summary="The facilities checklist"
)
def facility_items(request: HttpRequest):
    require_perm(request.user, VIEW)
    return list(FacilityItem.objects.order_by("-active", "sort_order", "code"))


@router.get(
    "/special-services/outlets/{code}/facilities",
    response=OutletFacilitiesOut,
    summary="An outlet's facilities register beside the latest facilities inspection",
)
def outlet_facilities(request: HttpRequest, code: str):
    require_perm(request.user, VIEW)
    return _facilities_out(request, _outlet(request, code))


@router.put(
    "/special-services/outlets/{code}/facilities/{item}",
    response=FacilityStateOut,
    summary="Record one item's state at the outlet (kept in the history)",
)
def outlet_facility_put(request: HttpRequest, code: str, item: str, payload: FacilityStateIn):
    require_perm(request.user, VIEW)
    outlet = _outlet(request, code)
    require_perm(request.user, MANAGE)
    found = FacilityItem.objects.filter(code=item[:40]).first()
    if found is None:
        raise field_error("item", _("Unknown checklist item."))
    svc.facility_set(
        actor=request.user,
        outlet=outlet,
        item=found,
        present=payload.present,
        note=payload.note,
        checked_on=payload.checked_on,
    )
    out = _facilities_out(request, outlet)
    return next(i for i in out["items"] if i["item"] == found.code)


@router.get(
    "/special-services/home-services", response=list[HomeServiceOut], summary="Home services in your view"
)
@paginate(LimitOffsetPagination)
def home_services(request: HttpRequest, filters: Query[HomeServiceFilter]):
    require_perm(request.user, VIEW)
    form = selectors.HomeServiceFilter({k: v for k, v in filters.dict().items() if v not in (None, "")})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return [_service_out(s) for s in selectors.home_services(request.user, form.cleaned_data)]


@router.post(
    "/special-services/home-services", response={201: HomeServiceOut}, summary="Record a home service"
)
def home_service_create(request: HttpRequest, payload: HomeServiceIn):
    require_perm(request.user, MANAGE)
    s = svc.home_service_create(actor=request.user, data=payload.dict())
    return Status(201, _service_out(selectors.home_service_detail(request.user, s.pk) or s))


def _visible(request: HttpRequest, service_id: int) -> HomeService:
    require_perm(request.user, VIEW)
    s = selectors.home_service_detail(request.user, service_id)
    if s is None:
        raise Http404
    return s


@router.get("/special-services/home-services/{service_id}", response=HomeServiceOut)
def home_service_get(request: HttpRequest, service_id: int):
    return _service_out(_visible(request, service_id))


@router.patch("/special-services/home-services/{service_id}", response=HomeServiceOut)
def home_service_patch(request: HttpRequest, service_id: int, payload: HomeServicePatch):
    s = _visible(request, service_id)
    require_perm(request.user, MANAGE)
    svc.home_service_update(actor=request.user, service=s, data=payload.dict(exclude_unset=True))
    return _service_out(_visible(request, service_id))


@router.delete("/special-services/home-services/{service_id}", response={204: None})
def home_service_delete(request: HttpRequest, service_id: int):
    s = _visible(request, service_id)
    require_perm(request.user, MANAGE)
    svc.home_service_delete(actor=request.user, service=s)
    return Status(204, None)


@router.get(
    "/special-services/figures", response=FiguresOut, summary="Figures of a unit's subtree for a period"
)
def figures(request: HttpRequest, unit: str = "", period: str = ""):
    require_perm(request.user, VIEW)
    found = (
        OrgUnit.objects.visible_to(request.user).filter(code=unit[:32]).first()
        if unit
        else OrgUnit.objects.visible_to(request.user).order_by("path").first()
    )
    if found is None or not may_see(request.user, found):
        raise Http404
    try:
        p = Period.parse(period) if period else Period.year(localdate().year)
    except ValueError as exc:
        raise field_error("period", str(exc)) from None
    data = compute(user=request.user, unit=found, period=p)
    t = data.total
    shown = data.complaints_shown
    return {
        "unit": found.code,
        "period": p.label,
        "outlets": t.outlets,
        "outlets_checked": t.outlets_checked,
        "outlets_equipped": t.outlets_equipped,
        "home_services": t.services,
        "people_served": t.people,
        "special_complaints": t.complaints if shown else None,
        "by_reason": [{"code": r.key, "name": r.name, "count": r.count} for r in data.by_reason],
        "by_service": [{"code": r.key, "name": r.name, "count": r.count} for r in data.by_service],
        "by_unit": [
            {
                "unit": r.key,
                "name": r.name,
                "outlets": r.tally.outlets,
                "outlets_checked": r.tally.outlets_checked,
                "outlets_equipped": r.tally.outlets_equipped,
                "home_services": r.tally.services,
                "people_served": r.tally.people,
                "special_complaints": r.tally.complaints if shown else None,
            }
            for r in data.by_unit
        ],
    }
