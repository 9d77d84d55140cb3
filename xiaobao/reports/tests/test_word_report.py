"""The Word report: A4, the configured institution's name, names instead of internal codes, and charts that
draw Chinese or a job that fails saying why (issue 12 item 18)."""

from __future__ import annotations

import os
from io import BytesIO

import pytest
from docx import Document
from docx.shared import Mm

from xiaobao.complaints.choices import Source
from xiaobao.core.models import OrgUnit
from xiaobao.reports.builders import charts
from xiaobao.reports.services import report_request
from xiaobao.reports.tests.helpers import build_file

pytestmark = pytest.mark.django_db
NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _text(content: bytes) -> str:
    doc = Document(BytesIO(content))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.fixture
def fresh_font_search(monkeypatch):
    """Forget the font found by an earlier test (the search runs again)."""
    monkeypatch.setattr(charts, "_found", [])


def test_the_word_report_is_a4(complaints, org, hq_officer):
    doc = Document(BytesIO(build_file("quarterly", hq_officer, org.ho, "2026-Q4")))
    for section in doc.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5)
        assert abs(section.page_height - Mm(297)) < Mm(0.5)


def test_the_configured_institution_is_named(complaints, org, hq_officer, settings):
    settings.INSTITUTION_NAME = "测试农商银行"
    text = _text(build_file("quarterly", hq_officer, org.ho, "2026-Q4"))
    assert "测试农商银行" in text and "Xiaobao" not in text


def test_without_a_configured_name_the_head_office_names_the_institution(
    complaints, org, hq_officer, settings
):
    # given the product's default name and a head office called 晓宝银行总行
    settings.INSTITUTION_NAME = "Xiaobao"
    OrgUnit.objects.filter(pk=org.ho.pk).update(name="晓宝银行总行")
    content = build_file("quarterly", hq_officer, org.ho, "2026-Q4")
    doc = Document(BytesIO(content))
    titles = [p.text for p in doc.paragraphs if p.style.name == "Title"]
    assert titles[0] == "晓宝银行" and doc.core_properties.author == "晓宝银行"
    assert "Xiaobao" not in _text(content)


def test_tables_show_names_not_internal_codes(complaints, org, hq_officer):
    text = _text(build_file("quarterly", hq_officer, org.ho, "2026-Q4"))
    assert str(Source.NFRA_TRANSFER.label) in text  # the dataset has forwarded complaints
    for code in Source.values:
        assert code not in text


@pytest.mark.skipif(not os.path.isfile(NOTO), reason="fonts-noto-cjk is not installed")
def test_a_font_installed_after_matplotlibs_cache_is_found(monkeypatch, fresh_font_search):
    from matplotlib import font_manager

    # given matplotlib's font cache built before the CJK font was installed
    stale = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    # when the chart looks for a font, it finds the file, checks its glyphs and registers it
    family = charts.cjk_font()
    assert "CJK" in family and charts.draws_chinese(NOTO)
    assert family in {f.name for f in font_manager.fontManager.ttflist}
    assert charts.bar_chart(["投诉"], [3], "按业务类型")[:4] == b"\x89PNG"


def test_a_font_without_chinese_glyphs_does_not_count():
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans")
    assert not charts.draws_chinese(dejavu)


def test_no_chinese_font_fails_the_job_with_a_clear_message(
    complaints, org, hq_officer, monkeypatch, fresh_font_search
):
    # given a machine where no font file can draw Chinese
    monkeypatch.setattr(charts, "font_candidates", lambda: [])
    # when the Word report runs
    job = report_request(actor=hq_officer, kind="quarterly", period="2026-Q4", unit_code="HO")
    # then it failed, saying what to install — not "done" with boxes in the charts
    assert job.state == "failed" and not job.has_file
    assert "fonts-noto-cjk" in job.error
