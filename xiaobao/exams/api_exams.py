"""Exams API: setting exams (organisers), taking them (candidates), results, item analysis, ranking, the
learner's exams and wrong-answer book.

Organisers (exams.manage_exams to change, exams.view_exams to read; exams of their subtree):
  POST /exams → 201 {"id"} (published at once unless "draft": true), GET /exams, GET /exams/{id},
  PUT /exams/{id} (a draft), POST /exams/{id}/publish, POST /exams/{id}/close,
  GET /exams/{id}/results, /analysis, /ranking.
Candidates (exams.take_exam; their own attempts only — anybody else's is a 404):
  POST /exams/{id}/attempts → 201 a new attempt / 200 the one in progress,
  GET /attempts/{id}, PUT /attempts/{id}/answers/{question_id} → 200 {"saved", "answered",
  "remaining_seconds"} (409 after the end), POST /attempts/{id}/submit → 200 {"score", "passed", …} (the
  same again on a second call), GET /me/exams, GET /me/wrong-answers, POST /me/wrong-answers/practice.
The attempt's questions never carry the key or the explanation while it runs (practice: once answered).
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.exams.attempts import (
    answer_save,
    attempt_for,
    attempt_payload,
    attempt_start_or_resume,
    attempt_submit,
    my_exams,
    practice_from_wrong_answers,
    submit_payload,
    to_display,
    wrong_answer_book,
)
from xiaobao.exams.models import MANAGE_EXAMS, TAKE, VIEW, Exam
from xiaobao.exams.results import exam_results, item_analysis, ranking
from xiaobao.exams.services import exam_close, exam_create, exam_publish, exam_update, organised

router = Router(tags=["exams"])


# --- schemas ------------------------------------------------------------------------------------------


class ExamRuleIn(Schema):
    tag: int | str | None = Field(None, description="Tag name (or id); any tag when empty")
    kind: str = Field("", description="single, multiple, true_false or blank; any when empty")
    difficulty: int | None = Field(None, ge=1, le=5, description="1-5; any when empty")
    count: int = Field(..., ge=1, le=300)
    points: Decimal = Field(Decimal("1"), gt=0, le=1000, decimal_places=2)


class ExamIn(Schema):
    title: str = Field(..., max_length=200)
    kind: str = Field("exam", description="exam, practice or contest")
    description: str = Field("", max_length=5000, description="Instructions for the candidates")
    org_unit: str = Field("", max_length=32, description="Organising unit's code (yours by default)")
    question_ids: list[int] = Field(default_factory=list, max_length=300, description="A fixed paper")
    points: list[Decimal] | None = Field(
        None, max_length=300, description="Points per question, parallel to question_ids (1 each when absent)"
    )
    rules: list[ExamRuleIn] = Field(default_factory=list, max_length=50, description="Or: draw by rules")
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_minutes: int = Field(..., ge=1, le=600)
    pass_mark: int = Field(60, ge=0, le=100, description="Percent")
    attempts_allowed: int = Field(1, ge=1, le=100)
    shuffle_questions: bool = True
    shuffle_options: bool = True
    multiple_choice_scoring: str = Field("all_or_nothing", description="all_or_nothing or partial")
    candidates: list[str] = Field(default_factory=list, description="Usernames or employee numbers")
    candidate_units: list[str] = Field(default_factory=list, description="Unit codes: everybody below")
    candidate_layers: list[str] = Field(default_factory=list, description="Position layer codes")
    seed: int | None = Field(None, ge=0, le=2**62, description="Seed of the draws (random when absent)")
    draft: bool = Field(False, description="Keep it a draft (else it is published at once)")


class ExamCreatedOut(Schema):
    id: int


class ExamSummaryOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    org_unit: str
    selection: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    time_limit_minutes: int
    pass_mark: int
    attempts_allowed: int
    shuffle_questions: bool
    shuffle_options: bool
    multiple_choice_scoring: str
    candidates: int
    started: int
    submitted: int


class ExamDetailOut(ExamSummaryOut):
    description: str
    question_ids: list[int]
    points: list[float]
    rules: list[dict[str, Any]]
    candidate_units: list[str]
    candidate_layers: list[str]


class ExamListFilter(Schema):
    status: str = Field("", description="draft, published or closed")
    kind: str = Field("", description="exam, practice or contest")


class AttemptAnswerIn(Schema):
    # checked against the question by the service (one field error on "answer", in the user's language)
    answer: Any = Field(
        ...,
        description="Chosen options as a list of display indexes (0 = the first shown), or the text of a "
        "blank; null, [] or '' clears it",
        json_schema_extra={
            "anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "string"}, {"type": "null"}]
        },
    )


class AttemptExamOut(Schema):
    id: int
    title: str
    kind: str


class AttemptQuestionOut(Schema):
    id: int = Field(..., description="The question's id (PUT its answer at /attempts/{id}/answers/{this})")
    kind: str
    stem: str
    options: list[str] = Field(..., description="In the order shown")
    points: float
    saved: list[int] | str | None = Field(..., description="The saved answer in display indexes, or null")
    saved_at: dt.datetime | None = Field(None, description="When the server last saved this answer")
    # only once the key may be shown (practice: once answered; else after submitting, once the exam closed)
    answer: list[int] | str | None = None
    explanation: str | None = None
    correct: bool | None = None
    earned: float | None = None


class AttemptOut(Schema):
    id: int
    exam: AttemptExamOut
    number: int
    status: str
    started_at: dt.datetime
    ends_at: dt.datetime
    remaining_seconds: int
    answered: int
    questions: list[AttemptQuestionOut]
    # once submitted
    score: float | None = None
    passed: bool | None = None
    points: float | None = None
    max_points: float | None = None
    submitted_at: dt.datetime | None = None
    auto_submitted: bool | None = None


class AttemptAnswerSavedOut(Schema):
    saved: bool
    answered: int
    remaining_seconds: int
    # practice only
    correct: bool | None = None
    earned: float | None = None
    answer: list[int] | str | None = None
    explanation: str | None = None


class AttemptSubmittedOut(Schema):
    score: float = Field(..., description="Percent")
    passed: bool
    points: float
    max_points: float
    submitted_at: dt.datetime | None
    auto_submitted: bool


class ExamRankingQuery(Schema):
    min_members: int | None = Field(None, ge=1, le=1000, description="Teams below this are not ranked")


# --- helpers ------------------------------------------------------------------------------------------


def _organiser_exam(request: HttpRequest, exam_id: int, perm: str = VIEW) -> Exam:
    require_perm(request.user, perm)
    return get_visible(
        organised(Exam.objects.visible_to(request.user)).select_related("org_unit"), pk=exam_id
    )


def _exam_out(exam: Exam) -> dict[str, Any]:
    return {
        "id": exam.pk,
        "title": exam.title,
        "kind": exam.kind,
        "status": exam.status,
        "org_unit": exam.org_unit.code,
        "selection": exam.selection,
        "opens_at": exam.opens_at,
        "closes_at": exam.closes_at,
        "time_limit_minutes": exam.time_limit_minutes,
        "pass_mark": exam.pass_mark,
        "attempts_allowed": exam.attempts_allowed,
        "shuffle_questions": exam.shuffle_questions,
        "shuffle_options": exam.shuffle_options,
        "multiple_choice_scoring": exam.multiple_choice_scoring,
        **(
            {"candidates": exam.n_candidates, "started": exam.n_started, "submitted": exam.n_submitted}  # type: ignore[attr-defined]
            if hasattr(exam, "n_candidates")
            else {
                "candidates": exam.candidates.count(),
                "started": exam.attempts.values("user").distinct().count(),
                "submitted": exam.attempts.filter(status="submitted").values("user").distinct().count(),
            }
        ),
    }


def _detail_out(exam: Exam) -> dict[str, Any]:
    fixed = list(exam.questions.order_by("position", "pk").values_list("question_id", "points"))
    return {
        **_exam_out(exam),
        "description": exam.description,
        "question_ids": [q for q, _p in fixed],
        "points": [float(p) for _q, p in fixed],
        "rules": [
            {
                "tag": r.tag.name if r.tag else None,
                "kind": r.kind,
                "difficulty": r.difficulty,
                "count": r.count,
                "points": float(r.points),
            }
            for r in exam.rules.select_related("tag").order_by("position", "pk")
        ],
        "candidate_units": list(exam.candidate_units.values_list("code", flat=True)),
        "candidate_layers": list(exam.candidate_layers.values_list("code", flat=True)),
    }


def _data(payload: ExamIn) -> dict[str, Any]:
    data = payload.dict()
    data["rules"] = [r for r in data.get("rules") or []]
    return data


# --- organisers ---------------------------------------------------------------------------------------


@router.post("/exams", response={201: ExamCreatedOut}, summary="Set an exam (published at once unless draft)")
def exams_create(request: HttpRequest, payload: ExamIn):
    from django.db import transaction

    require_perm(request.user, MANAGE_EXAMS)
    data = _data(payload)
    with transaction.atomic():
        exam = exam_create(actor=request.user, data=data)
        if not payload.draft:
            exam_publish(actor=request.user, exam=exam)
    return Status(201, {"id": exam.pk})


@router.get("/exams", response=list[ExamSummaryOut], summary="Exams set by your subtree")
@paginate(LimitOffsetPagination)
def exams_list(request: HttpRequest, filters: Query[ExamListFilter]):
    from django.db.models import Count, Q

    require_perm(request.user, VIEW)
    qs = organised(Exam.objects.visible_to(request.user)).select_related("org_unit")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    qs = qs.annotate(
        n_candidates=Count("candidates", distinct=True),
        n_started=Count("attempts__user", distinct=True),
        n_submitted=Count("attempts__user", filter=Q(attempts__status="submitted"), distinct=True),
    )
    return [_exam_out(e) for e in qs]


@router.get("/exams/{exam_id}", response=ExamDetailOut, summary="An exam's configuration and progress")
def exams_get(request: HttpRequest, exam_id: int):
    return _detail_out(_organiser_exam(request, exam_id))


@router.put(
    "/exams/{exam_id}", response=ExamDetailOut, summary="Replace a draft's configuration (409 otherwise)"
)
def exams_update(request: HttpRequest, exam_id: int, payload: ExamIn):
    exam = _organiser_exam(request, exam_id, MANAGE_EXAMS)
    exam = exam_update(actor=request.user, exam=exam, data=_data(payload))
    return _detail_out(_organiser_exam(request, exam.pk))


@router.post("/exams/{exam_id}/publish", response=ExamDetailOut, summary="Publish a draft")
def exams_publish(request: HttpRequest, exam_id: int):
    exam = exam_publish(actor=request.user, exam=_organiser_exam(request, exam_id, MANAGE_EXAMS))
    return _detail_out(_organiser_exam(request, exam.pk))


@router.post(
    "/exams/{exam_id}/close",
    response=ExamDetailOut,
    summary="Close a published exam: attempts in progress are submitted with what was saved",
)
def exams_close(request: HttpRequest, exam_id: int):
    exam = exam_close(actor=request.user, exam=_organiser_exam(request, exam_id, MANAGE_EXAMS))
    return _detail_out(_organiser_exam(request, exam.pk))


@router.get("/exams/{exam_id}/results", summary="Results per candidate, unit, layer and team (branch)")
def exams_results(request: HttpRequest, exam_id: int) -> dict[str, Any]:
    return exam_results(_organiser_exam(request, exam_id))


@router.get("/exams/{exam_id}/analysis", summary="Item analysis: difficulty index, discrimination, options")
def exams_analysis(request: HttpRequest, exam_id: int) -> dict[str, Any]:
    return item_analysis(_organiser_exam(request, exam_id))


@router.get("/exams/{exam_id}/ranking", summary="Ranking of people and of branches (teams)")
def exams_ranking(request: HttpRequest, exam_id: int, query: Query[ExamRankingQuery]) -> dict[str, Any]:
    return ranking(_organiser_exam(request, exam_id), min_members=query.min_members)


# --- candidates ---------------------------------------------------------------------------------------


@router.post(
    "/exams/{exam_id}/attempts",
    response={200: AttemptOut, 201: AttemptOut},
    exclude_unset=True,
    summary="Start an attempt (201), or resume the one in progress (200)",
)
def attempts_start(request: HttpRequest, exam_id: int):
    require_perm(request.user, TAKE)
    attempt, created = attempt_start_or_resume(user=request.user, exam_id=exam_id)
    return Status(201 if created else 200, attempt_payload(attempt))


@router.get("/attempts/{attempt_id}", response=AttemptOut, exclude_unset=True, summary="Your attempt")
def attempts_get(request: HttpRequest, attempt_id: int):
    require_perm(request.user, TAKE)
    return attempt_payload(attempt_for(request.user, attempt_id))


@router.put(
    "/attempts/{attempt_id}/answers/{question_id}",
    response=AttemptAnswerSavedOut,
    exclude_unset=True,
    summary="Save one answer (409 once the attempt has ended)",
)
def attempts_answer(request: HttpRequest, attempt_id: int, question_id: int, payload: AttemptAnswerIn):
    require_perm(request.user, TAKE)
    return answer_save(
        user=request.user, attempt_id=attempt_id, question_id=question_id, answer=payload.answer
    )


@router.post(
    "/attempts/{attempt_id}/submit", response=AttemptSubmittedOut, summary="Submit (again: the same result)"
)
def attempts_submit(request: HttpRequest, attempt_id: int):
    require_perm(request.user, TAKE)
    attempt = attempt_submit(attempt=attempt_for(request.user, attempt_id))
    return submit_payload(attempt)


@router.get("/me/exams", summary="Your exams: open now, upcoming, past")
def me_exams(request: HttpRequest) -> dict[str, Any]:
    require_perm(request.user, TAKE)
    return my_exams(request.user)


@router.get("/me/wrong-answers", summary="Your wrong-answer book")
def me_wrong_answers(request: HttpRequest) -> dict[str, Any]:
    require_perm(request.user, TAKE)
    rows = []
    for w in wrong_answer_book(request.user):
        v = w.question.current_version or w.question
        rows.append(
            {
                "question": {
                    "id": w.question_id,
                    "kind": v.kind,
                    "stem": v.stem,
                    "options": list(v.options or []) if v.kind != "blank" else [],
                    "answer": to_display(v.kind, list(range(len(v.options or []))), v.answer),
                    "explanation": v.explanation,
                },
                "times_wrong": w.times_wrong,
                "last_wrong_at": w.last_wrong_at,
                "mastered": w.mastered,
            }
        )
    return {"open": sum(not r["mastered"] for r in rows), "items": rows}


@router.post(
    "/me/wrong-answers/practice",
    response={200: AttemptOut, 201: AttemptOut},
    exclude_unset=True,
    summary="Practise the wrong-answer book: a practice attempt (201), or the one in progress (200)",
)
def me_practice(request: HttpRequest):
    require_perm(request.user, TAKE)
    attempt, created = practice_from_wrong_answers(user=request.user)
    return Status(201 if created else 200, attempt_payload(attempt))
