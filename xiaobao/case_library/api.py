"""Case library API (/api/v1/case-library/...): entries (list with filters, create from a closed complaint or
from fields, read, edit and publish), circulations (send to units, receipts) and the reader's "I have read".
Every operation is scoped like the pages; errors in the project's shape {code, message, fields}."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.case_library import selectors, services
from xiaobao.case_library.models import MANAGE, VIEW, CaseEntry, Circulation, EntryStatus
from xiaobao.core.api.common import require_perm
from xiaobao.core.errors import field_error
from xiaobao.core.models import OrgUnit

router = Router(tags=["Case library"])


class CaseLibFilterIn(Schema):
    q: str = Field("", max_length=100, description="Words in the title, texts or tags")
    business_type: str = Field("", max_length=20, description="Business type code")
    cause: str = Field("", max_length=20, description="Cause code")
    tag: str = Field("", max_length=20)
    unit: str = Field("", max_length=32, description="Unit code: the unit and every unit below it")
    year: int | None = Field(None, ge=2000, le=2100)
    status: str = Field("", max_length=20, description="draft | published (drafts: managers only)")


class CaseLibEntryIn(Schema):
    complaint_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="A closed complaint: the draft is prefilled, anonymised"
    )
    title: str | None = Field(None, max_length=200)
    facts: str | None = Field(None, max_length=8000)
    handling: str | None = Field(None, max_length=8000)
    outcome: str | None = Field(None, max_length=4000)
    lessons: str | None = Field(None, max_length=4000)
    business_type: str | None = Field(None, max_length=20)
    cause: str | None = Field(None, max_length=20)
    tags: list[str] | None = Field(None, max_length=10)
    org_unit: str | None = Field(None, max_length=32, description="Unit code (default: yours)")
    year: int | None = Field(None, ge=2000, le=2100)
    audience: str | None = Field(None, max_length=20, description="institution | subtree")
    publish: bool = False


class CaseLibEntryPatch(Schema):
    title: str | None = Field(None, max_length=200)
    facts: str | None = Field(None, max_length=8000)
    handling: str | None = Field(None, max_length=8000)
    outcome: str | None = Field(None, max_length=4000)
    lessons: str | None = Field(None, max_length=4000)
    business_type: str | None = Field(None, max_length=20)
    cause: str | None = Field(None, max_length=20)
    tags: list[str] | None = Field(None, max_length=10)
    org_unit: str | None = Field(None, max_length=32)
    year: int | None = Field(None, ge=2000, le=2100)
    audience: str | None = Field(None, max_length=20)
    status: str | None = Field(None, max_length=20, description="published: publish; draft: withdraw")


class CaseLibEntryOut(Schema):
    id: int
    title: str
    facts: str
    handling: str
    outcome: str
    lessons: str
    business_type: str | None
    business_type_name: str | None
    cause: str | None
    cause_name: str | None
    tags: list[str]
    org_unit: str
    org_unit_name: str
    year: int
    audience: str
    status: str
    published_at: dt.datetime | None
    source_complaint: str | None = Field(None, description="Its reference, only when you can see it")

    @staticmethod
    def resolve_business_type(obj: CaseEntry) -> str | None:
        return obj.business_type.code if obj.business_type else None

    @staticmethod
    def resolve_business_type_name(obj: CaseEntry) -> str | None:
        return obj.business_type.name if obj.business_type else None

    @staticmethod
    def resolve_cause(obj: CaseEntry) -> str | None:
        return obj.cause.code if obj.cause else None

    @staticmethod
    def resolve_cause_name(obj: CaseEntry) -> str | None:
        return obj.cause.name if obj.cause else None

    @staticmethod
    def resolve_org_unit(obj: CaseEntry) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_org_unit_name(obj: CaseEntry) -> str:
        return obj.org_unit.name

    @staticmethod
    def resolve_source_complaint(obj: CaseEntry) -> str | None:
        return getattr(obj, "source_reference", None)


class CaseLibCirculationIn(Schema):
    case_ids: list[int] = Field(..., max_length=50)
    unit_ids: list[int] = Field(..., max_length=200)
    message: str = Field("", max_length=2000)


class CaseLibReceiptOut(Schema):
    user: str
    name: str
    unit: str
    opened_at: dt.datetime | None
    read_at: dt.datetime | None
    reminders: int


class CaseLibUnitReceiptsOut(Schema):
    unit: str
    unit_name: str
    readers: int
    read: int
    receipts: list[CaseLibReceiptOut]


class CaseLibCirculationOut(Schema):
    id: int
    sent_at: dt.datetime
    sending_unit: str
    sender: str
    message: str
    case_ids: list[int]
    unit_ids: list[int]
    readers: int
    read: int
    by_unit: list[CaseLibUnitReceiptsOut]


class CaseLibReadOut(Schema):
    circulation: int
    opened_at: dt.datetime | None
    read_at: dt.datetime | None


def _entry_out(user: Any, entry: CaseEntry) -> CaseEntry:
    entry.source_reference = (  # type: ignore[attr-defined]
        entry.source_complaint.reference
        if selectors.source_visible(user, entry) and entry.source_complaint
        else None
    )
    return entry


def _entry(request: HttpRequest, case_id: int) -> CaseEntry:
    require_perm(request.user, VIEW)
    entry = selectors.entry_detail(user=request.user, pk=case_id)
    if entry is None:
        raise Http404
    return entry


def _circulation_out(c: Circulation) -> dict[str, Any]:
    groups = selectors.receipts_by_unit(c)
    return {
        "id": c.pk,
        "sent_at": c.sent_at,
        "sending_unit": c.org_unit.code,
        "sender": c.sender.username,
        "message": c.message,
        "case_ids": sorted(c.entries.values_list("pk", flat=True)),
        "unit_ids": sorted(c.units.values_list("pk", flat=True)),
        "readers": sum(len(g.receipts) for g in groups),
        "read": sum(g.read for g in groups),
        "by_unit": [
            {
                "unit": g.unit.code,
                "unit_name": g.unit.name,
                "readers": len(g.receipts),
                "read": g.read,
                "receipts": [
                    {
                        "user": r.user.username,
                        "name": r.user.full_name,
                        "unit": g.unit.code,
                        "opened_at": r.opened_at,
                        "read_at": r.acknowledged_at,
                        "reminders": r.reminders,
                    }
                    for r in g.receipts
                ],
            }
            for g in groups
        ],
    }


@router.get(
    "/case-library/cases",
    response=list[CaseLibEntryOut],
    summary="Case library entries in your scope (published, and drafts you may edit)",
)
@paginate(LimitOffsetPagination)
def cases(request: HttpRequest, filters: Query[CaseLibFilterIn]):
    require_perm(request.user, VIEW)
    data: dict[str, Any] = {k: v for k, v in filters.dict().items() if v not in ("", None)}
    if "unit" in data:
        unit = OrgUnit.objects.filter(code=data["unit"]).first()
        if unit is None:
            raise field_error("unit", _("No such unit."))
        data["unit"] = unit
    if data.get("status") and data["status"] not in EntryStatus.values:
        raise field_error("status", _("Choose draft or published."))
    return selectors.entry_list(user=request.user, filters=data)


@router.post(
    "/case-library/cases",
    response={201: CaseLibEntryOut},
    summary="A draft entry from a closed complaint (anonymised) or from fields; publish=true publishes it",
)
def case_create(request: HttpRequest, payload: CaseLibEntryIn):
    require_perm(request.user, MANAGE)
    require_perm(request.user, VIEW)
    data = payload.dict(exclude_unset=True)
    complaint_id, publish = data.pop("complaint_id", None), data.pop("publish", False)
    data = {k: v for k, v in data.items() if v is not None}
    complaint = services.closed_complaint_for(request.user, complaint_id) if complaint_id else None
    entry = services.entry_create(actor=request.user, data=data, complaint=complaint)
    if publish:
        entry = services.entry_publish(actor=request.user, entry=entry)
    return Status(201, _entry_out(request.user, _entry(request, entry.pk)))


@router.get("/case-library/cases/{case_id}", response=CaseLibEntryOut, summary="One entry")
def case_get(request: HttpRequest, case_id: int):
    return _entry_out(request.user, _entry(request, case_id))


@router.patch(
    "/case-library/cases/{case_id}",
    response=CaseLibEntryOut,
    summary="Edit an entry; status=published publishes it, status=draft withdraws it",
)
def case_patch(request: HttpRequest, case_id: int, payload: CaseLibEntryPatch):
    entry = _entry(request, case_id)
    require_perm(request.user, MANAGE)
    if not services.may_manage(request.user, entry):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("This entry belongs to a unit outside your scope."))
    data = payload.dict(exclude_unset=True)
    status = data.pop("status", None)
    if status not in (None, *EntryStatus.values):
        raise field_error("status", _("Choose draft or published."))
    data = {k: v for k, v in data.items() if v is not None}
    if data:
        entry = services.entry_update(actor=request.user, entry=entry, data=data)
    if status == EntryStatus.PUBLISHED and not entry.is_published:
        entry = services.entry_publish(actor=request.user, entry=entry)
    elif status == EntryStatus.DRAFT and entry.is_published:
        entry = services.entry_withdraw(actor=request.user, entry=entry)
    return _entry_out(request.user, _entry(request, case_id))


@router.post(
    "/case-library/circulations",
    response={201: CaseLibCirculationOut},
    summary="Circulate published entries to units (your subtree; any unit for head office) with a message",
)
def circulation_create(request: HttpRequest, payload: CaseLibCirculationIn):
    require_perm(request.user, VIEW)
    require_perm(request.user, MANAGE)
    c = services.circulation_send(
        actor=request.user, entry_ids=payload.case_ids, unit_ids=payload.unit_ids, message=payload.message
    )
    return Status(
        201, _circulation_out(Circulation.objects.select_related("org_unit", "sender").get(pk=c.pk))
    )


@router.get(
    "/case-library/circulations/{circulation_id}",
    response=CaseLibCirculationOut,
    summary="A circulation with its read receipts per unit and person (the sending side)",
)
def circulation_get(request: HttpRequest, circulation_id: int):
    require_perm(request.user, VIEW)
    require_perm(request.user, MANAGE)
    c = selectors.circulation_detail(user=request.user, pk=circulation_id)
    if c is None:
        raise Http404
    return _circulation_out(c)


@router.post(
    "/case-library/circulations/{circulation_id}/read",
    response=CaseLibReadOut,
    summary="I have read the circulated cases (a reader in one of the units it was sent to)",
)
def circulation_read(request: HttpRequest, circulation_id: int):
    require_perm(request.user, VIEW)
    c = (
        Circulation.objects.addressed_to(request.user).filter(pk=circulation_id).first()
        if 0 < circulation_id < 2**31
        else None
    )
    if c is None:
        raise Http404
    r = services.receipt_acknowledge(user=request.user, circulation=c)
    return {"circulation": c.pk, "opened_at": r.opened_at, "read_at": r.acknowledged_at}
