"""A session's sign-in list imported from a file (Excel .xlsx or CSV): one row per person with the employee
number and the name (both must match the register, like the public sign-in page), and optionally the hours
credited (the session's when empty).

All or nothing: every row is checked first and the problems are reported row by row (the line in the file,
the column, what is wrong); only a list without problems is recorded. People already recorded at the
session, and a person listed twice, are counted, not errors. The first row holds the column names, in
Chinese or English (工号 / employee number, 姓名 / name, 学时 / hours).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from xiaobao.core.exports import xlsx_bytes
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.imports.readers import max_bytes, read_table, sniff
from xiaobao.training.choices import SignInMethod
from xiaobao.training.models import Attendance, StaffMember, TrainingSession
from xiaobao.training.services import _decimal, _record, _require, _same_name, in_session_subtree

COLUMNS = {
    "employee_no": ("工号", "员工编号", "员工号", "employee number", "employee no", "employee_no", "number"),
    "name": ("姓名", "name"),
    "hours": ("学时", "培训学时", "hours"),
}
LABELS = {
    "employee_no": gettext_lazy("Employee number"),
    "name": pgettext_lazy("person", "Name"),
    "hours": gettext_lazy("Hours"),
}
MAX_ROWS = 5000  # a sign-in list, not a register


@dataclass
class RowError:
    line: int  # the line in the file (the header is line 1)
    column: str
    message: str
    value: str = ""


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    already: int = 0  # recorded before, or listed twice
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _norm(header: str) -> str:
    return " ".join(str(header).replace("_", " ").split()).casefold().rstrip("*").strip()


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, header in enumerate(headers):
        name = _norm(header)
        for key, names in COLUMNS.items():
            if key not in found and name in {_norm(n) for n in names}:
                found[key] = i
    return found


def _cell(row: list[Any], index: int | None) -> str:
    if index is None:
        return ""
    value = row[index]
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def import_signin_list(*, actor: Any, session: TrainingSession, file: IO[bytes]) -> ImportResult:
    """Check every row of the list and, when none has a problem, record the people not yet recorded (method
    "import"). The result says how many rows, added, already there, and every problem."""
    _require(actor, session.org_unit, _("You may not record attendance of this session."))
    data = file.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": max_bytes() // 2**20}]}
        )
    kind, encoding = sniff(data)
    table = read_table(data, kind, encoding)
    if len(table.rows) > MAX_ROWS:
        raise ValidationError({"file": [_("The list has more than %(n)d rows.") % {"n": MAX_ROWS}]})
    columns = _columns(table.headers)
    missing = [str(LABELS[k]) for k in ("employee_no", "name") if k not in columns]
    if missing:
        raise ValidationError(
            {"file": [_("The first row must name the columns; missing: %(c)s.") % {"c": "、".join(missing)}]}
        )
    result = ImportResult(rows=len(table.rows))
    numbers = {_cell(row, columns["employee_no"])[:30] for row in table.rows}
    people = {
        s.employee_no: s
        for s in StaffMember.objects.filter(employee_no__in=numbers - {""}).select_related("org_unit")
    }
    present = set(Attendance.objects.filter(session=session).values_list("staff__employee_no", flat=True))
    todo: list[tuple[StaffMember, Decimal]] = []
    seen: set[str] = set()
    for offset, row in enumerate(table.rows):
        line = offset + 2
        number, name = _cell(row, columns["employee_no"]), _cell(row, columns["name"])
        col_no, col_name = str(LABELS["employee_no"]), str(LABELS["name"])
        if not number:
            result.errors.append(RowError(line, col_no, _("Enter the employee number.")))
            continue
        staff = people.get(number[:30])
        if staff is None or len(number) > 30:
            result.errors.append(RowError(line, col_no, _("Not in the staff register."), number[:30]))
            continue
        if not staff.active:
            result.errors.append(RowError(line, col_no, _("Marked as left in the staff register."), number))
            continue
        if not in_session_subtree(session, staff):
            message = _("Works in %(unit)s, not in %(session_unit)s.") % {
                "unit": staff.org_unit.name,
                "session_unit": session.org_unit.name,
            }
            result.errors.append(RowError(line, col_no, message, number))
            continue
        if not name:
            result.errors.append(RowError(line, col_name, _("Enter the name.")))
            continue
        if not _same_name(staff.name, name):
            result.errors.append(
                RowError(line, col_name, _("The register has another name for this number."), name[:60])
            )
            continue
        errors: dict[str, list[str]] = {}
        raw_hours = _cell(row, columns.get("hours"))
        hours = (
            _decimal(raw_hours, errors, "hours", low=Decimal("0.1"), high=session.hours)
            if raw_hours
            else session.hours
        )
        if errors or hours is None:
            message = "; ".join(errors.get("hours", [])) or _("Enter a number.")
            result.errors.append(RowError(line, str(LABELS["hours"]), message, raw_hours[:20]))
            continue
        if staff.employee_no in present or staff.employee_no in seen:
            result.already += 1
            continue
        seen.add(staff.employee_no)
        todo.append((staff, hours))
    if result.errors:
        return result
    with transaction.atomic():
        for staff, hours in todo:
            _row, created = _record(
                session=session, staff=staff, hours=hours, method=SignInMethod.IMPORT, actor=actor
            )
            result.added += int(created)
            result.already += int(not created)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=session,
            changes={"signin_list": [None, {"rows": result.rows, "added": result.added}]},
        )
    return result


def template_workbook() -> bytes:
    """An empty sign-in list with the column names (and one example row to overwrite)."""
    return xlsx_bytes(
        _("Sign-in list"),
        [_("Employee number"), pgettext("person", "Name"), _("Hours")],
        [["E0001", "张三", ""]],
    )
