"""Inspection photos: JPEG, PNG or WebP by content and extension together, size-limited, stored under a
random name with a checksum, served inline as an image (never as HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

from xiaobao.inspections.models import InspectionPhoto


@dataclass(frozen=True)
class ImageKind:
    extensions: tuple[str, ...]
    content_type: str
    magic: tuple[bytes, ...]

    def matches(self, data: bytes) -> bool:
        if self.content_type == "image/webp":
            return data.startswith(b"RIFF") and data[8:12] == b"WEBP"
        return data.startswith(self.magic)


KINDS = {
    "jpg": ImageKind(("jpg", "jpeg"), "image/jpeg", (b"\xff\xd8\xff",)),
    "png": ImageKind(("png",), "image/png", (b"\x89PNG\r\n\x1a\n",)),
    "webp": ImageKind(("webp",), "image/webp", (b"RIFF",)),
}
BY_EXTENSION = {ext: key for key, kind in KINDS.items() for ext in kind.extensions}


def max_size() -> int:
    return int(getattr(settings, "INSPECTION_PHOTO_MAX_BYTES", 12 * 1024 * 1024))


def classify(data: bytes, name: str) -> str:
    """The image kind both the name's extension and the content fit; a field error on `file` otherwise."""
    if len(data) > max_size():
        raise ValidationError(
            {"file": [_("The photo is larger than %(mb)d MB.") % {"mb": max_size() // 2**20}]}
        )
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    key = BY_EXTENSION.get(ext)
    if key is None:
        # A camera may send a blob without a usable name: the content decides, when it is an image we take.
        key = next((k for k, kind in KINDS.items() if kind.matches(data)), None)
        if key is None or ext not in ("", "blob", "image"):
            raise ValidationError({"file": [_("Only photos (JPEG, PNG, WebP) can be uploaded.")]})
    if not KINDS[key].matches(data):
        raise ValidationError(
            {"file": [_("The file's content is not a .%(ext)s image.") % {"ext": ext or key}]}
        )
    return key


def photo_response(photo: InspectionPhoto) -> FileResponse:
    """The stored photo inline, with its kind's content type, no sniffing, no scripts."""
    ext = photo.file.name.rsplit(".", 1)[-1].lower() if photo.file.name else ""
    kind = KINDS.get(BY_EXTENSION.get(ext, ""))
    stem = (
        re.sub(r"[^\w-]+", "_", photo.original_name.rsplit(".", 1)[0]).strip("_.")[:80] or f"photo-{photo.pk}"
    )
    response = FileResponse(
        photo.file.open("rb"),
        filename=f"{stem}.{kind.extensions[0] if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
