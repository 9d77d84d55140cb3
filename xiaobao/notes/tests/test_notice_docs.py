"""The decision notice as Word and PDF: A4, the institution's name, names not codes, no internal notes;
generating it is on the timeline and in the audit trail; the notice template per business type is used."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from xiaobao.complaints.models import ComplaintEvent
from xiaobao.core.models import AuditEvent
from xiaobao.notes.services import note_add, template_save

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
INSTITUTION = "晓宝银行股份有限公司"


@pytest.fixture(autouse=True)
def _clock(settings):
    settings.INSTITUTION_NAME = INSTITUTION
    with time_machine.travel("2026-03-04 10:00 +0800", tick=False):
        yield


def _docx_text(content: bytes) -> tuple[str, object]:
    import docx

    doc = docx.Document(BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    return text, doc.sections[0]


def test_the_word_notice_is_a4_with_the_institution_and_names(client_for, drafted, b1_handler):
    # given an internal note on the complaint
    note_add(actor=b1_handler, complaint=drafted, text="内部：客户曾威胁投诉媒体")
    # when the Word file is downloaded
    response = client_for(b1_handler).get(reverse("notes:notice_docx", args=[drafted.pk]))
    # then an A4 document with the institution's name, the decision, names not codes, no note
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{drafted.reference}-notice.docx"'
    text, section = _docx_text(response.content)
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert INSTITUTION in text and drafted.reference in text and "退还年费 200 元" in text
    assert "海淀支行" in text and "B1-S1" not in text
    assert "内部" not in text and "威胁" not in text
    assert "张*" in text or "张伟" in text  # the complainant: masked unless the user may reveal


def test_generating_is_on_the_timeline_once_and_audited_every_time(client_for, drafted, b1_handler):
    client = client_for(b1_handler)
    for _ in range(2):
        assert client.get(reverse("notes:notice_docx", args=[drafted.pk])).status_code == 200
    events = ComplaintEvent.objects.filter(complaint=drafted, action="notice_generated")
    assert events.count() == 1 and events.get().data == {"notice": "DOCX"}
    audits = AuditEvent.objects.filter(
        object_type="complaints.complaint", object_id=str(drafted.pk), action="export"
    )
    assert audits.count() == 2


def test_a_notice_template_for_the_business_type_is_used(client_for, hq_officer, org, drafted, b1_handler):
    template_save(
        actor=hq_officer,
        data={
            "name": "信用卡告知书",
            "kind": "notice",
            "business_type": "B0303",
            "org_unit": org.ho,
            "body": "信用卡投诉处理决定\n\n{{complainant}}：\n"
            "您的{{business_type}}投诉（{{reference}}）处理决定：{{result}}\n\n{{unit}}\n{{today}}",
        },
    )
    page = client_for(b1_handler).get(reverse("complaints:notice", args=[drafted.pk])).content.decode()
    assert "信用卡投诉处理决定" in page and 'data-testid="notice-docx"' in page
    text, _section = _docx_text(
        client_for(b1_handler).get(reverse("notes:notice_docx", args=[drafted.pk])).content
    )
    assert "信用卡投诉处理决定" in text and "您的信用卡投诉" in text


def test_no_decision_no_file(client_for, api_for, complaint, b1_handler):
    assert client_for(b1_handler).get(reverse("notes:notice_docx", args=[complaint.pk])).status_code == 409
    response = api_for(b1_handler).get(f"/api/v1/complaints/{complaint.pk}/notice.docx")
    assert response.status_code == 409 and response.json()["code"] == "no_decision"


def test_the_notice_page_offers_recording_it_as_sent(client_for, drafted, b1_handler):
    html = client_for(b1_handler).get(reverse("complaints:notice", args=[drafted.pk])).content.decode()
    assert reverse("complaints:action", args=[drafted.pk, "notify"]) in html


def test_without_libreoffice_the_pdf_says_so(client_for, api_for, drafted, b1_handler, monkeypatch):
    monkeypatch.setattr("xiaobao.notes.notice_docs.libreoffice", lambda: None)
    response = api_for(b1_handler).get(f"/api/v1/complaints/{drafted.pk}/notice.pdf")
    assert response.status_code == 503 and response.json()["code"] == "pdf_unavailable"
    page = client_for(b1_handler).get(reverse("notes:notice_pdf", args=[drafted.pk]))
    assert page.status_code == 503 and 'data-testid="notice-error"' in page.content.decode()


@pytest.mark.libreoffice
@pytest.mark.skipif(
    shutil.which("libreoffice") is None and shutil.which("soffice") is None, reason="no LibreOffice"
)
def test_the_pdf_notice_is_a4_with_the_institution(api_for, drafted, b1_handler, tmp_path):
    from pypdf import PdfReader

    # when the PDF is downloaded through the API
    response = api_for(b1_handler).get(f"/api/v1/complaints/{drafted.pk}/notice.pdf")
    # then an A4 PDF (595 × 842 pt) with the institution's name and the decision in its text
    assert response.status_code == 200 and response.content[:5] == b"%PDF-"
    reader = PdfReader(BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = "".join(page.extract_text() for page in reader.pages)
    assert INSTITUTION in text.replace(" ", "") and "退还年费" in text.replace(" ", "")
    # and its first page as a picture for people to look at
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pdf = tmp_path / "notice.pdf"
        pdf.write_bytes(response.content)
        target = SCREENSHOTS / "notes-notice-pdf-page1"
        cmd = ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)]
        subprocess.run(cmd, check=True, timeout=60)
        assert target.with_suffix(".png").stat().st_size > 1000
