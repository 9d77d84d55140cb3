"""`xiaobao backup`: one archive of the database and MEDIA_ROOT, recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings

from xiaobao.core.backup.archive import add_bytes, add_file
from xiaobao.core.backup.engines import db_vendor, dump_postgresql, dump_sqlite
from xiaobao.core.backup.format import (
    DB_FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    MEDIA,
    BackupError,
    Hashing,
    Outcome,
    Progress,
    media_files,
    megabytes,
    operator_name,
    quiet,
)
from xiaobao.core.backup.state import vault_manifest


def _archive_path(out: Path, now: dt.datetime) -> Path:
    """The archive's path: `out` itself when it names a .tar.gz file, else a new name inside `out`."""
    name = f"xiaobao-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    path = (out if out.name.endswith((".tar.gz", ".tgz")) and not out.is_dir() else out / name).absolute()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if path.parent.resolve() == media_root or media_root in path.parent.resolve().parents:
        raise BackupError(f"write backups outside MEDIA_ROOT ({media_root}): it would back itself up")
    if path.exists():
        raise BackupError(f"{path} already exists: a backup never overwrites one")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xiaobao")
    except PackageNotFoundError:
        return "unknown"


def _manifest(now: dt.datetime, vendor: str, state: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
    media = {k[len(MEDIA) :]: v for k, v in files.items() if k.startswith(MEDIA)}
    missing = sorted(state["referenced_files"] - set(media))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "xiaobao_version": _version(),
        "database": {
            "vendor": vendor,
            "server": state["server"],
            "file": DB_FILES[vendor],
            "tables": state["tables"],
            "total_rows": sum(state["tables"].values()),
        },
        "migrations": state["migrations"],
        "audit": state["audit"],
        "vault": vault_manifest(state["sealed_columns"]),
        "media": {
            "files": len(media),
            "bytes": sum(v["size"] for v in media.values()),
            "referenced_missing": missing[:100],
            "referenced_missing_count": len(missing),
        },
        "files": files,
    }


def _write_archive(
    part: Path, vendor: str, db_file: Path, state: dict[str, Any], now: dt.datetime
) -> tuple[dict[str, Any], str]:
    files: dict[str, Any] = {}
    with part.open("xb") as raw:
        sink = Hashing(raw)
        with (
            gzip.GzipFile(fileobj=sink, mode="wb", compresslevel=6) as gz,
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            files[DB_FILES[vendor]] = add_file(tar, db_file, DB_FILES[vendor])
            for name, path in media_files(Path(settings.MEDIA_ROOT)):
                files[MEDIA + name] = add_file(tar, path, MEDIA + name)
            manifest = _manifest(now, vendor, state, files)
            add_bytes(
                tar, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode(), now.timestamp()
            )
        raw.flush()
        os.fsync(raw.fileno())
    return manifest, sink.hexdigest()


def backup_create(*, out: Path, progress: Progress = quiet) -> Outcome:
    """Write one archive of the database and MEDIA_ROOT to `out` (a directory, or the archive's file name);
    record it in the audit trail."""
    from xiaobao.core.models.audit import AuditAction
    from xiaobao.core.services.audit import audit_record

    vendor, started, now = db_vendor(), time.monotonic(), dt.datetime.now(dt.UTC)
    path = _archive_path(out, now)
    staging = Path(tempfile.mkdtemp(prefix=".xiaobao-backup-", dir=path.parent))
    part = path.with_name(f".{path.name}.part")
    try:
        db_file = staging / PurePosixPath(DB_FILES[vendor]).name
        progress("audit: sealing the trail and exporting its head …")
        sealing_problem = _seal_audit()
        progress(f"database: copying ({vendor}) …")
        state = dump_postgresql(db_file) if vendor == "postgresql" else dump_sqlite(db_file)
        progress("media: archiving the files under MEDIA_ROOT …")
        manifest, sha = _write_archive(part, vendor, db_file, state, now)
        audit_record(
            actor=None,
            action=AuditAction.EXPORT,
            object_type="backup",
            object_repr=f"backup {path.name}",
            changes={
                "archive": path.name,
                "sha256": sha,
                "rows": manifest["database"]["total_rows"],
                "files": manifest["media"]["files"],
                "audit_head": manifest["audit"]["head_id"],
                "operator": operator_name(),
            },
        )
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    path.with_name(path.name + ".sha256").write_text(f"{sha}  {path.name}\n")
    outcome = Outcome(path, sha, manifest)
    _backup_lines(outcome, state, time.monotonic() - started)
    if sealing_problem:
        outcome.warnings.append(sealing_problem)
    return outcome


def _seal_audit() -> str:
    """Seal the audit trail (which exports its head) so the archive holds it chained; a chain that no longer
    matches its exported head does not stop the backup, it is reported."""
    from xiaobao.core.services.audit_chain import AuditChainError, audit_seal

    try:
        audit_seal()
    except AuditChainError as e:
        return f"audit chain NOT sealed: {e} (run `xiaobao audit_verify`)"
    return ""


def _backup_lines(o: Outcome, state: dict[str, Any], seconds: float) -> None:
    m = o.manifest
    db, media, audit, vault = m["database"], m["media"], m["audit"], m["vault"]
    o.lines += [
        f"archive: {o.archive} ({megabytes(o.archive.stat().st_size)}, sha256 {o.sha256})",
        f"database: {db['server']}, {len(db['tables'])} tables, {db['total_rows']:,} rows",
        f"media: {media['files']:,} files, {megabytes(media['bytes'])}",
        f"audit chain head: #{audit['head_id']} {audit['head_hash'][:16]}… ({audit['rows']:,} rows)",
        "vault key ids in use: "
        + (", ".join(f"{k} ({n:,} values)" for k, n in vault["key_ids"].items()) or "none")
        + " — the keys are NOT in the archive: back up the key file separately",
        f"took {seconds:.1f} s",
    ]
    if media["referenced_missing_count"]:
        o.warnings.append(
            f"{media['referenced_missing_count']} files named by database rows were not under MEDIA_ROOT "
            f"(e.g. {media['referenced_missing'][0]})"
        )
    if vault["development_keys"]:
        o.warnings.append(
            "the vault uses development keys derived from XIAOBAO_SECRET_KEY: restoring needs that secret"
        )
    absent = [k for k in vault["key_ids"] if k not in vault["key_checks"]]
    if absent:
        o.warnings.append(f"values sealed with key ids not in the keyring: {', '.join(absent)}")
