"""What is read from a database: the same queries on the dumped snapshot and on the restored copy."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.apps import apps
from django.db import models

from xiaobao.core.backup.format import KEY_CHECK_LABEL

# --- what is read from the database (the same queries on the dumped snapshot and the restored copy) -----


def sealed_columns() -> list[tuple[str, str, str, str | None]]:
    """(table, column, vault kind, blind-index column or None) of every column holding vault ciphertexts."""
    from xiaobao.core.models import User
    from xiaobao.core.vault.fields import SealedField

    found = []
    for model in apps.get_models():
        names = {f.name: f for f in model._meta.concrete_fields}
        for f in model._meta.concrete_fields:
            if isinstance(f, SealedField):
                bidx = names.get(f"{f.name}_bidx")
                found.append(
                    (model._meta.db_table, str(f.column), f.kind, str(bidx.column) if bidx else None)
                )
    found.append((User._meta.db_table, str(User._meta.get_field("totp_secret").column), "totp", None))
    return found


def file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField: the stored files the database refers to."""
    return [
        (m._meta.db_table, str(f.column))
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if isinstance(f, models.FileField)
    ]


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def list_tables(cur: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    else:
        cur.execute(
            "SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
        )
    return sorted(row[0] for row in cur.fetchall())


def _key_id_sql(column: str, vendor: str) -> str:
    c = quote_name(column)
    return f"substr({c}, 1, instr({c}, '$') - 1)" if vendor == "sqlite" else f"split_part({c}, '$', 1)"


def _key_ids(cur: Any, vendor: str, tables: set[str]) -> tuple[dict[str, dict[str, int]], list[tuple]]:
    """Rows per key id for each sealed column, and one sample (table, column, kind, key id, token) each."""
    per_column: dict[str, dict[str, int]] = {}
    samples = []
    for table, column, kind, _bidx in sealed_columns():
        if table not in tables:
            continue
        kid = _key_id_sql(column, vendor)
        cur.execute(
            f"SELECT {kid}, COUNT(*), MIN({quote_name(column)}) FROM {quote_name(table)} "  # noqa: S608  (identifiers quoted)
            f"WHERE {quote_name(column)} IS NOT NULL AND {quote_name(column)} <> '' GROUP BY {kid} ORDER BY 1"
        )
        for key_id, n, token in cur.fetchall():
            per_column.setdefault(f"{table}.{column}", {})[key_id] = n
            samples.append((table, column, kind, key_id, token))
    return per_column, samples


def _referenced_files(cur: Any, tables: set[str]) -> set[str]:
    names: set[str] = set()
    for table, column in file_columns():
        if table in tables:
            c = quote_name(column)
            cur.execute(f"SELECT {c} FROM {quote_name(table)} WHERE {c} <> ''")  # noqa: S608
            names.update(row[0] for row in cur.fetchall())
    return names


def read_state(cur: Any, vendor: str) -> dict[str, Any]:
    """Row counts, migration state, audit head and vault key ids, as seen by `cur`'s snapshot."""
    from xiaobao.core.models import AuditEvent

    tables = list_tables(cur, vendor)
    counts = {}
    for table in tables:
        cur.execute(f"SELECT COUNT(*) FROM {quote_name(table)}")  # noqa: S608  (identifier quoted)
        counts[table] = cur.fetchone()[0]
    migrations: dict[str, str] = {}
    if "django_migrations" in counts:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = dict(cur.fetchall())  # the last applied one per app wins
    head: dict[str, Any] = {
        "rows": counts.get(AuditEvent._meta.db_table, 0),
        "head_id": None,
        "head_hash": "",
        "head_seq": 0,
    }
    if head["rows"]:  # the last sealed row: rows written after the pre-backup sealing follow it unsealed
        table = quote_name(AuditEvent._meta.db_table)
        cur.execute(f"SELECT id, hash, seq FROM {table} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")  # noqa: S608
        head["head_id"], head["head_hash"], head["head_seq"] = cur.fetchone() or (None, "", 0)
    per_column, samples = _key_ids(cur, vendor, set(tables))
    return {
        "tables": counts,
        "migrations": dict(sorted(migrations.items())),
        "audit": head,
        "sealed_columns": per_column,
        "samples": samples,
        "referenced_files": _referenced_files(cur, set(tables)),
    }


def key_check(key: bytes) -> str:
    """A one-way check value of a vault key (HMAC of a fixed label): tells keys apart, reveals nothing."""
    return hmac.new(key, KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


def vault_manifest(per_column: dict[str, dict[str, int]]) -> dict[str, Any]:
    from xiaobao.core.vault.keys import keyring

    ring = keyring()
    in_use: dict[str, int] = {}
    for by_key in per_column.values():
        for kid, n in by_key.items():
            in_use[kid] = in_use.get(kid, 0) + n
    return {
        "key_ids": dict(sorted(in_use.items())),
        "columns": per_column,
        "key_checks": {kid: key_check(ring.keys[kid]) for kid in sorted(in_use) if kid in ring.keys},
        "blind_index_key_check": key_check(ring.blind_index),
        "development_keys": ring.is_development,
        "keys_in_archive": False,
    }
