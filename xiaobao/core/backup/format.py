"""The archive's format: its names and constants, the error and outcome types, hashing of files."""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = "xiaobao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_FILES = {"sqlite": "database/xiaobao.sqlite3", "postgresql": "database/xiaobao.pgdump"}
MEDIA = "media/"
CHUNK = 1024 * 1024
KEY_CHECK_LABEL = b"xiaobao backup key check"
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Outcome:
    """What a backup or a restore did: the archive, its SHA-256, the manifest and lines for the operator."""

    archive: Path
    sha256: str
    manifest: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def quiet(_line: str) -> None:
    return None


class Hashing:
    """A file wrapper that hashes what passes through it (read or written)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.fh.write(data)

    def flush(self) -> None:
        self.fh.flush()

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(name relative to MEDIA_ROOT, path) of every regular file under `root`, sorted; symbolic links are
    not followed (the application never makes any)."""
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def operator_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def megabytes(n: int) -> str:
    return f"{n / 2**20:,.1f} MB"
