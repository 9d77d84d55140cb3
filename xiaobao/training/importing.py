"""Importing the staff register: this module's import kind (`staff`) on the import framework.

The framework (xiaobao/imports) does the upload, the reading, the mapping screen, the dry run with its
row-by-row error report and the job; this module declares what a file can fill (targets), one value table
(the file's position layers → our layers), the defaults form, the row check and the writer.

A row is one person by employee number: a new number is added, a known one is updated (unit, layer, name,
position, hire date, active), an unchanged one counts as "already imported". Rows are written all or none.
Each row's unit is a unit code or a unit name of the file (or the import's unit when the file has none) and
must lie in the subtree of the unit imported into; a known number whose person is registered outside that
subtree is refused (a branch does not rewrite another branch's people). Optionally the people of the
subtree missing from the file are marked as left. After writing, people whose employee number is an
account's username are linked to it (`staff.link_accounts`). No personal data beyond the register's
minimal fields is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.imports.dates import parse_date
from xiaobao.imports.forms import BaseDefaultsForm, MappingFields, PresetFields
from xiaobao.imports.kinds import Checked, ImportKind
from xiaobao.imports.readers import Cell, Table
from xiaobao.imports.targets import DATE_ORDER_CHOICES, DATE_ORDERS, Target, norm_value
from xiaobao.imports.validation import Result, RowError

CODE = "staff"
PRESET_NAME = "员工名册"
BATCH_SIZE = 1000
EARLIEST_HIRE_YEAR = 1950
YES = {"1", "y", "yes", "true", "是", "在职", "在岗", "有效", "active", "正常", "启用"}
NO = {"0", "n", "no", "false", "否", "离职", "离岗", "退休", "无效", "inactive", "停用", "调离"}

TARGETS: list[Target] = [
    Target(
        "employee_no",
        _("Employee number"),
        "text",
        help=_("Required: identifies the person; importing the same file again changes nothing."),
    ),
    Target("name", pgettext_lazy("person", "Name"), "text", help=_("Required.")),
    Target(
        "unit",
        _("Unit (code or name)"),
        "text",
        help=_("A unit under the unit imported into (default: the unit imported into)."),
    ),
    Target("layer", _("Position layer"), "code", "layer"),
    Target("position", _("Position"), "text"),
    Target("hire_date", _("Hire date"), "date"),
    Target(
        "active", pgettext_lazy("staff", "Active"), "text", help=_("在职/是/1 or 离职/否/0; empty: active.")
    ),
]
TARGETS_BY_NAME = {t.name: t for t in TARGETS}
DIMENSIONS = ("layer",)
DIMENSION_LABELS = {"layer": _("Position layer")}


def _layers() -> list[tuple[str, str]]:
    from xiaobao.training.models import PositionLayer

    return list(PositionLayer.objects.filter(active=True).values_list("code", "name"))


def target_choices() -> dict[str, list[tuple[str, str]]]:
    return {"layer": _layers()}


def check_maps(value_maps: dict[str, Any], defaults: dict[str, Any]) -> None:
    """The value table's targets and the default layer must be known layers."""
    errors: dict[str, list[str]] = {}
    codes = {c for c, _n in _layers()}
    for dim, mapping in (value_maps or {}).items():
        if dim not in DIMENSIONS or not isinstance(mapping, dict):
            errors.setdefault("value_maps", []).append(gettext("Unknown value table: %(d)s") % {"d": dim})
            continue
        bad = sorted({str(v) for v in mapping.values() if str(v) not in codes})
        if bad:
            errors.setdefault(dim, []).append(gettext("Unknown value: %(v)s") % {"v": ", ".join(bad[:10])})
    defaults = defaults or {}
    layer = str(defaults.get("layer") or "")
    if layer and layer not in codes:
        errors.setdefault("defaults.layer", []).append(gettext("Unknown value: %(v)s") % {"v": layer})
    if str(defaults.get("date_order") or "auto") not in DATE_ORDERS:
        errors.setdefault("defaults.date_order", []).append(gettext("Unknown date order."))
    if errors:
        raise ValidationError(errors)


# --- checking rows ------------------------------------------------------------------------------------


@dataclass
class StaffRow:
    line: int
    employee_no: str
    name: str
    org_unit_id: int
    layer_id: int
    position: str
    hire_date: dt.date | None
    active: bool

    def values(self) -> tuple[Any, ...]:
        return (self.name, self.org_unit_id, self.layer_id, self.position, self.hire_date, self.active)


def parse_active(value: Cell) -> bool:
    """'在职', '是', '1', 'yes' → True; '离职', '否', '0', 'no' → False; empty → True; else ValueError."""
    if isinstance(value, bool):
        return value
    text = norm_value("" if value is None else str(value))
    if text.endswith(".0"):
        text = text[:-2]
    if not text or text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(text)


def existing_people(numbers: Sequence[str]) -> dict[str, tuple[int, str, tuple[Any, ...]]]:
    """{employee number: (pk, unit path, current values)} of the numbers already in the register."""
    from xiaobao.training.models import StaffMember

    found: dict[str, tuple[int, str, tuple[Any, ...]]] = {}
    pending = sorted(set(numbers))
    for start in range(0, len(pending), 500):
        rows = StaffMember.objects.filter(employee_no__in=pending[start : start + 500]).values_list(
            "employee_no",
            "pk",
            "org_unit__path",
            "name",
            "org_unit_id",
            "layer_id",
            "position",
            "hire_date",
            "active",
        )
        for no, pk, path, *values in rows:
            found[no] = (pk, path, tuple(values))
    return found


class _Checker:
    """Checks the rows of one file against a job's mapping (everything it needs loaded once)."""

    def __init__(self, job: Any, table: Table) -> None:
        from xiaobao.training.models import PositionLayer

        self.job, self.headers = job, table.headers
        self.index = {
            f: table.headers.index(h)
            for f, h in (job.columns or {}).items()
            if f in TARGETS_BY_NAME and h in table.headers
        }
        defaults = job.defaults or {}
        self.date_order = str(defaults.get("date_order") or "auto")
        layers = list(PositionLayer.objects.filter(active=True).values_list("code", "name", "pk"))
        by_code = {code: pk for code, _n, pk in layers}
        self.layers: dict[str, int] = {}
        for code, name, pk in layers:  # a file may use our codes or names as they are
            self.layers[norm_value(code)] = pk
            self.layers[norm_value(name)] = pk
        for raw, code in (job.value_maps or {}).get("layer", {}).items():
            if str(code) in by_code:
                self.layers[norm_value(raw)] = by_code[str(code)]
        self.default_layer = by_code.get(str(defaults.get("layer") or ""))
        units = OrgUnit.objects.filter(subtree_q(job.org_unit.path), is_active=True).values_list(
            "code", "name", "pk"
        )
        self.unit_codes: dict[str, int] = {}
        names: dict[str, list[int]] = {}
        for code, name, pk in units:
            self.unit_codes[norm_value(code)] = pk
            names.setdefault(norm_value(name), []).append(pk)
        self.unit_names = {name: pks[0] for name, pks in names.items() if len(pks) == 1}
        self.ambiguous_names = {name for name, pks in names.items() if len(pks) > 1}
        self.root_path = job.org_unit.path
        self.today = timezone.localdate()
        self.result = Result()

    def column(self, name: str) -> str:
        i = self.index.get(name)
        return self.headers[i] if i is not None else str(TARGETS_BY_NAME[name].label)

    def run(self, rows: Sequence[Sequence[Cell]], progress: Callable[[int], None]) -> Result:
        parsed_rows: list[StaffRow] = []
        for i, values in enumerate(rows):
            errors: list[RowError] = []
            parsed = self.parse(values, i + 2, errors)
            if parsed is None:
                self.result.add_errors(errors)
            else:
                parsed_rows.append(parsed)
            if (i + 1) % 2000 == 0:
                progress(i + 1)
        self.check_numbers(parsed_rows)
        return self.result

    def check_numbers(self, rows: list[StaffRow]) -> None:
        """Numbers repeated in the file (the same person twice: counted; two different people: an error)
        and numbers of people registered outside the subtree imported into."""
        known = existing_people([r.employee_no for r in rows])
        first: dict[str, StaffRow] = {}
        for row in rows:
            errors: list[RowError] = []
            seen = first.get(row.employee_no)
            if seen is not None:
                if seen.values() == row.values():
                    self.result.duplicates += 1
                    continue
                errors.append(
                    RowError(
                        row.line,
                        self.column("employee_no"),
                        gettext("Employee number %(no)s is also on row %(row)d with other details.")
                        % {"no": row.employee_no, "row": seen.line},
                    )
                )
            elif row.employee_no in known and not known[row.employee_no][1].startswith(self.root_path):
                errors.append(
                    RowError(
                        row.line,
                        self.column("employee_no"),
                        gettext(
                            "Employee number %(no)s is registered in a unit outside the unit imported into."
                        )
                        % {"no": row.employee_no},
                    )
                )
            if errors:
                self.result.add_errors(errors)
                continue
            first[row.employee_no] = row
            self.result.rows.append(row)

    def parse(self, values: Sequence[Cell], line: int, errors: list[RowError]) -> StaffRow | None:
        def get(name: str) -> Cell:
            i = self.index.get(name)
            return values[i] if i is not None and i < len(values) else ""

        def error(name: str, message: str) -> None:
            errors.append(RowError(line, self.column(name), message))

        def text(name: str, limit: int) -> str:
            value = get(name)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out = value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())
            if len(out) > limit:
                error(name, gettext("Longer than %(n)d characters.") % {"n": limit})
            return out

        number = text("employee_no", 30)
        if not number:
            error("employee_no", gettext("The employee number is empty."))
        name = text("name", 60)
        if not name:
            error("name", gettext("The name is empty."))
        unit_id = self.unit(text("unit", 100), error)
        layer_id = self.layer(text("layer", 100), error)
        position = text("position", 60)
        hire_date = self.hire_date(get("hire_date"), error)
        active = True
        try:
            active = parse_active(get("active"))
        except ValueError:
            error("active", gettext("Not active or left: %(v)s") % {"v": str(get("active"))[:40]})
        if errors or unit_id is None or layer_id is None:
            return None
        return StaffRow(line, number, name, unit_id, layer_id, position, hire_date, active)

    def unit(self, value: str, error: Callable[[str, str], None]) -> int | None:
        if not value:
            return int(self.job.org_unit_id)
        key = norm_value(value)
        found = self.unit_codes.get(key) or self.unit_names.get(key)
        if found is None:
            if key in self.ambiguous_names:
                error(
                    "unit", gettext("Several units are named %(v)s: give the unit code.") % {"v": value[:60]}
                )
            else:
                error(
                    "unit",
                    gettext("No open unit %(c)s under the unit imported into.") % {"c": value[:60]},
                )
        return found

    def layer(self, value: str, error: Callable[[str, str], None]) -> int | None:
        if not value:
            if self.default_layer is None:
                error("layer", gettext("The position layer is empty (and no default layer is set)."))
            return self.default_layer
        found = self.layers.get(norm_value(value))
        if found is None:  # an error, not a default: a wrong layer would measure the person wrongly
            error(
                "layer",
                gettext("Unknown position layer %(v)s: map it in the value table.") % {"v": value[:60]},
            )
        return found

    def hire_date(self, value: Cell, error: Callable[[str, str], None]) -> dt.date | None:
        if value in ("", None):
            return self.job.received_on  # type: ignore[no-any-return]
        try:
            parsed = parse_date(value, self.date_order)
        except ValueError:
            error("hire_date", gettext("Not a date: %(v)s") % {"v": str(value)[:40]})
            return None
        day = parsed.date() if isinstance(parsed, dt.datetime) else parsed
        if day > self.today:
            error("hire_date", gettext("The hire date cannot be in the future."))
            return None
        if day.year < EARLIEST_HIRE_YEAR:
            error("hire_date", gettext("The hire date is too far in the past."))
            return None
        return day


# --- writing --------------------------------------------------------------------------------------------


def write_staff(
    *,
    job: Any,
    rows: Sequence[StaffRow],
    deactivate_missing: bool,
    batch_size: int,
    progress: Callable[[float], None],
    after: Callable[[int, int], None],
) -> tuple[int, int]:
    """Add the new people and update the changed ones, all or none; returns (added or changed, unchanged).
    With `deactivate_missing`, active people of the subtree not in the file are marked as left."""
    from xiaobao.core.models.audit import AuditAction
    from xiaobao.core.services.audit import audit_record
    from xiaobao.training.models import StaffMember
    from xiaobao.training.staff import link_accounts

    with transaction.atomic():
        # Imports into one unit run one at a time: two runs of one file cannot both add the same person.
        OrgUnit.objects.select_for_update().filter(pk=job.org_unit_id).values_list("pk", flat=True).first()
        known = existing_people([r.employee_no for r in rows])
        new = [r for r in rows if r.employee_no not in known]
        changed = [r for r in rows if r.employee_no in known and known[r.employee_no][2] != r.values()]
        unchanged = len(rows) - len(new) - len(changed)
        now = timezone.now()
        total = max(len(new) + len(changed), 1)
        done = 0
        for start in range(0, len(new), batch_size):
            StaffMember.objects.bulk_create(
                [
                    StaffMember(
                        employee_no=r.employee_no,
                        name=r.name,
                        org_unit_id=r.org_unit_id,
                        layer_id=r.layer_id,
                        position=r.position,
                        hire_date=r.hire_date,
                        active=r.active,
                    )
                    for r in new[start : start + batch_size]
                ]
            )
            done += len(new[start : start + batch_size])
            progress(done / total)
        fields = ["name", "org_unit_id", "layer_id", "position", "hire_date", "active", "updated_at"]
        for start in range(0, len(changed), batch_size):
            objs = []
            for r in changed[start : start + batch_size]:
                obj = StaffMember(
                    pk=known[r.employee_no][0],
                    employee_no=r.employee_no,
                    name=r.name,
                    org_unit_id=r.org_unit_id,
                    layer_id=r.layer_id,
                    position=r.position,
                    hire_date=r.hire_date,
                    active=r.active,
                )
                obj.updated_at = now
                objs.append(obj)
            StaffMember.objects.bulk_update(objs, fields)
            done += len(objs)
            progress(done / total)
        left = 0
        if deactivate_missing:
            in_file = {r.employee_no for r in rows}
            missing = [
                pk
                for pk, no in StaffMember.objects.filter(
                    subtree_q(job.org_unit.path, "org_unit__path"), active=True
                ).values_list("pk", "employee_no")
                if no not in in_file
            ]
            for start in range(0, len(missing), batch_size):
                left += StaffMember.objects.filter(pk__in=missing[start : start + batch_size]).update(
                    active=False, updated_at=now
                )
        numbers = [r.employee_no for r in new + changed]
        ids = list(
            StaffMember.objects.filter(employee_no__in=numbers, user__isnull=True).values_list(
                "pk", flat=True
            )
        )
        linked = link_accounts(ids) if ids else 0
        created = len(new) + len(changed)
        after(created, unchanged)
        audit_record(
            actor=job.requested_by,
            action=AuditAction.UPDATE,
            obj=job,
            changes={
                "staff_added": len(new),
                "staff_changed": len(changed),
                "staff_unchanged": unchanged,
                "staff_marked_left": left,
                "accounts_linked": linked,
            },
        )
    return created, unchanged


def run(job: Any, table: Table, progress: Callable[[int], None]) -> Checked:
    checker = _Checker(job, table)
    result = checker.run(table.rows, progress)
    known = existing_people([r.employee_no for r in result.rows])
    unchanged = sum(
        1 for r in result.rows if r.employee_no in known and known[r.employee_no][2] == r.values()
    )
    deactivate = bool((job.defaults or {}).get("deactivate_missing"))

    def write(
        batch_size: int, on_progress: Callable[[float], None], after: Callable[[int, int], None]
    ) -> tuple[int, int]:
        return write_staff(
            job=job,
            rows=result.rows,
            deactivate_missing=deactivate,
            batch_size=min(batch_size, BATCH_SIZE),
            progress=on_progress,
            after=after,
        )

    return Checked(result, unchanged, write)


def results_url(job: Any) -> str:
    return f"{reverse('training:staff_list')}?unit={job.org_unit.code}"


# --- forms ----------------------------------------------------------------------------------------------


class StaffDefaultsForm(BaseDefaultsForm):
    """Defaults and options of a staff-register mapping."""

    layer = forms.ChoiceField(label=_("Position layer when the file has none"), choices=(), required=False)
    date_order = forms.ChoiceField(label=_("Order of day and month"), choices=DATE_ORDER_CHOICES)
    deactivate_missing = forms.BooleanField(
        label=_("Mark the people of the unit missing from the file as left"),
        required=False,
        help_text=_(
            "For a complete register of the unit: people not in the file no longer count in coverage."
        ),
    )

    DEFAULT_KEYS = ("layer", "date_order", "deactivate_missing")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["layer"].choices = [("", gettext("— none: the file must give it —")), *_layers()]  # type: ignore[attr-defined]


class StaffMappingForm(MappingFields, StaffDefaultsForm):
    targets = TARGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].label = _("Hire date for rows without one")


class StaffPresetForm(PresetFields, StaffDefaultsForm):
    targets = TARGETS


STAFF_KIND = ImportKind(
    code=CODE,
    label=_("Staff register"),
    permission="training.manage_staff",
    targets=TARGETS,
    dimensions=DIMENSIONS,
    table_dimensions=DIMENSIONS,
    dimension_labels=DIMENSION_LABELS,
    check_maps="xiaobao.training.importing.check_maps",
    choices="xiaobao.training.importing.target_choices",
    run="xiaobao.training.importing.run",
    mapping_form="xiaobao.training.importing.StaffMappingForm",
    preset_form="xiaobao.training.importing.StaffPresetForm",
    results_url="xiaobao.training.importing.results_url",
    upload_title=_("Import the staff register"),
    unit_label=_("Unit the people belong to (units in the file must lie under it)"),
    created_label=_("People added or changed"),
    results_label=_("View the staff register"),
    writing_message=_("Writing %(n)d people"),
)

# --- the shipped preset (data migration training 0003; `load_preset_now` for tests that flush) ----------

PRESET = {
    "name": PRESET_NAME,
    "kind": CODE,
    "description": "人力资源系统导出的员工名册（工号、姓名、机构、岗位层级、岗位、入职日期、在职状态）",
    "file_kinds": ["csv", "xlsx"],
    "columns": {
        "employee_no": ["工号", "员工号", "员工编号", "人员编号", "Employee number", "employee_no"],
        "name": ["姓名", "员工姓名", "Name"],
        "unit": ["机构代码", "机构编号", "所属机构", "机构", "机构名称", "部门", "Unit", "unit"],
        "layer": ["岗位层级", "层级", "人员层级", "人员类别", "Layer", "layer"],
        "position": ["岗位", "职务", "岗位名称", "Position"],
        "hire_date": ["入职日期", "入行日期", "入职时间", "Hire date"],
        "active": ["在职状态", "状态", "是否在职", "Active"],
    },
    "value_maps": {
        "layer": {
            "高管": "senior_management",
            "高级管理人员": "senior_management",
            "行领导": "senior_management",
            "中层": "middle_management",
            "中层管理人员": "middle_management",
            "中层干部": "middle_management",
            "部门负责人": "middle_management",
            "网点负责人": "middle_management",
            "一线": "front_line",
            "一线员工": "front_line",
            "柜员": "front_line",
            "客户经理": "front_line",
            "理财经理": "front_line",
            "新员工": "new_hire",
            "新入职": "new_hire",
            "新入职员工": "new_hire",
        }
    },
    "defaults": {"layer": "", "date_order": "auto", "deactivate_missing": ""},
    "is_builtin": True,
}


def load_preset(apps: Any, schema_editor: Any = None) -> None:
    apps.get_model("imports", "ImportPreset").objects.get_or_create(name=PRESET["name"], defaults=PRESET)


def unload_preset(apps: Any, schema_editor: Any = None) -> None:
    apps.get_model("imports", "ImportPreset").objects.filter(name=PRESET["name"], kind=CODE).delete()


def load_preset_now() -> None:
    from django.apps import apps as live_apps

    load_preset(live_apps)
