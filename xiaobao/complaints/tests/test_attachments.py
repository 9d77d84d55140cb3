"""Attachments are accepted by content and extension together, and served as a download under a safe name
(issue 12 item 6): a .bat/.hta/.html/.exe starting with PDF or ZIP bytes is refused with a message on the
file field; what is served is never HTML and never under the uploaded name's extension."""

from __future__ import annotations

import io
import zipfile
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaobao.complaints.attachments import attachment_add
from xiaobao.complaints.models import Attachment
from xiaobao.complaints.services import complaint_register

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ZIP = _zip({"scan-1.pdf": PDF})
HTML_IN_ZIP = _zip({"index.html": b"<script>alert(1)</script>"})
PDF_THEN_HTML = PDF + b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


@pytest.fixture
def complaint(branch_officer, payload):
    c, _ = complaint_register(actor=branch_officer, data=payload())
    return c


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("run.bat", PDF),  # the review's cases: dangerous names with PDF or ZIP first bytes
        ("run.bat", ZIP),
        ("page.hta", PDF),
        ("page.hta", ZIP),
        ("page.html", PDF_THEN_HTML),
        ("page.htm", PDF),
        ("setup.exe", ZIP),
        ("setup.exe", EXE),
        ("image.svg", PDF),
        ("noextension", PDF),
        ("letter.pdf", EXE),  # allowed extension, wrong content
        ("letter.pdf", ZIP),
        ("photo.png", JPEG),
        ("photo.jpg", PNG),
        ("report.docx", XLSX),  # a workbook named as a Word document
        ("report.docx", ZIP),  # a plain zip is not a Word document
        ("sheet.xlsx", DOCX),
        ("archive.zip", PDF),
        ("letter.pdf.exe", PDF),
    ],
)
def test_a_name_and_content_that_do_not_match_are_refused_on_the_file_field(
    complaint, branch_officer, name, data
):
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=branch_officer, complaint=complaint, fileobj=BytesIO(data), name=name)
    assert list(exc.value.message_dict) == ["file"]
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "ctype"),
    [
        ("letter.pdf", PDF, "application/pdf"),
        ("LETTER.PDF", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("contract.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("sheet.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("scans.zip", ZIP, "application/zip"),
    ],
)
def test_allowed_kinds_are_stored_with_their_type(complaint, branch_officer, name, data, ctype):
    att = attachment_add(actor=branch_officer, complaint=complaint, fileobj=BytesIO(data), name=name)
    assert att.content_type == ctype
    ext = name.rsplit(".", 1)[1].lower()
    assert att.file.name.endswith("." + {"jpeg": "jpg"}.get(ext, ext))


def test_the_page_shows_the_refusal_on_the_file_field(client_for, branch_officer, complaint):
    url = reverse("complaints:attachment_upload", args=[complaint.pk])
    response = client_for(branch_officer).post(
        url, {"file": SimpleUploadedFile("page.hta", PDF), "kind": "evidence"}
    )
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]
    assert Attachment.objects.count() == 0


def test_the_api_answers_a_field_error(api_for, branch_officer, complaint):
    response = api_for(branch_officer).post(
        f"/api/v1/complaints/{complaint.pk}/attachments",
        {"file": SimpleUploadedFile("run.bat", ZIP)},
    )
    assert response.status_code == 422, response.content
    assert "file" in response.json()["fields"]


def _download_headers(response, ext: str, ctype: str) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == ctype
    assert "html" not in response["Content-Type"]
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f".{ext}" in disposition
    return disposition


@pytest.mark.parametrize("via", ["page", "api"])
def test_downloads_are_attachments_under_a_safe_name(client_for, api_for, branch_officer, complaint, via):
    att = attachment_add(
        actor=branch_officer, complaint=complaint, fileobj=BytesIO(PDF), name='../a"b\r\n.html.pdf'
    )
    if via == "page":
        response = client_for(branch_officer).get(
            reverse("complaints:attachment", args=[complaint.pk, att.pk])
        )
    else:
        response = api_for(branch_officer).get(f"/api/v1/complaints/{complaint.pk}/attachments/{att.pk}")
    disposition = _download_headers(response, "pdf", "application/pdf")
    assert "/" not in disposition and ".." not in disposition and "\r" not in disposition
    assert ".html" not in disposition and '"b' not in disposition
    assert b"".join(response.streaming_content) == PDF


def test_an_attachment_stored_before_the_check_is_served_by_its_content_type(
    client_for, branch_officer, complaint
):
    # given a file the old check let in: an .hta with PDF bytes, and one recorded as text/html
    att = attachment_add(actor=branch_officer, complaint=complaint, fileobj=BytesIO(PDF), name="x.pdf")
    Attachment.objects.filter(pk=att.pk).update(original_name="evil.hta")
    url = reverse("complaints:attachment", args=[complaint.pk, att.pk])
    response = client_for(branch_officer).get(url)
    disposition = _download_headers(response, "pdf", "application/pdf")
    assert ".hta" not in disposition
    Attachment.objects.filter(pk=att.pk).update(content_type="text/html")
    response = client_for(branch_officer).get(url)
    assert response["Content-Type"] == "application/pdf"  # the type of the stored file's allowed kind
