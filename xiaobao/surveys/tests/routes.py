"""Scoping-quartet entries for this module's pages and API operations (see core/tests/route_table.py).

Branch 1 holds (titles marked B1SURVEYMARK), made by branch 1's consumer-protection officer:
- `ctx.surveys_q_free`: a questionnaire without answers (editable) with a scale and a choice question
  (`ctx.surveys_question`, `ctx.surveys_question2`);
- `ctx.surveys_q_answered`: a questionnaire answered through `ctx.surveys_survey` (frozen);
- `ctx.surveys_survey`: an open survey of the branch (today ± 10 days) with one answer;
- `ctx.surveys_draft`: a draft survey without answers on the free questionnaire (it can be deleted);
- `ctx.surveys_complainants`: an open complainants survey with a personal link for `ctx.complaint`.
The public page is `surveys_public:answer` (PUBLIC_PAGES); its own tests prove what it shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1SURVEYMARK"
POWER_PERMS = ["surveys.view_surveys", "surveys.manage_surveys", "surveys.invite_complainants"]
PUBLIC_PAGES = {"surveys_public:answer"}
PUBLIC_API: set[str] = set()

QUESTIONS = [
    {"kind": "scale", "text": "整体满意度", "counts_for_satisfaction": True},
    {"kind": "choice_one", "text": "是否说明收费", "options": ["是", "否"]},
]


def setup(ctx: Any) -> None:
    from conftest import make_user
    from xiaobao.core.clock import localdate
    from xiaobao.surveys import services as svc

    officer = make_user("b1_sv_officer", ctx.org.b1, ["branch_cp_officer"])
    today = localdate()
    ctx.surveys_q_free = svc.questionnaire_create(
        actor=officer, data={"title": f"{MARK} 问卷", "org_unit": ctx.org.b1.code, "questions": QUESTIONS}
    )
    ctx.surveys_question, ctx.surveys_question2 = list(ctx.surveys_q_free.questions.all())
    ctx.surveys_q_answered = svc.questionnaire_create(
        actor=officer, data={"title": f"{MARK} 已答问卷", "org_unit": ctx.org.b1.code, "questions": QUESTIONS}
    )
    common = {
        "target": "outlet_customers",
        "org_unit": ctx.org.b1.code,
        "opens_on": today - dt.timedelta(days=10),
        "closes_on": today + dt.timedelta(days=10),
    }
    ctx.surveys_survey = svc.survey_create(
        actor=officer,
        data={**common, "title": f"{MARK} 满意度调查", "questionnaire": ctx.surveys_q_answered.pk},
    )
    svc.survey_set_status(actor=officer, survey=ctx.surveys_survey, status="open")
    scale, choice = list(ctx.surveys_q_answered.questions.all())
    svc.response_submit(
        survey=ctx.surveys_survey,
        answers={scale.pk: 5, choice.pk: choice.options.first().pk},
        nonce="routes-nonce",
        unit_code=ctx.org.b1o.code,
    )
    ctx.surveys_draft = svc.survey_create(
        actor=officer, data={**common, "title": f"{MARK} 草稿", "questionnaire": ctx.surveys_q_free.pk}
    )
    ctx.surveys_complainants = svc.survey_create(
        actor=officer,
        data={
            **common,
            "target": "complainants",
            "title": f"{MARK} 投诉回访",
            "questionnaire": ctx.surveys_q_answered.pk,
        },
    )
    svc.survey_set_status(actor=officer, survey=ctx.surveys_complainants, status="open")
    from xiaobao.surveys.models import Invitation

    Invitation.objects.create(
        survey=ctx.surveys_complainants,
        complaint=ctx.complaint,
        org_unit=ctx.complaint.org_unit,
        created_by=officer,
    )


def _survey(c: Any) -> dict[str, Any]:
    return {"pk": c.surveys_survey.pk}


def _dates() -> dict[str, str]:
    from xiaobao.core.clock import localdate

    today = localdate()
    return {"opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=30)).isoformat()}


PAGE_ROUTES: list[Route] = [
    Route("surveys:home", "get", kind="global"),
    Route("surveys:surveys", "get", kind="list", marker=lambda c: c.surveys_survey.title),
    Route("surveys:create", "get", kind="global"),
    Route(
        "surveys:create",
        "post",
        kind="global",
        ok=(302,),
        data=lambda c: {
            "title": "新调查",
            "questionnaire": c.surveys_q_free.pk,
            "target": "outlet_customers",
            "org_unit": c.org.b1.code,
            **_dates(),
        },
    ),
    Route("surveys:detail", "get", _survey),
    Route("surveys:detail", "get", lambda c: {"pk": c.surveys_draft.pk}),
    Route("surveys:edit", "get", _survey),
    Route("surveys:status", "post", _survey, lambda c: {"status": "closed"}, ok=(302,)),
    Route("surveys:delete", "post", lambda c: {"pk": c.surveys_draft.pk}, ok=(302,)),
    Route("surveys:poster", "get", _survey),
    Route("surveys:invitations", "get", lambda c: {"pk": c.surveys_complainants.pk}),
    Route(
        "surveys:invitations",
        "post",
        lambda c: {"pk": c.surveys_complainants.pk},
        lambda c: {"decided_from": _dates()["opens_on"]},
        ok=(302,),
    ),
    Route("surveys:results", "get", _survey),
    Route("surveys:results_export", "get", _survey),
    Route("surveys:questionnaires", "get", kind="list", marker=lambda c: c.surveys_q_free.title),
    Route("surveys:questionnaire_create", "get", kind="global"),
    Route("surveys:questionnaire", "get", lambda c: {"pk": c.surveys_q_free.pk}),
    Route("surveys:questionnaire", "get", lambda c: {"pk": c.surveys_q_answered.pk}),
    Route("surveys:questionnaire_copy", "post", lambda c: {"pk": c.surveys_q_answered.pk}, ok=(302,)),
    Route("surveys:question_edit", "get", lambda c: {"pk": c.surveys_question.pk}),
    Route("surveys:question_delete", "post", lambda c: {"pk": c.surveys_question2.pk}, ok=(302,)),
    Route(
        "surveys:question_move",
        "post",
        lambda c: {"pk": c.surveys_question2.pk},
        lambda c: {"dir": "up"},
        ok=(302,),
    ),
]

API_ROUTES: list[Route] = [
    Route("GET /api/v1/surveys/questionnaires", "get", kind="list", marker=lambda c: c.surveys_q_free.title),
    Route(
        "POST /api/v1/surveys/questionnaires",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"title": "API 问卷", "org_unit": c.org.b1.code, "questions": QUESTIONS},
    ),
    Route(
        "GET /api/v1/surveys/questionnaires/{questionnaire_id}",
        "get",
        lambda c: {"questionnaire_id": c.surveys_q_free.pk},
    ),
    Route(
        "PATCH /api/v1/surveys/questionnaires/{questionnaire_id}",
        "patch",
        lambda c: {"questionnaire_id": c.surveys_q_free.pk},
        lambda c: {"intro": "请如实填写"},
    ),
    Route(
        "POST /api/v1/surveys/questionnaires/{questionnaire_id}/copy",
        "post",
        lambda c: {"questionnaire_id": c.surveys_q_answered.pk},
        ok=(201,),
    ),
    Route(
        "POST /api/v1/surveys/questionnaires/{questionnaire_id}/questions",
        "post",
        lambda c: {"questionnaire_id": c.surveys_q_free.pk},
        lambda c: {"kind": "text", "text": "其他建议", "required": False},
        ok=(201,),
    ),
    Route(
        "PATCH /api/v1/surveys/questions/{question_id}",
        "patch",
        lambda c: {"question_id": c.surveys_question.pk},
        lambda c: {"text": "您对本次服务的整体满意度"},
    ),
    Route(
        "DELETE /api/v1/surveys/questions/{question_id}",
        "delete",
        lambda c: {"question_id": c.surveys_question2.pk},
        ok=(204,),
    ),
    Route("GET /api/v1/surveys", "get", kind="list", marker=lambda c: c.surveys_survey.title),
    Route(
        "POST /api/v1/surveys",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "title": "API 调查",
            "questionnaire": c.surveys_q_free.pk,
            "target": "complainants",
            "org_unit": c.org.b1.code,
            **_dates(),
        },
    ),
    Route("GET /api/v1/surveys/{survey_id}", "get", lambda c: {"survey_id": c.surveys_survey.pk}),
    Route(
        "PATCH /api/v1/surveys/{survey_id}",
        "patch",
        lambda c: {"survey_id": c.surveys_survey.pk},
        lambda c: {"notes": "柜台放置二维码"},
    ),
    Route(
        "POST /api/v1/surveys/{survey_id}/status",
        "post",
        lambda c: {"survey_id": c.surveys_survey.pk},
        lambda c: {"status": "closed"},
    ),
    Route(
        "DELETE /api/v1/surveys/{survey_id}", "delete", lambda c: {"survey_id": c.surveys_draft.pk}, ok=(204,)
    ),
    Route("GET /api/v1/surveys/{survey_id}/results", "get", lambda c: {"survey_id": c.surveys_survey.pk}),
    Route(
        "GET /api/v1/surveys/{survey_id}/invitations",
        "get",
        lambda c: {"survey_id": c.surveys_complainants.pk},
    ),
    Route(
        "POST /api/v1/surveys/{survey_id}/invitations",
        "post",
        lambda c: {"survey_id": c.surveys_complainants.pk},
        lambda c: {"decided_from": _dates()["opens_on"]},
        ok=(201,),
    ),
]
