"""Uploaded documents of the registers — a meeting's minutes, an action item's evidence — checked like
complaint attachments (`complaints/attachments.py`): the extension and the content must both fit one allowed
kind (PDF, Word, Excel, PNG, JPEG), size limited, stored under a random name with a checksum, served as a
download under a safe name with the kind's content type, never sniffed."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from xiaobao.complaints.attachments import KINDS, max_size

ALLOWED = ("pdf", "docx", "xlsx", "png", "jpg")
BY_EXTENSION = {ext: key for key in ALLOWED for ext in KINDS[key].extensions}


@dataclass
class Checked:
    name: str
    key: str
    content_type: str
    size: int
    sha256: str
    content: ContentFile
    stored_name: str


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(fileobj: IO[bytes], name: str, field: str = "file") -> Checked:
    """The file read, its size, kind and content checked; a ValidationError on `field` otherwise."""
    data = fileobj.read(max_size() + 1)
    if len(data) > max_size():
        raise ValidationError(
            {field: [_("The file is larger than %(mb)d MB.") % {"mb": max_size() // 2**20}]}
        )
    if not data:
        raise ValidationError({field: [_("The file is empty.")]})
    key = BY_EXTENSION.get(_extension(name))
    if key is None:
        raise ValidationError(
            {field: [_("Only PDF, images (PNG, JPEG) and Word/Excel (.docx, .xlsx) files can be attached.")]}
        )
    if not KINDS[key].matches(data):
        raise ValidationError(
            {field: [_("The file's content is not a .%(ext)s file.") % {"ext": _extension(name)}]}
        )
    ext = KINDS[key].extensions[0]
    safe = name.replace("/", "_").replace("\\", "_")[-200:] or f"file.{ext}"
    return Checked(
        name=safe,
        key=key,
        content_type=KINDS[key].content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=ContentFile(data),
        stored_name=f"{uuid.uuid4().hex}.{ext}",
    )


def file_response(field_file: Any, original_name: str, *, inline: bool = False) -> FileResponse:
    key = BY_EXTENSION.get(_extension(field_file.name or ""))
    kind = KINDS.get(key) if key else None
    stem = original_name.rsplit(".", 1)[0] if "." in original_name else original_name
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80] or "document"
    is_image = kind is not None and kind.content_type.startswith("image/")
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=not (inline and is_image),
        filename=f"{stem}.{kind.extensions[0] if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
