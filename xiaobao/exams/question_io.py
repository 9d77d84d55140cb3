"""The question bank in Excel: the documented template, the import and the export.

The workbook has a sheet of questions (one per row, the columns of `COLUMNS`) and a read-me sheet that
explains every column, the answer notation ("A", "A,C", 对/错, a blank's text with | between accepted
answers) and shows an example of each kind. The export writes the same layout (plus information columns the
import ignores), so an exported bank can be edited and imported back: a row with an ID changes that question
(a new version when an attempt used the old one), a row without adds one.

`import_questions(actor=, unit=, file=)` checks every row first and reports every problem by row and column;
nothing is written unless every row is valid (all-or-nothing). New questions are written in bulk (a few
statements for hundreds of rows). Column names are recognised in English and in Chinese whatever the
language of the person importing.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from xiaobao.core.exports import safe_cell
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.core.validators import check_zip_bounds
from xiaobao.exams.choices import QuestionKind, TagKind
from xiaobao.exams.models import MANAGE_QUESTIONS, Question, QuestionVersion, Tag
from xiaobao.exams.questions import (
    LETTERS,
    MAX_OPTIONS,
    TRUE_FALSE_OPTIONS,
    can_manage,
    clean_question,
    letter,
    may_manage_unit,
    question_update,
    regulation_tag,
    resolve_tags,
    split_tag_names,
)

MAX_BYTES = 10 * 2**20
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    required: Any
    help: Any
    width: int = 14


def _option_text(i: int) -> str:
    return pgettext("question column", "Option %(letter)s") % {"letter": LETTERS[i]}


_option_label = lazy(_option_text, str)


COLUMNS: list[Column] = [
    Column(
        "id",
        pgettext_lazy("question column", "ID"),
        gettext_lazy("no"),
        gettext_lazy(
            "Empty: a new question. The number of a question in the bank (as the export writes it): that "
            "question is changed; exams that already used it keep the old version."
        ),
        8,
    ),
    Column(
        "kind",
        pgettext_lazy("question column", "Kind"),
        gettext_lazy("yes"),
        gettext_lazy(
            "单选 (single choice), 多选 (multiple choice), 判断 (true or false) or 填空 (fill in the blank)."
        ),
        8,
    ),
    Column(
        "stem",
        pgettext_lazy("question column", "Question"),
        gettext_lazy("yes"),
        gettext_lazy("The question as candidates read it; at most 2000 characters."),
        48,
    ),
    *[
        Column(
            f"option_{i}",
            _option_label(i),
            gettext_lazy("single and multiple choice: A and B at least") if i < 2 else "",
            gettext_lazy(
                "Single and multiple choice: from 2 to 8 options, A, B, C… in order, unused ones left "
                "empty at the end. True or false: leave empty (the options are 正确 and 错误). Fill in the "
                "blank: empty."
            )
            if i == 0
            else gettext_lazy("See option A."),
            16,
        )
        for i in range(MAX_OPTIONS)
    ],
    Column(
        "answer",
        pgettext_lazy("question column", "Answer"),
        gettext_lazy("yes"),
        gettext_lazy(
            "Single choice: one letter, e.g. A. Multiple choice: every correct letter, e.g. A,C (also AC "
            "or A、C). True or false: 对 or 错 (also 正确/错误, √/×, T/F). Fill in the blank: the answer; "
            "several accepted answers separated by |, e.g. 15|十五 (case, spaces and full-width characters "
            "do not count when grading)."
        ),
        12,
    ),
    Column(
        "explanation",
        pgettext_lazy("question column", "Explanation"),
        gettext_lazy("no"),
        gettext_lazy("Why the answer is right; shown after practice and in the wrong-answer book."),
        40,
    ),
    Column(
        "difficulty",
        pgettext_lazy("question column", "Difficulty"),
        gettext_lazy("no"),
        gettext_lazy("1 (easy) to 5 (hard); empty: 3."),
        8,
    ),
    Column(
        "topics",
        pgettext_lazy("question column", "Topics"),
        gettext_lazy("no"),
        gettext_lazy(
            "Topic tags separated by commas or 、; a name not yet in the bank becomes a new topic tag."
        ),
        18,
    ),
    Column(
        "regulation",
        pgettext_lazy("question column", "Regulation"),
        gettext_lazy("no"),
        gettext_lazy(
            "The regulation the question tests, e.g. 《银行保险机构消费者权益保护管理办法》. When the "
            "regulation is marked revised, its questions are flagged for review."
        ),
        30,
    ),
    Column(
        "article",
        pgettext_lazy("question column", "Article"),
        gettext_lazy("no"),
        gettext_lazy(
            "The article(s) of that regulation, e.g. 第十三条; several separated by 、. Needs a regulation."
        ),
        12,
    ),
]
INFO_COLUMNS: list[Column] = [
    Column(
        "unit",
        pgettext_lazy("question column", "Unit"),
        "",
        gettext_lazy("Export only: the unit whose question it is."),
        14,
    ),
    Column(
        "version",
        pgettext_lazy("question column", "Version"),
        "",
        gettext_lazy("Export only: the current version."),
        8,
    ),
    Column(
        "needs_review",
        pgettext_lazy("question column", "Needs review"),
        "",
        gettext_lazy("Export only: 是 when flagged."),
        10,
    ),
    Column(
        "active",
        pgettext_lazy("question column", "In use"),
        "",
        gettext_lazy("Export only: 否 when retired."),
        8,
    ),
]
REQUIRED = ("kind", "stem", "answer")
FIELD_COLUMN = {
    "kind": "kind",
    "stem": "stem",
    "options": "option_0",
    "answer": "answer",
    "explanation": "explanation",
    "difficulty": "difficulty",
    "tags": "topics",
}

KIND_WORDS = {
    QuestionKind.SINGLE: ("单选", "单选题", "单项选择", "单项选择题", "single", "single choice", "s"),
    QuestionKind.MULTIPLE: ("多选", "多选题", "多项选择", "多项选择题", "multiple", "multiple choice", "m"),
    QuestionKind.TRUE_FALSE: ("判断", "判断题", "是非题", "true_false", "true or false", "truefalse", "tf"),
    QuestionKind.BLANK: ("填空", "填空题", "blank", "fill in the blank", "b"),
}
TRUE_WORDS = {"对", "正确", "√", "✓", "✔", "T", "TRUE", "Y", "YES", "是", "A"}
FALSE_WORDS = {"错", "错误", "×", "✗", "✘", "X", "F", "FALSE", "N", "NO", "否", "B"}
LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")


def _key(text: Any) -> str:
    """A header or a kind as compared: NFKC, lower case, no spaces, no * or ：."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s*:：]+", "", text)


def _spellings(label: Any) -> set[str]:
    """A label as English and as Chinese, whatever the active language."""
    out = {_key(str(label))}
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            out.add(_key(str(label)))
    return out


def header_map(headers: list[str]) -> dict[str, int]:
    """Column key → position in the header row, from the template's names in either language."""
    known: dict[str, str] = {}
    for col in COLUMNS:
        for spelling in _spellings(col.label) | {_key(col.key)}:
            known[spelling] = col.key
    for i in range(MAX_OPTIONS):  # 选项A, A, 选项 A, option a
        known[_key(LETTERS[i])] = known.get(_key(LETTERS[i]), f"option_{i}")
    known.update({_key("题目"): "stem", _key("题干"): "stem", _key("编号"): "id", _key("题型"): "kind"})
    out: dict[str, int] = {}
    for pos, header in enumerate(headers):
        key = known.get(_key(header))
        if key and key not in out:
            out[key] = pos
    return out


def kind_words() -> dict[str, str]:
    """How a kind may be written (normalised) → the kind: codes, 单选/单选题…, its label in both languages."""
    out: dict[str, str] = {}
    for kind, words in KIND_WORDS.items():
        for word in {*(_key(w) for w in words), *_spellings(kind.label)}:
            out[word] = str(kind)
    return out


def kind_of(value: str, words: dict[str, str] | None = None) -> str | None:
    return (words or kind_words()).get(_key(value))


def letters_to_indexes(text: str) -> list[int] | None:
    """ "A", "A,C", "AC", "a、c" → [0] / [0, 2]; None when anything else is in it."""
    text = unicodedata.normalize("NFKC", text).upper()
    compact = LETTER_SEPARATORS.sub("", text)
    if not compact or any(ch not in LETTERS for ch in compact):
        return None
    return [LETTERS.index(ch) for ch in compact]


def true_false_index(text: str) -> int | None:
    word = unicodedata.normalize("NFKC", text).strip().upper()
    if word in TRUE_WORDS:
        return 0
    if word in FALSE_WORDS:
        return 1
    return None


# --- result -------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None  # the line in the sheet (header = 1); None: the file as a whole
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    question_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading ------------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _read_bytes(file: Any) -> tuple[bytes, str]:
    if isinstance(file, bytes | bytearray):
        return bytes(file), ""
    name = str(getattr(file, "name", "") or "")
    if hasattr(file, "size") and file.size and file.size > MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}]}
        )
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_BYTES + 1)
    return data, name


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The question sheet's header and its non-blank rows (line number, cells), from the first sheet
    whose first row names the kind, the question and the answer."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20}]}
        )
    if not data.startswith(XLSX_MAGIC):
        raise ValidationError({"file": [_("Upload the Excel workbook (.xlsx) made from the template.")]})
    check_zip_bounds(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip that is not a workbook, or a damaged one
        raise ValidationError({"file": [_("The workbook cannot be read: save it again as .xlsx.")]}) from exc
    try:
        for ws in wb.worksheets:
            source = ws.iter_rows(values_only=True)
            first = next(source, None)
            headers = [_cell(v) for v in (first or ())]
            if not all(k in header_map(headers) for k in REQUIRED):
                continue
            rows: list[tuple[int, list[str]]] = []
            for line, row in enumerate(source, start=2):
                if line > MAX_ROWS + 1:
                    raise ValidationError(
                        {"file": [_("The sheet has more than %(n)d rows: split it.") % {"n": MAX_ROWS}]}
                    )
                cells = [_cell(v) for v in row]
                if any(cells):
                    rows.append((line, cells))
            return headers, rows
    finally:
        wb.close()
    names = "、".join(str(_label(c)) for c in COLUMNS if c.key in REQUIRED)
    raise ValidationError(
        {
            "file": [
                _("No sheet has the template's column names in its first row (at least %(names)s).")
                % {"names": names}
            ]
        }
    )


def _label(col: Column | str) -> str:
    if isinstance(col, str):
        col = next(c for c in COLUMNS if c.key == col)
    return str(col.label)


# --- import -------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    data: dict[str, Any]
    topics: list[str]
    regulation: str
    articles: list[str]
    question: Question | None = None


def import_questions(*, actor: Any, unit: OrgUnit, file: Any) -> ImportResult:
    """Import the question sheet of an .xlsx workbook (bytes, a file, an upload) into `unit`'s bank: every
    row checked first, nothing written unless all are valid. Returns the counts or the errors by row."""
    if not actor.has_perm(MANAGE_QUESTIONS) or not may_manage_unit(actor, unit):
        raise PermissionDenied(_("You may not edit the question bank of this unit."))
    result = ImportResult()
    try:
        data, name = _read_bytes(file)
        headers, lines = _rows(data)
    except ValidationError as exc:
        result.errors = [RowError(None, "", m) for m in exc.messages]
        return result
    result.rows = len(lines)
    if not lines:
        result.errors.append(RowError(None, "", _("The sheet has no questions below its header row.")))
        return result
    cols = header_map(headers)
    rows = _check_rows(actor, unit, cols, lines, result.errors)
    if result.errors:
        return result
    with transaction.atomic():
        _write(actor, unit, rows, result)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="exams.question",
            object_repr=_("Question bank import: %(n)d rows") % {"n": len(rows)},
            changes={
                "file": name,
                "unit": unit.code,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def _check_rows(
    actor: Any,
    unit: OrgUnit,
    cols: dict[str, int],
    lines: list[tuple[int, list[str]]],
    errors: list[RowError],
) -> list[_Row]:
    def get(cells: list[str], key: str) -> str:
        pos = cols.get(key)
        return cells[pos].strip() if pos is not None and pos < len(cells) else ""

    ids = [get(cells, "id") for _line, cells in lines]
    wanted = {int(i) for i in ids if i.isdigit()}
    existing = {
        q.pk: q
        for q in Question.objects.visible_to(actor).filter(pk__in=wanted).select_related("org_unit")
        if wanted
    }
    rows: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    words = kind_words()
    for line, cells in lines:
        err = _collector(errors, line)
        question = None
        raw_id = get(cells, "id")
        if raw_id:
            question = existing.get(int(raw_id)) if raw_id.isdigit() else None
            if question is None:
                err("id", _("There is no question No. %(id)s in your view.") % {"id": raw_id})
            elif not can_manage(actor, question):
                err(
                    "id",
                    _("Question No. %(id)s belongs to a unit whose bank you may not edit.") % {"id": raw_id},
                )
        data = _row_data(cells, get, err, words)
        if data is None:
            continue
        regulation, articles = get(cells, "regulation"), split_tag_names(get(cells, "article"))
        if articles and not regulation:
            err("article", _("An article needs the regulation it belongs to."))
        if any(len(a) > 60 for a in articles):
            err("article", _("An article has at most %(n)d characters.") % {"n": 60})
        if len(regulation) > 200:
            err(
                "regulation", _("At most %(n)d characters (it has %(m)d).") % {"n": 200, "m": len(regulation)}
            )
        try:
            clean = clean_question(data)
        except ValidationError as exc:
            for fld, messages in exc.message_dict.items():
                for message in messages:
                    err(FIELD_COLUMN.get(fld, fld), message)
            continue
        key = (clean["kind"], clean["stem"])
        if key in seen:
            err("stem", _("The same question as row %(n)d.") % {"n": seen[key]})
            continue
        seen[key] = line
        rows.append(_Row(line, clean, clean.pop("tags") or [], regulation, articles, question))
    _check_duplicates(unit, rows, errors)
    return rows


def _collector(errors: list[RowError], line: int) -> Callable[[str, str], None]:
    def err(column: str, message: str) -> None:
        label = _label(column) if any(c.key == column for c in COLUMNS) else column
        errors.append(RowError(line, label, message))

    return err


def _row_data(
    cells: list[str],
    get: Callable[[list[str], str], str],
    err: Callable[[str, str], None],
    words: dict[str, str],
) -> dict[str, Any] | None:
    """The row as `clean_question` takes it; None (with errors) when the kind or the answer cannot be read."""
    raw_kind = get(cells, "kind")
    kind = kind_of(raw_kind, words)
    if kind is None:
        err(
            "kind",
            _("Write 单选, 多选, 判断 or 填空 (it says “%(v)s”).") % {"v": raw_kind[:20]}
            if raw_kind
            else _("This field is required."),
        )
        return None
    options = [get(cells, f"option_{i}") for i in range(MAX_OPTIONS)]
    raw_answer = get(cells, "answer")
    answer: Any
    if not raw_answer:
        err("answer", _("This field is required."))
        return None
    if kind == QuestionKind.BLANK:
        answer = raw_answer
    elif kind == QuestionKind.TRUE_FALSE:
        index = true_false_index(raw_answer)
        if index is None:
            err("answer", _("Write 对 or 错 (it says “%(v)s”).") % {"v": raw_answer[:20]})
            return None
        answer = [index]
        given = [o for o in options if o]
        options = given if given else list(TRUE_FALSE_OPTIONS)
    else:
        indexes = letters_to_indexes(raw_answer)
        if indexes is None:
            err(
                "answer",
                _("Write the letters of the correct options, e.g. A or A,C (it says “%(v)s”).")
                % {"v": raw_answer[:20]},
            )
            return None
        answer = indexes
        for i in indexes:
            if i < len(options) and not options[i]:
                err(
                    "answer", _("The answer names option %(letter)s, which is empty.") % {"letter": letter(i)}
                )
                return None
    return {
        "kind": kind,
        "stem": get(cells, "stem"),
        "options": options,
        "answer": answer,
        "explanation": get(cells, "explanation"),
        "difficulty": get(cells, "difficulty") or None,
        "tags": split_tag_names(get(cells, "topics")),
    }


def _check_duplicates(unit: OrgUnit, rows: list[_Row], errors: list[RowError]) -> None:
    """A new row repeating a question the unit's bank already has (same kind and question) is refused: the
    same file imported twice would otherwise double the bank."""
    new = [r for r in rows if r.question is None]
    if not new:
        return
    stems = {r.data["stem"] for r in new}
    have: dict[tuple[str, str], int] = {}
    for pk, kind, stem in Question.objects.filter(org_unit=unit, stem__in=stems).values_list(
        "pk", "kind", "stem"
    ):
        have.setdefault((kind, stem), pk)
    for r in new:
        found = have.get((r.data["kind"], r.data["stem"]))
        if found is not None:
            errors.append(
                RowError(
                    r.line,
                    _label("stem"),
                    _(
                        "The bank already has this question (No. %(id)d): put its number in the ID column "
                        "to change it."
                    )
                    % {"id": found},
                )
            )


def _write(actor: Any, unit: OrgUnit, rows: list[_Row], result: ImportResult) -> None:
    topic_names = sorted({n for r in rows for n in r.topics})
    topics = {t.name: t for t in resolve_tags(topic_names, actor=actor)} if topic_names else {}
    regulation_tags: dict[tuple[str, str], Tag] = {}
    for r in rows:
        for article in r.articles or ([""] if r.regulation else []):
            if (r.regulation, article) not in regulation_tags:
                regulation_tags[(r.regulation, article)] = regulation_tag(r.regulation, article, actor=actor)

    def tags_of(r: _Row) -> list[Tag]:
        out = [topics[n] for n in r.topics if n in topics]
        out += [regulation_tags[(r.regulation, a)] for a in (r.articles or ([""] if r.regulation else []))]
        return out

    new = [r for r in rows if r.question is None]
    if new:
        questions = Question.objects.bulk_create(
            [Question(org_unit=unit, created_by=actor, **r.data) for r in new]
        )
        versions = QuestionVersion.objects.bulk_create(
            [
                QuestionVersion(
                    question=q,
                    number=1,
                    kind=q.kind,
                    stem=q.stem,
                    options=q.options,
                    answer=q.answer,
                    explanation=q.explanation,
                    difficulty=q.difficulty,
                )
                for q in questions
            ]
        )
        first = QuestionVersion.objects.filter(question=OuterRef("pk"), number=1).values("pk")[:1]
        Question.objects.filter(pk__in=[q.pk for q in questions]).update(current_version=Subquery(first))
        for q, v in zip(questions, versions, strict=True):
            q.current_version = v
        through = Question.tags.through
        links = [
            through(question_id=q.pk, tag_id=t.pk)
            for q, r in zip(questions, new, strict=True)
            for t in tags_of(r)
        ]
        through.objects.bulk_create(links, ignore_conflicts=True)
        result.created = len(questions)
        result.question_ids += [q.pk for q in questions]
    for r in rows:
        if r.question is None:
            continue
        before = (r.question.current_version_id, r.question.updated_at)
        q = question_update(actor=actor, question=r.question, data={**r.data, "tags": tags_of(r)})
        result.question_ids.append(q.pk)
        if (q.current_version_id, q.updated_at) == before and _same(r.question, r.data):
            result.unchanged += 1
        else:
            result.updated += 1


def _same(question: Question, data: dict[str, Any]) -> bool:
    return all(getattr(question, k) == v for k, v in data.items())


# --- writing: template and export ---------------------------------------------------------------------------


def _answer_cell(q: Any) -> str:
    if q.kind == QuestionKind.BLANK:
        return str(q.answer or "")
    indexes = q.answer if isinstance(q.answer, list) else []
    if q.kind == QuestionKind.TRUE_FALSE:
        return "对" if indexes == [0] else "错"
    return ",".join(letter(i) for i in indexes)


def _kind_cell(kind: str) -> str:
    return KIND_WORDS[QuestionKind(kind)][0]


def question_row(q: Question, tags: list[Tag]) -> list[Any]:
    options = list(q.options or []) if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
    options += [""] * (MAX_OPTIONS - len(options))
    regulation_tags = [t for t in tags if t.kind == TagKind.REGULATION]
    regulation = regulation_tags[0].regulation if regulation_tags else ""
    articles = "、".join(t.article for t in regulation_tags if t.regulation == regulation and t.article)
    yes, no = "是", "否"
    return [
        q.pk,
        _kind_cell(q.kind),
        q.stem,
        *options,
        _answer_cell(q),
        q.explanation,
        q.difficulty,
        "、".join(t.name for t in tags if t.kind == TagKind.TOPIC),
        regulation,
        articles,
        q.org_unit.name,
        q.current_version.number if q.current_version_id and q.current_version else "",
        yes if q.needs_review else "",
        no if not q.active else yes,
    ]


EXAMPLES: list[dict[str, Any]] = [
    {
        "kind": "单选",
        "stem": "银行保险机构应当在收到投诉之日起多少日内作出处理决定并告知投诉人？",
        "options": ["7日", "15日", "30日", "60日"],
        "answer": "B",
        "explanation": "一般为15日，情况复杂的可以延长至30日，最多不超过60日。",
        "difficulty": 2,
        "topics": "投诉处理",
        "regulation": "《银行保险机构消费投诉处理管理办法》",
    },
    {
        "kind": "多选",
        "stem": "下列哪些属于金融消费者的基本权利？",
        "options": ["财产安全权", "知情权", "自主选择权", "无条件退款权"],
        "answer": "A,B,C",
        "explanation": "八项权利：财产安全权、知情权、自主选择权、公平交易权、依法求偿权、受教育权、"
        "受尊重权、信息安全权。",
        "difficulty": 2,
        "topics": "消费者权利",
    },
    {
        "kind": "判断",
        "stem": "银行可以因消费者拒绝购买理财产品而拒绝为其办理存款业务。",
        "answer": "错",
        "explanation": "这是捆绑搭售，侵害消费者的自主选择权。",
        "difficulty": 1,
        "topics": "自主选择权、搭售",
    },
    {
        "kind": "填空",
        "stem": "金融消费者的基本权利共有____项。",
        "answer": "8|八",
        "difficulty": 1,
        "topics": "消费者权利",
    },
]


def _example_row(example: dict[str, Any]) -> list[Any]:
    options = list(example.get("options", [])) + [""] * MAX_OPTIONS
    values = {**example, **{f"option_{i}": options[i] for i in range(MAX_OPTIONS)}}
    return [values.get(c.key, "") for c in COLUMNS]


def _workbook(rows: Iterable[list[Any]], *, info: bool) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("Questions"))[:31]
    columns = COLUMNS + (INFO_COLUMNS if info else [])
    ws.append([str(c.label) for c in columns])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        if col.key in REQUIRED:
            cell.fill = fill
        ws.column_dimensions[cell.column_letter].width = col.width
    ws.freeze_panes = "C2"
    n = 1
    for row in rows:
        ws.append([safe_cell(v) for v in row])
        n += 1
    kinds = DataValidation(type="list", formula1='"单选,多选,判断,填空"', allow_blank=True)
    kinds.error = str(_("Write 单选, 多选, 判断 or 填空."))
    ws.add_data_validation(kinds)
    kinds.add(f"B2:B{max(n, MAX_ROWS) + 1}")
    levels = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
    ws.add_data_validation(levels)
    difficulty_letter = ws.cell(row=1, column=[c.key for c in columns].index("difficulty") + 1).column_letter
    levels.add(f"{difficulty_letter}2:{difficulty_letter}{max(n, MAX_ROWS) + 1}")
    _readme(wb.create_sheet(str(_("Read me"))[:31]), info=info)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _readme(ws: Any, *, info: bool) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 90
    ws.append([str(_("Question bank: how to fill in this workbook"))])
    ws["A1"].font = Font(bold=True, size=14)
    notes = [
        _("Write one question per row in the sheet “%(sheet)s”, from row 2. Keep the column names of row 1.")
        % {"sheet": _("Questions")},
        _(
            "Nothing is imported unless every row is right: the import lists each problem with its row "
            "and column; correct them and upload the file again."
        ),
        _(
            "A row with an empty ID adds a question. To change questions, export the bank, edit the rows "
            "and import the file: a row with an ID changes that question, and exams that already used it "
            "keep the old version."
        ),
        _(
            "A question the bank already has (same kind and same question text) is refused, so importing "
            "the same file twice does not double the bank."
        ),
    ]
    if info:
        notes.append(
            _(
                "The last columns (unit, version, needs review, in use) are for information: the import "
                "ignores them."
            )
        )
    for note in notes:
        ws.append(["", "", str(note)])
        ws.cell(row=ws.max_row, column=3).alignment = wrap
    ws.append([])
    ws.append([str(_("Column")), str(_("Required")), str(_("What to write"))])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for col in COLUMNS:
        if col.key.startswith("option_") and col.key not in ("option_0", "option_1"):
            continue
        label = (
            str(col.label)
            if col.key != "option_1"
            else f"{_option_label(1)} … {_option_label(MAX_OPTIONS - 1)}"
        )
        ws.append([label, str(col.required), str(col.help)])
        ws.cell(row=ws.max_row, column=3).alignment = wrap
    ws.append([])
    ws.append([str(_("Answer notation"))])
    ws.cell(row=ws.max_row, column=1).font = bold
    for kind, example, meaning in (
        (_("Single choice"), "A", _("option A is correct")),
        (_("Multiple choice"), "A,C", _("options A and C are correct, and only they (AC or A、C also work)")),
        (_("True or false"), "对 / 错", _("the statement is true / false (正确/错误, √/×, T/F also work)")),
        (_("Fill in the blank"), "15|十五", _("either 15 or 十五 is right")),
    ):
        ws.append([str(kind), example, str(meaning)])
    ws.append([])
    ws.append([str(_("Examples (copy rows into the sheet “%(sheet)s”)")) % {"sheet": _("Questions")}])
    ws.cell(row=ws.max_row, column=1).font = bold
    ws.append([str(c.label) for c in COLUMNS])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for sample in EXAMPLES:
        ws.append(_example_row(sample))


def template_workbook() -> bytes:
    """The empty template: the question sheet (column names, a kind dropdown) and the read-me sheet."""
    return _workbook([], info=False)


def export_workbook(questions: Iterable[Question]) -> bytes:
    """The questions in the template's layout (with their IDs, so the file can be edited and imported back)
    and the information columns. `questions` should come with org_unit, current_version and tags loaded."""
    if hasattr(questions, "iterator"):
        questions = questions.iterator(chunk_size=2000)  # prefetches the tags chunk by chunk
    return _workbook((question_row(q, list(q.tags.all())) for q in questions), info=True)


def iter_export(questions: Iterable[Question]) -> Iterator[list[Any]]:
    for q in questions:
        yield question_row(q, list(q.tags.all()))
