"""The training-and-exams section for reports (`Module.report_sections`) on the fixed set of
test_figures_fixtures.py: its paragraphs and tables, a Word chapter and a workbook sheet."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.utils import translation
from docx import Document
from openpyxl import Workbook

from conftest import make_user
from xiaobao.analytics.periods import Period
from xiaobao.casework import registry
from xiaobao.reports.builders import BuildContext
from xiaobao.reports.sections import add_to_docx, add_to_workbook, module_sections
from xiaobao.training.report_sections import training_section
from xiaobao.training.tests.test_figures_fixtures import NOW, build_training_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):
        yield


@pytest.fixture
def tset(org):
    return build_training_set(org)


def test_the_section_is_declared_in_the_module_registry():
    # given / when
    declared = next(r.module for r in registry.modules() if r.label == "training")
    # then each dotted path resolves
    assert [registry.resolve(p) for p in declared.report_sections] == [training_section]
    assert registry.resolve(declared.stats_section).__name__ == "stats_section"
    assert registry.resolve(declared.home_panel).__name__ == "home_panel"


def test_head_office_section_paragraphs_and_tables(tset, hq_officer):
    # given head office, March 2026
    ctx = BuildContext(user=hq_officer, unit=tset.org.ho, period=Period.month(2026, 3))
    # when
    section = training_section(ctx)
    # then the banks' sentence, then the training and the exam figures in words
    assert section.title == "员工培训与考试"
    assert section.paragraphs[0] == "开展培训 3 场、覆盖 9 人次、考试 2 场、通过率 75%。"
    training, exams = section.paragraphs[1:]
    assert "本期开展培训 3 场（课时 7.0 小时；外部专家授课 1 场，线上 1 场）" in training
    assert "参训 9 人次，参训 7 人" in training and "其中 3 人已达标，学时达标率 60%" in training
    assert "组织考试 2 场（其中知识竞赛 1 场），另有练习卷 1 套" in exams
    assert "应考 6 人，参考 4 人（参考率 66.7%），通过 3 人，考试通过率 75%" in exams
    # the headline against February, by unit, by layer
    headline, units, layers = section.tables
    sessions = next(r for r in headline.rows if r[0] == "开展培训场次")
    assert sessions[1:] == ["3", "1", "+200.00%"]
    assert [r[0] for r in units.rows] == ["北京分行", "上海分行", "消费者权益保护部"]
    assert units.rows[0][1:] == ["1", "5", "4", "66.7%", "1", "3", "100%"]
    assert [r[0] for r in layers.rows][:4] == ["高级管理人员", "中层管理人员", "一线员工", "新入职员工"]


def test_the_section_is_a_word_chapter_and_a_workbook_sheet(tset, hq_officer):
    # given the report's module sections for head office, March
    ctx = BuildContext(user=hq_officer, unit=tset.org.ho, period=Period.month(2026, 3))
    sections = [s for s in module_sections(ctx) if getattr(s, "key", "") == "training"]
    assert len(sections) == 1
    # when they are written into a Word document and a workbook
    doc = Document()
    add_to_docx(doc, sections)
    wb = Workbook()
    add_to_workbook(wb, sections, info=["晓宝银行总行", "2026-03"])
    # then
    buf = BytesIO()
    doc.save(buf)
    text = "\n".join(p.text for p in Document(BytesIO(buf.getvalue())).paragraphs)
    assert "员工培训与考试" in text and "开展培训 3 场、覆盖 9 人次" in text
    assert "员工培训与考试" in wb.sheetnames
    cells = [c for row in wb["员工培训与考试"].iter_rows(values_only=True) for c in row if c]
    assert "分机构培训与考试情况" in cells and "北京分行" in cells


def test_no_section_without_the_permission_or_without_anything_in_the_period(tset, org, hq_officer):
    # given a member of staff without training permissions; and an empty month for head office
    nobody = make_user("fig_nobody", org.b1, [])
    # when / then
    assert training_section(BuildContext(user=nobody, unit=org.b1, period=Period.month(2026, 3))) is None
    assert training_section(BuildContext(user=hq_officer, unit=org.ho, period=Period.month(2025, 7))) is None


def test_a_branch_section_for_its_own_subtree(tset, branch_officer):
    # given the Beijing officer's report for March
    ctx = BuildContext(user=branch_officer, unit=tset.org.b1, period=Period.month(2026, 3))
    # when
    section = training_section(ctx)
    # then
    assert section.paragraphs[0] == "开展培训 1 场、覆盖 5 人次、考试 1 场、通过率 100%。"
    assert "上海分行" not in str(section.tables)
