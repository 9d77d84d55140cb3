"""Sealing and verifying the audit trail: a keyed chain built after commit, and its head kept outside the DB.

Rows are inserted unsealed (`seq`, `prev_hash` and `hash` NULL), so recording takes no lock and no read of
the last row: writers of the whole institution never wait on each other for the audit. The sealer
(`xiaobao audit_seal --loop`, also run by `audit_verify` and before each backup) gives the committed unsealed
rows, in id order, the next positions `seq` of the chain and their HMAC-SHA256 under the audit key, which
lives outside the database. A row committed late (a lower id than rows already sealed) simply takes a later
position. After sealing it exports the head (position, id, hash) to a file in the head directory, which the
database user must not be able to write; verification fails when rows up to that head are missing.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from xiaobao.core.models import AuditEvent

GENESIS = "0" * 64
_SEAL_LOCK_KEY = 0x58494142  # "XIAB": only sealers take it; recording never does
BATCH = 2000


class AuditChainError(Exception):
    """The chain in the database is behind or different from the exported head: nothing is sealed."""


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or os.environ.get(f"XIAOBAO_{name}", ""))


def _decode_key(value: str) -> bytes:
    raw = base64.b64decode(value.strip())
    if len(raw) < 32:
        raise ImproperlyConfigured("the audit key must be at least 32 bytes, base64-encoded")
    return raw


def audit_key() -> bytes:
    """XIAOBAO_AUDIT_KEY_FILE, else XIAOBAO_AUDIT_KEY, else DATA_DIR/audit.key; in DEBUG/TESTING a
    development key derived from SECRET_KEY. Only the sealer and the verifier need it, not the web app."""
    if path := _setting("AUDIT_KEY_FILE"):
        return _decode_key(Path(path).read_text())
    if value := _setting("AUDIT_KEY"):
        return _decode_key(value)
    if (default := Path(settings.DATA_DIR) / "audit.key").exists():
        return _decode_key(default.read_text())
    if settings.DEBUG or settings.TESTING:
        return hashlib.sha256(f"xiaobao-dev-audit:{settings.SECRET_KEY}".encode()).digest()
    raise ImproperlyConfigured(
        "no audit key: set XIAOBAO_AUDIT_KEY_FILE (a file holding 32 random bytes, base64) to seal and "
        "verify the audit trail; generate one with `xiaobao audit_seal --keygen`"
    )


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


# --- the exported head ------------------------------------------------------------------------------


def head_path() -> Path | None:
    """The head file of this database: XIAOBAO_AUDIT_HEAD_DIR, else DATA_DIR/audit-head (none in tests
    unless a test configures AUDIT_HEAD_DIR)."""
    configured = _setting("AUDIT_HEAD_DIR")
    if not configured and settings.TESTING:
        return None
    folder = Path(configured) if configured else Path(settings.DATA_DIR) / "audit-head"
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(str(connection.settings_dict["NAME"])).name)
    return folder / f"audit-head-{name}.json"


def read_head() -> dict[str, Any] | None:
    path = head_path()
    if path is None or not path.exists():
        return None
    return dict(json.loads(path.read_text()))


def write_head(tail: dict[str, Any]) -> None:
    """Replace the head file atomically; never move it backwards."""
    path = head_path()
    if path is None or not tail.get("seq"):
        return
    old = read_head()
    if old and old["seq"] >= tail["seq"]:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    head = tail | {"exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    tmp.write_text(json.dumps(head, indent=1) + "\n")
    os.replace(tmp, path)


def restart_head() -> Path | None:
    """After a restore: keep the old head file aside (the restored trail may end before it) and start over."""
    path = head_path()
    if path is None or not path.exists():
        return None
    kept = path.with_name(f"{path.name}.before-restore-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}")
    os.replace(path, kept)
    return kept


# --- sealing ----------------------------------------------------------------------------------------


def chain_tail() -> dict[str, Any] | None:
    """The last sealed row: {"seq", "id", "hash"}."""
    row = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "id", "hash").first()
    return dict(row) if row else None


def _check_against_head(tail: dict[str, Any] | None, head: dict[str, Any] | None) -> None:
    if head is None:
        return
    if tail is None or tail["seq"] < head["seq"]:
        raise AuditChainError(
            f"the newest rows up to #{head['id']} (the exported head, position {head['seq']}) are missing"
        )
    at_head = AuditEvent.objects.filter(seq=head["seq"]).values_list("hash", flat=True).first()
    if at_head != head["hash"]:
        raise AuditChainError(f"the row at the exported head's position {head['seq']} differs from it")


def _seal_batch(key: bytes, tail: dict[str, Any] | None) -> tuple[int, dict[str, Any] | None]:
    seq, prev = (tail["seq"], tail["hash"]) if tail else (0, GENESIS)
    rows = list(AuditEvent.objects.filter(hash__isnull=True).order_by("id")[:BATCH])
    params = []
    for row in rows:
        seq += 1
        row.seq, row.prev_hash = seq, prev
        row.hash = prev = row.compute_hash(key)
        params.append((row.seq, row.prev_hash, row.hash, row.id))
    if params:
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE core_auditevent SET seq = %s, prev_hash = %s, hash = %s "
                "WHERE id = %s AND hash IS NULL",
                params,
            )
            if cur.rowcount != len(params):  # another sealer got there first (SQLite has no sealer lock)
                raise AuditChainError("another sealer sealed these rows meanwhile: nothing sealed, retry")
        tail = {"seq": rows[-1].seq, "id": rows[-1].id, "hash": rows[-1].hash}
    return len(rows), tail


@dataclass
class SealReport:
    sealed: int
    tail: dict[str, Any] | None


def audit_seal() -> SealReport:
    """Chain every committed unsealed row, in batches, then export the head. Raises AuditChainError (and
    seals nothing) when the database's chain is behind or different from the exported head."""
    key, sealed = audit_key(), 0
    with _sealer_lock():
        tail = chain_tail()
        _check_against_head(tail, read_head())
        while True:
            with transaction.atomic():
                n, tail = _seal_batch(key, tail)
            sealed += n
            if n < BATCH:
                break
        if tail:
            write_head(tail)
    return SealReport(sealed, tail)


class _sealer_lock:
    """One sealer at a time on PostgreSQL (a session lock: held until the head is written)."""

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_lock(%s)", [_SEAL_LOCK_KEY])

    def __exit__(self, *exc: object) -> None:
        if connection.vendor == "postgresql" and not connection.needs_rollback:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [_SEAL_LOCK_KEY])


# --- verification -----------------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None
    reason: str
    unsealed: int = 0
    head: dict[str, Any] | None = None


def _walk(key: bytes, head: dict[str, Any] | None) -> ChainReport:
    prev, checked = GENESIS, 0
    for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        if event.seq != checked + 1 or event.prev_hash != prev:
            return ChainReport(
                checked, event.id, "link to the previous row is broken (row deleted or edited)"
            )
        if event.compute_hash(key) != event.hash:
            return ChainReport(checked, event.id, "content does not match its hash (row edited)")
        if head and event.seq == head["seq"] and event.hash != head["hash"]:
            return ChainReport(checked, event.id, "differs from the exported head (rows replaced)")
        prev = event.hash
        checked += 1
    if head and checked < head["seq"]:
        return ChainReport(
            checked,
            head["id"],
            f"the newest rows up to #{head['id']} (the exported head, {head['seq']} rows) are missing "
            "(deleted)",
        )
    return ChainReport(checked, None, "")


_HEAD_FILE: Any = object()


def audit_verify(*, seal: bool = True, head: Any = _HEAD_FILE) -> ChainReport:
    """Seal what is pending, then walk the whole chain in order and check it against the exported head
    (read before sealing; a restore passes its archive's head); report the first row whose position, link
    or keyed hash does not hold, or the exported head when the rows up to it are missing."""
    key = audit_key()
    head = read_head() if head is _HEAD_FILE else head
    if seal:
        with contextlib.suppress(AuditChainError):  # the walk below names the row
            audit_seal()
    report = _walk(key, head)
    report.unsealed = AuditEvent.objects.filter(hash__isnull=True).count()
    report.head = head
    return report
