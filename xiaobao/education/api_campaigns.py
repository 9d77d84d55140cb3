"""Education API, the catalogue and the editions: /api/v1/education/campaigns (list, add),
/api/v1/education/venues and /topics (lists), /api/v1/education/editions (list with year and campaign
filters, open one), /api/v1/education/editions/{id} (read with targets, change fields and targets) and
/api/v1/education/editions/{id}/silent-outlets (outlets of the caller's view with no activity yet).

Reading needs `education.view_education`; editions outside the caller's view are 404. Adding a campaign
needs head office (`manage_education` over the whole institution); editions need `manage_education` over the
organising unit. Field errors answer 422 with the field's messages (the services of `campaigns.py`)."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import require_perm
from xiaobao.core.clock import localdate
from xiaobao.education import campaigns as svc
from xiaobao.education.models import MAX_REMIND_DAYS, Campaign, CampaignEdition, Topic, Venue

router = Router(tags=["education"])
MAX_ID = 2**31 - 1


class EduCampaignIn(Schema):
    code: str = Field(..., min_length=1, max_length=40, description="Letters, digits, - or _")
    name: str = Field(..., min_length=1, max_length=100)
    sort_order: int | None = Field(None, ge=0, le=32767)
    description: str = Field("", max_length=2000)
    active: bool = True


class EduCampaignOut(Schema):
    id: int
    code: str
    name: str
    sort_order: int
    active: bool
    description: str


class EduVenueOut(Schema):
    id: int
    code: str
    name: str
    sort_order: int
    active: bool
    online: bool


class EduTopicOut(Schema):
    id: int
    code: str
    name: str
    sort_order: int
    active: bool
    fraud: bool = Field(..., description="An anti-fraud topic")


class EduTargetIn(Schema):
    org_unit: str = Field(..., max_length=32, description="Unit code inside the organising unit's subtree")
    activities: int | None = Field(None, ge=0, le=svc.TARGET_MAX)
    people_reached: int | None = Field(None, ge=0, le=svc.TARGET_MAX)
    leaflets: int | None = Field(None, ge=0, le=svc.TARGET_MAX)


class EduTargetOut(Schema):
    org_unit: str
    org_unit_name: str
    activities: int
    people_reached: int
    leaflets: int


class EduEditionIn(Schema):
    campaign: str = Field(..., max_length=40, description="Campaign code")
    year: int = Field(..., ge=svc.MIN_YEAR, le=svc.MAX_YEAR)
    theme: str = Field("", max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    report_by: dt.date = Field(..., description="Outlets report their activities by this day")
    org_unit: str = Field(
        "", max_length=32, description="Organising unit code (default: the top of your view)"
    )
    remind_days: int | None = Field(
        None, ge=0, le=MAX_REMIND_DAYS, description="Days before report_by the reminders start (default 7)"
    )
    notes: str = Field("", max_length=5000)
    targets: list[EduTargetIn] = Field(default_factory=list, max_length=500)


class EduEditionPatch(Schema):
    campaign: str | None = Field(None, max_length=40)
    year: int | None = Field(None, ge=svc.MIN_YEAR, le=svc.MAX_YEAR)
    theme: str | None = Field(None, max_length=200)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    report_by: dt.date | None = None
    org_unit: str | None = Field(None, max_length=32)
    remind_days: int | None = Field(
        None, ge=0, le=MAX_REMIND_DAYS, description="null: the default window (7 days)"
    )
    notes: str | None = Field(None, max_length=5000)
    targets: list[EduTargetIn] | None = Field(
        None, max_length=500, description="Rows to set; a row with no numbers (or all 0) removes that target"
    )


class EduEditionOut(Schema):
    id: int
    campaign: str
    campaign_name: str
    year: int
    theme: str
    starts_on: dt.date
    ends_on: dt.date
    report_by: dt.date
    org_unit: str
    org_unit_name: str
    remind_days: int = Field(..., description="Reminder window in days (the edition's, or the default)")
    notes: str
    targets: list[EduTargetOut] = Field(..., description="The targets of the units in your view")


class EduEditionListOut(Schema):
    id: int
    campaign: str
    campaign_name: str
    year: int
    theme: str
    starts_on: dt.date
    ends_on: dt.date
    report_by: dt.date
    org_unit: str


class EduEditionFilter(Schema):
    year: int | None = Field(None, ge=svc.MIN_YEAR, le=svc.MAX_YEAR)
    campaign: str = Field("", max_length=40, description="Campaign code")


class EduSilentOutletOut(Schema):
    code: str
    name: str
    parent: str | None = Field(..., description="Code of the outlet's parent unit")


class EduSilentOut(Schema):
    edition: int
    report_by: dt.date
    state: str = Field(..., description="open, due_soon (within the reminder days) or overdue")
    days_left: int
    outlets_total: int = Field(..., description="Active outlets of the campaign's reach in your view")
    outlets_reported: int
    outlets: list[EduSilentOutletOut]


def _code_row(obj: Any, *extra: str) -> dict[str, Any]:
    row = {
        "id": obj.pk,
        "code": obj.code,
        "name": obj.name,
        "sort_order": obj.sort_order,
        "active": obj.active,
    }
    row.update({k: getattr(obj, k) for k in extra})
    return row


def edition_out(user: Any, edition: CampaignEdition) -> dict[str, Any]:
    return {
        "id": edition.pk,
        "campaign": edition.campaign.code,
        "campaign_name": edition.campaign.name,
        "year": edition.year,
        "theme": edition.theme,
        "starts_on": edition.starts_on,
        "ends_on": edition.ends_on,
        "report_by": edition.report_by,
        "org_unit": edition.org_unit.code,
        "org_unit_name": edition.org_unit.name,
        "remind_days": svc.reminder_days(edition),
        "notes": edition.notes,
        "targets": [
            {
                "org_unit": t.org_unit.code,
                "org_unit_name": t.org_unit.name,
                "activities": t.activities,
                "people_reached": t.people_reached,
                "leaflets": t.leaflets,
            }
            for t in sorted(svc.targets_by_unit(user, edition).values(), key=lambda t: t.org_unit.path)
        ],
    }


def _edition(request: HttpRequest, edition_id: int) -> CampaignEdition:
    require_perm(request.user, svc.VIEW)
    edition = svc.edition_detail(request.user, edition_id) if 0 < edition_id <= MAX_ID else None
    if edition is None:
        raise Http404
    return edition


# --- catalogue ----------------------------------------------------------------------------------------------


@router.get("/education/campaigns", response=list[EduCampaignOut], summary="The campaign catalogue")
def campaign_list(request: HttpRequest):
    require_perm(request.user, svc.VIEW)
    return [_code_row(c, "description") for c in Campaign.objects.order_by("sort_order", "code")]


@router.post(
    "/education/campaigns",
    response={201: EduCampaignOut},
    summary="Add a campaign to the catalogue (head office)",
)
def campaign_create(request: HttpRequest, payload: EduCampaignIn):
    require_perm(request.user, svc.MANAGE)
    obj = svc.catalogue_save(actor=request.user, kind="campaign", data=payload.dict())
    return Status(201, _code_row(obj, "description"))


@router.get("/education/venues", response=list[EduVenueOut], summary="Venue types (线上 is online)")
def venue_list(request: HttpRequest):
    require_perm(request.user, svc.VIEW)
    return [_code_row(v, "online") for v in Venue.objects.order_by("sort_order", "code")]


@router.get("/education/topics", response=list[EduTopicOut], summary="Topics, anti-fraud ones flagged")
def topic_list(request: HttpRequest):
    require_perm(request.user, svc.VIEW)
    return [_code_row(t, "fraud") for t in Topic.objects.order_by("sort_order", "code")]


# --- editions -----------------------------------------------------------------------------------------------


@router.get("/education/editions", response=list[EduEditionListOut], summary="Campaign editions in your view")
@paginate(LimitOffsetPagination)
def edition_list(request: HttpRequest, filters: Query[EduEditionFilter]):
    require_perm(request.user, svc.VIEW)
    campaign = None
    if filters.campaign:
        campaign = Campaign.objects.filter(code=filters.campaign).first()
        if campaign is None:
            return []
    return [
        {
            "id": e.pk,
            "campaign": e.campaign.code,
            "campaign_name": e.campaign.name,
            "year": e.year,
            "theme": e.theme,
            "starts_on": e.starts_on,
            "ends_on": e.ends_on,
            "report_by": e.report_by,
            "org_unit": e.org_unit.code,
        }
        for e in svc.editions(request.user, year=filters.year, campaign=campaign)
    ]


@router.post(
    "/education/editions",
    response={201: EduEditionOut},
    summary="Open a campaign's edition of a year, with dates, theme, reporting deadline and targets per unit",
)
def edition_create(request: HttpRequest, payload: EduEditionIn):
    require_perm(request.user, svc.MANAGE)
    data = payload.dict()
    data["targets"] = [t for t in data["targets"]]
    edition = svc.edition_create(actor=request.user, data=data)
    return Status(201, edition_out(request.user, svc.edition_detail(request.user, edition.pk) or edition))


@router.get("/education/editions/{edition_id}", response=EduEditionOut, summary="An edition with its targets")
def edition_get(request: HttpRequest, edition_id: int):
    return edition_out(request.user, _edition(request, edition_id))


@router.patch(
    "/education/editions/{edition_id}",
    response=EduEditionOut,
    summary="Change an edition (given fields, targets)",
)
def edition_patch(request: HttpRequest, edition_id: int, payload: EduEditionPatch):
    require_perm(request.user, svc.MANAGE)
    edition = _edition(request, edition_id)
    data = payload.dict(exclude_unset=True)
    for key in ("campaign", "year", "starts_on", "ends_on", "report_by", "org_unit"):
        if key in data and data[key] is None:
            data.pop(key)
    edition = svc.edition_update(actor=request.user, edition=edition, data=data)
    return edition_out(request.user, edition)


@router.get(
    "/education/editions/{edition_id}/silent-outlets",
    response=EduSilentOut,
    summary="Outlets of your view the campaign reaches that have no activity recorded in it yet",
)
def edition_silent(request: HttpRequest, edition_id: int):
    edition = _edition(request, edition_id)
    silent = svc.silent_outlets(request.user, edition, localdate())
    parents = {o.parent_id: o.parent.code for o in silent.outlets if o.parent is not None}
    return {
        "edition": edition.pk,
        "report_by": edition.report_by,
        "state": silent.state,
        "days_left": silent.days_left,
        "outlets_total": silent.total,
        "outlets_reported": silent.reported,
        "outlets": [
            {
                "code": o.code,
                "name": o.name,
                "parent": parents.get(o.parent_id),
            }
            for o in silent.outlets
        ],
    }
