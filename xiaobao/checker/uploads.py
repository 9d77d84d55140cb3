"""Checks on an uploaded review document before anything stores it: allowed kind by name and content together,
size, zip bombs, macros, password-protected PDFs, files that cannot be opened, empty files.

`validate_upload(f, name)` reads the upload once in chunks (SHA-256 and size as it goes; a declared `.size`
over the limit is refused before a byte is read), then checks the content and opens it with the library that
will extract its text. It stores nothing; the caller stores the file (`ValidatedFile.file`, rewound) only
after it returns. Every refusal is a `django.core.exceptions.ValidationError` on the field `field` ("file")
whose message says what to do, with a code (`empty`, `too_large`, `type`, `mismatch`, `zip_bomb`, `macros`,
`encrypted`, `corrupt`, `image_too_large`; `unreadable` from `validate_and_extract`) for callers that map it.
`validate_and_extract(f, name)` does both steps an upload needs: the checks, then the text.

Limits (settings, read with defaults): REVIEW_UPLOAD_MAX_BYTES (50 MB), REVIEW_UPLOAD_MAX_UNZIPPED_BYTES
(200 MB: the sum of the sizes a .docx/.xlsx/.pptx's central directory declares), REVIEW_UPLOAD_MAX_RATIO (100:
a part over 1 MB unpacking to more than 100 times its packed size), REVIEW_UPLOAD_MAX_MEMBERS (10,000 parts),
REVIEW_UPLOAD_MAX_PIXELS (100 megapixels for an image). Python's zipfile never inflates a member past the size
the directory declares, so the declared sizes bound what any later reader unpacks.

Embedded archives: Word and PowerPoint keep a chart's data as an embedded workbook (a zip inside the zip,
`word/embeddings/*.xlsx`), so an embedded archive is allowed one level deep when it is itself within the
bounds (its parts count towards the total); an archive inside that, or an embedded archive larger than
20 MB, is refused. Nothing ever unpacks embedded files for text.

A PDF encrypted with an empty user password (an "owner password" that only restricts printing or copying,
common on bank documents) opens in every reader without a password: it is accepted and its text read. Only
a PDF that needs a password to open is refused.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from xiaobao.checker.extract import Extracted

CHUNK = 1024 * 1024
RATIO_CHECKED_FROM = 1024 * 1024  # parts smaller than this unpack to little whatever their ratio
NESTED_MAX_BYTES = 20 * 1024 * 1024

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls/.ppt, and password-protected Office files

# kind → (extensions, content type, a readable name for messages)
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "docx": (("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": (("pdf",), "application/pdf"),
    "xlsx": (("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (("pptx",), "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "png": (("png",), "image/png"),
    "jpg": (("jpg", "jpeg"), "image/jpeg"),
}
BY_EXTENSION = {ext: kind for kind, (exts, _ct) in KINDS.items() for ext in exts}
# The main part that tells the three Office containers apart.
OFFICE_MAIN_PART = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}
IMAGE_KINDS = ("png", "jpg")


def kind_name(kind: str) -> str:
    """How a message names a kind of file."""
    return {
        "docx": _("a Word document (.docx)"),
        "pdf": _("a PDF document"),
        "xlsx": _("an Excel workbook (.xlsx)"),
        "pptx": _("a PowerPoint presentation (.pptx)"),
        "png": _("a PNG image"),
        "jpg": _("a JPEG image"),
        "zip": _("a zip archive"),
    }.get(kind, kind)


def max_bytes() -> int:
    return int(getattr(settings, "REVIEW_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "REVIEW_UPLOAD_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)),
        int(getattr(settings, "REVIEW_UPLOAD_MAX_RATIO", 100)),
        int(getattr(settings, "REVIEW_UPLOAD_MAX_MEMBERS", 10_000)),
    )


@dataclass(frozen=True)
class ValidatedFile:
    """An upload that passed every check. `file` is the content rewound to its start (the object passed in
    when it could seek, else a temporary copy): store that one. `name` is the uploaded name made safe (no
    directory parts, at most 200 characters); `pages` the page count of a PDF."""

    kind: str
    content_type: str
    size: int
    sha256: str
    name: str
    extension: str
    file: IO[bytes]
    pages: int | None = None


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _extension(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def safe_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip().replace("\x00", "")
    return base[-200:]


def _chunks(f: Any) -> Iterator[bytes]:
    if hasattr(f, "chunks") and callable(f.chunks):
        yield from f.chunks(CHUNK)
        return
    while True:
        block = f.read(CHUNK)
        if not block:
            return
        yield block


def _seekable(f: Any) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def _declared_size(f: Any) -> int | None:
    """The size the upload says it has (an UploadedFile's `.size`, an open file's size on disk), unread."""
    size = getattr(f, "size", None)
    if isinstance(size, int):
        return size
    try:
        return os.fstat(f.fileno()).st_size
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _read_through(f: Any, field: str, limit: int) -> tuple[IO[bytes], int, str]:
    """Stream the upload once: its size and SHA-256, refused as soon as it passes `limit`. The content is then
    readable from the returned file (the upload itself when it can seek, else a temporary copy)."""
    seekable = _seekable(f)
    if seekable:
        f.seek(0)
    copy: IO[bytes] | None = None if seekable else tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115
    digest = hashlib.sha256()
    size = 0
    for block in _chunks(f):
        size += len(block)
        if size > limit:
            if copy is not None:
                copy.close()
            raise _refuse(field, _too_large_message(limit), "too_large")
        digest.update(block)
        if copy is not None:
            copy.write(block)
    target: IO[bytes] = f if copy is None else copy
    target.seek(0)
    return target, size, digest.hexdigest()


def _too_large_message(limit: int) -> str:
    return _("The file is larger than %(mb)d MB: make it smaller (compress its images) or split it.") % {
        "mb": limit // (1024 * 1024)
    }


def _sniff(head: bytes) -> str:
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(JPEG_MAGIC):
        return "jpg"
    if head.startswith(ZIP_MAGIC):
        return "zip"
    return ""


def _check_zip(zf: zipfile.ZipFile, field: str, *, depth: int = 0, budget: list[int] | None = None) -> None:
    """Bounds of a zip container read from its central directory; embedded archives one level deep."""
    total_limit, ratio, max_members = _limits()
    budget = budget if budget is not None else [total_limit]
    members = zf.infolist()
    bomb = _("The file unpacks to far more than its size (a zip bomb) and is refused.")
    if len(members) > max_members:
        raise _refuse(
            field, _("The file holds more than %(n)d parts and is refused.") % {"n": max_members}, "zip_bomb"
        )
    declared = sum(m.file_size for m in members)
    budget[0] -= declared
    if budget[0] < 0:
        raise _refuse(
            field,
            _("The file unpacks to more than %(mb)d MB and is refused: split it or compress its images.")
            % {"mb": total_limit // (1024 * 1024)},
            "zip_bomb",
        )
    for m in members:
        if m.file_size > RATIO_CHECKED_FROM and m.file_size > ratio * max(m.compress_size, 1):
            raise _refuse(field, bomb, "zip_bomb")
    for m in members:
        if m.is_dir() or m.file_size < 4:
            continue
        if m.filename.lower().endswith("vbaproject.bin"):
            raise _refuse(
                field, _("The file contains macros: save it as a plain .docx, .xlsx or .pptx."), "macros"
            )
        try:
            with zf.open(m) as inner:
                head = inner.read(4)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as exc:
            raise _refuse(field, _corrupt_message(), "corrupt") from exc
        if head != ZIP_MAGIC:
            continue
        if depth >= 1 or m.file_size > NESTED_MAX_BYTES:
            raise _refuse(field, _("The file holds nested archives and is refused."), "zip_bomb")
        try:
            with zipfile.ZipFile(io.BytesIO(zf.read(m))) as nested:
                _check_zip(nested, field, depth=depth + 1, budget=budget)
        except zipfile.BadZipFile:
            continue  # an embedded file that only starts like a zip: never unpacked, nothing to bound


def _corrupt_message(kind: str = "") -> str:
    if kind:
        return _("The file cannot be opened as %(kind)s: it is damaged or not what its name says.") % {
            "kind": kind_name(kind)
        }
    return _("The file cannot be opened: it is damaged or not what its name says.")


def _office_kind(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names:
        return ""
    for kind, part in OFFICE_MAIN_PART.items():
        if part in names:
            return kind
    return ""


def _open_check(kind: str, fp: IO[bytes], field: str) -> int | None:
    """Open the file with the library that reads its text; a refusal when it cannot. The page count of a
    PDF, else None."""
    fp.seek(0)
    try:
        if kind == "docx":
            import docx

            docx.Document(fp)
        elif kind == "pptx":
            import pptx

            pptx.Presentation(fp)
        elif kind == "xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(fp, read_only=True, data_only=True)
            try:
                _ = wb.sheetnames
            finally:
                wb.close()
        elif kind == "pdf":
            return _pdf_pages(fp, field)
        elif kind in IMAGE_KINDS:
            _image_check(fp, field)
    except ValidationError:
        raise
    except Exception as exc:  # any library's error on a damaged file: a refusal, never a 500
        raise _refuse(field, _corrupt_message(kind), "corrupt") from exc
    finally:
        fp.seek(0)
    return None


def _pdf_pages(fp: IO[bytes], field: str) -> int:
    from pypdf import PdfReader

    reader = PdfReader(fp, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise _refuse(field, _("This PDF is password-protected: upload it without a password."), "encrypted")
    return len(reader.pages)


def _image_check(fp: IO[bytes], field: str) -> None:
    from PIL import Image

    limit = int(getattr(settings, "REVIEW_UPLOAD_MAX_PIXELS", 100_000_000))
    with Image.open(fp) as im:
        width, height = im.size
        if width * height > limit:
            raise _refuse(
                field,
                _("The image is larger than %(mp)d megapixels: make it smaller.")
                % {"mp": limit // 1_000_000},
                "image_too_large",
            )
        im.verify()


def validate_upload(f: Any, name: str, *, field: str = "file") -> ValidatedFile:
    """Check an uploaded review document (a Django UploadedFile or any binary file-like) named `name`.
    Returns a ValidatedFile; raises ValidationError({field: [...]}) with a clear message otherwise."""
    limit = max_bytes()
    ext = _extension(name)
    declared = _declared_size(f)
    if declared is not None and declared > limit:
        raise _refuse(field, _too_large_message(limit), "too_large")
    if declared == 0:
        raise _refuse(field, _("The file is empty."), "empty")
    named = BY_EXTENSION.get(ext)
    if named is None:
        raise _refuse(
            field,
            _(
                "Only Word (.docx), PDF, Excel (.xlsx), PowerPoint (.pptx) and images (PNG, JPEG) can be "
                "uploaded; save other formats (such as .doc or .wps) as one of these."
            ),
            "type",
        )
    fp, size, sha = _read_through(f, field, limit)
    if size == 0:
        raise _refuse(field, _("The file is empty."), "empty")
    head = fp.read(8)
    fp.seek(0)
    found = _sniff(head)
    if found == "zip":
        try:
            with zipfile.ZipFile(fp) as zf:
                _check_zip(zf, field)
                found = _office_kind(zf) or "zip"
        except zipfile.BadZipFile as exc:
            raise _refuse(field, _corrupt_message(named), "corrupt") from exc
        finally:
            fp.seek(0)
    if found != named and named in OFFICE_MAIN_PART and head.startswith(OLE2_MAGIC):
        raise _refuse(
            field,
            _(
                "The file is password-protected or in an old Office format (.doc, .xls, .ppt): remove the "
                "password, or save it as .docx, .xlsx or .pptx."
            ),
            "encrypted",
        )
    if found != named:
        if found in ("", "zip") and named in OFFICE_MAIN_PART and head.startswith(ZIP_MAGIC):
            raise _refuse(field, _corrupt_message(named), "corrupt")
        if not found:
            message = _("The file's content is not %(kind)s: it is damaged or not what its name says.") % {
                "kind": kind_name(named)
            }
        else:
            message = _(
                "The file's name ends in .%(ext)s but it is %(found)s: rename it or upload the right file."
            ) % {"ext": ext, "found": kind_name(found)}
        raise _refuse(field, message, "mismatch")
    pages = _open_check(named, fp, field)
    return ValidatedFile(
        kind=named,
        content_type=KINDS[named][1],
        size=size,
        sha256=sha,
        name=safe_name(name) or f"document.{KINDS[named][0][0]}",
        extension=KINDS[named][0][0],
        file=fp,
        pages=pages,
    )


def validate_and_extract(f: Any, name: str, *, field: str = "file") -> tuple[ValidatedFile, Extracted]:
    """`validate_upload`, then the text (`extract.extract_text`): a file whose text cannot be read is refused
    like any other bad file (ValidationError code `unreadable`), so nothing is stored for it. Returns the
    ValidatedFile (rewound) and the Extracted text."""
    from xiaobao.checker.extract import ExtractionError, extract_text

    validated = validate_upload(f, name, field=field)
    try:
        extracted = extract_text(validated.file, validated.kind)
    except ExtractionError as exc:
        raise _refuse(field, str(exc), "unreadable") from exc
    finally:
        validated.file.seek(0)
    return validated, extracted
