"""Backup and restore: `xiaobao backup` of this test's database (SQLite file, or PostgreSQL's test database
when DATABASE_URL is set), `xiaobao restore` in a separate process into an empty second database (a new
SQLite file, or a scratch PostgreSQL database made for the test and dropped after it) with its own
MEDIA_ROOT. The restored copy is read back with the engine's own driver, not through this code.

The data is made by the real services: complaints registered with their complainants (encrypted ID numbers)
and attachments, a consumer registered directly, and the audit records they write. The tests commit it
(`transaction=True`) so that pg_dump and the child process see it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from xiaobao.complaints.attachments import attachment_add
from xiaobao.complaints.services import complaint_register
from xiaobao.core.backup import BackupError, Outcome, backup_restore, restored_verify
from xiaobao.core.models import AuditEvent, Consumer
from xiaobao.core.services.consumers import consumer_create
from xiaobao.core.vault.keys import keyring

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n% evidence of the annual fee\n" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
ID_NUMBER = "110108199003070016"

# In the restored database, through the application: the audit chain verified, a consumer's decrypted ID
# number, and the consumer the lookup by ID number (blind index) finds.
READ_BACK = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiaobao.settings")
import django
django.setup()
from xiaobao.core.models import Consumer
from xiaobao.core.services.audit import audit_verify
from xiaobao.core.vault import crypto
report = audit_verify()
c = Consumer.objects.get(pk=int(sys.argv[1]))
found = Consumer.objects.filter(id_number_bidx=crypto.blind_index(sys.argv[2], "id_number")).get()
print(report.checked, report.broken_id, c.id_number.reveal(), found.pk)
"""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _media(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): _sha(p.read_bytes()) for p in root.rglob("*") if p.is_file()}


def _counts(cur: Any, tables: list[str]) -> dict[str, int]:
    out = {}
    for table in tables:
        cur.execute(f'SELECT COUNT(*) FROM "{table}"')
        out[table] = cur.fetchone()[0]
    return out


@dataclass
class Target:
    """An empty second database and data directory, used by child processes."""

    url: str
    data_dir: Path
    connect: Callable[[], Any]  # the engine's own driver, on the restored database

    @property
    def media(self) -> Path:
        return self.data_dir / "media"

    def run(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if k != "XIAOBAO_MEDIA_ROOT"}
        environ |= {"DATABASE_URL": self.url, "XIAOBAO_DATA_DIR": str(self.data_dir), "XIAOBAO_TESTING": "1"}
        return subprocess.run(
            [sys.executable, *argv],
            env=environ | (env or {}),
            cwd=settings.BASE_DIR.parent,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def xiaobao(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "xiaobao", *argv, env=env)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        con = self.connect()
        try:
            cur = con.cursor()
            cur.execute(sql)
            return list(cur.fetchall())
        finally:
            con.close()

    def tables(self) -> list[str]:
        if self.url.startswith("sqlite"):
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        else:
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        return sorted(r[0] for r in self.rows(sql))

    def counts(self) -> dict[str, int]:
        con = self.connect()
        try:
            return _counts(con.cursor(), self.tables())
        finally:
            con.close()


def _pg_admin(dbname: str) -> Any:
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture
def target(tmp_path) -> Iterator[Target]:
    data_dir = tmp_path / "restored"
    if connection.vendor == "sqlite":
        path = data_dir / "xiaobao.sqlite3"
        yield Target(f"sqlite:///{path}", data_dir, lambda: sqlite3.connect(path))
        return
    db, name = connection.settings_dict, f"xiaobao_restore_test_{os.getpid()}"
    with _pg_admin("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"
    try:
        yield Target(url, data_dir, lambda: _pg_admin(name))
    finally:
        with _pg_admin("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def data(org, branch_officer, media):
    """Two complaints with complainants and three attachments, one consumer of its own, their audit rows."""
    consumer = consumer_create(
        actor=branch_officer, org_unit=org.b1o, name="王小明", id_number=ID_NUMBER, phone="13812345678"
    )
    complaints = []
    for id_number, name in (("11010519491231002X", "张伟"), ("310101198502142211", "李娜")):
        complaint, _ = complaint_register(
            actor=branch_officer,
            data={
                "received_at": "2026-03-02T10:30:00+08:00",
                "channel": "A0302",
                "business_type": "B0303",
                "cause": "C07",
                "source": "direct",
                "org_unit": org.b1s.code,
                "complainant": {"name": name, "id_number": id_number, "phone": "13900001111"},
                "request": "退还多收的年费 200 元",
                "description": "客户称信用卡年费未经同意扣收，要求退还。",
            },
        )
        complaints.append(complaint)
    attachment_add(actor=branch_officer, complaint=complaints[0], fileobj=io.BytesIO(PDF), name="收据.pdf")
    attachment_add(actor=branch_officer, complaint=complaints[0], fileobj=io.BytesIO(PNG), name="截图.png")
    attachment_add(actor=branch_officer, complaint=complaints[1], fileobj=io.BytesIO(PDF), name="合同.pdf")
    return consumer


def _backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", out=str(tmp_path / "backups"), stdout=out, stderr=io.StringIO())
    [archive] = (tmp_path / "backups").glob("xiaobao-backup-*.tar.gz")
    assert f"backup written: {archive}" in out.getvalue()
    return archive


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())


def _repack(archive: Path, dest: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of `archive` with each file's content passed through `change(name, content)`."""
    with tarfile.open(archive, "r:gz") as src:
        members = [(m, src.extractfile(m).read()) for m in src.getmembers() if m.isfile()]  # type: ignore[union-attr]
    with tarfile.open(dest, "w:gz") as out:
        for member, content in members:
            content = change(member.name, content)
            member.size = len(content)
            out.addfile(member, io.BytesIO(content))
    return dest


def _source_counts() -> dict[str, int]:
    with connection.cursor() as cur:
        return _counts(cur, sorted(connection.introspection.table_names()))


def test_a_backup_restored_into_an_empty_database_is_the_same(data, media, target, tmp_path):
    # given complaints with attachments, consumers with encrypted ID numbers and their audit trail
    counts = _source_counts()
    files = _media(media)
    tokens = {pk: sealed.token for pk, sealed in Consumer.objects.values_list("pk", "id_number")}
    assert len(files) == 3 and len(tokens) == 3 and counts["core_auditevent"] > 10
    assert not AuditEvent.objects.filter(seq__isnull=False).exists()  # written unsealed

    # when the installation is backed up
    archive = _backup(tmp_path)
    # (it sealed the trail first: the head is the last sealed row, the backup's own record follows unsealed)
    head = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    assert head.seq == counts["core_auditevent"]

    # then the manifest states what was backed up: row counts, files, audit head, key ids (no keys)
    manifest = _manifest(archive)
    assert manifest["database"]["tables"] == counts
    assert {
        n.removeprefix("media/"): f["sha256"] for n, f in manifest["files"].items() if n[:6] == "media/"
    } == files
    assert (manifest["audit"]["head_id"], manifest["audit"]["head_hash"]) == (head.pk, head.hash)
    assert manifest["vault"]["key_ids"] == {"dev": 3 + 3 + 0}  # three ID numbers, three phones
    assert not any(name.endswith((".json", ".key")) for name in manifest["files"])
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM django_migrations WHERE app = 'core'")
        assert manifest["migrations"]["core"] == max(name for (name,) in cur.fetchall())
    # and the backup itself is in the audit trail, with the archive's checksum
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.object_type) == ("export", "backup")
    assert (
        event.changes["sha256"]
        == _sha(archive.read_bytes())
        == archive.with_name(archive.name + ".sha256").read_text().split()[0]
    )

    # when it is restored into an empty database by a separate process
    done = target.xiaobao("restore", str(archive))

    # then it succeeds and says what it verified
    assert done.returncode == 0, done.stdout + done.stderr
    assert "counts equal the manifest" in done.stdout and "restore complete" in done.stdout
    # every table holds the same number of rows (the audit trail one more: the restore's own record)
    assert target.counts() == counts | {"core_auditevent": counts["core_auditevent"] + 1}
    # every stored file is there, byte for byte
    assert _media(target.media) == files
    # the ciphertexts are the same bytes
    assert dict(target.rows("SELECT id, id_number FROM core_consumer")) == tokens
    # the restore's audit record, sealed by the restore, follows the backed-up head
    [(action, object_type, prev)] = target.rows(
        "SELECT action, object_type, prev_hash FROM core_auditevent ORDER BY seq DESC LIMIT 1"
    )
    assert (action, object_type, prev) == ("import", "backup", head.hash)
    # and, read through the application: the whole chain verifies, the consumer's ID number decrypts to the
    # original, and the lookup by ID number finds the consumer
    read = target.run("-c", READ_BACK, str(data.pk), ID_NUMBER)
    rows = counts["core_auditevent"] + 1
    assert read.stdout.split() == [str(rows), "None", ID_NUMBER, str(data.pk)], read.stdout + read.stderr


def test_a_tampered_or_damaged_archive_is_refused_and_nothing_is_written(data, target, tmp_path):
    # given a backup, and a copy in which one attachment differs by one byte (manifest unchanged)
    archive = _backup(tmp_path)
    [pdf] = [n for n in _manifest(archive)["files"] if n.endswith(".pdf")][:1]

    def flip(name: str, content: bytes) -> bytes:
        return content[:-1] + bytes([content[-1] ^ 1]) if name == pdf else content

    tampered = _repack(archive, tmp_path / "tampered.tar.gz", flip)

    # when it is restored
    done = target.xiaobao("restore", str(tampered))
    # then it is refused, naming the file, and neither the database nor MEDIA_ROOT was written
    assert done.returncode == 1, done.stdout
    assert "is corrupted" in done.stderr and pdf in done.stderr and "nothing was restored" in done.stderr
    assert target.tables() == []
    assert not target.media.exists() or not any(target.media.iterdir())

    # when the archive is cut short
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    # then it is refused as damaged (checked here without restoring: the same check comes first)
    with pytest.raises(BackupError, match=r"cut\.tar\.gz is damaged"):
        backup_restore(archive=cut, verify_only=True)

    # when the file and the manifest's checksum were both changed, in place of the original archive
    def forge(name: str, content: bytes) -> bytes:
        if name != "manifest.json":
            return flip(name, content)
        manifest = json.loads(content)
        manifest["files"][pdf]["sha256"] = _sha(flip(pdf, PDF))
        return json.dumps(manifest).encode()

    forged = _repack(archive, tmp_path / "forged.tar.gz", forge)
    forged.replace(archive)
    # then the .sha256 written beside the archive still tells (checked here without restoring)
    with pytest.raises(BackupError, match=r"does not match its xiaobao-backup-.*\.sha256"):
        backup_restore(archive=archive, verify_only=True)


def test_restore_refuses_keys_that_cannot_decrypt_the_archive(data, target, tmp_path, settings):
    archive = _backup(tmp_path)
    # given the target configured with a key file that lacks the archive's key id
    other = {"active": "k1", "keys": {"k1": base64.b64encode(os.urandom(32)).decode()}}
    other["blind_index"] = base64.b64encode(os.urandom(32)).decode()
    key_file = tmp_path / "vault.json"
    key_file.write_text(json.dumps(other))

    # when the archive is restored there
    done = target.xiaobao("restore", str(archive), env={"XIAOBAO_VAULT_KEY_FILE": str(key_file)})
    # then it is refused before anything is written, saying which key id is missing
    assert done.returncode == 1, done.stdout
    assert "key id 'dev' (6 values) is not in the configured keyring" in done.stderr
    assert "--allow-missing-keys" in done.stderr
    assert target.tables() == []

    # when the keyring has the key id but with another key (checked here without restoring)
    key_file.write_text(json.dumps(other | {"active": "dev", "keys": {"dev": other["keys"]["k1"]}}))
    settings.VAULT_KEY_FILE = str(key_file)
    keyring.cache_clear()
    try:
        with pytest.raises(BackupError) as refused:
            backup_restore(archive=archive, verify_only=True)
    finally:
        keyring.cache_clear()  # the settings fixture puts the setting back
    # then the key check values tell the keys apart
    assert "key id 'dev' is configured with a different key" in str(refused.value)
    assert "the blind-index key differs" in str(refused.value)


def test_restore_refuses_a_database_that_is_not_empty(data, tmp_path):
    # given a backup and this (populated) database as the target
    archive = _backup(tmp_path)
    before = _source_counts()
    # when restoring into it
    with pytest.raises(CommandError, match="the target database is not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    # then nothing changed
    assert _source_counts() == before


def test_the_check_after_restoring_finds_a_copy_that_differs_from_the_manifest(data, media, tmp_path):
    # given a backup whose manifest describes this database and MEDIA_ROOT exactly
    archive = _backup(tmp_path)
    outcome = Outcome(archive, "", _manifest(archive))
    # when checked as is, then the extra audit row is the only difference: a count and the chain head
    with pytest.raises(BackupError) as differs:
        restored_verify(outcome, media)
    assert "table core_auditevent" in str(differs.value) and "audit chain head" in str(differs.value)
    assert "media/" not in str(differs.value)
    # when a stored file is changed and another consumer registered
    name, path = next((p.relative_to(media).as_posix(), p) for p in sorted(media.rglob("*.png")))
    path.write_bytes(path.read_bytes() + b"!")
    consumer_create(actor=None, org_unit=data.org_unit, name="赵六", id_number="440306198808081230")
    # then the check names the file and the table
    with pytest.raises(BackupError) as differs:
        restored_verify(outcome, media)
    assert f"media/{name}: checksum differs" in str(differs.value)
    assert "table core_consumer: 4 rows, manifest 3" in str(differs.value)
