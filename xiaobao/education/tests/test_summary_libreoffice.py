"""The regulator table (Excel) and the campaign summary (Word) open in LibreOffice without repair: converted
headless to PDF, then read back — A4, the institution's name, the Chinese drawn (text extracted from the PDF,
not only stored in the file), units by name, never by code. The first page of each is rendered to PNG
(pdftoppm) in var/screenshots/ for people to look at. Each test uses its own LibreOffice profile."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from xiaobao.education.tests.test_figures import codes, expected, world  # noqa: F401  (fixtures)
from xiaobao.reports.builders import institution_name
from xiaobao.reports.tests.test_libreoffice import LIBREOFFICE, convert

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
POPPLER = all(shutil.which(t) for t in ("pdfinfo", "pdftotext", "pdftoppm"))

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.django_db,
    pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice (libreoffice/soffice) is not installed"),
    pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdfinfo/pdftotext/pdftoppm) are not installed"),
]


def _pdf_facts(pdf: Path) -> tuple[str, str]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=60)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    )
    return info.stdout, text.stdout


def _page_png(pdf: Path, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = SCREENSHOTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        check=True,
        timeout=60,
    )
    png = stem.with_suffix(".png")
    assert png.stat().st_size > 5000
    return png


@pytest.mark.parametrize(("doc", "landscape"), [("table.xlsx", True), ("summary.docx", False)])
def test_edition_documents_render_in_libreoffice(
    org,
    world,  # noqa: F811
    client_for,
    hq_officer,
    tmp_path,
    doc,
    landscape,
):
    # given the head office's regulator table / campaign summary of the 2026 金融知识普及月
    r = client_for(hq_officer).get(f"/education/editions/{world.sept.pk}/{doc}")
    assert r.status_code == 200
    source = tmp_path / f"edition-{doc}"
    source.write_bytes(r.content)
    # when LibreOffice converts it headless
    pdf = convert(source, "pdf", tmp_path / "out", tmp_path / "profile")
    # then an A4 PDF whose drawn text holds the institution, the campaign and the branches by name
    info, text = _pdf_facts(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info)
    assert size is not None, info
    assert (float(size.group(1)) > float(size.group(2))) is landscape
    flat = "".join(text.split())
    assert institution_name().replace(" ", "") in flat
    assert "金融知识普及月" in flat and "北京分行" in flat and "上海分行" in flat
    assert (
        f"{expected(org.ho.path, edition=world.sept)['people_reached']:,}" in text
        or str(expected(org.ho.path, edition=world.sept)["people_reached"]) in flat
    )
    for code in ("B1-S1-O1", "B2-S1", "finance_month"):
        assert code not in text
    assert "合计" in flat and "Total" not in text
    _page_png(pdf, f"education-edition-{doc.replace('.', '-')}-page1")
