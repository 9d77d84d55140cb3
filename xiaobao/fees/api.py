"""Fee catalogue API: /api/v1/fees (list with the fee in force, one item with its versions, a new item with
its first draft fee, a draft change, sending a change to its fee review). Authenticated like the rest of the
API; the public page (/public/fees/) is the unauthenticated view of the fees in force."""

import datetime as dt
import decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import require_perm
from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.fees.models import MANAGE, VIEW, FeeItem, FeeVersion
from xiaobao.fees.selectors import FeeFilter, fee_detail, fee_list, first
from xiaobao.fees.services import fee_change_draft, fee_change_submit, fee_item_create

router = Router(tags=["fees"])


class FeeVersionIn(Schema):
    fee: str = Field(..., max_length=200, description="As customers read it, e.g. 每笔5元")
    amount: decimal.Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    amount_unit: str = Field("", max_length=20, description="e.g. 元/笔")
    basis: str = Field(..., description="market, guided or set (市场调节价, 政府指导价, 政府定价)")
    basis_document: str = Field("", max_length=300)
    discounts: str = Field("", max_length=2000)
    reason: str = Field("", max_length=2000, description="Why the fee changes")
    effective_from: dt.date


class FeeItemIn(FeeVersionIn):
    code: str = Field(..., max_length=32)
    name: str = Field(..., max_length=100, description="The service (zh)")
    category: str = Field(..., description="account, transfer, card, ebanking, credit, agency or other")
    org_unit: str = Field(
        ..., max_length=32, description="Code of the unit whose fee it is (head office: all)"
    )
    description: str = Field("", max_length=1000)
    order: int = Field(0, ge=0, le=32767)


class FeeSubmitIn(Schema):
    note: str = Field("", max_length=2000, description="A note for the reviewer")


class FeeVersionOut(Schema):
    id: int
    number: int
    fee: str
    amount: decimal.Decimal | None
    amount_unit: str
    basis: str
    basis_document: str
    discounts: str
    reason: str
    effective_from: dt.date
    effective_to: dt.date | None
    status: str
    review: str | None = Field(..., description="Reference of the fee review")
    published_at: dt.datetime | None


class FeeItemOut(Schema):
    id: int
    code: str
    name: str
    category: str
    org_unit: str
    institution_wide: bool
    current: FeeVersionOut | None = Field(..., description="The version in force today")
    pending: FeeVersionOut | None = Field(..., description="The draft or in-review change")


class FeeItemDetailOut(FeeItemOut):
    description: str
    order: int
    versions: list[FeeVersionOut]


class FeeListFilter(Schema):
    q: str = Field("", max_length=100)
    category: str = ""
    unit: str = Field("", description="Unit code: the unit and every unit below it")
    status: str = Field("", description="Items having a version in this status")


def version_out(v: FeeVersion | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "id": v.pk,
        "number": v.number,
        "fee": v.fee,
        "amount": v.amount,
        "amount_unit": v.amount_unit,
        "basis": v.basis,
        "basis_document": v.basis_document,
        "discounts": v.discounts,
        "reason": v.reason,
        "effective_from": v.effective_from,
        "effective_to": v.effective_to,
        "status": v.status,
        "review": v.review.reference if v.review_id and v.review else None,
        "published_at": v.published_at,
    }


def item_out(item: FeeItem, current: FeeVersion | None, pending: FeeVersion | None) -> dict[str, Any]:
    return {
        "id": item.pk,
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "org_unit": item.org_unit.code,
        "institution_wide": item.org_unit.parent_id is None,
        "current": version_out(current),
        "pending": version_out(pending),
    }


def detail_out(item: FeeItem) -> dict[str, Any]:
    versions = list(item.versions.all())
    today = localdate()
    current = next((v for v in versions if v.in_force_on(today)), None)
    pending = next((v for v in versions if v.pending), None)
    return {
        **item_out(item, current, pending),
        "description": item.description,
        "order": item.order,
        "versions": [version_out(v) for v in versions],
    }


def _visible(request: HttpRequest, fee_id: int) -> FeeItem:
    from django.http import Http404

    require_perm(request.user, VIEW)
    item = fee_detail(user=request.user, pk=fee_id)
    if item is None:
        raise Http404
    return item


@router.get(
    "/fees", response=list[FeeItemOut], summary="The fee catalogue in your view, with the fee in force"
)
@paginate(LimitOffsetPagination)
def fees(request: HttpRequest, filters: Query[FeeListFilter]):
    require_perm(request.user, VIEW)
    form = FeeFilter({k: v for k, v in filters.dict().items() if v not in (None, "")})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    items = fee_list(user=request.user, filters=form.cleaned_data, day=localdate())
    return [
        item_out(i, first(getattr(i, "current", None)), first(getattr(i, "pending", None))) for i in items
    ]


@router.get("/fees/{fee_id}", response=FeeItemDetailOut, summary="A fee item with every version")
def fee_get(request: HttpRequest, fee_id: int):
    return detail_out(_visible(request, fee_id))


@router.post(
    "/fees", response={201: FeeItemDetailOut}, summary="A new fee item with its first fee as a draft change"
)
def fee_create(request: HttpRequest, payload: FeeItemIn):
    require_perm(request.user, MANAGE)
    item = fee_item_create(actor=request.user, data=payload.dict())
    return Status(201, detail_out(fee_detail(user=request.user, pk=item.pk) or item))


@router.post(
    "/fees/{fee_id}/changes",
    response={201: FeeVersionOut},
    summary="Draft a fee change (or replace the draft there is); 409 while a change is in its fee review",
)
def fee_change(request: HttpRequest, fee_id: int, payload: FeeVersionIn):
    require_perm(request.user, MANAGE)
    item = _visible(request, fee_id)
    version = fee_change_draft(actor=request.user, item=item, data=payload.dict())
    return Status(201, version_out(version))


@router.post(
    "/fees/{fee_id}/changes/{version_id}/submit",
    response=FeeVersionOut,
    summary="Send a draft change to its fee review (a review of kind fee_change); published when it passes",
)
def fee_submit(request: HttpRequest, fee_id: int, version_id: int, payload: FeeSubmitIn | None = None):
    from django.http import Http404

    require_perm(request.user, MANAGE)
    item = _visible(request, fee_id)
    version = next((v for v in item.versions.all() if v.pk == version_id), None)
    if version is None:
        raise Http404
    version = fee_change_submit(actor=request.user, version=version, note=payload.note if payload else "")
    return version_out(version)
