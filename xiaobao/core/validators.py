"""Input checks shared by forms, the API and services: visible text (no invisible characters counted), the
bounds of an uploaded zip container (.xlsx) read before it is opened, and password validators whose messages
are in Xiaobao's own catalogue (Django 5.2 changed the length message and its zh_Hans catalogue has no
translation for the new text)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(n)d character.",
            "This password is too short. It must contain at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at least %(n)d character.",
            "Your password must contain at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}


# Format (zero-width spaces and joiners, BOM, bidi controls), control and surrogate characters: nothing a
# reader can see.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs"})


def visible_text(value: Any) -> Any:
    """The text a reader sees: invisible characters removed, every run of Unicode whitespace (ideographic,
    no-break and em spaces too) made one space, and the ends stripped — so a length check counts what is
    visible. Non-strings pass through unchanged (the type check that follows refuses them)."""
    if not isinstance(value, str):
        return value
    kept = "".join(
        ch if ch.isspace() else ("" if unicodedata.category(ch) in INVISIBLE_CATEGORIES else ch)
        for ch in value
    )
    return " ".join(kept.split())


ZIP_MAX_MEMBERS = 10_000
RATIO_CHECKED_FROM = 2**20  # members smaller than this unzip to little whatever their ratio


def check_zip_bounds(data: bytes, field: str = "file") -> None:
    """Refuse a zip container (an .xlsx workbook) before anything unpacks it: more than
    UPLOAD_MAX_UNZIPPED_BYTES unzipped in all (the sizes its central directory declares — Python's zipfile
    never inflates a member past its declared size), a member compressed more than
    UPLOAD_MAX_COMPRESSION_RATIO times (a zip bomb), or more than ZIP_MAX_MEMBERS members. Reads only the
    central directory."""
    limit = int(getattr(settings, "UPLOAD_MAX_UNZIPPED_BYTES", 500 * 2**20))
    ratio = int(getattr(settings, "UPLOAD_MAX_COMPRESSION_RATIO", 200))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ValidationError({field: [_("The file is not a readable Excel workbook (.xlsx).")]}) from exc
    if len(members) > ZIP_MAX_MEMBERS:
        raise ValidationError({field: [_("The workbook holds too many parts to be read.")]})
    if sum(m.file_size for m in members) > limit:
        raise ValidationError(
            {field: [_("The workbook unpacks to more than %(mb)d MB: split it.") % {"mb": limit // 2**20}]}
        )
    for m in members:
        if m.file_size > RATIO_CHECKED_FROM and m.file_size > ratio * max(m.compress_size, 1):
            raise ValidationError(
                {
                    field: [
                        _("The workbook is compressed more than an ordinary workbook can be: it is refused.")
                    ]
                }
            )
