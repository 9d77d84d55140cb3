"""A survey's results: per question (counts and shares of each option, the distribution, average and
satisfaction rate of a scale, the text answers) and per unit (responses and satisfaction rate of each unit
below the one analysed, rolled up the tree), and their Excel workbook.

Definitions (also used by `figures`):
- responses: submissions.
- satisfaction rate: of the answers to scale questions marked "counts for the satisfaction rate", the share at
  or above the question's threshold (`satisfied_from`, default the top two steps: 4–5 of 1–5, 9–10 of 0–10).
  Each answer counts once, so a questionnaire with three such questions weighs each equally.
- a question's share of an option: respondents who ticked it ÷ respondents who answered the question (multiple
  choice shares add up to more than 100%).
Everything is computed with a few aggregate queries, whatever the number of responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.core.vault.detect import redact
from xiaobao.surveys.models import Answer, Question, QuestionKind, Response, Survey

TEXT_SHOWN = 100  # text answers listed per question on the page (all of them in the export)


def satisfied_q(prefix: str = "") -> Q:
    """An answer at or above its question's threshold (the threshold is data on the question)."""
    threshold = Coalesce(F(f"{prefix}question__satisfied_from"), F(f"{prefix}question__scale_max") - 1)
    return Q(**{f"{prefix}value__gte": threshold})


def satisfaction_answers(responses: QuerySet[Response]) -> QuerySet[Answer]:
    return Answer.objects.filter(
        response__in=responses, question__counts_for_satisfaction=True, value__isnull=False
    )


def ratio(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


@dataclass
class OptionRow:
    label: str
    count: int
    share: float | None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0  # respondents who answered it
    options: list[OptionRow] = field(default_factory=list)  # choices, or scale values
    average: float | None = None
    satisfied: int = 0
    satisfaction: float | None = None
    texts: list[str] = field(default_factory=list)
    more_texts: int = 0


@dataclass
class UnitRow:
    unit: OrgUnit
    responses: int = 0
    rated: int = 0  # satisfaction answers
    satisfied: int = 0
    own: bool = False  # the analysed unit's own responses (not its children's)

    @property
    def satisfaction(self) -> float | None:
        return ratio(self.satisfied, self.rated)


@dataclass
class Results:
    survey: Survey
    unit: OrgUnit
    responses: int
    rated: int
    satisfied: int
    consented: int
    questions: list[QuestionResult]
    units: list[UnitRow]

    @property
    def satisfaction(self) -> float | None:
        return ratio(self.satisfied, self.rated)


def responses_of(survey: Survey, unit: OrgUnit | None = None) -> QuerySet[Response]:
    qs = Response.objects.filter(survey=survey)
    if unit is not None and unit.pk != survey.org_unit_id:
        qs = qs.filter(subtree_q(unit.path, "org_unit__path"))
    return qs


def question_results(
    survey: Survey, responses: QuerySet[Response], *, all_texts: bool = False
) -> list[QuestionResult]:
    questions = list(survey.questionnaire.questions.prefetch_related("options"))
    answers = Answer.objects.filter(response__in=responses)
    answered = dict(
        answers.values("question").annotate(n=Count("response", distinct=True)).values_list("question", "n")
    )
    by_option = dict(
        answers.filter(option__isnull=False)
        .values("option")
        .annotate(n=Count("pk"))
        .values_list("option", "n")
    )
    by_value: dict[tuple[int, int | None], int] = {
        (q, v): n
        for q, v, n in answers.filter(value__isnull=False)
        .values("question", "value")
        .annotate(n=Count("pk"))
        .values_list("question", "value", "n")
    }
    out = []
    for question in questions:
        result = QuestionResult(question=question, answered=answered.get(question.pk, 0))
        if question.kind in (QuestionKind.CHOICE_ONE, QuestionKind.CHOICE_MANY):
            result.options = [
                OptionRow(o.label, by_option.get(o.pk, 0), ratio(by_option.get(o.pk, 0), result.answered))
                for o in question.options.all()
            ]
        elif question.kind == QuestionKind.SCALE:
            result.options = [
                OptionRow(
                    str(v),
                    by_value.get((question.pk, v), 0),
                    ratio(by_value.get((question.pk, v), 0), result.answered),
                )
                for v in question.scale_values
            ]
            counts = {v: by_value.get((question.pk, v), 0) for v in question.scale_values}
            rated = sum(counts.values())
            if rated:
                result.average = sum(v * n for v, n in counts.items()) / rated
                result.satisfied = sum(n for v, n in counts.items() if v >= question.threshold)
                result.satisfaction = ratio(result.satisfied, rated)
        out.append(result)
    texts = {q.question.pk: q for q in out if q.question.kind == QuestionKind.TEXT}
    if texts:  # one query for every text question, newest first, TEXT_SHOWN + 1 each on the page
        rows = answers.filter(question__in=list(texts)).exclude(text="")
        if all_texts:
            listed = rows.order_by("question", "-response__submitted_at", "-pk").values_list(
                "question", "text"
            )
        else:
            listed = (
                rows.annotate(
                    rank=Window(
                        RowNumber(),
                        partition_by=[F("question")],
                        order_by=[F("response__submitted_at").desc(), F("pk").desc()],
                    )
                )
                .filter(rank__lte=TEXT_SHOWN + 1)
                .order_by("question", "rank")
                .values_list("question", "text")
            )
        for qid, text in listed:
            texts[qid].texts.append(redact(text))  # stored redacted; again for rows kept before a change
        for result in texts.values():
            if not all_texts and len(result.texts) > TEXT_SHOWN:
                result.more_texts = result.answered - TEXT_SHOWN
                result.texts = result.texts[:TEXT_SHOWN]
    return out


def _per_unit(responses: QuerySet[Response]) -> tuple[dict[int, dict[str, int]], dict[int, str]]:
    """Per answering unit: responses, consents, satisfaction answers and satisfied ones; and the units' paths
    (two queries)."""
    per_unit: dict[int, dict[str, int]] = {}
    paths: dict[int, str] = {}
    for uid, path, n, consented in (
        responses.values("org_unit", "org_unit__path")
        .annotate(n=Count("pk"), consented=Count("pk", filter=Q(consent=True)))
        .values_list("org_unit", "org_unit__path", "n", "consented")
    ):
        per_unit[uid] = {"responses": n, "consented": consented, "rated": 0, "satisfied": 0}
        paths[uid] = path
    for row in (
        satisfaction_answers(responses)
        .values("response__org_unit")
        .annotate(n=Count("pk"), ok=Count("pk", filter=satisfied_q()))
    ):
        slot = per_unit.get(row["response__org_unit"])
        if slot is not None:
            slot["rated"], slot["satisfied"] = row["n"], row["ok"]
    return per_unit, paths


def unit_rows(
    responses: QuerySet[Response], unit: OrgUnit, counted: tuple[dict, dict] | None = None
) -> list[UnitRow]:
    """Responses and satisfaction of each child of `unit` (its subtree rolled up) and of the unit's own."""
    per_unit, paths = counted or _per_unit(responses)
    if not per_unit:
        return []
    children = list(OrgUnit.objects.filter(parent=unit).order_by("path"))
    rows = {c.pk: UnitRow(unit=c) for c in children}
    own = UnitRow(unit=unit, own=True)
    for uid, counts in per_unit.items():
        path = paths.get(uid, "")
        target = next((rows[c.pk] for c in children if path.startswith(c.path)), None)
        if target is None:
            if not path.startswith(unit.path):
                continue
            target = own
        target.responses += counts["responses"]
        target.rated += counts["rated"]
        target.satisfied += counts["satisfied"]
    listed = [r for r in rows.values() if r.responses]
    return ([own] if own.responses else []) + listed


def survey_results(survey: Survey, unit: OrgUnit | None = None, *, all_texts: bool = False) -> Results:
    """The results of the survey's answers given in `unit`'s subtree (default: the whole survey)."""
    unit = unit or survey.org_unit
    responses = responses_of(survey, unit)
    counted = _per_unit(responses)

    def total(key: str) -> int:
        return sum(row[key] for row in counted[0].values())

    return Results(
        survey=survey,
        unit=unit,
        responses=total("responses"),
        rated=total("rated"),
        satisfied=total("satisfied"),
        consented=total("consented"),
        questions=question_results(survey, responses, all_texts=all_texts),
        units=unit_rows(responses, unit, counted),
    )


# --- Excel --------------------------------------------------------------------------------------------------


def _pct(value: float | None) -> Any:
    return None if value is None else round(value, 4)


def results_workbook(results: Results, *, contacts: list[tuple[str, str, str]] | None = None) -> bytes:
    """The results as a workbook (A4, the institution's name in each title): summary and units, questions,
    text answers, and — only when given (masked) — the consented contacts."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext
    from openpyxl.styles import Alignment

    from xiaobao.reports.builders import institution_name
    from xiaobao.reports.builders.xlsx import (
        BOLD,
        PERCENT,
        header_row,
        new_book,
        put,
        save,
        title_block,
        widths,
    )

    survey = results.survey
    wb = new_book()
    ws = wb.active
    ws.title = pgettext("survey sheet", "Summary")[:31]
    title = f"{institution_name()} · {survey.title}"
    info = [
        _("Questionnaire: %(q)s") % {"q": survey.questionnaire},
        _("Unit: %(u)s · open %(a)s to %(b)s")
        % {"u": results.unit.name, "a": survey.opens_on.isoformat(), "b": survey.closes_on.isoformat()},
        _("Responses: %(n)s · satisfaction rate: %(r)s")
        % {
            "n": results.responses,
            "r": "—" if results.satisfaction is None else f"{100 * results.satisfaction:.1f}%",
        },
    ]
    r = title_block(ws, title, info)
    header_row(ws, r, [_("Unit"), _("Responses"), _("Rated answers"), _("Satisfied"), _("Satisfaction rate")])
    r += 1
    for row in results.units:
        name = row.unit.name + (f" ({_('own')})" if row.own else "")
        for col, value in enumerate([name, row.responses, row.rated, row.satisfied], start=1):
            put(ws, r, col, value)
        put(ws, r, 5, _pct(row.satisfaction), number_format=PERCENT)
        r += 1
    widths(ws, [30, 12, 14, 12, 16])

    qs = wb.create_sheet(pgettext("survey sheet", "Questions")[:31])
    r = title_block(qs, title, [_("Per question: counts and shares of the respondents who answered it")])
    header_row(qs, r, [_("No."), _("Question"), _("Answer"), _("Count"), _("Share"), _("Average")])
    r += 1
    for n, q in enumerate(results.questions, start=1):
        put(qs, r, 1, n)
        put(qs, r, 2, q.question.text, font=BOLD, alignment=Alignment(wrap_text=True))
        put(qs, r, 3, _("answered"))
        put(qs, r, 4, q.answered)
        if q.average is not None:
            put(qs, r, 6, round(q.average, 2))
        r += 1
        for option in q.options:
            put(qs, r, 3, option.label)
            put(qs, r, 4, option.count)
            put(qs, r, 5, _pct(option.share), number_format=PERCENT)
            r += 1
        if q.satisfaction is not None:
            put(qs, r, 3, _("satisfied (≥ %(t)s)") % {"t": q.question.threshold})
            put(qs, r, 4, q.satisfied)
            put(qs, r, 5, _pct(q.satisfaction), number_format=PERCENT)
            r += 1
    widths(qs, [6, 40, 24, 10, 10, 10])

    ts = wb.create_sheet(pgettext("survey sheet", "Text answers")[:31])
    r = title_block(
        ts, title, [_("Text answers, newest first; numbers that look like personal data are masked")]
    )
    header_row(ts, r, [_("Question"), _("Answer")])
    r += 1
    for q in results.questions:
        for text in q.texts:
            put(ts, r, 1, q.question.text)
            put(ts, r, 2, text, alignment=Alignment(wrap_text=True))
            r += 1
    widths(ts, [36, 80])

    if contacts is not None:
        cs = wb.create_sheet(pgettext("survey sheet", "Contacts")[:31])
        r = title_block(cs, title, [_("People who consented to be contacted (masked)")])
        header_row(cs, r, [_("Submitted at"), _("Name"), _("Phone")])
        r += 1
        for contact in contacts:
            for col, value in enumerate(contact, start=1):
                put(cs, r, col, value)
            r += 1
        widths(cs, [20, 16, 16])

    for sheet in wb.worksheets:
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return save(wb)
