"""Education activities API: /api/v1/education/activities (report, list, detail, correct, approve / return /
resubmit, photos). Shapes as agreed: POST → 201 {"id", "status"}; actions → 200 with the activity."""

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.casework.api import action_payload
from xiaobao.complaints.attachments import max_size
from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError, field_error
from xiaobao.core.models import User
from xiaobao.education.filtersets import ActivityFilter
from xiaobao.education.models import SEGMENTS, Activity
from xiaobao.education.photos import photo_add, photo_response
from xiaobao.education.selectors import activity_detail, activity_list
from xiaobao.education.services import (
    activity_report,
    activity_transition,
    activity_update,
    allowed_actions,
)
from xiaobao.education.workflow import ACTIONS, REPORT, VIEW

router = Router(tags=["education"])


class AudienceIn(Schema):
    elderly: int = 0
    students: int = 0
    young: int = 0
    new_citizens: int = 0
    rural: int = 0
    disabled: int = 0
    other: int = 0


class ActivityIn(Schema):
    org_unit: str = Field(..., max_length=32, description="Code of the unit that held it (in your scope)")
    held_on: dt.date = Field(..., description="The day it was held (not in the future)")
    campaign: str | None = Field(
        None, max_length=40, description="Campaign code, optional: the edition of the day's year"
    )
    venue: str = Field(..., max_length=40, description="Venue type code (community, village, campus, …)")
    topics: list[str] = Field(..., description="Topic codes (at least one)")
    audience: dict[str, int] = Field(..., description="People by segment: " + ", ".join(SEGMENTS))
    people_reached: int = Field(..., description="Must equal the sum of the audience")
    leaflets: int = 0
    online_reads: int = 0
    media_reports: int = 0
    title: str = Field("", max_length=200, description="Optional: defaults to the campaign / venue name")
    place: str = Field("", max_length=200)
    staff_involved: int = 0
    online_articles: int = 0
    videos: int = 0
    description: str = Field("", max_length=20000)


class ActivityPatch(Schema):
    org_unit: str | None = Field(None, max_length=32)
    held_on: dt.date | None = None
    campaign: str | None = Field(None, max_length=40, description='"" removes the campaign')
    venue: str | None = Field(None, max_length=40)
    topics: list[str] | None = None
    audience: dict[str, int] | None = None
    people_reached: int | None = None
    leaflets: int | None = None
    online_reads: int | None = None
    media_reports: int | None = None
    title: str | None = Field(None, max_length=200)
    place: str | None = Field(None, max_length=200)
    staff_involved: int | None = None
    online_articles: int | None = None
    videos: int | None = None
    description: str | None = Field(None, max_length=20000)


class ActivityCreated(Schema):
    id: int
    status: str


class ActivityPhotoOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    caption: str
    taken_on: dt.date | None = Field(..., description="From the photo's EXIF date; null: no date")
    date_mismatch: bool = Field(..., description="More than a day away from the activity's day")


class ActivityListOut(Schema):
    id: int
    reference: str
    status: str
    version: int
    org_unit: str
    held_on: dt.date
    campaign: str | None
    edition: int | None
    title: str
    venue: str
    people_reached: int
    leaflets: int
    online_reads: int
    media_reports: int

    @staticmethod
    def resolve_org_unit(obj: Activity) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_campaign(obj: Activity) -> str | None:
        return obj.edition.campaign.code if obj.edition_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_edition(obj: Activity) -> int | None:
        return obj.edition_id

    @staticmethod
    def resolve_venue(obj: Activity) -> str:
        return obj.venue.code


class ActivityEventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class ActivityOut(Schema):
    id: int
    reference: str
    status: str
    version: int
    org_unit: str
    held_on: dt.date
    campaign: str | None
    edition: int | None
    title: str
    venue: str
    place: str
    topics: list[str]
    audience: dict[str, int]
    people_reached: int
    staff_involved: int
    leaflets: int
    online_articles: int
    online_reads: int
    videos: int
    media_reports: int
    description: str
    reported_by: str
    submitted_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    photos: list[ActivityPhotoOut]
    events: list[ActivityEventOut]
    allowed_actions: list[str]


class ActivityListFilter(Schema):
    q: str = Field("", max_length=100)
    edition: int | None = None
    campaign: str = Field("", max_length=40)
    unit: str = Field("", max_length=32, description="Unit code: the unit and every unit below it")
    status: list[str] = []
    venue: str = Field("", max_length=40)
    topic: str = Field("", max_length=40)
    held_from: dt.date | None = Field(None, alias="from")
    held_to: dt.date | None = Field(None, alias="to")
    awaiting: bool | None = Field(None, description="true: awaiting my approval")
    ordering: str = ""


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _photo_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.original_name,
        "content_type": p.content_type,
        "size": p.size,
        "sha256": p.sha256,
        "caption": p.caption,
        "taken_on": p.taken_on,
        "date_mismatch": p.date_mismatch,
    }


def detail_out(a: Activity, user: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "reference": a.reference,
        "status": a.status,
        "version": a.version,
        "org_unit": a.org_unit.code,
        "held_on": a.held_on,
        "campaign": a.edition.campaign.code if a.edition_id else None,  # type: ignore[union-attr]
        "edition": a.edition_id,
        "title": a.title,
        "venue": a.venue.code,
        "place": a.place,
        "topics": [t.code for t in a.topics.all()],
        "audience": a.audience(),
        **{
            n: getattr(a, n)
            for n in (
                "people_reached",
                "staff_involved",
                "leaflets",
                "online_articles",
                "online_reads",
                "videos",
                "media_reports",
                "description",
            )
        },
        "reported_by": a.reported_by.username,
        "submitted_at": a.submitted_at,
        "approved_by": a.approved_by.username if a.approved_by_id else None,  # type: ignore[union-attr]
        "approved_at": a.approved_at,
        "photos": [_photo_out(p) for p in a.photos.all()],
        "events": [
            {
                "at": e.at,
                "actor": e.actor.username if e.actor_id else None,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "data": e.data or {},
            }
            for e in a.events.select_related("actor")
        ],
        "allowed_actions": [x.code for x in allowed_actions(user, a)],
    }


def _visible(request: HttpRequest, activity_id: int) -> Activity:
    require_perm(request.user, VIEW)
    item = activity_detail(user=request.user, pk=activity_id)
    if item is None:
        get_visible(Activity.objects.none(), pk=activity_id)  # raises the shared 404
    return item  # type: ignore[return-value]


def _version(request: HttpRequest, body: dict[str, Any]) -> int | None:
    raw = request.headers.get("If-Match", "").strip().strip('"')
    if raw and not raw.isdigit():
        raise field_error("If-Match", _("The If-Match header must be the activity's version number."))
    version = body.pop("version", None)
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise field_error("version", _("The version is a whole number."))
    return int(raw) if raw else version


@router.post(
    "/education/activities",
    response={201: ActivityCreated},
    summary="Report an education activity (status submitted: awaiting the branch's approval)",
)
def activity_create(request: HttpRequest, payload: ActivityIn):
    require_perm(request.user, REPORT)
    data = payload.dict()
    data["campaign"] = data.get("campaign") or ""
    item = activity_report(actor=_user(request), data=data)
    return Status(201, {"id": item.pk, "status": item.status})


@router.get("/education/activities", response=list[ActivityListOut], summary="Activities in your scope")
@paginate(LimitOffsetPagination)
def activities(request: HttpRequest, filters: Query[ActivityListFilter]):
    require_perm(request.user, VIEW)
    raw = filters.dict()
    raw["from"], raw["to"] = raw.pop("held_from"), raw.pop("held_to")
    if raw.get("awaiting") is not None:
        raw["awaiting"] = "true" if raw["awaiting"] else ""
    form = ActivityFilter({k: v for k, v in raw.items() if v not in (None, "", [])})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return activity_list(user=request.user, filters=form.cleaned_data)


@router.get("/education/activities/{activity_id}", response=ActivityOut)
def activity_get(request: HttpRequest, activity_id: int):
    return detail_out(_visible(request, activity_id), request.user)


@router.patch(
    "/education/activities/{activity_id}",
    response=ActivityOut,
    summary="Correct an activity while it awaits approval or was returned (If-Match: <version> → 409)",
)
def activity_patch(request: HttpRequest, activity_id: int, payload: ActivityPatch):
    item = _visible(request, activity_id)
    require_perm(request.user, REPORT)
    data = payload.dict(exclude_unset=True)
    if "campaign" in data and data["campaign"] is None:
        data["campaign"] = ""
    activity_update(actor=_user(request), item=item, data=data, expected_version=_version(request, {}))
    return detail_out(_visible(request, activity_id), request.user)


ACTION_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": (
                        "approve {version?, note?}; return {version?, reason}; resubmit {version?, note?, "
                        "and any corrected fields as for PATCH}. Somebody with approval rights whose scope "
                        "holds the activity's unit, not its reporter, approves or returns it."
                    ),
                }
            }
        },
    }
}


@router.post(
    "/education/activities/{activity_id}/actions/{action}",
    response=ActivityOut,
    openapi_extra=ACTION_BODY,
    summary="Take a step: approve, return, resubmit (a stale version → 409)",
)
def activity_action(request: HttpRequest, activity_id: int, action: str):
    payload = action_payload(request)
    item = _visible(request, activity_id)
    if action not in ACTIONS:
        raise field_error("action", _("Unknown action."))
    version = _version(request, payload)
    activity_transition(
        actor=_user(request), item=item, action=action, data=payload, expected_version=version
    )
    return detail_out(_visible(request, activity_id), request.user)


@router.post("/education/activities/{activity_id}/photos", response={201: ActivityPhotoOut})
def photo_upload(request: HttpRequest, activity_id: int, file: File[UploadedFile], caption: Form[str] = ""):
    """A photo (JPEG or PNG, multipart `file`); its EXIF date is compared with the activity's day."""
    item = _visible(request, activity_id)
    require_perm(request.user, REPORT)
    if item.status == "approved":
        raise PermissionDenied(_("An approved activity is frozen: no more photos can be added."))
    photo = photo_add(
        actor=request.user,
        item=item,
        name=file.name or "photo",
        data=file.read(max_size() + 1),
        caption=caption,
    )
    return Status(201, _photo_out(photo))


@router.get("/education/activities/{activity_id}/photos", response=list[ActivityPhotoOut])
def photos(request: HttpRequest, activity_id: int):
    return [_photo_out(p) for p in _visible(request, activity_id).photos.all()]


@router.get("/education/activities/{activity_id}/photos/{photo_id}", response={200: None})
def photo_download(request: HttpRequest, activity_id: int, photo_id: int):
    item = _visible(request, activity_id)
    photo = get_visible(item.photos.all(), pk=photo_id)
    return photo_response(photo)
