"""Writing files into the tar.gz archive and unpacking it with every file checked against the manifest."""

from __future__ import annotations

import gzip
import json
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from xiaobao.core.backup.format import CHUNK, FORMAT, FORMAT_VERSION, MANIFEST, MEDIA, BackupError, Hashing


def add_file(tar: tarfile.TarFile, path: Path, arcname: str) -> dict[str, Any]:
    st = path.stat()
    info = tarfile.TarInfo(arcname)
    info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), 0o644
    with path.open("rb") as fh:
        reader = Hashing(fh)
        tar.addfile(info, reader)  # copies exactly info.size bytes: the hash is of what was archived
    return {"sha256": reader.hexdigest(), "size": info.size}


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o644
    tar.addfile(info, io.BytesIO(data))


def _unpack_member(tar: tarfile.TarFile, member: tarfile.TarInfo, dest: Path, found: dict[str, Any]) -> None:
    name, parts = member.name, PurePosixPath(member.name).parts
    allowed = name == MANIFEST or name.startswith(("database/", MEDIA))
    if not allowed or PurePosixPath(name).is_absolute() or ".." in parts or "\\" in name:
        raise BackupError(f"unexpected entry {name!r}: not a Xiaobao backup; nothing was restored")
    if member.isdir():
        return
    if not member.isfile() or name in found:
        raise BackupError(f"unexpected entry {name!r} (a link, device or duplicate); nothing was restored")
    target = dest.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = tar.extractfile(member)
    assert source is not None
    with target.open("xb") as fh:
        sink = Hashing(fh)
        while chunk := source.read(CHUNK):
            sink.write(chunk)
    found[name] = {"sha256": sink.hexdigest(), "size": sink.size}


def _read_manifest(path: Path, archive: str) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text())
        ok = manifest.get("format") == FORMAT and isinstance(manifest.get("files"), dict)
    except (OSError, ValueError, AttributeError) as exc:
        raise BackupError(f"{archive}: no readable {MANIFEST}; nothing was restored") from exc
    if not ok:
        raise BackupError(f"{archive} is not a Xiaobao backup (no {FORMAT} manifest); nothing was restored")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive} has backup format {manifest.get('format_version')}; this version of Xiaobao reads "
            f"format {FORMAT_VERSION}: restore it with the version that made it"
        )
    return manifest


def _compare(expected: dict[str, Any], found: dict[str, Any], archive: str) -> None:
    problems = []
    for name in sorted((set(expected) | set(found)) - {MANIFEST}):
        want, got = expected.get(name), found.get(name)
        if got is None:
            problems.append(f"{name}: listed in the manifest, missing from the archive")
        elif want is None:
            problems.append(f"{name}: in the archive, not listed in the manifest")
        elif (got["sha256"], got["size"]) != (want.get("sha256"), want.get("size")):
            problems.append(
                f"{name}: SHA-256 {got['sha256'][:16]}… ({got['size']} bytes), manifest "
                f"{str(want.get('sha256'))[:16]}… ({want.get('size')} bytes)"
            )
    if problems:
        shown = "\n  ".join(problems[:10]) + ("\n  …" if len(problems) > 10 else "")
        raise BackupError(
            f"{archive} is corrupted: {len(problems)} file(s) fail the manifest's checksums; "
            f"nothing was restored:\n  {shown}"
        )


def archive_unpack(archive: Path, dest: Path) -> tuple[dict[str, Any], str]:
    """Unpack `archive` into `dest` and check every file against the manifest; returns (manifest, SHA-256 of
    the archive). Raises BackupError for a damaged, tampered or foreign archive."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    found: dict[str, Any] = {}
    try:
        with archive.open("rb") as raw:
            source = Hashing(raw)
            with gzip.GzipFile(fileobj=source, mode="rb") as gz:
                with tarfile.open(fileobj=gz, mode="r|") as tar:
                    for member in tar:
                        _unpack_member(tar, member, dest, found)
                while gz.read(CHUNK):  # to the end: gzip checks its CRC-32 and length there
                    pass
            while source.read(CHUNK):
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(
            f"{archive.name} is damaged or not a Xiaobao backup ({exc}); nothing was restored"
        ) from exc
    manifest = _read_manifest(dest / MANIFEST, archive.name)
    _compare(manifest["files"], found, archive.name)
    sidecar = archive.with_name(archive.name + ".sha256")
    if sidecar.is_file() and sidecar.read_text().split()[:1] != [source.hexdigest()]:
        raise BackupError(f"{archive.name} does not match its {sidecar.name}; nothing was restored")
    return manifest, source.hexdigest()
