"""Read side of imports: jobs in the user's scope, presets, and what the mapping screen shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from xiaobao.imports.models import ImportJob, ImportPreset
from xiaobao.imports.targets import DIMENSION_LABELS, norm_value


def import_job_list(*, user: Any) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.visible_to(user)
        .select_related("org_unit", "requested_by", "preset")
        .defer("profile", "errors", "value_maps", "columns", "defaults")
        .order_by("-created_at", "-id")
    )


def import_job_detail(*, user: Any, pk: int) -> ImportJob | None:
    return (
        ImportJob.objects.visible_to(user)
        .select_related("org_unit", "requested_by", "preset")
        .filter(pk=pk)
        .first()
    )


def import_preset_list(*, kinds: Sequence[str] | None = None) -> QuerySet[ImportPreset]:
    """Presets, of the given kinds (all when None)."""
    qs = ImportPreset.objects.select_related("updated_by").order_by("name")
    return qs if kinds is None else qs.filter(kind__in=kinds)


@dataclass
class TableRow:
    value: str
    count: int | None
    target: str
    liability: str = ""


@dataclass
class ValueTable:
    """One value table as a page shows it: the source values with their current mapping."""

    dimension: str
    label: Any
    column: str = ""
    too_many: bool = False
    rows: list[TableRow] = field(default_factory=list)


def _lookup(mapping: dict[str, str]) -> dict[str, str]:
    return {norm_value(k): v for k, v in (mapping or {}).items()}


def job_value_tables(
    job: ImportJob, dimensions: Sequence[str], labels: Mapping[str, Any] = DIMENSION_LABELS
) -> list[ValueTable]:
    """For each dimension, the distinct values of the file's mapped column (split at the separator for
    lists), with the row counts and the job's current mapping."""
    distinct: dict[str, dict[str, int]] = job.profile.get("distinct", {})
    separator = str((job.defaults or {}).get("list_separator") or ",")
    liabilities = _lookup(job.value_maps.get("liability", {}))
    tables = []
    for dim in dimensions:
        table = ValueTable(dim, labels.get(dim, dim), column=(job.columns or {}).get(dim, ""))
        if not table.column:
            tables.append(table)
            continue
        values = distinct.get(table.column)
        if values is None:
            table.too_many = True
            tables.append(table)
            continue
        if dim == "special_groups":
            split: dict[str, int] = {}
            for value, n in values.items():
                for part in value.split(separator):
                    if part.strip():
                        split[part.strip()] = split.get(part.strip(), 0) + n
            values = split
        current = _lookup(job.value_maps.get(dim, {}))
        for value, n in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
            key = norm_value(value)
            table.rows.append(TableRow(value, n, current.get(key, ""), liabilities.get(key, "")))
        tables.append(table)
    return tables


def preset_value_tables(
    preset: ImportPreset,
    dimensions: Sequence[str],
    blank: int = 5,
    labels: Mapping[str, Any] = DIMENSION_LABELS,
) -> list[ValueTable]:
    """Every entry of each of the preset's value tables, after a few blank rows to add values."""
    maps = preset.value_maps or {}
    liabilities = _lookup(maps.get("liability", {}))
    tables = []
    for dim in dimensions:
        table = ValueTable(dim, labels.get(dim, dim))
        table.rows = [TableRow("", None, "") for _ in range(blank)]
        for value, target in sorted((maps.get(dim) or {}).items()):
            table.rows.append(TableRow(value, None, target, liabilities.get(norm_value(value), "")))
        tables.append(table)
    return tables
