"""Attachments: type checked by content, size limited, stored under a random name with a checksum."""

from __future__ import annotations

import hashlib
import uuid
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from xiaobao.complaints.models import Attachment, Complaint, ComplaintEvent
from xiaobao.core.services.audit import audit_record

# magic bytes → (content type, extension)
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"PK\x03\x04", "application/zip", "zip"),  # docx/xlsx are zip containers
    (b"ID3", "audio/mpeg", "mp3"),
    (b"\xff\xfb", "audio/mpeg", "mp3"),
    (b"RIFF", "audio/wav", "wav"),
]
OFFICE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def max_size() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def sniff(head: bytes, name: str) -> tuple[str, str] | None:
    for magic, ctype, ext in SIGNATURES:
        if head.startswith(magic):
            if ext == "zip":
                suffix = name.rsplit(".", 1)[-1].lower()
                return (OFFICE[suffix], suffix) if suffix in OFFICE else (ctype, ext)
            return ctype, ext
    return None


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
    found = sniff(data[:16], name)
    if found is None:
        raise ValidationError(
            {
                "file": [
                    _(
                        "Only PDF, images (PNG, JPEG), Word/Excel, ZIP and audio "
                        "(MP3, WAV) files can be attached."
                    )
                ]
            }
        )
    ctype, ext = found
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
