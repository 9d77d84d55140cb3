"""The review section for reports (`Module.report_sections`) on the fixed set of test_figures_fixtures.py."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.utils import translation
from docx import Document

from xiaobao.analytics.periods import Period
from xiaobao.casework import registry
from xiaobao.reports.builders import BuildContext
from xiaobao.reports.sections import add_to_docx
from xiaobao.review.choices import ReviewKind
from xiaobao.review.report_sections import review_section
from xiaobao.review.tests.test_figures_fixtures import b1_figures_user, build_review_set, hq_figures_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-04-10 10:00 +0800", tick=False), translation.override("zh-hans"):
        yield


@pytest.fixture
def review_set(org):
    return build_review_set(org)


def test_the_section_is_declared_in_the_module_registry():
    # given / when
    declared = next(r.module for r in registry.modules() if r.label == "review")
    # then each dotted path resolves
    assert [registry.resolve(p) for p in declared.report_sections] == [review_section]
    assert registry.resolve(declared.figures).__name__ == "figures"
    assert registry.resolve(declared.stats_section).__name__ == "stats_section"


def test_head_office_section_paragraph_and_tables(review_set, org):
    # given head office, March 2026
    ctx = BuildContext(user=hq_figures_user(org), unit=org.ho, period=Period.month(2026, 3))
    # when
    section = review_section(ctx)
    # then the banks' sentence, then the figures in words
    assert section.title == "消保审查"
    assert section.paragraphs[0] == "审查 3 项，提出意见 6 条，采纳率 80%。"
    text = section.paragraphs[1]
    assert "本期办结审查 3 项（通过 1 项、修改后通过 1 项、不通过 1 项）" in text
    assert "采纳 3 条、部分采纳 1 条、未采纳 1 条，采纳率 80%" in text
    assert "按期办结率 66.7%" in text and "平均用时 8.0 个工作日" in text
    assert "本期签发批准 1 件，撤回 1 件" in text
    # the headline against February, by kind, by category
    headline, kinds, categories = section.tables
    concluded = next(r for r in headline.rows if r[0] == "审查办结")
    assert concluded[1:] == ["3", "1", "+200.00%"]
    assert [r[0] for r in kinds.rows] == [str(ReviewKind.NEW_PRODUCT.label), str(ReviewKind.MARKETING.label)]
    assert [r[1:3] for r in kinds.rows] == [["1", "3"], ["2", "3"]]  # concluded, opinions
    assert [r[1] for r in categories.rows] == ["2", "1", "3"]  # disclosure, pricing, marketing


def test_branch_section_counts_its_subtree(review_set, org):
    # given the Beijing branch
    ctx = BuildContext(user=b1_figures_user(org), unit=org.b1, period=Period.month(2026, 3))
    # when
    section = review_section(ctx)
    # then Shanghai's rejected review is not in it
    assert section.paragraphs[0] == "审查 2 项，提出意见 5 条，采纳率 80%。"
    assert "不通过 0 项" in section.paragraphs[1]


def test_an_empty_period_has_no_section(review_set, org):
    # given a month without reviews
    ctx = BuildContext(user=hq_figures_user(org), unit=org.ho, period=Period.month(2025, 12))
    # when / then: nothing to report, no empty chapter
    assert review_section(ctx) is None


def test_a_period_with_only_a_withdrawal_still_has_a_section(review_set, org):
    # given May 2026: no review concluded, one approval (r4's) withdrawn
    from xiaobao.review.models import Approval

    Approval.objects.filter(review=review_set.r4).update(withdrawn_at="2026-05-06T03:00:00Z")
    ctx = BuildContext(user=hq_figures_user(org), unit=org.ho, period=Period.month(2026, 5))
    # when
    section = review_section(ctx)
    # then the section is there and says no review was concluded
    assert section is not None
    assert section.paragraphs[0] == "审查 0 项，提出意见 0 条，采纳率 —。"
    assert section.paragraphs[1] == "本期无办结的审查事项。"


def test_no_section_without_the_review_permission(review_set, org):
    # given a head-office user without review.view_review
    from conftest import make_user

    outsider = make_user("no_reviews", org.cpd, [])
    ctx = BuildContext(user=outsider, unit=org.ho, period=Period.month(2026, 3))
    # when / then
    assert review_section(ctx) is None


def test_the_section_writes_into_a_word_document(review_set, org):
    # given
    ctx = BuildContext(user=hq_figures_user(org), unit=org.ho, period=Period.month(2026, 3))
    doc = Document()
    # when
    add_to_docx(doc, [review_section(ctx)])
    out = BytesIO()
    doc.save(out)
    # then
    again = Document(BytesIO(out.getvalue()))
    text = "\n".join(p.text for p in again.paragraphs)
    assert "消保审查" in text and "审查 3 项，提出意见 6 条，采纳率 80%。" in text
    assert len(again.tables) == 3
    assert again.tables[2].rows[0].cells[0].text == "意见类别"
