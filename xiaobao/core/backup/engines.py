"""The database engines' own tools: SQLite's online backup API, pg_dump and pg_restore."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import OperationalError, connection

from xiaobao.core.backup.format import DB_FILES, BackupError
from xiaobao.core.backup.state import list_tables, read_state


def db_vendor() -> str:
    if connection.vendor not in DB_FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


_LIBPQ = {"sslmode", "sslcert", "sslkey", "sslrootcert", "sslcrl", "connect_timeout", "options", "service"}


def pg_conninfo() -> tuple[str, dict[str, str]]:
    """libpq connection string (no password) and environment (PGPASSWORD) for pg_dump and pg_restore."""
    from psycopg.conninfo import make_conninfo

    db = connection.settings_dict
    params = {k: str(v) for k, v in (db.get("OPTIONS") or {}).items() if k in _LIBPQ}
    for key, name in (("dbname", "NAME"), ("user", "USER"), ("host", "HOST"), ("port", "PORT")):
        if db.get(name):
            params[key] = str(db[name])
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return make_conninfo(**params), env


def _pg_tool(name: str, server_version_num: int) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools (e.g. postgresql-client-15)"
        )
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    m = re.search(r"(\d+)(?:\.(\d+))?", out)
    major = int(m.group(1)) if m else 0
    if major < server_version_num // 10000:
        raise BackupError(
            f"{name} {out.strip()} is older than the server (PostgreSQL {server_version_num // 10000}): "
            f"install the client tools of the server's version"
        )
    return path


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise BackupError(f"{what} failed (exit {done.returncode}):\n{tail}")


def dump_postgresql(dest: Path) -> dict[str, Any]:
    """pg_dump of one exported snapshot; the state is read in the same snapshot, so both agree."""
    import psycopg

    conninfo, env = pg_conninfo()
    try:
        raw = psycopg.connect(conninfo, password=env.get("PGPASSWORD"))
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot connect to the database ({exc}): check DATABASE_URL") from exc
    with raw:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')::int, version()")
            snapshot, version_num, version = cur.fetchone()  # type: ignore[misc]
            tool = _pg_tool("pg_dump", version_num)
            argv = [tool, "--format=custom", "--compress=0", "--no-owner", "--no-privileges"]
            _run([*argv, f"--snapshot={snapshot}", f"--file={dest}", conninfo], env, "pg_dump")
            state = read_state(cur, "postgresql")
        raw.rollback()
    state["server"] = version.split(" on ")[0]
    return state


def dump_sqlite(dest: Path) -> dict[str, Any]:
    """SQLite's online backup API: a consistent copy while the application keeps writing."""
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=60)
    copy = sqlite3.connect(str(dest))
    try:
        source.backup(copy)  # all pages in one step under one read transaction
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if (check := copy.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
            raise BackupError(f"the database copy fails SQLite's check: {check}")
        state = read_state(copy.cursor(), "sqlite")
        state["server"] = f"SQLite {sqlite3.sqlite_version}"
    finally:
        copy.close()
        source.close()
    return state


def target_tables(vendor: str) -> list[str]:
    if vendor == "postgresql":
        try:
            with connection.cursor() as cur:
                return list_tables(cur, vendor)
        except OperationalError as exc:
            raise BackupError(
                f"cannot connect to the target database ({exc}): create it (empty) and check DATABASE_URL"
            ) from exc
    name = str(connection.settings_dict["NAME"])
    path = Path(name).resolve()
    if ":memory:" in name or "mode=memory" in name:
        raise BackupError("restore needs a database file, not an in-memory SQLite database")
    if not path.exists():
        return []
    con = sqlite3.connect(str(path))  # not read-only: a new WAL database may hold its tables in the -wal file
    try:
        return list_tables(con.cursor(), vendor)
    finally:
        con.close()


def load_sqlite(db_file: Path) -> None:
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    source, dest = sqlite3.connect(str(db_file)), sqlite3.connect(str(target))
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def load_postgresql(db_file: Path) -> None:
    conninfo, env = pg_conninfo()
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('server_version_num')::int")
        version_num = cur.fetchone()[0]
    tool = _pg_tool("pg_restore", version_num)
    connection.close()
    argv = [tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run([*argv, f"--dbname={conninfo}", str(db_file)], env, "pg_restore")
