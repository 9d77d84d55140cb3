"""Photos of an education activity: JPEG or PNG, checked by content (the extension, the file's magic bytes
and Pillow decoding the image must all agree), size limited, stored under a random name with a checksum,
served under a safe name with the kind's content type, never sniffed.

The photo's own date comes from its EXIF DateTimeOriginal (else the EXIF DateTime): `taken_on`. When it is
more than one day away from the activity's day the photo is flagged (`date_mismatch`) and the approver sees a
warning badge; a photo without a date says "no date". Changing the activity's day re-flags its photos.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _

from xiaobao.complaints.attachments import KINDS, max_size
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.services.audit import audit_record
from xiaobao.education.models import Activity, ActivityEvent, ActivityPhoto

PHOTO_KINDS = {"jpg": "jpg", "jpeg": "jpg", "png": "png"}
MAX_PHOTOS = 12  # per activity
EXIF_IFD, DATE_TIME_ORIGINAL, DATE_TIME = 0x8769, 36867, 306


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def taken_on(data: bytes) -> dt.date | None:
    """The day the photo was taken, from its EXIF data; None when it carries no (readable) date."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            exif = img.getexif()
            raw = exif.get_ifd(EXIF_IFD).get(DATE_TIME_ORIGINAL) or exif.get(DATE_TIME)
    except Exception:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    match = re.match(r"\s*(\d{4})[:\-](\d{2})[:\-](\d{2})", str(raw or ""))
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def mismatch(photo_day: dt.date | None, held_on: dt.date | None) -> bool:
    """More than one day between the photo's own date and the activity's day (no date: no flag)."""
    if photo_day is None or held_on is None:
        return False
    return abs((photo_day - held_on).days) > 1


def check_photo(data: bytes, name: str) -> str:
    """The kind ("jpg" or "png") the name, the content and the decoded image all agree on; else a
    ValidationError on `photos` saying why."""
    from PIL import Image

    label = (name or "").rsplit("/", 1)[-1][:80]
    key = PHOTO_KINDS.get(_extension(name or ""))
    if key is None:
        raise ValidationError(
            {"photos": [_("%(name)s: photos must be JPEG or PNG images.") % {"name": label}]}
        )
    if not data:
        raise ValidationError({"photos": [_("%(name)s: the file is empty.") % {"name": label}]})
    if len(data) > max_size():
        raise ValidationError(
            {"photos": [_("%(name)s: larger than %(mb)d MB.") % {"name": label, "mb": max_size() // 2**20}]}
        )
    ok = KINDS[key].matches(data)
    if ok:
        try:
            with Image.open(io.BytesIO(data)) as img:
                ok = (img.format or "").upper() == ("JPEG" if key == "jpg" else "PNG")
                img.verify()
        except Exception:
            ok = False
    if not ok:
        raise ValidationError(
            {"photos": [_("%(name)s: the content is not a .%(ext)s image.") % {"name": label, "ext": key}]}
        )
    return key


def check_photos(photos: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """Each (name, content) checked; every problem reported at once; nothing stored."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("At most %(n)d photos per activity.") % {"n": MAX_PHOTOS}]})
    out, problems = [], []
    for name, content in photos:
        try:
            out.append((name, content, check_photo(content, name)))
        except ValidationError as exc:
            problems += exc.message_dict["photos"]
    if problems:
        raise ValidationError({"photos": problems})
    return out


def can_add_photo(user: Any, item: Activity) -> bool:
    from xiaobao.education.services import can_edit

    return can_edit(user, item)


def store_photo(
    *, actor: Any, item: Activity, name: str, data: bytes, key: str, caption: str = "", event: bool = True
) -> ActivityPhoto:
    """Write one checked photo (inside the caller's transaction when there is one)."""
    ext = "jpg" if key == "jpg" else "png"
    safe_name = (name or "").replace("/", "_").replace("\\", "_")[-200:] or f"photo.{ext}"
    day = taken_on(data)
    with transaction.atomic():
        photo = ActivityPhoto(
            activity=item,
            original_name=safe_name,
            content_type=KINDS[key].content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            taken_on=day,
            date_mismatch=mismatch(day, item.held_on),
            caption=(caption or "").strip()[:200],
            uploaded_by=actor,
        )
        photo.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        photo.save()
        if event:
            ActivityEvent.objects.create(
                item=item,
                at=recorded_now(),
                effective_date=recorded_date(),
                actor=actor,
                action="photo",
                from_status=item.status,
                to_status=item.status,
                data={"name": safe_name, "taken_on": day.isoformat() if day else None},
            )
        audit_record(
            actor=actor,
            action="create",
            obj=photo,
            changes={"file": [None, safe_name], "sha256": [None, photo.sha256]},
        )
    return photo


def photo_add(*, actor: Any, item: Activity, name: str, data: bytes, caption: str = "") -> ActivityPhoto:
    """Add a photo to an activity awaiting approval or returned (an approved one is frozen)."""
    if not can_add_photo(actor, item):
        if item.status == "approved":
            raise PermissionDenied(_("An approved activity is frozen: no more photos can be added."))
        raise PermissionDenied(_("You may not add photos to this activity."))
    if len(caption or "") > 200:
        raise ValidationError({"caption": [_("At most %(n)d characters.") % {"n": 200}]})
    key = check_photo(data, name)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=item.pk)
        if locked.photos.count() >= MAX_PHOTOS:
            raise ValidationError({"photos": [_("At most %(n)d photos per activity.") % {"n": MAX_PHOTOS}]})
        return store_photo(actor=actor, item=locked, name=name, data=data, key=key, caption=caption)


def photo_response(photo: ActivityPhoto, *, inline: bool = False) -> FileResponse:
    """The stored image under a safe name with its content type; inline for the page, else a download."""
    ext = "png" if photo.content_type == "image/png" else "jpg"
    stem = photo.original_name.rsplit(".", 1)[0] if "." in photo.original_name else ""
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80] or f"photo-{photo.pk}"
    response = FileResponse(
        photo.file.open("rb"),
        as_attachment=not inline,
        filename=f"{stem}.{ext}",
        content_type="image/png" if ext == "png" else "image/jpeg",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
