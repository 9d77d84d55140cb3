"""Attachments: an allowed kind by content and extension together, size limited, stored under a random name
with a checksum, served as a download under a safe name with the kind's content type."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from xiaobao.complaints.models import Attachment, Complaint, ComplaintEvent
from xiaobao.core.services.audit import audit_record


@dataclass(frozen=True)
class Kind:
    """An allowed kind of attachment: the extensions it may carry, its content type and its content check."""

    extensions: tuple[str, ...]
    content_type: str
    matches: Callable[[bytes], bool]


def _zip_with(*members: str) -> Callable[[bytes], bool]:
    """A zip archive (read from its central directory only) holding every one of `members`."""

    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
        return all(m in names for m in members)

    return check


def _starts(*magics: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(magics)


# What may be attached: content and extension must both fit one kind (first bytes alone let a .bat, .hta,
# .html or .exe starting with PDF or ZIP bytes through).
KINDS: dict[str, Kind] = {
    "pdf": Kind(("pdf",), "application/pdf", _starts(b"%PDF-")),
    "png": Kind(("png",), "image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    "jpg": Kind(("jpg", "jpeg"), "image/jpeg", _starts(b"\xff\xd8\xff")),
    "docx": Kind(
        ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _zip_with("[Content_Types].xml", "word/document.xml"),
    ),
    "xlsx": Kind(
        ("xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _zip_with("[Content_Types].xml", "xl/workbook.xml"),
    ),
    "zip": Kind(("zip",), "application/zip", _zip_with()),
    "mp3": Kind(("mp3",), "audio/mpeg", _starts(b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "wav": Kind(("wav",), "audio/wav", lambda d: d.startswith(b"RIFF") and d[8:12] == b"WAVE"),
}
BY_EXTENSION = {ext: key for key, kind in KINDS.items() for ext in kind.extensions}
BY_CONTENT_TYPE = {kind.content_type: key for key, kind in KINDS.items()}


def max_size() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def classify(data: bytes, name: str) -> str:
    """The key of the allowed kind that both the name's extension and the content fit; a ValidationError on
    the file field otherwise."""
    key = BY_EXTENSION.get(_extension(name))
    if key is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "Only PDF, images (PNG, JPEG), Word/Excel (.docx, .xlsx), ZIP and audio "
                        "(MP3, WAV) files can be attached."
                    )
                ]
            }
        )
    if not KINDS[key].matches(data):
        raise ValidationError(
            {"file": [_("The file's content is not a .%(ext)s file.") % {"ext": _extension(name)}]}
        )
    return key


def _stored_kind(att: Attachment) -> Kind | None:
    """The allowed kind of a stored file, by its generated name's extension (then its recorded type): files
    stored before the content-and-extension check are served by what their content was found to be."""
    key = BY_EXTENSION.get(_extension(att.file.name or "")) or BY_CONTENT_TYPE.get(att.content_type)
    return KINDS.get(key) if key else None


def download_name(att: Attachment, kind: Kind | None) -> str:
    """A safe name to serve under: letters, digits (any script), '-' and '_' of the uploaded name's stem,
    then the allowed kind's extension (never the uploaded one)."""
    stem = (att.original_name or "").rsplit(".", 1)[0] if "." in (att.original_name or "") else ""
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80] or f"attachment-{att.pk}"
    return f"{stem}.{kind.extensions[0] if kind else 'bin'}"


def attachment_response(att: Attachment) -> FileResponse:
    """The stored file as a download: `attachment` under a safe name, the allowed kind's content type (never
    HTML, octet-stream for anything unknown), no sniffing, no scripts if opened anyway."""
    kind = _stored_kind(att)
    response = FileResponse(
        att.file.open("rb"),
        as_attachment=True,
        filename=download_name(att, kind),
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def attachment_add(
    *, actor: Any, complaint: Complaint, fileobj: IO[bytes], name: str, kind: str = "evidence"
) -> Attachment:
    data = fileobj.read(max_size() + 1)
    if len(data) > max_size():
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": max_size() // 2**20}]}
        )
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    key = classify(data, name)
    ctype, ext = KINDS[key].content_type, KINDS[key].extensions[0]
    safe_name = name.replace("/", "_").replace("\\", "_")[-200:] or f"file.{ext}"
    with transaction.atomic():
        att = Attachment(
            complaint=complaint,
            original_name=safe_name,
            content_type=ctype,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            kind=kind[:20] or "evidence",
            uploaded_by=actor,
        )
        att.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        att.save()
        from django.utils import timezone

        ComplaintEvent.objects.create(
            complaint=complaint,
            at=timezone.now(),
            effective_date=timezone.localdate(),
            actor=actor,
            action="attach",
            from_status=complaint.status,
            to_status=complaint.status,
            data={"attachment": att.pk, "name": safe_name},
        )
        audit_record(
            actor=actor,
            action="create",
            obj=att,
            changes={"file": [None, safe_name], "sha256": [None, att.sha256]},
        )
    return att
