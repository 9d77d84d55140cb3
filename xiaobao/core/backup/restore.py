"""`xiaobao restore`: into an empty database only, checked before and verified after."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection

from xiaobao.core.backup.archive import archive_unpack
from xiaobao.core.backup.engines import db_vendor, load_postgresql, load_sqlite, target_tables
from xiaobao.core.backup.format import (
    MEDIA,
    BackupError,
    Outcome,
    Progress,
    file_sha256,
    media_files,
    megabytes,
    operator_name,
    quiet,
)
from xiaobao.core.backup.state import key_check, quote_name, read_state, sealed_columns


def _check_compatible(manifest: dict[str, Any], vendor: str | None) -> list[str]:
    """Refuse another database engine or migrations this code does not know; warn of pending ones."""
    from django.db.migrations.loader import MigrationLoader

    archived = manifest["database"]["vendor"]
    if vendor is not None and archived != vendor:
        raise BackupError(
            f"the archive holds a {archived} database but the configured one is {vendor}: restore into the "
            f"same kind of database (DATABASE_URL); nothing was restored"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [f"{a}.{n}" for a, n in manifest["migrations"].items() if (a, n) not in loader.disk_migrations]
    if unknown:
        raise BackupError(
            "the archive was made by a newer Xiaobao (migrations this code does not have: "
            f"{', '.join(unknown[:5])}): install that version, then restore; nothing was restored"
        )
    pending = [
        app
        for app in sorted({a for a, _ in loader.disk_migrations})
        if (leaves := loader.graph.leaf_nodes(app)) and manifest["migrations"].get(app) != leaves[0][1]
    ]
    if pending:
        return [
            f"the archive predates migrations of {', '.join(pending)}: run `xiaobao migrate` after restoring"
        ]
    return []


def _check_keys(manifest: dict[str, Any], allow_missing: bool) -> list[str]:
    """Every key id the archive's ciphertexts name must be in the keyring, with the same key."""
    from xiaobao.core.vault.keys import keyring

    ring, vault = keyring(), manifest["vault"]
    problems = []
    for kid, n in vault["key_ids"].items():
        if kid not in ring.keys:
            problems.append(f"key id {kid!r} ({n:,} values) is not in the configured keyring")
        elif vault["key_checks"].get(kid) not in (None, key_check(ring.keys[kid])):
            problems.append(
                f"key id {kid!r} is configured with a different key than the one the data was sealed with"
            )
    if vault["key_ids"] and vault["blind_index_key_check"] != key_check(ring.blind_index):
        problems.append(
            "the blind-index key differs: lookups by ID, phone or account number would find nothing"
        )
    if not problems:
        return []
    message = (
        "personal data in this archive could not be decrypted with the configured vault keys:\n  "
        + "\n  ".join(problems)
        + "\nConfigure the key file the backup's data was sealed with (XIAOBAO_VAULT_KEY_FILE, or "
        "XIAOBAO_VAULT_KEYS and XIAOBAO_VAULT_BLIND_INDEX_KEY)"
    )
    if not allow_missing:
        raise BackupError(
            message + ", or pass --allow-missing-keys to restore anyway (those values stay unreadable); "
            "nothing was restored"
        )
    return [message]


def _require_empty(vendor: str, media_root: Path) -> None:
    tables = target_tables(vendor)
    if tables:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables, e.g. {', '.join(tables[:3])}): restore "
            "only into a new, empty database — create one and point DATABASE_URL at it; nothing was restored"
        )
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(
            f"MEDIA_ROOT {media_root} is not empty: restore into an empty directory (XIAOBAO_MEDIA_ROOT or "
            "XIAOBAO_DATA_DIR); nothing was restored"
        )


def _move_media(source: Path, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    for name, path in media_files(source):
        target = media_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)


def backup_restore(
    *, archive: Path, verify_only: bool = False, allow_missing_keys: bool = False, progress: Progress = quiet
) -> Outcome:
    """Restore `archive` into the configured (empty) database and MEDIA_ROOT, verify the copy, record it.

    Nothing is written before every file of the archive has passed its checksum and the keyring, engine
    and migrations have been checked; with `verify_only` nothing is written at all."""
    vendor, started = db_vendor(), time.monotonic()
    media_root = Path(settings.MEDIA_ROOT)
    if not verify_only:
        _require_empty(vendor, media_root)
    base = Path(tempfile.gettempdir()) if verify_only else media_root.parent
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".xiaobao-restore-", dir=base))
    try:
        progress(f"archive: checking {archive.name} …")
        manifest, sha = archive_unpack(archive, staging)
        warnings = _check_compatible(manifest, None if verify_only else vendor)
        warnings += _check_keys(manifest, allow_missing_keys)
        outcome = Outcome(archive, sha, manifest, warnings=warnings)
        outcome.lines.append(
            f"archive: {archive} (sha256 {sha}), made {manifest['created_at']} by Xiaobao "
            f"{manifest['xiaobao_version']} on {manifest['database']['server']}"
        )
        outcome.lines.append(f"checksums: all {len(manifest['files']):,} files match the manifest")
        if verify_only:
            return outcome
        progress("database: restoring …")
        db_file = staging.joinpath(*PurePosixPath(manifest["database"]["file"]).parts)
        (load_postgresql if vendor == "postgresql" else load_sqlite)(db_file)
        progress("media: restoring files …")
        _move_media(staging / MEDIA.rstrip("/"), media_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    progress("verifying the restored copy …")
    restored_verify(outcome, media_root, allow_missing_keys)
    _record_restore(outcome)
    outcome.lines.append(f"took {time.monotonic() - started:.1f} s")
    return outcome


def _blind_index_problems(cur: Any) -> list[str]:
    """One value per blind-indexed column: its stored blind index must be the configured key's."""
    from xiaobao.core.vault import crypto

    problems = []
    for table, column, kind, bidx in sealed_columns():
        if bidx is None:
            continue
        cur.execute(
            f"SELECT {quote_name(column)}, {quote_name(bidx)} FROM {quote_name(table)} "  # noqa: S608  (identifiers quoted)
            f"WHERE {quote_name(column)} <> '' AND {quote_name(bidx)} <> '' LIMIT 1"
        )
        row = cur.fetchone()
        if row is None:
            continue
        try:
            if crypto.blind_index(crypto.decrypt(row[0], kind), kind) != row[1]:
                problems.append(f"{table}.{bidx}: the blind index was made with another blind-index key")
        except crypto.VaultError as exc:
            problems.append(f"{table}.{column}: {exc}")
    return problems


def _key_problems(samples: list[tuple[Any, ...]]) -> list[str]:
    """One ciphertext per (column, key id) must decrypt with the configured keyring."""
    from xiaobao.core.vault import crypto

    problems = []
    for table, column, kind, kid, token in samples:
        try:
            crypto.decrypt(token, kind)
        except crypto.VaultError as exc:
            problems.append(f"{table}.{column}, key id {kid!r}: {exc}")
    return problems


def _media_problems(o: Outcome, media_root: Path, referenced: set[str]) -> tuple[list[str], int, int]:
    expected = {
        k[len(MEDIA) :]: (v["sha256"], v["size"])
        for k, v in o.manifest["files"].items()
        if k.startswith(MEDIA)
    }
    restored = {name: (file_sha256(p), p.stat().st_size) for name, p in media_files(media_root)}
    problems = [
        f"media/{name}: {'missing' if name not in restored else 'checksum differs from the manifest'}"
        for name in sorted(set(expected) | set(restored))
        if restored.get(name) != expected.get(name)
    ][:10]
    missing = referenced - set(restored)
    if len(missing) > o.manifest["media"]["referenced_missing_count"]:
        problems.append(
            f"{len(missing)} files named by database rows are missing (e.g. {sorted(missing)[0]})"
        )
    elif missing:
        o.warnings.append(f"{len(missing)} files named by database rows were already missing when backed up")
    return problems, len(restored), sum(size for _, size in restored.values())


def restored_verify(o: Outcome, media_root: Path, allow_missing_keys: bool = False) -> None:
    """Counts, migrations, audit chain and head, keys and files of the configured database and `media_root`
    against the manifest `o.manifest`; raises BackupError listing what differs."""
    from xiaobao.core.services.audit import audit_verify

    m = o.manifest
    connection.close()
    with connection.cursor() as cur:
        state = read_state(cur, connection.vendor)
        key_problems = _key_problems(state["samples"]) + _blind_index_problems(cur)
    want, got = m["database"]["tables"], state["tables"]
    problems = [
        f"table {t}: {got.get(t)} rows, manifest {want.get(t)}"
        for t in sorted(set(want) | set(got))
        if got.get(t) != want.get(t)
    ][:10]
    if state["migrations"] != m["migrations"]:
        problems.append("the migration state differs from the manifest")
    head, audit = state["audit"], m["audit"]
    # Checked against the archive's head, not this installation's head file (it may be newer than the backup).
    report = audit_verify(
        head={"seq": audit.get("head_seq", 0), "id": audit["head_id"], "hash": audit["head_hash"]}
        if audit["head_id"]
        else None
    )
    if report.broken_id is not None:
        problems.append(f"audit chain BROKEN at row {report.broken_id}: {report.reason}")
    elif (head["rows"], head["head_id"], head["head_hash"]) != (
        audit["rows"],
        audit["head_id"],
        audit["head_hash"],
    ):
        problems.append(
            f"audit chain head #{head['head_id']} ({head['rows']} rows) differs from the manifest's"
        )
    (o.warnings if allow_missing_keys else problems).extend(key_problems)
    media_problems, n_files, n_bytes = _media_problems(o, media_root, state["referenced_files"])
    problems += media_problems
    if problems:
        raise BackupError(
            "restored, but the copy does not match the archive:\n  "
            + "\n  ".join(problems)
            + "\nDrop the restored database and empty MEDIA_ROOT before trying again."
        )
    kids = ", ".join(m["vault"]["key_ids"]) or "none"
    o.lines += [
        f"database: {len(got)} tables, {sum(got.values()):,} rows — counts equal the manifest",
        f"media: {n_files:,} files, {megabytes(n_bytes)} — checksums equal the manifest",
        f"audit chain: intact, {report.checked:,} rows; head #{head['head_id']} {head['head_hash'][:16]}… "
        "equals the manifest's",
        f"vault key ids: {kids} — "
        + (
            "NOT all usable"
            if key_problems
            else "present; one value per column and key id decrypted"
            if m["vault"]["key_ids"]
            else "no sealed values"
        ),
    ]


def _record_restore(o: Outcome) -> None:
    from xiaobao.core.models.audit import AuditAction
    from xiaobao.core.services.audit import audit_record
    from xiaobao.core.services.audit_chain import audit_seal, restart_head

    m = o.manifest
    event = audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        object_type="backup",
        object_repr=f"restore {o.archive.name}",
        changes={
            "archive": o.archive.name,
            "sha256": o.sha256,
            "backup_time": m["created_at"],
            "rows": m["database"]["total_rows"],
            "files": m["media"]["files"],
            "audit_head": m["audit"]["head_id"],
            "operator": operator_name(),
        },
    )
    o.lines.append(f"audit: restore recorded as row #{event.pk}")
    replaced = restart_head()
    audit_seal()
    if replaced:
        o.lines.append(f"audit: the head file of the trail before the restore was kept as {replaced}")
