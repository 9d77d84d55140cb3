"""Surveys API (/api/v1/surveys…): questionnaires and their questions, surveys (list, create, read, change,
status, delete) and a survey's results.

Reading needs `surveys.view_surveys`, changing `surveys.manage_surveys`, both within the caller's subtree
(objects outside it 404; a questionnaire of a unit above is readable and usable, not changeable → 403). Field
errors answer 422 in the error shape; a frozen questionnaire (answered) 409. Public answers are given on the
public page only (`/public/surveys/<token>/`): there is no public API operation. Complainants' personal
links (`/surveys/{id}/invitations`) are read with view or invite and made with
`surveys.invite_complainants` (or manage)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.core.api.common import require_perm
from xiaobao.core.models import OrgUnit
from xiaobao.surveys import selectors
from xiaobao.surveys import services as svc
from xiaobao.surveys.models import (
    INVITE,
    MANAGE,
    VIEW,
    Invitation,
    Question,
    Questionnaire,
    Survey,
    SurveyTarget,
)
from xiaobao.surveys.results import survey_results

router = Router(tags=["surveys"])
MAX_ID = 2**31 - 1


class SurveyQuestionIn(Schema):
    kind: str = Field(..., description="choice_one, choice_many, scale or text")
    text: str = Field(..., max_length=300)
    help_text: str = Field("", max_length=300)
    required: bool = True
    options: list[str] = Field(default_factory=list, max_length=30, description="For the choice kinds")
    scale_min: int = Field(1, ge=0, le=1, description="Scale from 1 (1–5) or 0 (0–10)")
    scale_max: int = Field(5, ge=3, le=10)
    satisfied_from: int | None = Field(
        None, ge=1, le=10, description="Lowest satisfied answer (default top two)"
    )
    counts_for_satisfaction: bool = False


class QuestionPatch(Schema):
    kind: str | None = None
    text: str | None = Field(None, max_length=300)
    help_text: str | None = Field(None, max_length=300)
    required: bool | None = None
    options: list[str] | None = Field(None, max_length=30)
    scale_min: int | None = Field(None, ge=0, le=1)
    scale_max: int | None = Field(None, ge=3, le=10)
    satisfied_from: int | None = Field(None, ge=1, le=10)
    counts_for_satisfaction: bool | None = None


class SurveyQuestionOut(Schema):
    id: int
    order: int
    kind: str
    text: str
    help_text: str
    required: bool
    options: list[str]
    scale_min: int
    scale_max: int
    satisfied_from: int = Field(..., description="The threshold in force (set or default)")
    counts_for_satisfaction: bool


class QuestionnaireIn(Schema):
    title: str = Field(..., max_length=200)
    intro: str = Field("", max_length=2000)
    org_unit: str = Field("", max_length=32, description="Owning unit's code (default: yours)")
    questions: list[SurveyQuestionIn] = Field(default_factory=list, max_length=60)


class QuestionnairePatch(Schema):
    title: str | None = Field(None, max_length=200)
    intro: str | None = Field(None, max_length=2000)


class QuestionnaireOut(Schema):
    id: int
    title: str
    intro: str
    org_unit: str
    version: int
    copied_from: int | None
    frozen: bool
    questions: list[SurveyQuestionOut]


class SurveyIn(Schema):
    title: str = Field(..., max_length=200)
    questionnaire: int = Field(..., ge=1, le=MAX_ID)
    target: str = Field(..., description="outlet_customers, event_audience, complainants or other")
    org_unit: str = Field("", max_length=32, description="Owning unit's code (default: yours)")
    opens_on: dt.date
    closes_on: dt.date
    activity: int | None = Field(
        None, ge=1, le=MAX_ID, description="Education activity id (an event's audience)"
    )
    one_per_browser: bool = True
    ask_contact: bool = True
    notes: str = Field("", max_length=2000)


class SurveyPatch(Schema):
    title: str | None = Field(None, max_length=200)
    questionnaire: int | None = Field(None, ge=1, le=MAX_ID)
    target: str | None = None
    org_unit: str | None = Field(None, max_length=32)
    opens_on: dt.date | None = None
    closes_on: dt.date | None = None
    activity: int | None = Field(None, ge=1, le=MAX_ID)
    one_per_browser: bool | None = None
    ask_contact: bool | None = None
    notes: str | None = Field(None, max_length=2000)


class SurveyStatusIn(Schema):
    status: str = Field(..., description="draft, open or closed")


class SurveyOut(Schema):
    id: int
    title: str
    questionnaire: int
    target: str
    org_unit: str
    org_unit_name: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    activity: int | None
    one_per_browser: bool
    ask_contact: bool
    notes: str
    public_path: str = Field(..., description="The public page (no login); add ?at=<unit code> per unit")
    responses: int


class SurveyFilter(Schema):
    q: str = Field("", max_length=100)
    status: str = Field("", max_length=10)
    target: str = Field("", max_length=20)
    unit: str = Field("", max_length=32, description="Unit code: surveys of the unit and below it")
    year: int | None = Field(None, ge=2000, le=2100, description="Opening year")


class OptionResultOut(Schema):
    label: str
    count: int
    share: float | None


class QuestionResultOut(Schema):
    id: int
    text: str
    kind: str
    answered: int
    options: list[OptionResultOut] = Field(..., description="Choices, or the scale's values")
    average: float | None
    satisfaction: float | None
    texts: list[str] = Field(..., description="Text answers, newest first (at most 100; masked)")


class UnitResultOut(Schema):
    unit: str
    name: str
    own: bool
    responses: int
    rated: int
    satisfied: int
    satisfaction: float | None


class ResultsOut(Schema):
    survey: int
    unit: str
    responses: int
    rated: int
    satisfied: int
    satisfaction: float | None
    consented: int
    questions: list[QuestionResultOut]
    units: list[UnitResultOut]


class ResultsQuery(Schema):
    unit: str = Field(
        "", max_length=32, description="Unit code inside the survey's subtree (default: the survey's)"
    )


# --- shaping ------------------------------------------------------------------------------------------------


def question_out(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "order": q.order,
        "kind": q.kind,
        "text": q.text,
        "help_text": q.help_text,
        "required": q.required,
        "options": [o.label for o in q.options.all()],
        "scale_min": q.scale_min,
        "scale_max": q.scale_max,
        "satisfied_from": q.threshold,
        "counts_for_satisfaction": q.counts_for_satisfaction,
    }


def questionnaire_out(q: Questionnaire) -> dict[str, Any]:
    return {
        "id": q.pk,
        "title": q.title,
        "intro": q.intro,
        "org_unit": q.org_unit.code,
        "version": q.version,
        "copied_from": q.copied_from_id,
        "frozen": q.is_frozen,
        "questions": [question_out(x) for x in q.questions.prefetch_related("options")],
    }


def survey_out(s: Survey, responses: int | None = None) -> dict[str, Any]:
    from django.urls import reverse

    return {
        "id": s.pk,
        "title": s.title,
        "questionnaire": s.questionnaire_id,
        "target": s.target,
        "org_unit": s.org_unit.code,
        "org_unit_name": s.org_unit.name,
        "opens_on": s.opens_on,
        "closes_on": s.closes_on,
        "status": s.status,
        "activity": s.activity_id,
        "one_per_browser": s.one_per_browser,
        "ask_contact": s.ask_contact,
        "notes": s.notes,
        "public_path": reverse("surveys_public:answer", args=[s.token]),
        "responses": s.responses.count() if responses is None else responses,
    }


def _questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    require_perm(request.user, VIEW)
    found = selectors.questionnaire_detail(request.user, pk)
    if found is None:
        raise Http404
    return found


def _owned_questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    q = _questionnaire(request, pk)
    require_perm(request.user, MANAGE)
    if not Questionnaire.objects.visible_to(request.user).filter(pk=q.pk).exists():
        raise PermissionDenied
    return q


def _question(request: HttpRequest, pk: int) -> Question:
    require_perm(request.user, VIEW)
    found = Question.objects.filter(
        pk=pk, questionnaire__in=Questionnaire.objects.visible_to(request.user)
    ).first()
    if found is None:
        raise Http404
    require_perm(request.user, MANAGE)
    return found


def _survey(request: HttpRequest, pk: int) -> Survey:
    require_perm(request.user, VIEW)
    found = selectors.survey_detail(request.user, pk)
    if found is None:
        raise Http404
    return found


def _unit_code(request: HttpRequest, code: str) -> str:
    return code or (request.user.org_unit.code if request.user.org_unit_id else "")  # type: ignore[union-attr]


# --- questionnaires -----------------------------------------------------------------------------------------


@router.get("/surveys/questionnaires", response=list[QuestionnaireOut], summary="Questionnaires in your view")
@paginate(LimitOffsetPagination)
def questionnaire_list(request: HttpRequest):
    require_perm(request.user, VIEW)
    return [questionnaire_out(q) for q in selectors.questionnaires(request.user)]


@router.post(
    "/surveys/questionnaires", response={201: QuestionnaireOut}, summary="A questionnaire with questions"
)
def questionnaire_create(request: HttpRequest, payload: QuestionnaireIn):
    require_perm(request.user, MANAGE)
    data = payload.dict()
    data["org_unit"] = _unit_code(request, payload.org_unit)
    q = svc.questionnaire_create(actor=request.user, data=data)
    return Status(201, questionnaire_out(q))


@router.get(
    "/surveys/questionnaires/{questionnaire_id}", response=QuestionnaireOut, summary="A questionnaire"
)
def questionnaire_get(request: HttpRequest, questionnaire_id: int):
    return questionnaire_out(_questionnaire(request, questionnaire_id))


@router.patch(
    "/surveys/questionnaires/{questionnaire_id}",
    response=QuestionnaireOut,
    summary="Title, introduction (409 if frozen)",
)
def questionnaire_patch(request: HttpRequest, questionnaire_id: int, payload: QuestionnairePatch):
    q = _owned_questionnaire(request, questionnaire_id)
    q = svc.questionnaire_update(actor=request.user, questionnaire=q, data=payload.dict(exclude_unset=True))
    return questionnaire_out(q)


@router.post(
    "/surveys/questionnaires/{questionnaire_id}/copy",
    response={201: QuestionnaireOut},
    summary="Copy to a new, editable version (in your unit)",
)
def questionnaire_copy(request: HttpRequest, questionnaire_id: int):
    q = _questionnaire(request, questionnaire_id)
    require_perm(request.user, MANAGE)
    mine = getattr(request.user, "org_unit", None)
    copy = svc.questionnaire_copy(actor=request.user, questionnaire=q, org_unit=mine or q.org_unit)
    return Status(201, questionnaire_out(copy))


@router.post(
    "/surveys/questionnaires/{questionnaire_id}/questions",
    response={201: SurveyQuestionOut},
    summary="Add a question at the end (409 if frozen)",
)
def question_create(request: HttpRequest, questionnaire_id: int, payload: SurveyQuestionIn):
    q = _owned_questionnaire(request, questionnaire_id)
    question = svc.question_add(actor=request.user, questionnaire=q, data=payload.dict())
    return Status(201, question_out(question))


@router.patch(
    "/surveys/questions/{question_id}",
    response=SurveyQuestionOut,
    summary="Change a question (409 if frozen)",
)
def question_patch(request: HttpRequest, question_id: int, payload: QuestionPatch):
    question = _question(request, question_id)
    question = svc.question_update(
        actor=request.user, question=question, data=payload.dict(exclude_unset=True)
    )
    return question_out(question)


@router.delete(
    "/surveys/questions/{question_id}", response={204: None}, summary="Delete a question (409 if frozen)"
)
def question_delete(request: HttpRequest, question_id: int):
    svc.question_delete(actor=request.user, question=_question(request, question_id))
    return Status(204, None)


# --- surveys ------------------------------------------------------------------------------------------------


@router.get("/surveys", response=list[SurveyOut], summary="Surveys in your view")
@paginate(LimitOffsetPagination)
def survey_list(request: HttpRequest, filters: Query[SurveyFilter]):
    require_perm(request.user, VIEW)
    data: dict[str, Any] = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    if "unit" in data:
        data["unit"] = OrgUnit.objects.visible_to(request.user).filter(code=data["unit"]).first()
        if data["unit"] is None:
            raise Http404
    qs = selectors.filter_surveys(selectors.surveys(request.user), data)
    return [survey_out(s, s.response_count) for s in qs]  # type: ignore[attr-defined]


@router.post("/surveys", response={201: SurveyOut}, summary="A survey (saved as a draft)")
def survey_create(request: HttpRequest, payload: SurveyIn):
    require_perm(request.user, MANAGE)
    data = payload.dict()
    data["org_unit"] = _unit_code(request, payload.org_unit)
    survey = svc.survey_create(actor=request.user, data=data)
    return Status(201, survey_out(survey, 0))


@router.get("/surveys/{survey_id}", response=SurveyOut, summary="A survey")
def survey_get(request: HttpRequest, survey_id: int):
    return survey_out(_survey(request, survey_id))


@router.patch("/surveys/{survey_id}", response=SurveyOut, summary="Change a survey (the given fields)")
def survey_patch(request: HttpRequest, survey_id: int, payload: SurveyPatch):
    survey = _survey(request, survey_id)
    require_perm(request.user, MANAGE)
    survey = svc.survey_update(actor=request.user, survey=survey, data=payload.dict(exclude_unset=True))
    return survey_out(survey)


@router.post("/surveys/{survey_id}/status", response=SurveyOut, summary="Open, close or put back to draft")
def survey_status(request: HttpRequest, survey_id: int, payload: SurveyStatusIn):
    survey = _survey(request, survey_id)
    require_perm(request.user, MANAGE)
    survey = svc.survey_set_status(actor=request.user, survey=survey, status=payload.status)
    return survey_out(survey)


@router.delete("/surveys/{survey_id}", response={204: None}, summary="Delete a survey without answers")
def survey_delete(request: HttpRequest, survey_id: int):
    survey = _survey(request, survey_id)
    require_perm(request.user, MANAGE)
    svc.survey_delete(actor=request.user, survey=survey)
    return Status(204, None)


@router.get("/surveys/{survey_id}/results", response=ResultsOut, summary="Results per question and per unit")
def survey_results_get(request: HttpRequest, survey_id: int, query: Query[ResultsQuery]):
    survey = _survey(request, survey_id)
    unit = survey.org_unit
    if query.unit:
        found = OrgUnit.objects.visible_to(request.user).filter(code=query.unit).first()
        if found is None or not found.path.startswith(survey.org_unit.path):
            raise Http404
        unit = found
    r = survey_results(survey, unit)
    return {
        "survey": survey.pk,
        "unit": unit.code,
        "responses": r.responses,
        "rated": r.rated,
        "satisfied": r.satisfied,
        "satisfaction": r.satisfaction,
        "consented": r.consented,
        "questions": [
            {
                "id": q.question.pk,
                "text": q.question.text,
                "kind": q.question.kind,
                "answered": q.answered,
                "options": [{"label": o.label, "count": o.count, "share": o.share} for o in q.options],
                "average": q.average,
                "satisfaction": q.satisfaction,
                "texts": q.texts,
            }
            for q in r.questions
        ],
        "units": [
            {
                "unit": u.unit.code,
                "name": u.unit.name,
                "own": u.own,
                "responses": u.responses,
                "rated": u.rated,
                "satisfied": u.satisfied,
                "satisfaction": u.satisfaction,
            }
            for u in r.units
        ],
    }


# --- complainants' personal links ---------------------------------------------------------------------------


class InvitationIn(Schema):
    complaint: str = Field("", max_length=24, description="A complaint reference (its decision notified)")
    decided_from: dt.date | None = Field(None, description="Or every complaint decided since this day")


class InvitationOut(Schema):
    id: int
    complaint: str
    unit: str
    decided_on: dt.date | None
    public_path: str = Field(..., description="The personal link (relative): answered once")
    answered_on: dt.date | None


def invitation_out(inv: Invitation) -> dict[str, Any]:
    path = reverse("surveys_public:answer", args=[inv.survey.token])
    return {
        "id": inv.pk,
        "complaint": inv.complaint.reference,
        "unit": inv.org_unit.code,
        "decided_on": inv.complaint.decided_on,
        "public_path": f"{path}?i={inv.token}",
        "answered_on": inv.answered_on,
    }


def _invitation_survey(request: HttpRequest, pk: int) -> Survey:
    if not (request.user.has_perm(VIEW) or request.user.has_perm(INVITE)):
        raise PermissionDenied
    survey = selectors.survey_for_invitations(request.user, pk)
    if survey is None or survey.target != SurveyTarget.COMPLAINANTS:
        raise Http404
    return survey


@router.get(
    "/surveys/{survey_id}/invitations",
    response=list[InvitationOut],
    summary="Complainants' personal links of a complainants survey",
)
@paginate(LimitOffsetPagination)
def invitation_list(request: HttpRequest, survey_id: int):
    survey = _invitation_survey(request, survey_id)
    qs = Invitation.objects.visible_to(request.user).filter(survey=survey)
    return [invitation_out(i) for i in qs.select_related("complaint", "org_unit", "survey")]


@router.post(
    "/surveys/{survey_id}/invitations",
    response={201: list[InvitationOut]},
    summary="Make personal links for complainants after their decision (idempotent per complaint)",
)
def invitation_create(request: HttpRequest, survey_id: int, payload: InvitationIn):
    survey = _invitation_survey(request, survey_id)
    if not (request.user.has_perm(INVITE) or request.user.has_perm(MANAGE)):
        raise PermissionDenied
    made = svc.invitations_create(
        actor=request.user, survey=survey, reference=payload.complaint, decided_from=payload.decided_from
    )
    return Status(201, [invitation_out(i) for i in made])
