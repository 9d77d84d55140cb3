"""Consumers and the personal-data vault: /api/v1/consumers (masked unless revealed with a reason)."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BeforeValidator

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import field_error
from xiaobao.core.models import Consumer, OrgUnit
from xiaobao.core.models.consumers import ConsumerKind, IdType
from xiaobao.core.selectors import consumer_list
from xiaobao.core.services import consumers as svc
from xiaobao.core.validators import visible_text

router = Router(tags=["consumers"])


class ConsumerOut(Schema):
    id: int
    unit_code: str
    kind: str
    name: str = Field(..., description="Masked (surname kept)")
    id_type: str
    id_number: str = Field(..., description="Masked")
    phone: str = Field(..., description="Masked")
    account_number: str = Field(..., description="Masked")
    address: str = Field(..., description="Masked")
    created_at: dt.datetime


class ConsumerIn(Schema):
    unit: str = Field(..., max_length=32, description="Registering unit code")
    kind: ConsumerKind = ConsumerKind.PERSON
    name: str = Field(..., min_length=1, max_length=100)
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=20)
    account_number: str = Field("", max_length=40)
    address: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


class LookupIn(Schema):
    field: str = Field(..., pattern="^(id_number|phone|account_number)$")
    value: str = Field(..., min_length=1, max_length=40)


class RevealIn(Schema):
    field: str = Field(..., pattern="^(id_number|phone|account_number|address)$")
    reason: Annotated[str, BeforeValidator(visible_text)] = Field(
        ..., min_length=4, max_length=500, description="Why (at least 4 visible characters)"
    )


class RevealOut(Schema):
    field: str
    value: str


class ConsumerFilter(Schema):
    q: str = Field("", max_length=50)


def _out(c: Consumer) -> dict:
    return {
        "id": c.pk,
        "unit_code": c.org_unit.code,
        "kind": c.kind,
        "name": c.masked_name,
        "id_type": c.id_type,
        "id_number": str(c.id_number),
        "phone": str(c.phone),
        "account_number": str(c.account_number),
        "address": str(c.address),
        "created_at": c.created_at,
    }


def _visible(request: HttpRequest, consumer_id: int) -> Consumer:
    return get_visible(Consumer.objects.visible_to(request.user).select_related("org_unit"), pk=consumer_id)


@router.get("", response=list[ConsumerOut], summary="Consumers in your scope (masked)")
@paginate(LimitOffsetPagination)
def consumers(request: HttpRequest, filters: Query[ConsumerFilter]):
    require_perm(request.user, "core.view_consumer")
    return [_out(c) for c in consumer_list(user=request.user, q=filters.q)]


@router.post(
    "/lookup",
    response=list[ConsumerOut],
    summary="Exact lookup by ID, phone or account number (blind index; value in the body, not the URL)",
)
def consumer_lookup(request: HttpRequest, payload: LookupIn):
    require_perm(request.user, "core.view_consumer")
    return [_out(c) for c in svc.consumer_find(user=request.user, field=payload.field, value=payload.value)]


@router.get("/{consumer_id}", response=ConsumerOut)
def consumer_detail(request: HttpRequest, consumer_id: int):
    require_perm(request.user, "core.view_consumer")
    return _out(_visible(request, consumer_id))


@router.post("", response={201: ConsumerOut})
def consumer_create(request: HttpRequest, payload: ConsumerIn):
    require_perm(request.user, "core.manage_consumer")
    unit = OrgUnit.objects.visible_to(request.user).filter(code=payload.unit, is_active=True).first()
    if unit is None:
        raise field_error("unit", _("Unknown or closed unit."))
    data = payload.dict(exclude={"unit"})
    return Status(201, _out(svc.consumer_create(actor=request.user, org_unit=unit, **data)))


@router.post("/{consumer_id}/reveal", response=RevealOut, summary="Reveal one personal field (audited)")
def consumer_reveal(request: HttpRequest, consumer_id: int, payload: RevealIn):
    require_perm(request.user, "core.view_consumer")
    consumer = _visible(request, consumer_id)
    value = svc.consumer_reveal(
        actor=request.user, consumer=consumer, field=payload.field, reason=payload.reason
    )
    return {"field": payload.field, "value": value}
