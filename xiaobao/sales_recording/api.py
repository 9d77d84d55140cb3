"""Sales-recording API under /api/v1/sales-recording/: the register (filters), monthly progress, sampling
rules, quarterly samples (draw, list, detail) and starting the check of a sampled sale.

The register is filled through the import framework: `POST /api/v1/imports` with the preset "双录销售台账"
(or another preset of kind `recorded_sales`)."""

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError, field_error
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import subtree_q
from xiaobao.sales_recording.filtersets import SaleFilter
from xiaobao.sales_recording.models import (
    CHECK_PERM,
    RULES_PERM,
    VIEW_PERM,
    RecordedSale,
    RecordingSample,
    SamplingRule,
)
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
from xiaobao.sales_recording.services import sample_draw, sample_item_check, sampling_rule_save
from xiaobao.sales_recording.views import check_url

router = Router(tags=["sales_recording"])


class SaleOut(Schema):
    id: int
    outlet: str = Field(..., description="Outlet code")
    outlet_name: str
    product: str
    product_kind: str
    seller: str = Field(..., description="Member of staff (name or staff number)")
    sale_at: dt.datetime
    recording_id: str
    duration_seconds: int
    recorded: bool = Field(..., description="Has a recording id and a length above zero")
    applicant_age: int | None
    source: str
    external_id: str
    batch: int | None = Field(..., description="The import (GET /api/v1/imports/{id}) that added it")

    @staticmethod
    def resolve_outlet(obj: RecordedSale) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_outlet_name(obj: RecordedSale) -> str:
        return obj.org_unit.name

    @staticmethod
    def resolve_recorded(obj: RecordedSale) -> bool:
        return obj.is_recorded

    @staticmethod
    def resolve_batch(obj: RecordedSale) -> int | None:
        return obj.batch_id


class SaleListFilter(Schema):
    unit: str = Field("", max_length=32, description="Unit code: its sales and those of its sub-units")
    product_kind: str = Field("", max_length=20)
    recorded: str = Field("", pattern="^(|yes|no)$")
    aged_60: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = Field("", max_length=100, description="Product or seller contains, or recording id equals")
    batch: int | None = None


class ProgressRowOut(Schema):
    unit: str | None
    label: str
    required: int
    recorded: int
    percent: Decimal | None


class ProgressOut(Schema):
    unit: str
    year: int
    month: int
    total: ProgressRowOut
    units: list[ProgressRowOut] = Field(..., description="The unit's own sales, then each child's subtree")
    months: list[ProgressRowOut] = Field(..., description="The unit's subtree, January to December")


class ProgressQuery(Schema):
    unit: str = Field("", max_length=32, description="Unit code (default: your scope's root)")
    year: int | None = Field(None, ge=2000, le=2100)
    month: int | None = Field(None, ge=1, le=12)


class SamplingRuleOut(Schema):
    code: str
    is_active: bool
    name: str
    share_percent: Decimal | None
    count: int | None
    min_per_unit: int
    product_kinds: list[str]
    must_check: Any
    source_document: str


class SamplingRuleIn(Schema):
    code: str = Field(..., pattern=r"^[-a-z0-9_]{1,40}$", description="Stable code, e.g. bank-sales-zone")
    name: str = Field(..., min_length=1, max_length=100)
    share_percent: Decimal | None = Field(None, description="Share of each product kind's sales (or count)")
    count: int | None = Field(None, description="Random items per sample (or share_percent)")
    min_per_unit: int = Field(1, ge=0, le=10000)
    product_kinds: list[str] = Field(default_factory=list, description="Sampled kinds; empty: all")
    must_check: list[dict[str, Any]] = Field(
        default_factory=list,
        description='Conditions whose sales are all checked, e.g. [{"applicant_age_gte": 60}] '
        "(tests: applicant_age_gte, applicant_age_lt, product_kinds; all of a dict must hold)",
    )
    is_active: bool = True
    source_document: str = Field("", max_length=300)


class RulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    share_percent: Decimal | None = None
    count: int | None = None
    min_per_unit: int | None = Field(None, ge=0, le=10000)
    product_kinds: list[str] | None = None
    must_check: list[dict[str, Any]] | None = None
    is_active: bool | None = None
    source_document: str | None = Field(None, max_length=300)


class SampleIn(Schema):
    unit: str = Field(..., min_length=1, max_length=32, description="Unit code")
    year: int = Field(..., ge=2000, le=2100)
    quarter: int = Field(..., ge=1, le=4)
    rule: str = Field(..., min_length=1, max_length=40, description="Sampling rule code")
    seed: int | None = Field(None, ge=0, lt=2**62, description="Empty: a new random seed (stored)")


class SalesSampleOut(Schema):
    id: int
    unit: str
    year: int
    quarter: int
    rule: str
    rule_snapshot: dict[str, Any]
    seed: int
    population: int
    created_by: str
    created_at: dt.datetime

    # A sample row from the list, or the detail's dict (already resolved).
    @staticmethod
    def resolve_unit(obj: RecordingSample | dict[str, Any]) -> str:
        return obj["unit"] if isinstance(obj, dict) else obj.org_unit.code

    @staticmethod
    def resolve_rule(obj: RecordingSample | dict[str, Any]) -> str:
        return obj["rule"] if isinstance(obj, dict) else obj.rule.code

    @staticmethod
    def resolve_created_by(obj: RecordingSample | dict[str, Any]) -> str:
        return obj["created_by"] if isinstance(obj, dict) else obj.created_by.username


class SalesFindingOut(Schema):
    id: int
    description: str
    severity: str
    rectify_url: str


class SalesItemOut(Schema):
    id: int
    reason: str = Field(..., description="random | must_check")
    stratum: str = Field(..., description="Product kind")
    sale: SaleOut
    inspection: int | None
    inspection_reference: str | None
    inspection_status: str | None
    percent: Decimal | None
    findings: list[SalesFindingOut]


class SampleDetailOut(SalesSampleOut):
    items: list[SalesItemOut]


class CheckOut(Schema):
    item: int
    inspection: int
    reference: str
    status: str
    fill_url: str


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _row(row: Any) -> dict[str, Any]:
    return {
        "unit": row.unit.code if row.unit else None,
        "label": row.label,
        "required": row.required,
        "recorded": row.recorded,
        "percent": row.percent,
    }


@router.get("/sales-recording/sales", response=list[SaleOut], summary="The register, filtered")
@paginate(LimitOffsetPagination)
def sales(request: HttpRequest, filters: Query[SaleListFilter]):
    require_perm(request.user, VIEW_PERM)
    form = SaleFilter({k: v for k, v in filters.dict().items() if v not in (None, "", False)})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return sale_list(user=request.user, filters=form.cleaned_data)


@router.get("/sales-recording/progress", response=ProgressOut, summary="Recorded ÷ required in a month")
def progress(request: HttpRequest, query: Query[ProgressQuery]):
    """For the unit's subtree, each child unit's subtree, and month by month over the year (default: this
    month)."""
    require_perm(request.user, VIEW_PERM)
    root = progress_root(request.user, query.unit)
    if root is None:
        raise field_error("unit", _("Unknown unit."))
    today = timezone.localdate()
    year, month = query.year or today.year, query.month or today.month
    p = sale_progress(user=request.user, root=root, year=year, month=month)
    return {
        "unit": root.code,
        "year": year,
        "month": month,
        "total": _row(p.total),
        "units": [_row(r) for r in p.units],
        "months": [_row(r) for r in p.months],
    }


@router.get("/sales-recording/rules", response=list[SamplingRuleOut], summary="Sampling rules")
def rules(request: HttpRequest):
    """The active rules; those who maintain the rules also get the inactive ones."""
    require_perm(request.user, VIEW_PERM)
    if request.user.has_perm(RULES_PERM):
        return list(SamplingRule.objects.order_by("code"))
    return list(active_rules())


@router.post("/sales-recording/rules", response={201: SamplingRuleOut}, summary="Add a sampling rule")
def rule_create(request: HttpRequest, payload: SamplingRuleIn):
    """Either `share_percent` or `count`; samples drawn before keep the rule as it was (snapshot)."""
    require_perm(request.user, RULES_PERM)
    return Status(201, sampling_rule_save(actor=_user(request), data=payload.dict()))


@router.put("/sales-recording/rules/{code}", response=SamplingRuleOut, summary="Change a sampling rule")
def rule_update(request: HttpRequest, code: str, payload: RulePatch):
    """Only the fields sent change (send `share_percent` with `"count": null` to switch from a count)."""
    require_perm(request.user, RULES_PERM)
    rule = get_visible(SamplingRule.objects.all(), code=code)
    return sampling_rule_save(actor=_user(request), rule=rule, data=payload.dict(exclude_unset=True))


class SampleQuery(Schema):
    unit: str = Field("", max_length=32, description="Unit code: samples of it and of its sub-units")
    year: int | None = Field(None, ge=2000, le=2100)
    quarter: int | None = Field(None, ge=1, le=4)


@router.get(
    "/sales-recording/samples", response=list[SalesSampleOut], summary="Quarterly samples in your scope"
)
@paginate(LimitOffsetPagination)
def samples(request: HttpRequest, query: Query[SampleQuery]):
    require_perm(request.user, VIEW_PERM)
    qs = sample_list(user=request.user)
    if query.unit:
        unit = OrgUnit.objects.visible_to(request.user).filter(code=query.unit).first()
        if unit is None:
            raise field_error("unit", _("Unknown unit."))
        qs = qs.filter(subtree_q(unit.path, "org_unit__path"))
    if query.year:
        qs = qs.filter(year=query.year)
    if query.quarter:
        qs = qs.filter(quarter=query.quarter)
    return qs


@router.post("/sales-recording/samples", response={201: SampleDetailOut}, summary="Draw a quarterly sample")
def sample_create(request: HttpRequest, payload: SampleIn):
    """Draws the unit's sample for the quarter under the rule (409 when drawn already). Per product kind,
    the rule's share or count at random and every must-check sale; reproducible from the stored seed."""
    require_perm(request.user, CHECK_PERM)
    user = _user(request)
    unit = OrgUnit.objects.visible_to(user).filter(code=payload.unit, is_active=True).first()
    if unit is None:
        raise field_error("unit", _("Unknown or closed unit."))
    rule = SamplingRule.objects.filter(code=payload.rule, is_active=True).first()
    if rule is None:
        raise field_error("rule", _("Unknown or inactive sampling rule."))
    sample = sample_draw(
        actor=user, org_unit=unit, year=payload.year, quarter=payload.quarter, rule=rule, seed=payload.seed
    )
    return Status(201, _sample_detail(sample))


def _sample_detail(sample: RecordingSample) -> dict[str, Any]:
    items = []
    for v in sample_items(sample):
        ins = v.item.inspection
        items.append(
            {
                "id": v.item.pk,
                "reason": v.item.reason,
                "stratum": v.item.stratum,
                "sale": v.item.sale,
                "inspection": ins.pk if ins else None,
                "inspection_reference": ins.reference if ins else None,
                "inspection_status": ins.status if ins else None,
                "percent": ins.percent if ins else None,
                "findings": [
                    {
                        "id": f.pk,
                        "description": f.description,
                        "severity": f.severity,
                        "rectify_url": f"/rectifications/new?finding={f.pk}",
                    }
                    for f in v.findings
                ],
            }
        )
    return {
        "id": sample.pk,
        "unit": sample.org_unit.code,
        "year": sample.year,
        "quarter": sample.quarter,
        "rule": sample.rule.code,
        "rule_snapshot": sample.rule_snapshot,
        "seed": sample.seed,
        "population": sample.population,
        "created_by": sample.created_by.username,
        "created_at": sample.created_at,
        "items": items,
    }


@router.get("/sales-recording/samples/{sample_id}", response=SampleDetailOut, summary="One sample with items")
def sample_get(request: HttpRequest, sample_id: int):
    require_perm(request.user, VIEW_PERM)
    sample = sample_detail(user=request.user, pk=sample_id)
    if sample is None:
        get_visible(RecordingSample.objects.none(), pk=sample_id)  # the shared 404
    return _sample_detail(sample)  # type: ignore[arg-type]


@router.post(
    "/sales-recording/items/{item_id}/check",
    response={201: CheckOut},
    summary="Start the check of a sampled sale (its inspection; the same one when started already)",
)
def item_check(request: HttpRequest, item_id: int):
    require_perm(request.user, VIEW_PERM)
    item = sample_item_for(user=request.user, pk=item_id)
    if item is None:
        get_visible(RecordingSample.objects.none(), pk=item_id)
    require_perm(request.user, CHECK_PERM)
    inspection = sample_item_check(actor=_user(request), item=item)  # type: ignore[arg-type]
    return Status(
        201,
        {
            "item": item_id,
            "inspection": inspection.pk,
            "reference": inspection.reference,
            "status": inspection.status,
            "fill_url": check_url(inspection),
        },
    )
