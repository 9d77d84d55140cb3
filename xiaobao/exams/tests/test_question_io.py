"""The question bank in Excel: the documented template, the import (every row checked, errors by row and
column, all-or-nothing, hundreds of rows in a few statements), the export and the round trip back."""

from __future__ import annotations

import io
import time

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from xiaobao.core.models import AuditEvent
from xiaobao.exams.models import Question, QuestionVersion, Tag
from xiaobao.exams.question_io import (
    COLUMNS,
    export_workbook,
    import_questions,
    letters_to_indexes,
    template_workbook,
    true_false_index,
)
from xiaobao.exams.tests.test_questions import _used

pytestmark = pytest.mark.django_db

HEADERS = [
    "编号",
    "题型",
    "题干",
    *[f"选项{c}" for c in "ABCDEFGH"],
    "答案",
    "解析",
    "难度",
    "主题标签",
    "法规",
    "条款",
]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False), translation.override("zh-hans"):
        yield


def row(
    kind,
    stem,
    options=(),
    answer="",
    *,
    explanation="",
    difficulty="",
    topics="",
    regulation="",
    article="",
    id="",
):
    opts = list(options) + [""] * (8 - len(options))
    return [id, kind, stem, *opts, answer, explanation, difficulty, topics, regulation, article]


def xlsx(rows, headers=HEADERS, title="题目") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bank(n: int) -> list[list]:
    kinds = [
        lambda i: row(
            "单选", f"第{i}题 单选", ["甲", "乙", "丙", "丁"], "B", difficulty=2, topics="投诉处理"
        ),
        lambda i: row("多选", f"第{i}题 多选", ["甲", "乙", "丙"], "A,C", topics="消费者权利、适当性"),
        lambda i: row(
            "判断",
            f"第{i}题 判断",
            answer="错",
            regulation="《金融消费者权益保护实施办法》",
            article="第二十条",
        ),
        lambda i: row("填空", f"第{i}题 填空", answer="15|十五", explanation="十五日"),
    ]
    return [kinds[i % 4](i) for i in range(n)]


# --- notation -----------------------------------------------------------------------------------------------


def test_answer_notation():
    assert letters_to_indexes("A") == [0]
    assert letters_to_indexes("a, c") == [0, 2]
    assert letters_to_indexes("AC") == [0, 2]
    assert letters_to_indexes("Ａ、Ｃ") == [0, 2]  # full width
    assert letters_to_indexes("1,3") is None
    assert [true_false_index(w) for w in ("对", "正确", "√", "T", "错", "错误", "×", "F", "也许")] == [
        0,
        0,
        0,
        0,
        1,
        1,
        1,
        1,
        None,
    ]


# --- the template -------------------------------------------------------------------------------------------


def test_the_template_documents_every_column_and_the_answer_notation():
    # when the template is made
    wb = load_workbook(io.BytesIO(template_workbook()))
    # then the first sheet holds the column names and nothing else, the read-me explains each column
    sheet, readme = wb.worksheets[0], wb.worksheets[1]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["编号", "题型", "题干"] and "答案" in headers and sheet.max_row == 1
    text = "\n".join(str(c.value) for r in readme.iter_rows() for c in r if c.value)
    for col in COLUMNS:
        if col.key not in {f"option_{i}" for i in range(2, 8)}:
            assert str(col.label) in text, col.key
    for notation in ("A,C", "对", "错", "15|十五", "单选", "多选", "判断", "填空"):
        assert notation in text


def test_the_template_examples_import_as_they_are(branch_officer, org):
    # given the examples of the read-me pasted into the question sheet
    readme = load_workbook(io.BytesIO(template_workbook())).worksheets[1]
    rows = [[c.value for c in r] for r in readme.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[:3] == ["编号", "题型", "题干"])
    examples = rows[start + 1 :]
    # when imported
    result = import_questions(actor=branch_officer, unit=org.b1, file=xlsx(examples))
    # then each example is a question of its kind
    assert result.ok, result.errors
    assert sorted(Question.objects.values_list("kind", flat=True)) == [
        "blank",
        "multiple",
        "single",
        "true_false",
    ]


# --- import -------------------------------------------------------------------------------------------------


def test_import_of_240_questions_in_a_few_statements(branch_officer, org):
    # given a workbook of 240 questions of the four kinds
    data = xlsx(bank(240))
    # when imported
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = import_questions(actor=branch_officer, unit=org.b1, file=data)
    elapsed = time.perf_counter() - started
    # then all are in, each with version 1, in a few statements and well under the page's patience
    assert result.ok, result.errors[:3]
    assert (result.created, result.rows) == (240, 240)
    assert Question.objects.filter(org_unit=org.b1, current_version__number=1).count() == 240
    assert len(queries) < 40, len(queries)
    assert elapsed < 5, elapsed
    # and the content is read as the notation says
    multiple = Question.objects.get(stem="第1题 多选")
    assert multiple.answer == [0, 2] and multiple.options == ["甲", "乙", "丙"]
    assert sorted(t.name for t in multiple.tags.all()) == ["消费者权利", "适当性"]
    tf = Question.objects.get(stem="第2题 判断")
    assert tf.answer == [1] and tf.options == ["正确", "错误"]
    assert [(t.kind, t.regulation, t.article) for t in tf.tags.all()] == [
        ("regulation", "《金融消费者权益保护实施办法》", "第二十条")
    ]
    assert Question.objects.get(stem="第3题 填空").answer == "15|十五"
    assert AuditEvent.objects.filter(action="import", object_type="exams.question").count() == 1


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_written(branch_officer, org):
    # given a workbook with good rows and five bad ones
    rows = [
        row("单选", "好题一", ["甲", "乙"], "A"),
        row("问答", "不认识的题型", answer="A"),
        row("单选", "两个答案", ["甲", "乙", "丙"], "A,B"),
        row("多选", "答案指向空选项", ["甲", "乙"], "A,D"),
        row("判断", "判断写错", answer="可能"),
        row("填空", "", answer="15", difficulty=9),
        row("单选", "好题一", ["甲", "乙"], "B"),
    ]
    # when imported
    result = import_questions(actor=branch_officer, unit=org.b1, file=xlsx(rows, title="Sheet1"))
    # then each problem names its line in the sheet and its column, and nothing was written
    found = {(e.row, e.column) for e in result.errors}
    assert {
        (3, "题型"),
        (4, "答案"),
        (5, "答案"),
        (6, "答案"),
        (7, "题干"),
        (7, "难度"),
        (8, "题干"),
    } <= found
    assert all(e.message for e in result.errors)
    assert not result.ok and result.created == 0
    assert not Question.objects.exists() and not Tag.objects.exists()


def test_a_question_already_in_the_bank_is_refused(branch_officer, org):
    # given a file imported once
    data = xlsx(bank(4))
    assert import_questions(actor=branch_officer, unit=org.b1, file=data).created == 4
    # when the same file is imported again
    result = import_questions(actor=branch_officer, unit=org.b1, file=data)
    # then every row says the bank has it (with its number) and the bank still has four questions
    assert [e.row for e in result.errors] == [2, 3, 4, 5]
    assert "编号" in result.errors[0].message or "ID" in result.errors[0].message
    assert Question.objects.count() == 4


def test_english_column_names_are_read_too(branch_officer, org):
    headers = [
        "ID",
        "Kind",
        "Question",
        *[f"Option {c}" for c in "ABCDEFGH"],
        "Answer",
        "Explanation",
        "Difficulty",
        "Topics",
        "Regulation",
        "Article",
    ]
    result = import_questions(
        actor=branch_officer,
        unit=org.b1,
        file=xlsx([row("single", "English headers", ["a", "b"], "b")], headers),
    )
    assert result.ok, result.errors
    assert Question.objects.get().answer == [1]


def test_a_file_that_is_not_the_template(branch_officer, org):
    for data in (b"not a workbook", xlsx([["x", "y"]], headers=["姓名", "工号"])):
        result = import_questions(actor=branch_officer, unit=org.b1, file=data)
        assert result.errors and result.errors[0].row is None
    assert not Question.objects.exists()


def test_import_into_another_branch_is_refused(branch_officer, org):
    with pytest.raises(PermissionDenied):
        import_questions(actor=branch_officer, unit=org.b2, file=xlsx(bank(1)))


# --- export and back ----------------------------------------------------------------------------------------


def test_export_edit_and_import_back_keeps_the_used_version(branch_officer, org):
    # given an imported bank in which an attempt used the single-choice question
    import_questions(actor=branch_officer, unit=org.b1, file=xlsx(bank(4)))
    single = Question.objects.get(stem="第0题 单选")
    _used(single, branch_officer)
    # when the bank is exported, the single-choice key is changed in the file and the file imported back
    qs = (
        Question.objects.select_related("org_unit", "current_version").prefetch_related("tags").order_by("pk")
    )
    wb = load_workbook(io.BytesIO(export_workbook(qs)))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[-4:] == ["所属机构", "版本", "待复核", "在用"]
    answer_col = headers.index("答案")
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[answer_col] for r in rows] == ["B", "A,C", "错", "15|十五"]
    rows[0][answer_col] = "C"
    result = import_questions(actor=branch_officer, unit=org.b1, file=xlsx(rows, headers=headers))
    # then that question has version 2 with the new key, version 1 stays as the attempt saw it
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    single.refresh_from_db()
    assert single.current_version.number == 2 and single.answer == [2]
    assert QuestionVersion.objects.get(question=single, number=1).answer == [1]
    # and the other questions are untouched, still version 1, their tags as before
    assert Question.objects.filter(current_version__number=1).count() == 3
    assert sorted(Question.objects.get(stem="第1题 多选").tags.values_list("name", flat=True)) == [
        "消费者权利",
        "适当性",
    ]


def test_an_id_of_another_branch_is_an_error(branch_officer, other_branch_officer, org):
    import_questions(actor=other_branch_officer, unit=org.b2, file=xlsx(bank(1)))
    theirs = Question.objects.get()
    result = import_questions(
        actor=branch_officer,
        unit=org.b1,
        file=xlsx([row("单选", "改别人的题", ["甲", "乙"], "A", id=theirs.pk)]),
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "编号")]
    assert Question.objects.get().stem == "第0题 单选"
