"""Helpers over Django storage for the files models record (attachments, reports, imports, templates)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.files.storage import Storage


def walk(storage: Storage, top: str) -> Iterator[str]:
    """Every file below `top` in `storage` (names relative to the storage root), temporary files left out."""
    try:
        dirs, files = storage.listdir(top)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        if not name.startswith(".tmp"):
            yield f"{top}/{name}"
    for d in dirs:
        yield from walk(storage, f"{top}/{d}")


def delete_files(storage: Storage, names: Iterable[str]) -> None:
    """Delete stored files (missing ones are fine: an interrupted purge may have deleted some already)."""
    for name in names:
        if name:
            storage.delete(name)
