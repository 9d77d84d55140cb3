"""Question bank API: /api/v1/questions (list with filters, one question with its versions, create, change)
and /api/v1/question-tags (list, create, a regulation revised → its questions flagged for review).

`POST /api/v1/questions` {"kind": "single"|"multiple"|"true_false"|"blank", "stem", "options": ["..."],
"answer": [option indexes] | "text", "explanation", "tags": [names], "difficulty": 1-5} → 201 {"id"}.
Reading needs `exams.view_exams`, writing `exams.manage_questions`; a question of another branch is a 404,
one of a unit above the user's (shared with it) can be read but not changed (403)."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError
from xiaobao.core.models import OrgUnit
from xiaobao.exams.forms_questions import QuestionFilter
from xiaobao.exams.models import MANAGE_QUESTIONS, VIEW, Question, Tag
from xiaobao.exams.questions import (
    question_create,
    question_list,
    question_update,
    regulation_revised,
    tag_create,
    tag_list,
    version_usage,
)

router = Router(tags=["exams"])


class QuestionIn(Schema):
    kind: str = Field(..., description="single, multiple, true_false or blank")
    stem: str = Field(..., description="The question")
    options: list[str] = Field(
        default_factory=list,
        description="2-8 options for single and multiple; true_false defaults to 正确, 错误; none for blank",
    )
    answer: list[int] | str = Field(
        ...,
        description="Indexes of the correct options (0 = the first), or the text of a blank (a|b: either)",
    )
    explanation: str = ""
    tags: list[str] = Field(default_factory=list, description="Tag names; an unknown name makes a topic tag")
    difficulty: int = Field(3, description="1 (easy) to 5 (hard)")
    org_unit: str | None = Field(
        None,
        max_length=32,
        description="Code of the unit whose question it is (default: yours; head office: all)",
    )


class QuestionChangeIn(Schema):
    kind: str | None = None
    stem: str | None = None
    options: list[str] | None = None
    answer: list[int] | str | None = None
    explanation: str | None = None
    tags: list[str] | None = Field(None, description="The full list of tag names (left out: unchanged)")
    difficulty: int | None = None
    active: bool | None = Field(None, description="false: retired, not drawn for new exams")
    reviewed: bool | None = Field(None, description="true: checked against the regulation, flag cleared")


class QuestionCreatedOut(Schema):
    id: int


class QuestionTagOut(Schema):
    id: int
    kind: str
    name: str
    regulation: str
    article: str
    revised_on: dt.date | None
    questions: int | None = Field(None, description="Questions with the tag in your view")


class QuestionOut(Schema):
    id: int
    kind: str
    stem: str
    options: list[str]
    answer: list[int] | str
    explanation: str
    difficulty: int
    tags: list[str]
    org_unit: str
    active: bool
    needs_review: bool
    review_reason: str
    reviewed_on: dt.date | None
    version: int | None = Field(..., description="Number of the current version")


class QuestionVersionOut(Schema):
    number: int
    kind: str
    stem: str
    options: list[str]
    answer: list[int] | str
    explanation: str
    difficulty: int
    created_at: dt.datetime
    used: int = Field(..., description="Attempt items that showed this version")
    current: bool


class QuestionDetailOut(QuestionOut):
    versions: list[QuestionVersionOut]
    may_edit: bool


class QuestionListFilter(Schema):
    q: str = Field("", max_length=100, description="Text in the question")
    kind: str = ""
    tag: str = Field("", max_length=100, description="Tag id or name")
    difficulty: int | None = None
    needs_review: bool | None = None
    active: bool | None = None
    unit: str = Field("", max_length=32, description="Unit code: the unit and every unit below it")


class QuestionTagIn(Schema):
    kind: str = Field("topic", description="topic or regulation")
    name: str = Field("", description="Topic name; a regulation tag's name defaults to regulation + article")
    regulation: str = ""
    article: str = ""


class RegulationRevisedIn(Schema):
    on: dt.date = Field(..., description="The day the regulation was revised")
    whole_regulation: bool = Field(False, description="Flag the questions of every article of the regulation")


class RegulationRevisedOut(Schema):
    flagged: int


def question_out(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "kind": q.kind,
        "stem": q.stem,
        "options": q.options or [],
        "answer": q.answer,
        "explanation": q.explanation,
        "difficulty": q.difficulty,
        "tags": [t.name for t in q.tags.all()],
        "org_unit": q.org_unit.code,
        "active": q.active,
        "needs_review": q.needs_review,
        "review_reason": q.review_reason,
        "reviewed_on": q.reviewed_on,
        "version": q.current_version.number if q.current_version_id and q.current_version else None,
    }


def detail_out(user: Any, q: Question) -> dict[str, Any]:
    from xiaobao.exams.questions import can_manage

    used = version_usage(q)
    versions = [
        {
            "number": v.number,
            "kind": v.kind,
            "stem": v.stem,
            "options": v.options or [],
            "answer": v.answer,
            "explanation": v.explanation,
            "difficulty": v.difficulty,
            "created_at": v.created_at,
            "used": used.get(v.pk, 0),
            "current": v.pk == q.current_version_id,
        }
        for v in q.versions.all()
    ]
    return {**question_out(q), "versions": versions, "may_edit": can_manage(user, q)}


def _visible(request: HttpRequest, question_id: int) -> Question:
    require_perm(request.user, VIEW)
    qs = Question.objects.visible_to(request.user).select_related("org_unit", "current_version")
    return get_visible(qs.prefetch_related("tags"), pk=question_id)


@router.get("/questions", response=list[QuestionOut], summary="The question bank in your view")
@paginate(LimitOffsetPagination)
def questions(request: HttpRequest, filters: Query[QuestionListFilter]):
    require_perm(request.user, VIEW)
    data = filters.dict()
    for key in ("needs_review", "active"):
        if data.get(key) is not None:
            data[key] = "yes" if data[key] else "no"
    form = QuestionFilter({k: v for k, v in data.items() if v not in (None, "")}, user=request.user)
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return [question_out(q) for q in question_list(user=request.user, filters=form.cleaned_data)]


@router.get(
    "/questions/{question_id}", response=QuestionDetailOut, summary="A question with its key and versions"
)
def question_get(request: HttpRequest, question_id: int):
    return detail_out(request.user, _visible(request, question_id))


@router.post("/questions", response={201: QuestionCreatedOut}, summary="A new question (version 1)")
def question_post(request: HttpRequest, payload: QuestionIn):
    require_perm(request.user, MANAGE_QUESTIONS)
    data = payload.dict()
    code = data.pop("org_unit", None)
    unit = None
    if code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise DomainError(_("Unknown unit."), fields={"org_unit": [_("Unknown unit code.")]})
    question = question_create(actor=request.user, data=data, unit=unit)
    return Status(201, {"id": question.pk})


@router.put(
    "/questions/{question_id}",
    response=QuestionDetailOut,
    summary="Change a question; a version an attempt used is kept and a new version made",
)
def question_put(request: HttpRequest, question_id: int, payload: QuestionChangeIn):
    require_perm(request.user, MANAGE_QUESTIONS)
    question = _visible(request, question_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    question_update(actor=request.user, question=question, data=data)
    return detail_out(request.user, _visible(request, question_id))


@router.get(
    "/question-tags", response=list[QuestionTagOut], summary="Topics and regulations tagging the questions"
)
def question_tags(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [_tag_out(t) for t in tag_list(user=request.user)]


@router.post("/question-tags", response={201: QuestionTagOut}, summary="A topic or regulation tag")
def question_tag_post(request: HttpRequest, payload: QuestionTagIn):
    require_perm(request.user, MANAGE_QUESTIONS)
    tag = tag_create(actor=request.user, data=payload.dict())
    return Status(201, _tag_out(tag))


@router.post(
    "/question-tags/{tag_id}/revised",
    response=RegulationRevisedOut,
    summary="The regulation was revised: flag its questions not reviewed since for review",
)
def question_tag_revised(request: HttpRequest, tag_id: int, payload: RegulationRevisedIn):
    require_perm(request.user, MANAGE_QUESTIONS)
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is None:
        raise Http404
    flagged = regulation_revised(
        tag, on=payload.on, actor=request.user, whole_regulation=payload.whole_regulation
    )
    return {"flagged": flagged}


def _tag_out(tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.pk,
        "kind": tag.kind,
        "name": tag.name,
        "regulation": tag.regulation,
        "article": tag.article,
        "revised_on": tag.revised_on,
        "questions": getattr(tag, "n_questions", None),
    }
