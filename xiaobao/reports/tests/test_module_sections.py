"""Modules' report sections (`Module.report_sections`, read through the registry) in the generated reports:
the quarterly Word report gets a chapter per section, the board workbook a sheet; a requester who may not
see a module's data gets none of it."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
import time_machine
from django.utils import translation
from docx import Document

from conftest import make_user
from xiaobao.analytics.periods import Period
from xiaobao.reports.builders import BuildContext
from xiaobao.reports.sections import module_sections
from xiaobao.reports.tests.helpers import build_file, read_xlsx
from xiaobao.review.tests.test_figures_fixtures import build_review_set, hq_figures_user

pytestmark = pytest.mark.django_db

SENTENCE = "审查 4 项，提出意见 7 条，采纳率 83.3%。"  # Q1 2026 of the fixed review set


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False), translation.override("zh-hans"):
        yield


def _docx_text(content: bytes) -> str:
    """All the text of the document's XML (what LibreOffice would lay out), tags removed."""
    import re

    with zipfile.ZipFile(BytesIO(content)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def test_the_quarterly_report_has_the_review_chapter(org):
    # given reviews concluded in Q1 2026 and a head-office requester who may see them
    build_review_set(org)
    user = hq_figures_user(org)
    # when the quarterly report is built
    content = build_file("quarterly", user, org.ho, "2026-Q1")
    # then the review chapter is a real heading with the banks' sentence and its tables, before the
    # conclusions that stay last
    doc = Document(BytesIO(content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "消保审查" in headings
    assert headings.index("消保审查") < headings.index("结论与下一步工作") == len(headings) - 1
    assert {"消保审查指标", "按审查类型统计", "审查意见（按类别）"} <= set(headings)
    assert SENTENCE in [p.text for p in doc.paragraphs]
    categories = next(t for t in doc.tables if t.rows[0].cells[0].text == "意见类别")
    assert len(categories.rows) > 1
    assert SENTENCE in _docx_text(content)


def test_no_review_chapter_without_the_review_permission(org):
    # given the same reviews and a requester without review.view_review
    build_review_set(org)
    outsider = make_user("reports_only", org.cpd, [])
    assert not outsider.has_perm("review.view_review")
    # when
    content = build_file("quarterly", outsider, org.ho, "2026-Q1")
    sections = module_sections(BuildContext(user=outsider, unit=org.ho, period=Period.parse("2026-Q1")))
    # then no section and nothing of the reviews in the document
    assert sections == []
    text = _docx_text(content)
    assert "消保审查" not in text and "审查 4 项" not in text and "采纳率" not in text


def test_no_review_chapter_for_a_period_without_reviews(org):
    # given reviews only in 2026
    build_review_set(org)
    user = hq_figures_user(org)
    # when the report is for Q3 2025
    content = build_file("quarterly", user, org.ho, "2025-Q3")
    # then
    assert "消保审查" not in _docx_text(content)


def test_the_board_workbook_has_a_sheet_per_section(org):
    # given
    build_review_set(org)
    user = hq_figures_user(org)
    # when the board figures for 2026 are built
    wb = read_xlsx(build_file("board", user, org.ho, "2026"))
    # then the review section is a sheet of its own, after the board figures
    assert wb.sheetnames[1:] == ["消保审查"]
    cells = [str(v) for row in wb["消保审查"].iter_rows(values_only=True) for v in row if v is not None]
    assert "审查 5 项，提出意见 7 条，采纳率 83.3%。" in cells  # the year: r7 (concluded 1 April) counts too
    assert "意见类别" in cells
