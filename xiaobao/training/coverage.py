"""Training coverage: the share of a unit's people who have at least their target hours in a year.

`coverage(user=, unit=, year=, by="layer" | "unit")` → a list of `CoverageRow`:

- **people**: active staff of the unit's subtree (of the row's layer, or of the row's child unit) who have a
  target — the nearest plan up the tree of that year with a target for their layer (`training.targets`, the
  rule a person's record uses too); people without a target are not counted;
- **covered**: of those, the people whose attended hours in the year (sum of their attendance rows dated in
  the year) reach their target;
- **share**: covered ÷ people (None when nobody has a target);
- **hours**, **person_times**: the attended hours and the attendance rows (人次) in the year of every active
  staff member of the row, with or without a target.

By layer: one row per position layer that has active staff in the subtree (the code table's order). By unit:
one row per direct child of the unit with active staff (drill-down like the statistics page), and a row for
the unit's own staff (those attached to the unit itself) when it has any.

Speed (100,000 staff, head office): two aggregate statements — active staff counted per (unit, layer), and
the year's attendance summed per person, joined to the staff and grouped by (unit, layer) with one conditional
count per distinct target value of the year ("hours ≥ T") — then the targets resolved per (unit, layer)
group in memory. No row per person leaves the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from xiaobao.casework.scoping import may_see_subtree
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.core.scoping import path_upper_bound
from xiaobao.training.models import VIEW, Attendance, PositionLayer, StaffMember
from xiaobao.training.targets import TargetTable, target_table

BY = ("layer", "unit")
THRESHOLDS_PER_QUERY = 24  # conditional counts per statement; more distinct targets → another statement
PG_WORK_MEM = "64MB"  # for the attendance statement only (SET LOCAL)
EPSILON = 0.01  # hours have one decimal: SQLite sums floats (0.7 + 0.1 < 0.8), so compare with a margin


@dataclass
class CoverageRow:
    key: str  # the layer's code, or the unit's code
    label: str
    people: int  # active staff with a target
    covered: int  # of those, reaching the target
    share: float | None  # covered / people, None without people
    hours: Decimal  # attended hours in the year (every active staff member of the row)
    person_times: int  # attendance rows in the year (every active staff member of the row)


@dataclass
class _Group:
    unit_id: int
    layer_id: int
    people: int
    hours: float
    person_times: int
    reached: dict[float, int]  # target value → people with at least that many hours


def coverage(*, user: Any, unit: OrgUnit, year: int, by: str = "layer") -> list[CoverageRow]:
    """Coverage of `unit`'s subtree in `year`, by layer or by the unit's children; [] when the user may not
    see training figures of that unit."""
    if by not in BY:
        raise ValueError(by)
    if not may_see_subtree(user, unit, permission=VIEW):
        return []
    table = target_table(year)
    groups = _groups(unit, year, sorted({float(h) for h in table.targets.values()}))
    paths = dict(OrgUnit.objects.filter(pk__in={g.unit_id for g in groups}).values_list("pk", "path"))
    if by == "layer":
        return _by_layer(groups, paths, table)
    return _by_unit(groups, paths, table, unit)


def coverage_total(rows: list[CoverageRow], *, key: str = "total", label: str = "") -> CoverageRow:
    """The rows added up (each person is in exactly one row, so the sums are the subtree's figures)."""
    people = sum(r.people for r in rows)
    covered = sum(r.covered for r in rows)
    return CoverageRow(
        key=key,
        label=label or _("Total"),
        people=people,
        covered=covered,
        share=covered / people if people else None,
        hours=sum((r.hours for r in rows), Decimal("0")),
        person_times=sum(r.person_times for r in rows),
    )


# --- the aggregate ------------------------------------------------------------------------------------------


def _groups(unit: OrgUnit, year: int, thresholds: list[float]) -> list[_Group]:
    """Active staff of the subtree grouped by (unit, layer): people, then hours, attendance rows and, per
    target value, the people whose hours reach it. A target of 0 h is reached by everybody, also by people
    without attendance (who are not in the attendance statement)."""
    people = _people(unit)
    if not people:
        return []
    out = {key: _Group(key[0], key[1], n, 0.0, 0, {}) for key, n in people.items()}
    for group in out.values():
        group.reached.update({t: group.people for t in thresholds if t - EPSILON <= 0})
    positive = [t for t in thresholds if t - EPSILON > 0]
    step = THRESHOLDS_PER_QUERY
    for number, chunk in enumerate([positive[i : i + step] for i in range(0, len(positive), step)] or [[]]):
        for unit_id, layer_id, hours, times, *reached in _attended(unit, year, chunk):
            found = out.get((unit_id, layer_id))
            if found is None:  # became active or moved between the two statements: counted next time
                continue
            if number == 0:
                found.hours, found.person_times = float(hours or 0), int(times or 0)
            found.reached.update({t: int(n or 0) for t, n in zip(chunk, reached, strict=True)})
    return list(out.values())


def _sql_names() -> dict[str, str]:
    qn = connection.ops.quote_name

    def col(model: Any, name: str) -> str:
        return str(qn(model._meta.get_field(name).column))

    return {
        "staff": qn(StaffMember._meta.db_table),
        "att": qn(Attendance._meta.db_table),
        "units": qn(OrgUnit._meta.db_table),
        "s_id": col(StaffMember, "id"),
        "s_unit": col(StaffMember, "org_unit"),
        "s_layer": col(StaffMember, "layer"),
        "s_active": col(StaffMember, "active"),
        "a_staff": col(Attendance, "staff"),
        "a_date": col(Attendance, "date"),
        "a_hours": col(Attendance, "hours"),
        "u_id": col(OrgUnit, "id"),
        "u_path": col(OrgUnit, "path"),
    }


def _subtree(unit: OrgUnit, n: dict[str, str], alias: str) -> tuple[str, list[Any]]:
    """The condition "the staff row `alias` is active and in the unit's subtree" and its parameters: no unit
    condition at the root (head office), else the units' path range (an index range on the unit table)."""
    if unit.parent_id is None:
        return f"{alias}.{n['s_active']} = %s", [True]
    units = f"SELECT {n['u_id']} FROM {n['units']} WHERE {n['u_path']} >= %s AND {n['u_path']} < %s"  # noqa: S608
    sql = f"{alias}.{n['s_active']} = %s AND {alias}.{n['s_unit']} IN ({units})"
    return sql, [True, unit.path, path_upper_bound(unit.path)]


def _people(unit: OrgUnit) -> dict[tuple[int, int], int]:
    """Active staff per (unit, layer) of the subtree (the staff index on unit, layer and active)."""
    n = _sql_names()
    where, params = _subtree(unit, n, "s")
    sql = (
        f"SELECT s.{n['s_unit']}, s.{n['s_layer']}, COUNT(*) FROM {n['staff']} s"  # noqa: S608
        f" WHERE {where} GROUP BY s.{n['s_unit']}, s.{n['s_layer']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(unit_id, layer_id): int(count) for unit_id, layer_id, count in cursor.fetchall()}


def _attended(unit: OrgUnit, year: int, thresholds: list[float]) -> list[tuple[Any, ...]]:
    """(unit id, layer id, hours, attendance rows, people reaching each threshold…) per (unit, layer) of the
    active staff with attendance in the year. The year's attendance is summed per person first — as floating
    point (PostgreSQL's numeric sums cost a third more; hours have one decimal and the comparison a margin),
    on SQLite grouped by `+staff_id`, so that it reads the table through and sorts instead of walking the
    (staff, date) index and fetching every row by it (2× the time) — then joined to the staff by primary
    key."""
    n = _sql_names()
    where, params = _subtree(unit, n, "s")
    if unit.parent_id is None:
        only, only_params = "", []
    else:
        inner, inner_params = _subtree(unit, n, "t")
        only = f" AND x.{n['a_staff']} IN (SELECT t.{n['s_id']} FROM {n['staff']} t WHERE {inner})"  # noqa: S608
        only_params = inner_params
    reached = "".join(", SUM(CASE WHEN a.h >= %s THEN 1 ELSE 0 END)" for _ in thresholds)
    plus = "+" if connection.vendor == "sqlite" else ""
    # Only quoted table and column names of the models; every value is a parameter.
    sql = (
        f"SELECT s.{n['s_unit']}, s.{n['s_layer']}, SUM(a.h), SUM(a.n){reached}"  # noqa: S608
        f" FROM (SELECT {plus}x.{n['a_staff']} AS staff_id,"
        f" SUM(CAST(x.{n['a_hours']} AS DOUBLE PRECISION)) AS h, COUNT(*) AS n"
        f" FROM {n['att']} x WHERE x.{n['a_date']} >= %s AND x.{n['a_date']} <= %s{only}"
        f" GROUP BY {plus}x.{n['a_staff']}) a"
        f" JOIN {n['staff']} s ON s.{n['s_id']} = a.staff_id"
        f" WHERE {where} GROUP BY s.{n['s_unit']}, s.{n['s_layer']}"
    )
    values: list[Any] = [t - EPSILON for t in thresholds]
    values += [dt.date(year, 1, 1), dt.date(year, 12, 31), *only_params, *params]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the per-person sums of 100,000 people take ~40 MB of hash table: in memory, not in 20 batches
            # spilled to disk (the default 4 MB), and no JIT compilation (~100 ms) for a statement this short
            cursor.execute(f"SET LOCAL work_mem = '{PG_WORK_MEM}'")
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, values)
        return list(cursor.fetchall())


# --- rows ---------------------------------------------------------------------------------------------------


def _hours(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _add(acc: dict[str, Any], group: _Group, target: Decimal | None) -> None:
    acc["hours"] += group.hours
    acc["person_times"] += group.person_times
    if target is not None:
        acc["people"] += group.people
        acc["covered"] += group.reached.get(float(target), 0)


def _row(key: str, label: str, acc: dict[str, Any]) -> CoverageRow:
    people, covered = acc["people"], acc["covered"]
    return CoverageRow(
        key=key,
        label=label,
        people=people,
        covered=covered,
        share=covered / people if people else None,
        hours=_hours(acc["hours"]),
        person_times=acc["person_times"],
    )


def _acc() -> dict[str, Any]:
    return {"people": 0, "covered": 0, "hours": 0.0, "person_times": 0}


def _by_layer(groups: list[_Group], paths: dict[int, str], table: TargetTable) -> list[CoverageRow]:
    rows: dict[int, dict[str, Any]] = defaultdict(_acc)
    for g in groups:
        _add(rows[g.layer_id], g, table.for_unit(paths[g.unit_id], g.layer_id))
    layers = PositionLayer.objects.filter(pk__in=rows.keys()).order_by("sort_order", "code")
    return [_row(layer.code, layer.name, rows[layer.pk]) for layer in layers]


def _by_unit(
    groups: list[_Group], paths: dict[int, str], table: TargetTable, unit: OrgUnit
) -> list[CoverageRow]:
    depth = len(unit.path) + PATH_SEGMENT
    rows: dict[str, dict[str, Any]] = defaultdict(_acc)
    for g in groups:
        path = paths[g.unit_id]
        _add(rows[path[:depth] if len(path) >= depth else ""], g, table.for_unit(path, g.layer_id))
    children = OrgUnit.objects.filter(path__in=[p for p in rows if p]).order_by("sort_order", "path")
    out = [_row(child.code, child.name, rows[child.path]) for child in children]
    if "" in rows:
        out.append(_row(unit.code, f"{unit.name}（{_('own')}）", rows[""]))
    return out
