"""Imports API: upload a file of historical complaints and follow the import; presets and their value tables.

Typical use: `POST /api/v1/imports` (multipart: the file, the preset name, the unit code) answers 201 with the
job, which validates and imports in the background; poll `GET /api/v1/imports/{job_id}` until `state` is
`done` (see `created`, `skipped_existing`, `unmapped`) or `failed` (see `error` and `errors`). Nothing is
written when a row is invalid, unless `skip_invalid` is true. Re-importing the same file adds nothing.
"""

import datetime as dt
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import field_error
from xiaobao.core.models import OrgUnit, User
from xiaobao.imports.kinds import kind_of, kinds_for, may_import
from xiaobao.imports.models import MANAGE_PRESETS_PERM, ImportJob, ImportPreset, ImportStage
from xiaobao.imports.selectors import import_job_detail, import_job_list, import_preset_list
from xiaobao.imports.services import import_job_create, import_job_start, import_preset_set_values
from xiaobao.imports.tasks import enqueue
from xiaobao.imports.writer import reference_prefix

router = Router(tags=["imports"])
ERRORS_RETURNED = 200


class ImportListOut(Schema):
    id: int
    file_name: str = Field(..., description="Name of the uploaded file")
    kind: str = Field(..., description="What the import fills: complaints, or a module's kind (its preset's)")
    org_unit: str = Field(..., description="Code of the unit the complaints belong to")
    preset: str | None
    stage: str = Field(..., description="mapping | validate | import: what the current (or last) run does")
    state: str = Field(..., description="queued | running | done | failed")
    percent: int
    message: str
    rows: int
    created: int = Field(..., description="Complaints created")
    skipped_existing: int = Field(..., description="Rows imported before (same external reference), skipped")
    invalid: int = Field(..., description="Rows with errors")
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_file_name(obj: ImportJob) -> str:
        return obj.original_name

    @staticmethod
    def resolve_org_unit(obj: ImportJob) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_preset(obj: ImportJob) -> str | None:
        return obj.preset.name if obj.preset else None


class RowErrorOut(Schema):
    row: int = Field(..., description="Row of the file; row 2 is the first under the column names")
    column: str
    message: str


class ImportOut(ImportListOut):
    progress_done: int
    progress_total: int
    error: str = Field(..., description="Why the run failed (empty unless state is failed)")
    valid_rows: int
    duplicates: int = Field(..., description="Rows repeating an earlier row's external reference in the file")
    unmapped: dict[str, dict[str, int]] = Field(
        ..., description="Per value table: values not in it (they got the default 'other' value) → rows"
    )
    error_count: int
    errors: list[RowErrorOut] = Field(..., description=f"The first {ERRORS_RETURNED} row errors")
    skip_invalid: bool
    received_on: dt.date | None
    complaints_search: str = Field(
        ..., description="Search text (`q`) that finds this import's complaints in GET /api/v1/complaints"
    )
    file_purged_at: dt.datetime | None = Field(
        None, description="When the retention purge deleted the uploaded file (the summary is kept)"
    )

    @staticmethod
    def resolve_unmapped(obj: ImportJob) -> dict[str, dict[str, int]]:
        return obj.unmapped or {}

    @staticmethod
    def resolve_errors(obj: ImportJob) -> list[dict[str, Any]]:
        return (obj.errors or [])[:ERRORS_RETURNED]

    @staticmethod
    def resolve_complaints_search(obj: ImportJob) -> str:
        return reference_prefix(obj.pk)


class ImportIn(Schema):
    preset: str = Field("cfpb", max_length=60, description="Preset name (GET /api/v1/imports/presets)")
    org_unit: str = Field(
        "", max_length=32, description="Code of the unit the complaints belong to (default: your own unit)"
    )
    skip_invalid: bool = Field(False, description="Import the valid rows and skip the invalid ones")
    received_on: dt.date | None = Field(None, description="Date of receipt for rows without one")


class PresetOut(Schema):
    name: str
    kind: str
    description: str
    is_builtin: bool
    file_kinds: list[str]
    columns: dict[str, list[str]] = Field(..., description="Our field → column names it is read from")
    value_maps: dict[str, dict[str, str]] = Field(
        ...,
        description="Value table (business_type, cause, channel, status, liability, special_groups) → "
        "{value in the file: Xiaobao value}",
    )
    defaults: dict[str, Any]


class ValueMapIn(Schema):
    values: dict[str, str] = Field(
        ...,
        description='The whole table: {value in the file: Xiaobao value}, e.g. {"Mortgage": "B0201"}; '
        "codes for business_type/cause/channel, registered|closed|withdrawn|declined for status, "
        "valid|invalid|at_fault|'' for liability, elderly|disabled|minor|low_income|servicemember for "
        "special_groups",
    )


def _require_import(user: Any) -> None:
    """The import endpoints are for users who may import some kind; each job is scoped by its kind."""
    if not may_import(user):
        raise PermissionDenied


def _preset_out(p: ImportPreset) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind,
        "description": p.description,
        "is_builtin": p.is_builtin,
        "file_kinds": p.file_kinds or [],
        "columns": p.columns or {},
        "value_maps": p.value_maps or {},
        "defaults": p.defaults or {},
    }


@router.get("/imports", response=list[ImportListOut], summary="Imports into units of your scope")
@paginate(LimitOffsetPagination)
def imports(request: HttpRequest):
    _require_import(request.user)
    return import_job_list(user=request.user)  # sliced by the paginator in SQL


@router.post("/imports", response={201: ImportOut}, summary="Upload a file and import it in the background")
def import_upload(request: HttpRequest, file: File[UploadedFile], payload: Form[ImportIn]):
    """Multipart upload of an .xlsx or CSV file (UTF-8, UTF-8 with BOM or GB18030). The job is created with
    the preset's mapping and queued: it checks every row and imports them all, or none when a row is invalid
    (unless `skip_invalid`). A file that is too large, of another kind or an oversized workbook, an unknown
    preset or a unit outside your scope is a 422 with the field in error; the rows are read by the worker, so
    a file with too many rows (blank ones count) or an unreadable sheet fails the job (see `error`)."""
    _require_import(request.user)
    user = cast(User, request.user)
    preset = ImportPreset.objects.filter(name=payload.preset).first()
    if preset is None:
        raise field_error("preset", _("Unknown preset."))
    require_perm(user, kind_of(preset.kind).permission)
    code = payload.org_unit or (user.org_unit.code if user.org_unit else "")
    unit = OrgUnit.objects.visible_to(user).filter(code=code, is_active=True).first()
    if unit is None:
        raise field_error("org_unit", _("Unknown or closed unit."))
    job = import_job_create(
        actor=user,
        fileobj=file,
        name=file.name or "import",
        preset=preset,
        org_unit=unit,
        skip_invalid=payload.skip_invalid,
        received_on=payload.received_on,
    )
    enqueue(import_job_start(actor=user, job=job, stage=ImportStage.IMPORT))
    return Status(201, import_job_detail(user=user, pk=job.pk) or job)


@router.get(
    "/imports/presets", response=list[PresetOut], summary="Import presets (column and value mappings)"
)
def presets(request: HttpRequest):
    _require_import(request.user)
    kinds = [k.code for k in kinds_for(request.user)]
    return [_preset_out(p) for p in import_preset_list(kinds=kinds)]


@router.put(
    "/imports/presets/{name}/value-maps/{dimension}",
    response=PresetOut,
    summary="Replace one value table of a preset",
)
def preset_value_map(request: HttpRequest, name: str, dimension: str, payload: ValueMapIn):
    """E.g. `PUT /api/v1/imports/presets/cfpb/value-maps/business_type` with
    `{"values": {"Mortgage": "B0201", "Debt collection": "B13"}}`. Values not in a table go to the preset's
    default for that table (the "other" code) and are counted in each import's `unmapped`."""
    require_perm(request.user, MANAGE_PRESETS_PERM)
    preset = get_visible(ImportPreset.objects.all(), name=name)
    if dimension not in kind_of(preset.kind).dimensions:
        raise field_error("dimension", _("Unknown value table: %(d)s") % {"d": dimension})
    preset = import_preset_set_values(
        actor=cast(User, request.user), preset=preset, dimension=dimension, values=payload.values
    )
    return _preset_out(preset)


@router.get("/imports/{job_id}", response=ImportOut, summary="One import: state, progress, counts, errors")
def import_get(request: HttpRequest, job_id: int):
    _require_import(request.user)
    job = import_job_detail(user=request.user, pk=job_id)
    if job is None:
        get_visible(ImportJob.objects.none(), pk=job_id)  # the shared 404
    return job
