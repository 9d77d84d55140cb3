"""Backup and restore of one installation: the database, the stored files and a manifest, in one archive.

Archive (`xiaobao-backup-<UTC time>.tar.gz`):
  database/xiaobao.sqlite3   SQLite: a page-for-page copy made with SQLite's online backup API, or
  database/xiaobao.pgdump    PostgreSQL: `pg_dump --format=custom` of one exported snapshot;
  media/…                    every file under MEDIA_ROOT (attachments, reports, import files, templates);
  manifest.json              format, time, migration state, row counts per table, SHA-256 and size of every
                             other file, the vault key ids the ciphertexts name (with key check values, never
                             the keys) and the head of the audit chain.

The database is copied by the engine's own tools, never through the ORM (`dumpdata` would write masked
values for sealed fields): ciphertexts are restored byte for byte. Counts, key ids and the audit head are
read from the same snapshot that is dumped. Vault keys are not in the archive: they are kept separately,
and a restore refuses an archive whose key ids the configured keyring lacks.
"""

from __future__ import annotations

from xiaobao.core.backup.archive import archive_unpack
from xiaobao.core.backup.create import backup_create
from xiaobao.core.backup.format import BackupError, Outcome
from xiaobao.core.backup.restore import backup_restore, restored_verify

__all__ = ["BackupError", "Outcome", "archive_unpack", "backup_create", "backup_restore", "restored_verify"]
