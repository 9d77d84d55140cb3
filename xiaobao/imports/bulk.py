"""INSERT many rows of a model without building a model instance per row.

`bulk_create` builds every instance and compiles every value of every column in Python (about 0.6 ms per
complaint row, 60 columns): most of a 28,000-row import. Here the columns that are the same for every row
(defaults, the acting user, the unit, timestamps) are taken once from a template instance — so a field added
to the model later gets its default like with `bulk_create` — and only the columns that vary are prepared per
row, with each field's own `get_db_prep_save` (encryption of sealed fields, JSON, dates). Plain parameterised
SQL: the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.expressions import DatabaseDefault


def _plan(
    model: type[models.Model], template: models.Model, variable: Sequence[str], conn: Any
) -> tuple[list[models.Field], list[Any], list[int]]:
    """(columns, constant prepared values with None where a row value goes, positions of row values)."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    unknown = set(variable) - set(by_attname)
    if unknown:
        raise ValueError(f"unknown columns {sorted(unknown)}")
    columns: list[models.Field] = []
    constants: list[Any] = []
    for f in model._meta.concrete_fields:
        if f.primary_key and isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField):
            continue
        if f.attname in variable:
            columns.append(f)
            constants.append(None)
            continue
        value = f.pre_save(template, add=True)
        if isinstance(value, DatabaseDefault):
            continue  # the database fills it in
        columns.append(f)
        constants.append(f.get_db_prep_save(value, conn))
    slots = [columns.index(by_attname[name]) for name in variable]
    return columns, constants, slots


def insert_rows(
    model: type[models.Model],
    *,
    template: models.Model,
    variable: Sequence[str],
    rows: Iterable[Sequence[Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert one row per item of `rows` (values of the `variable` columns in that order; every other column
    from `template`). With `returning`, multi-row INSERT … RETURNING in chunks and the returned tuples (in no
    promised order: match them on a returned key); without, one prepared statement run for every row."""
    conn = connections[router.db_for_write(model)]
    columns, constants, slots = _plan(model, template, variable, conn)
    fields = [columns[i] for i in slots]
    params = []
    for row in rows:
        values = list(constants)
        for slot, field, value in zip(slots, fields, row, strict=True):
            values[slot] = field.get_db_prep_save(value, conn)
        params.append(values)
    if not params:
        return []
    qn = conn.ops.quote_name
    # Table and column names come from the model's metadata, quoted; every value is a parameter.
    names = ", ".join(qn(str(c.column)) for c in columns)
    head = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with conn.cursor() as cursor:
        if not returning:
            cursor.executemany(head + one, params)
            return []
        by_name = {f.name: f for f in model._meta.concrete_fields}
        back = ", ".join(qn(str(by_name[name].column)) for name in returning)
        limit = conn.features.max_query_params or 65535
        per = max(1, min(1000, limit // len(columns)))
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(params), per):
            chunk = params[start : start + per]
            sql = head + ", ".join([one] * len(chunk)) + f" RETURNING {back}"
            cursor.execute(sql, [v for values in chunk for v in values])
            out.extend(tuple(r) for r in cursor.fetchall())
        return out
