"""Institution tree: create, rename, move, close units; yearly figures; import from Excel."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.models import OrgUnit, OrgUnitKind, OrgUnitYearFigure
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import subtree_q
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.validators import check_zip_bounds


def _segment(unit_id: int) -> str:
    return str(unit_id).zfill(PATH_SEGMENT)


@transaction.atomic
def org_unit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    region_code: str = "",
    sort_order: int = 0,
) -> OrgUnit:
    unit = OrgUnit(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        parent=parent,
        region_code=region_code.strip(),
        sort_order=sort_order,
        path="pending",
        depth=1,
    )
    unit.full_clean(exclude=["path"])
    unit.path = f"tmp-{code}"
    unit.save()
    unit.path = (parent.path if parent else "") + _segment(unit.pk)
    unit.depth = len(unit.path) // PATH_SEGMENT
    unit.save(update_fields=["path", "depth"])
    audit_change(actor=actor, obj=unit, before=None)
    return unit


@transaction.atomic
def org_unit_update(*, actor: Any, unit: OrgUnit, **changes: Any) -> OrgUnit:
    """Rename or re-code a unit, change its region code or sort order."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    for name in ("code", "name", "region_code", "sort_order"):
        if name in changes and changes[name] is not None:
            setattr(unit, name, changes[name].strip() if isinstance(changes[name], str) else changes[name])
    unit.full_clean(exclude=["path"])
    unit.save()
    audit_change(actor=actor, obj=unit, before=before)
    return unit


@transaction.atomic
def org_unit_move(*, actor: Any, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move a unit (with its whole subtree) under another parent: one UPDATE rewrites every path."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved under itself or its own subtree.")})
    before = snapshot(unit)
    old_path = unit.path
    new_path = new_parent.path + _segment(unit.pk)
    unit.parent = new_parent
    unit.full_clean(exclude=["path"])
    depth_delta = (len(new_path) - len(old_path)) // PATH_SEGMENT
    OrgUnit.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1, Length(F("path")))),
        depth=F("depth") + depth_delta,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent, updated_at=timezone.now())
    unit.refresh_from_db()
    audit_change(actor=actor, obj=unit, before=before)
    return unit


@transaction.atomic
def org_unit_close(*, actor: Any, unit: OrgUnit, closed_on: dt.date | None = None) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError({"is_active": _("The unit is already closed.")})
    if unit.children.filter(is_active=True).exists():
        raise ValidationError({"is_active": _("Close or move the unit's open sub-units first.")})
    if unit.users.filter(is_active=True).exists():
        raise ValidationError({"is_active": _("Move or deactivate the unit's users first.")})
    before = snapshot(unit)
    unit.is_active = False
    unit.closed_on = closed_on or timezone.localdate()
    unit.save(update_fields=["is_active", "closed_on", "updated_at"])
    audit_change(actor=actor, obj=unit, before=before)
    return unit


@transaction.atomic
def org_unit_reopen(*, actor: Any, unit: OrgUnit) -> OrgUnit:
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.parent and not unit.parent.is_active:
        raise ValidationError({"parent": _("The parent unit is closed.")})
    before = snapshot(unit)
    unit.is_active, unit.closed_on = True, None
    unit.save(update_fields=["is_active", "closed_on", "updated_at"])
    audit_change(actor=actor, obj=unit, before=before)
    return unit


@transaction.atomic
def org_figures_set(
    *, actor: Any, unit: OrgUnit, year: int, retail_customers: int, outlets: int
) -> OrgUnitYearFigure:
    figure = OrgUnitYearFigure.objects.select_for_update().filter(unit=unit, year=year).first()
    before = snapshot(figure) if figure else None
    figure = figure or OrgUnitYearFigure(unit=unit, year=year)
    figure.retail_customers, figure.outlets = retail_customers, outlets
    figure.full_clean()
    figure.save()
    audit_change(actor=actor, obj=figure, before=before)
    return figure


# --- Import from an Excel sheet ----------------------------------------------------------------------

IMPORT_COLUMNS = ["code", "name", "kind", "parent_code", "region_code"]
ORG_IMPORT_MAX_ROWS = 20_000  # rows read, blank ones too; an institution has a few thousand units
_KIND_ALIASES = {str(label): value for value, label in OrgUnitKind.choices} | {
    "总行": "head_office",
    "分行": "branch",
    "支行": "sub_branch",
    "网点": "outlet",
    "部门": "department",
}
_HEADER_ALIASES = {
    "编码": "code",
    "机构编码": "code",
    "名称": "name",
    "机构名称": "name",
    "类型": "kind",
    "上级编码": "parent_code",
    "上级机构编码": "parent_code",
    "地区代码": "region_code",
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(fileobj: IO[bytes]) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    data = fileobj.read()
    check_zip_bounds(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError({"file": _("The file is not a readable Excel workbook (.xlsx).")}) from exc
    rows = wb.active.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, [])]
    keys = [_HEADER_ALIASES.get(h, h.lower()) for h in header]
    missing = [c for c in ("code", "name", "kind", "parent_code") if c not in keys]
    if missing:
        raise ValidationError({"file": _("Missing columns: %(cols)s") % {"cols": ", ".join(missing)}})
    out = []
    for read, values in enumerate(rows, start=1):
        if read > ORG_IMPORT_MAX_ROWS:  # blank rows count too: one row far down yields millions of them
            raise ValidationError(
                {"file": _("The file has more than %(n)d rows: split it.") % {"n": ORG_IMPORT_MAX_ROWS}}
            )
        if values is None or all(v in (None, "") for v in values):
            continue
        out.append({k: str(v).strip() if v is not None else "" for k, v in zip(keys, values, strict=False)})
    return out


def org_units_import(*, actor: Any, fileobj: IO[bytes], scope_root: OrgUnit | None) -> ImportReport:
    """Create or update units from a sheet (columns code, name, kind, parent_code, region_code).

    Every row is validated first; nothing is written unless the whole sheet is valid. Rows may refer to
    parents created earlier in the same sheet. Units outside `scope_root` (when given) are refused.
    """
    rows = _read_rows(fileobj)
    report = ImportReport()
    existing = {u.code: u for u in OrgUnit.objects.all()}
    known_kinds = {c for c, _ in OrgUnitKind.choices}
    planned: dict[str, str] = {code: u.kind for code, u in existing.items()}
    for i, row in enumerate(rows, start=2):
        kind = _KIND_ALIASES.get(row.get("kind", ""), row.get("kind", ""))
        row["kind"] = kind
        errs: dict[str, str] = {}
        if not row.get("code"):
            errs["code"] = _("Required.")
        if not row.get("name"):
            errs["name"] = _("Required.")
        if kind not in known_kinds:
            errs["kind"] = _("Unknown kind %(kind)s.") % {"kind": kind}
        parent_code = row.get("parent_code", "")
        if parent_code and parent_code not in planned:
            errs["parent_code"] = _("Unknown parent code %(code)s.") % {"code": parent_code}
        elif (
            parent_code
            and scope_root is not None
            and parent_code in existing
            and not existing[parent_code].path.startswith(scope_root.path)
        ):
            errs["parent_code"] = _("The parent unit is outside your part of the institution.")
        if errs:
            report.errors.append({"row": i, "fields": errs})
        else:
            planned[row["code"]] = kind
    if report.errors:
        return report
    try:
        with transaction.atomic():
            _apply_rows(actor, rows, report)
    except _RowError as exc:
        report.errors.append({"row": exc.row, "fields": exc.fields})
        report.created = report.updated = 0
    if report.ok:
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="core.orgunit",
            object_repr="org units import",
            changes={"created": report.created, "updated": report.updated},
        )
    return report


def _apply_rows(actor: Any, rows: list[dict[str, str]], report: ImportReport) -> None:
    for i, row in enumerate(rows, start=2):
        parent = OrgUnit.objects.filter(code=row["parent_code"]).first() if row.get("parent_code") else None
        unit = OrgUnit.objects.filter(code=row["code"]).first()
        try:
            if unit is None:
                org_unit_create(
                    actor=actor,
                    code=row["code"],
                    name=row["name"],
                    kind=row["kind"],
                    parent=parent,
                    region_code=row.get("region_code", ""),
                )
                report.created += 1
                continue
            org_unit_update(actor=actor, unit=unit, name=row["name"], region_code=row.get("region_code", ""))
            if parent is not None and unit.parent_id != parent.pk:
                org_unit_move(actor=actor, unit=unit, new_parent=parent)
            report.updated += 1
        except ValidationError as exc:
            fields = (
                {k: " ".join(v) for k, v in exc.message_dict.items()}
                if hasattr(exc, "error_dict")
                else {"file": " ".join(exc.messages)}
            )
            raise _RowError(i, fields) from exc


class _RowError(Exception):
    def __init__(self, row: int, fields: dict[str, str]) -> None:
        super().__init__(row)
        self.row, self.fields = row, fields
