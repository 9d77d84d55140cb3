"""Evidence of a rectification: before/after photos (PNG, JPEG) and documents (PDF, images, Word, Excel).

Checked like complaint attachments (`complaints/attachments.py`): content and extension must both fit one
allowed kind, size limited, stored under a random name with a checksum, served as a download under a safe
name with the kind's content type, never sniffed.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from xiaobao.complaints.attachments import KINDS, Kind, max_size
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.services.audit import audit_record
from xiaobao.rectification.choices import EvidenceKind
from xiaobao.rectification.models import Evidence, Rectification, RectificationEvent
from xiaobao.rectification.services import can_reach
from xiaobao.rectification.workflow import WORK, WORKFLOW

PHOTO_KINDS = ("png", "jpg")
DOCUMENT_KINDS = ("pdf", "png", "jpg", "docx", "xlsx")
BY_EXTENSION = {ext: key for key in DOCUMENT_KINDS for ext in KINDS[key].extensions}


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def classify(data: bytes, name: str, kind: str) -> str:
    """The allowed kind the extension and the content both fit; a ValidationError on `file` otherwise."""
    allowed = PHOTO_KINDS if kind in (EvidenceKind.BEFORE, EvidenceKind.AFTER) else DOCUMENT_KINDS
    key = BY_EXTENSION.get(_extension(name))
    if key is None or key not in allowed:
        message = (
            _("Photos must be PNG or JPEG images.")
            if allowed is PHOTO_KINDS
            else _("Only PDF, images (PNG, JPEG) and Word/Excel (.docx, .xlsx) files can be attached.")
        )
        raise ValidationError({"file": [message]})
    if not KINDS[key].matches(data):
        raise ValidationError(
            {"file": [_("The file's content is not a .%(ext)s file.") % {"ext": _extension(name)}]}
        )
    return key


def can_add_evidence(user: Any, item: Rectification) -> bool:
    return bool(
        user.has_perm(WORK) and can_reach(user, item, "evidence") and item.status in WORKFLOW.group("open")
    )


def evidence_add(
    *, actor: Any, item: Rectification, fileobj: IO[bytes], name: str, kind: str, caption: str = ""
) -> Evidence:
    """Store one file of evidence on an open item, with an event in its timeline and an audit row."""
    if not can_add_evidence(actor, item):
        if item.status not in WORKFLOW.group("open"):
            raise PermissionDenied(_("Evidence can only be added while the item is open."))
        raise PermissionDenied(_("You may not add evidence to this rectification item."))
    errors: dict[str, list[str]] = {}
    if kind not in EvidenceKind.values:
        errors["kind"] = [_("Choose one of: %(s)s.") % {"s": ", ".join(EvidenceKind.values)}]
    if len(caption or "") > 200:
        errors["caption"] = [_("At most %(n)d characters.") % {"n": 200}]
    data = fileobj.read(max_size() + 1)
    if len(data) > max_size():
        errors["file"] = [_("The file is larger than %(mb)d MB.") % {"mb": max_size() // 2**20}]
    elif not data:
        errors["file"] = [_("The file is empty.")]
    if errors:
        raise ValidationError(errors)
    key = classify(data, name, kind)
    ctype, ext = KINDS[key].content_type, KINDS[key].extensions[0]
    safe_name = name.replace("/", "_").replace("\\", "_")[-200:] or f"file.{ext}"
    with transaction.atomic():
        ev = Evidence(
            item=item,
            kind=kind,
            original_name=safe_name,
            content_type=ctype,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            caption=(caption or "").strip(),
            uploaded_by=actor,
        )
        ev.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        ev.save()
        RectificationEvent.objects.create(
            item=item,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="evidence",
            from_status=item.status,
            to_status=item.status,
            data={"evidence": ev.pk, "name": safe_name, "kind": kind},
        )
        audit_record(
            actor=actor,
            action="create",
            obj=ev,
            changes={"file": [None, safe_name], "sha256": [None, ev.sha256]},
        )
    return ev


def _stored_kind(ev: Evidence) -> Kind | None:
    key = BY_EXTENSION.get(_extension(ev.file.name or ""))
    return KINDS.get(key) if key else None


def evidence_response(ev: Evidence, *, inline: bool = False) -> FileResponse:
    """The stored file under a safe name with its kind's content type; `inline` for photos shown on the
    page (images only), else a download. No sniffing, no scripts."""
    kind = _stored_kind(ev)
    stem = ev.original_name.rsplit(".", 1)[0] if "." in ev.original_name else ""
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80] or f"evidence-{ev.pk}"
    is_image = kind is not None and kind.content_type.startswith("image/")
    response = FileResponse(
        ev.file.open("rb"),
        as_attachment=not (inline and is_image),
        filename=f"{stem}.{kind.extensions[0] if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
