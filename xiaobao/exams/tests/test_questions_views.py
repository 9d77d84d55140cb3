"""Question bank pages: the list (filters, counts by kind and difficulty, the review flag, bounded queries),
the form for each kind with field errors, the edit making a version when the question was used, the detail
with its versions, the import with its row-by-row report, the template and export, the tags page."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from xiaobao.exams.models import Question, Tag
from xiaobao.exams.questions import question_create, regulation_tag
from xiaobao.exams.tests.test_question_io import bank, row, xlsx
from xiaobao.exams.tests.test_questions import SINGLE, _used

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        yield


def _form(kind: str, **extra) -> dict:
    data = {"kind": kind, "stem": "题干", "difficulty": "3", "explanation": "", "new_tags": ""}
    data.update(extra)
    return data


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_counts_by_kind_and_difficulty_and_flags(client_for, branch_officer, org):
    # given a bank of 8 questions, one of them flagged for review
    for i in range(8):
        question_create(actor=branch_officer, data={**SINGLE, "stem": f"第{i}题", "difficulty": 1 + i % 2})
    Question.objects.filter(stem="第3题").update(needs_review=True, review_reason="法规已修订")
    # when the list is opened
    response = client_for(branch_officer).get(reverse("exams:questions"))
    # then the counts and the flag show
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["counts"]["total"] == 8
    single = next(r for r in response.context["counts"]["rows"] if r["kind"] == "single")
    assert single["cells"][:2] == [4, 4] and response.context["counts"]["flagged"] == 1
    assert html.count('data-testid="needs-review"') == 1


def test_the_list_filters_and_stays_bounded_in_queries(client_for, branch_officer, org):
    for i in range(30):
        kind = "blank" if i % 3 == 0 else "single"
        data = (
            {"kind": kind, "stem": f"题{i}", "answer": "15"}
            if kind == "blank"
            else {**SINGLE, "stem": f"题{i}"}
        )
        question_create(actor=branch_officer, data={**data, "tags": ["甲", "乙"]})
    client = client_for(branch_officer)
    client.get(reverse("exams:questions"))  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("exams:questions"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == 30
    assert len(queries) < 20, [q["sql"][:80] for q in queries]
    response = client.get(reverse("exams:questions") + "?kind=blank")
    assert response.context["page"].paginator.count == 10
    response = client.get(reverse("exams:questions") + "?unit=NOPE")
    assert response.status_code == 400


def test_another_branch_does_not_see_the_question(client_for, branch_officer, other_branch_officer):
    q = question_create(actor=branch_officer, data={**SINGLE, "stem": "只属于一分行的题"})
    client = client_for(other_branch_officer)
    assert "只属于一分行的题" not in client.get(reverse("exams:questions")).content.decode()
    assert client.get(reverse("exams:question_detail", args=[q.pk])).status_code == 404
    assert client.get(reverse("exams:question_edit", args=[q.pk])).status_code == 404


# --- the form for each kind ---------------------------------------------------------------------------------


def test_new_single_choice_through_the_form(client_for, branch_officer, org):
    # given the form filled for a single-choice question with two options and the second ticked
    data = _form(
        "single", option_0="7日", option_1="15日", correct_1="on", new_tags="投诉处理、时限", org_unit="B1"
    )
    # when posted
    response = client_for(branch_officer).post(reverse("exams:question_create"), data)
    # then the question is saved as given and the page goes to it
    q = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exams:question_detail", args=[q.pk]
    )
    assert (q.kind, q.options, q.answer, q.org_unit.code) == ("single", ["7日", "15日"], [1], "B1")
    assert sorted(t.name for t in q.tags.all()) == ["投诉处理", "时限"]


def test_each_kind_through_the_form(client_for, branch_officer):
    client = client_for(branch_officer)
    url = reverse("exams:question_create")
    multiple = _form(
        "multiple", option_0="甲", option_1="乙", option_2="丙", correct_0="on", correct_2="on", org_unit="B1"
    )
    assert client.post(url, multiple).status_code == 302
    assert client.post(url, _form("true_false", true_false="1", org_unit="B1")).status_code == 302
    assert client.post(url, _form("blank", blank_answer="15|十五", org_unit="B1")).status_code == 302
    stored = {q.kind: (q.options, q.answer) for q in Question.objects.all()}
    assert stored == {
        "multiple": (["甲", "乙", "丙"], [0, 2]),
        "true_false": (["正确", "错误"], [1]),
        "blank": ([], "15|十五"),
    }


def test_the_form_shows_field_errors_in_place(client_for, branch_officer):
    client = client_for(branch_officer)
    url = reverse("exams:question_create")
    # a single choice with two ticks
    response = client.post(
        url, _form("single", option_0="甲", option_1="乙", correct_0="on", correct_1="on", org_unit="B1")
    )
    assert response.status_code == 400 and response.context["form"].errors["answer"]
    assert 'data-testid="answer-errors"' in response.content.decode()
    # a true-or-false question with no choice: the error is on its radio buttons
    response = client.post(url, _form("true_false", org_unit="B1"))
    assert response.status_code == 400 and response.context["form"].errors["true_false"]
    # a blank without its answer
    response = client.post(url, _form("blank", org_unit="B1"))
    assert response.status_code == 400 and response.context["form"].errors["blank_answer"]
    # a gap in the options
    response = client.post(url, _form("single", option_0="甲", option_2="丙", correct_0="on", org_unit="B1"))
    assert response.status_code == 400 and response.context["form"].errors["options"]
    # another branch's unit is not offered
    response = client.post(url, _form("blank", blank_answer="1", org_unit="B2"))
    assert response.status_code == 400 and response.context["form"].errors["org_unit"]
    assert not Question.objects.exists()


def test_edit_of_a_used_question_makes_a_version(client_for, branch_officer):
    # given a question an attempt used
    q = question_create(actor=branch_officer, data=SINGLE)
    _used(q, branch_officer)
    client = client_for(branch_officer)
    page = client.get(reverse("exams:question_edit", args=[q.pk]))
    assert page.status_code == 200 and 'data-testid="used-warning"' in page.content.decode()
    form = page.context["form"]
    assert form.initial["option_1"] == "15日" and form.initial["correct_1"] is True
    # when its key is changed through the form
    data = _form(
        "single",
        stem=SINGLE["stem"],
        option_0="7日",
        option_1="15日",
        option_2="30日",
        option_3="60日",
        correct_2="on",
        active="on",
        tags=[t.pk for t in q.tags.all()],
    )
    response = client.post(reverse("exams:question_edit", args=[q.pk]), data)
    # then version 2 is current, version 1 is kept, and the detail page lists both
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.current_version.number == 2 and q.answer == [2]
    detail = client.get(reverse("exams:question_detail", args=[q.pk]))
    assert [v.number for v in detail.context["versions"]] == [1, 2]
    assert [v.used for v in detail.context["versions"]] == [1, 0]


def test_a_branch_may_read_but_not_edit_the_head_office_question(client_for, hq_officer, branch_officer):
    q = question_create(actor=hq_officer, data=SINGLE)
    client = client_for(branch_officer)
    detail = client.get(reverse("exams:question_detail", args=[q.pk]))
    assert detail.status_code == 200 and not detail.context["can_manage"]
    assert client.get(reverse("exams:question_edit", args=[q.pk])).status_code == 403


def test_mark_reviewed(client_for, branch_officer):
    q = question_create(actor=branch_officer, data=SINGLE)
    Question.objects.filter(pk=q.pk).update(needs_review=True, review_reason="修订")
    response = client_for(branch_officer).post(reverse("exams:question_reviewed", args=[q.pk]))
    assert response.status_code == 302
    q.refresh_from_db()
    assert not q.needs_review and q.reviewed_on is not None


# --- import, template, export -------------------------------------------------------------------------------


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("题库.xlsx", data)


def test_import_page_reports_errors_by_row_and_writes_nothing(client_for, branch_officer):
    rows = [
        row("单选", "好题", ["甲", "乙"], "A"),
        row("单选", "坏题", ["甲", "乙"], "C"),
        row("判断", "x", answer="?"),
    ]
    response = client_for(branch_officer).post(
        reverse("exams:question_import"), {"file": _upload(xlsx(rows)), "org_unit": "B1"}
    )
    assert response.status_code == 400
    assert [e.row for e in response.context["result"].errors] == [3, 4]
    assert 'data-testid="import-errors"' in response.content.decode()
    assert not Question.objects.exists()


def test_import_page_imports_a_good_file(client_for, branch_officer, org):
    response = client_for(branch_officer).post(
        reverse("exams:question_import"), {"file": _upload(xlsx(bank(8))), "org_unit": "B1-S1"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("exams:questions")
    assert Question.objects.filter(org_unit=org.b1s).count() == 8


def test_template_and_export_downloads(client_for, branch_officer):
    question_create(actor=branch_officer, data={**SINGLE, "stem": "导出的题"})
    client = client_for(branch_officer)
    template = client.get(reverse("exams:question_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    assert len(load_workbook(io.BytesIO(template.content)).worksheets) == 2
    export = client.get(reverse("exams:question_export") + "?kind=single")
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert [c.value for c in sheet[2]][2] == "导出的题"


# --- tags ---------------------------------------------------------------------------------------------------


def test_tags_page_adds_a_regulation_and_marks_it_revised(client_for, branch_officer):
    client = client_for(branch_officer)
    # when a regulation tag is added through the page
    response = client.post(
        reverse("exams:question_tags"),
        {"kind": "regulation", "regulation": "《银行保险机构消费者权益保护管理办法》", "article": "第十三条"},
    )
    assert response.status_code == 302
    tag = Tag.objects.get(kind="regulation")
    # and a question written in February tests it
    with time_machine.travel("2026-02-01 10:00 +0800", tick=False):
        q = question_create(actor=branch_officer, data={**SINGLE, "tags": [tag]})
    page = client.get(reverse("exams:question_tags"))
    assert page.status_code == 200 and "第十三条" in page.content.decode()
    # when the regulation is marked revised
    response = client.post(reverse("exams:question_tag_revised", args=[tag.pk]), {"on": "2026-03-01"})
    # then the question is flagged and the list of flagged questions opens
    assert response.status_code == 302 and "needs_review=yes" in response["Location"]
    assert Question.objects.get(pk=q.pk).needs_review


def test_tag_edit_and_a_clash(client_for, branch_officer):
    regulation_tag("《金融消费者权益保护实施办法》", "第二十条")
    topic = Tag.objects.create(kind="topic", name="适当性")
    Tag.objects.create(kind="topic", name="搭售")
    client = client_for(branch_officer)
    response = client.post(
        reverse("exams:question_tag_edit", args=[topic.pk]), {"kind": "topic", "name": "搭售"}
    )
    assert response.status_code == 400 and response.context["form"].errors["name"]
    response = client.post(
        reverse("exams:question_tag_edit", args=[topic.pk]), {"kind": "topic", "name": "适当性管理"}
    )
    assert response.status_code == 302 and Tag.objects.get(pk=topic.pk).name == "适当性管理"


def test_an_auditor_reads_but_does_not_write(client_for, auditor, branch_officer):
    q = question_create(actor=branch_officer, data=SINGLE)
    client = client_for(auditor)
    assert client.get(reverse("exams:question_detail", args=[q.pk])).status_code == 200
    assert client.get(reverse("exams:question_create")).status_code == 403
    assert client.post(reverse("exams:question_tags"), {"kind": "topic", "name": "x"}).status_code == 403
