"""Institution tree: /api/v1/org-units."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import field_error
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.scoping import ALL, import_root, user_scope
from xiaobao.core.selectors import org_unit_list
from xiaobao.core.services import org as svc

router = Router(tags=["org-units"])
MANAGE = "core.manage_org"


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    kind: OrgUnitKind
    parent_code: str | None
    path: str
    depth: int
    region_code: str
    is_active: bool
    closed_on: dt.date | None


class OrgUnitIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    kind: OrgUnitKind
    parent_code: str | None = Field(None, max_length=32)
    region_code: str = Field("", max_length=12)
    sort_order: int = Field(0, ge=-100000, le=100000)


class OrgUnitPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=100)
    region_code: str | None = Field(None, max_length=12)
    sort_order: int | None = Field(None, ge=-100000, le=100000)


class MoveIn(Schema):
    parent_code: str = Field(..., min_length=1, max_length=32)


class CloseIn(Schema):
    closed_on: dt.date | None = None


class FigureIn(Schema):
    retail_customers: int = Field(..., ge=0, le=2_000_000_000)
    outlets: int = Field(..., ge=0, le=1_000_000)


class UnitFigureOut(Schema):
    year: int
    retail_customers: int
    outlets: int


class OrgUnitFilter(Schema):
    q: str = Field("", max_length=50)
    kind: OrgUnitKind | None = None
    parent: int | None = None
    include_closed: bool = False


class UnitImportOut(Schema):
    created: int
    updated: int
    errors: list[dict]


def _out(unit: OrgUnit) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent.code if unit.parent else None,
        "path": unit.path,
        "depth": unit.depth,
        "region_code": unit.region_code,
        "is_active": unit.is_active,
        "closed_on": unit.closed_on,
    }


def _visible(request: HttpRequest, **lookup) -> OrgUnit:
    return get_visible(OrgUnit.objects.visible_to(request.user).select_related("parent"), **lookup)


@router.get("", response=list[OrgUnitOut], summary="Units in your scope, in tree order")
@paginate(LimitOffsetPagination)
def org_units(request: HttpRequest, filters: Query[OrgUnitFilter]):
    parent = _visible(request, pk=filters.parent) if filters.parent else None
    qs = org_unit_list(
        user=request.user,
        q=filters.q,
        kind=filters.kind or "",
        include_closed=filters.include_closed,
        parent=parent,
    ).select_related("parent")
    return [_out(u) for u in qs]


class ImportRejectedOut(Schema):
    """422: the rows' errors (nothing was written), or the error shape for a file that is no workbook."""

    created: int | None = None
    updated: int | None = None
    errors: list[Any] | None = None
    code: str | None = None
    message: str | None = None
    fields: dict[str, list[str]] | None = None


@router.post(
    "/import",
    response={200: UnitImportOut, 422: ImportRejectedOut},
    summary="Import units from an .xlsx sheet",
)
def org_units_import(request: HttpRequest, file: File[UploadedFile]):
    require_perm(request.user, MANAGE)
    if (file.size or 0) > 5 * 1024 * 1024 or file.read(4) != b"PK\x03\x04":
        raise field_error("file", _("Upload an Excel workbook (.xlsx) under 5 MB."))
    file.seek(0)
    report = svc.org_units_import(actor=request.user, fileobj=file, scope_root=import_root(request.user))
    body = {"created": report.created, "updated": report.updated, "errors": report.errors}
    return Status(200 if report.ok else 422, body)


@router.get("/{unit_id}", response=OrgUnitOut)
def org_unit_detail(request: HttpRequest, unit_id: int):
    return _out(_visible(request, pk=unit_id))


@router.post("", response={201: OrgUnitOut})
def org_unit_create(request: HttpRequest, payload: OrgUnitIn):
    require_perm(request.user, MANAGE)
    parent = None
    if payload.parent_code:
        parent = OrgUnit.objects.visible_to(request.user).filter(code=payload.parent_code).first()
        if parent is None:
            raise field_error("parent_code", _("Unknown parent unit."))
    elif user_scope(request.user) != ALL:
        raise field_error("parent_code", _("A parent unit is required."))
    unit = svc.org_unit_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        region_code=payload.region_code,
        sort_order=payload.sort_order,
    )
    return Status(201, _out(unit))


@router.patch("/{unit_id}", response=OrgUnitOut, summary="Rename / re-code / edit a unit")
def org_unit_update(request: HttpRequest, unit_id: int, payload: OrgUnitPatch):
    unit = _visible(request, pk=unit_id)
    require_perm(request.user, MANAGE)
    return _out(svc.org_unit_update(actor=request.user, unit=unit, **payload.dict()))


@router.post("/{unit_id}/move", response=OrgUnitOut, summary="Move a unit and its subtree")
def org_unit_move(request: HttpRequest, unit_id: int, payload: MoveIn):
    unit = _visible(request, pk=unit_id)
    require_perm(request.user, MANAGE)
    parent = OrgUnit.objects.visible_to(request.user).filter(code=payload.parent_code).first()
    if parent is None:
        raise field_error("parent_code", _("Unknown parent unit."))
    return _out(svc.org_unit_move(actor=request.user, unit=unit, new_parent=parent))


@router.post("/{unit_id}/close", response=OrgUnitOut)
def org_unit_close(request: HttpRequest, unit_id: int, payload: CloseIn):
    unit = _visible(request, pk=unit_id)
    require_perm(request.user, MANAGE)
    return _out(svc.org_unit_close(actor=request.user, unit=unit, closed_on=payload.closed_on))


@router.post("/{unit_id}/reopen", response=OrgUnitOut)
def org_unit_reopen(request: HttpRequest, unit_id: int):
    unit = _visible(request, pk=unit_id)
    require_perm(request.user, MANAGE)
    return _out(svc.org_unit_reopen(actor=request.user, unit=unit))


@router.get("/{unit_id}/figures", response=list[UnitFigureOut], summary="Yearly figures of a unit")
def org_unit_figures(request: HttpRequest, unit_id: int):
    unit = _visible(request, pk=unit_id)
    return list(unit.year_figures.values("year", "retail_customers", "outlets"))


@router.put("/{unit_id}/figures/{year}", response=UnitFigureOut)
def org_unit_figures_set(request: HttpRequest, unit_id: int, year: int, payload: FigureIn):
    unit = _visible(request, pk=unit_id)
    require_perm(request.user, MANAGE)
    if not 2000 <= year <= 2100:
        raise field_error("year", _("The year must be between 2000 and 2100."))
    f = svc.org_figures_set(actor=request.user, unit=unit, year=year, **payload.dict())
    return {"year": f.year, "retail_customers": f.retail_customers, "outlets": f.outlets}
