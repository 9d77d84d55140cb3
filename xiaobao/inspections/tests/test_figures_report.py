"""The quarterly inspection report: a report kind of the reports page, A4, the institution's name, names
instead of codes, Chinese drawn in the chart, opens in LibreOffice; only for users who see inspections."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from docx import Document
from docx.shared import Mm

from xiaobao.inspections.tests.test_figures import data, grant  # noqa: F401 — the shared data set
from xiaobao.reports.services import report_validate
from xiaobao.reports.tests.helpers import build_file

pytestmark = pytest.mark.django_db
LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def _text(content: bytes) -> str:
    doc = Document(BytesIO(content))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@time_machine.travel("2026-04-10 10:00 +0800", tick=False)
def test_the_report_is_a4_names_the_institution_and_units_by_name(data, org, hq_officer, settings):  # noqa: F811
    # given a configured institution name
    settings.INSTITUTION_NAME = "测试农商银行"
    # when head office builds the Q1 2026 inspection report
    content = build_file("inspections", hq_officer, org.ho, "2026-Q1")
    doc = Document(BytesIO(content))
    # then it is A4, speaks for the institution, shows names and no internal codes
    for section in doc.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)
    text = _text(content)
    assert next(p.text for p in doc.paragraphs if p.style.name == "Title") == "测试农商银行"
    assert "北京分行" in text and "上海分行" in text and "中关村网点" in text and "大堂" in text
    for code in ("B1", "B2-S1", "HO", "submitted", "lobby", "Xiaobao"):
        assert code not in text.split()
    assert "B1-S1-O1" not in text
    assert "2 / 3" in text  # branch 1: done / planned
    assert len(doc.inline_shapes) == 1  # the aspect chart


def test_the_report_kind_needs_the_inspection_permission(org):
    from conftest import make_user

    # given somebody who may run the complaint reports but not see inspections
    runner = make_user("runner", org.b1, [])
    grant(runner, "reports.run_report", "complaints.view_complaint")
    with pytest.raises(ValidationError) as err:
        report_validate(actor=runner, kind="inspections", period="2026-Q1", unit_code="B1")
    assert set(err.value.message_dict) == {"kind"}
    report_validate(actor=runner, kind="quarterly", period="2026-Q1", unit_code="B1")  # that one is fine


def test_the_report_kind_takes_quarters_only(org, branch_officer):
    grant(branch_officer, "inspections.view_inspection", "reports.run_report")
    with pytest.raises(ValidationError) as err:
        report_validate(actor=branch_officer, kind="inspections", period="2026-03", unit_code="B1")
    assert set(err.value.message_dict) == {"period"}
    req = report_validate(actor=branch_officer, kind="inspections", period="2026-Q1", unit_code="B1")
    assert req.unit == org.b1


@pytest.mark.libreoffice
@pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice (libreoffice/soffice) is not installed")
@time_machine.travel("2026-04-10 10:00 +0800", tick=False)
def test_the_report_converts_to_pdf(data, org, hq_officer, tmp_path):  # noqa: F811
    source = tmp_path / "inspections.docx"
    source.write_bytes(build_file("inspections", hq_officer, org.ho, "2026-Q1"))
    subprocess.run(
        [
            LIBREOFFICE,  # type: ignore[list-item]
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "inspections.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 1000
    if shutil.which("pdftoppm"):  # pages for people to look at (not a check)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = str(SCREENSHOTS / "report-inspections")
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "4", str(pdf), stem], check=True)


@time_machine.travel("2026-04-10 10:00 +0800", tick=False)
def test_head_office_runs_the_report_from_the_reports_page(data, org, hq_officer, client_for):  # noqa: F811
    from django.urls import reverse

    from xiaobao.reports.models import ReportJob

    grant(hq_officer, "reports.run_report")
    client = client_for(hq_officer)
    # the kind offers quarters
    fields = client.get(reverse("reports:list"), {"kind": "inspections"}, HTTP_HX_REQUEST="true")
    assert 'value="2026-Q1"' in fields.content.decode()
    # when head office asks for Q1 2026
    response = client.post(
        reverse("reports:create"), {"kind": "inspections", "period": "2026-Q1", "org_unit": "HO"}
    )
    # then the job is done with the Word file named as head office names it
    job = ReportJob.objects.get()
    assert response.status_code == 302 and job.state == "done"
    assert job.filename == "服务检查季度报告_2026-Q1_HO.docx"
    download = client.get(reverse("reports:download", args=[job.pk]))
    doc = Document(BytesIO(b"".join(download.streaming_content)))
    assert any("北京分行" in c.text for t in doc.tables for r in t.rows for c in r.cells)
