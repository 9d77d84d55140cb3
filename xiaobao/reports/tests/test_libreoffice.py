"""Every generated file opens in LibreOffice without repair: converted headless to a non-empty PDF.

Each test uses its own LibreOffice profile (-env:UserInstallation) so parallel runs never fight over the lock.
The quarterly report's first page is also rendered to var/screenshots/report-quarterly-page1.png for people to
look at (pdftoppm when installed, else LibreOffice's own PNG export when the installed LibreOffice has it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from xiaobao.reports.tests.helpers import build_file

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.django_db,
    pytest.mark.skipif(LIBREOFFICE is None, reason="LibreOffice (libreoffice/soffice) is not installed"),
]


def convert(path: Path, to: str, outdir: Path, profile: Path) -> Path:
    subprocess.run(
        [
            LIBREOFFICE,  # type: ignore[list-item]
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / f"{path.stem}.{to.split(':')[0]}"


@pytest.mark.parametrize(
    "kind, period, unit",
    [
        ("monthly", "2026-10", "ho"),
        ("quarterly", "2026-Q4", "ho"),
        ("disclosure", "2026", "ho"),
        ("board", "2026-H2", "b1"),
    ],
)
def test_generated_file_converts_to_pdf(complaints, org, hq_officer, tmp_path, kind, period, unit):
    # given a generated file
    content = build_file(kind, hq_officer, getattr(org, unit), period)
    source = tmp_path / f"{kind}.{'docx' if kind == 'quarterly' else 'xlsx'}"
    source.write_bytes(content)
    # when LibreOffice converts it headless
    pdf = convert(source, "pdf", tmp_path / "out", tmp_path / "profile")
    # then a non-empty PDF comes out
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if kind == "quarterly":
        _first_page_png(source, pdf, tmp_path)


def _first_page_png(docx: Path, pdf: Path, tmp_path: Path) -> None:
    """Best effort (a picture for people, not a check): pdftoppm, else LibreOffice's PNG export, which the
    "nogui" LibreOffice packages lack; when neither works nothing is written."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "report-quarterly-page1.png"
    if shutil.which("pdftoppm"):
        stem = str(target.with_suffix(""))
        cmd = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), stem]
        subprocess.run(cmd, check=True, timeout=60)
        assert target.stat().st_size > 1000
        return
    outdir = tmp_path / "png"
    outdir.mkdir()
    try:
        png = convert(docx, "png:writer_png_Export", outdir, tmp_path / "profile")
    except subprocess.CalledProcessError:
        return
    if png.exists():
        shutil.copyfile(png, target)
