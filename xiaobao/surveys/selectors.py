"""Surveys' read side: lists and details for the acting user, each starting from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import scope_q, subtree_q, user_scope
from xiaobao.surveys.models import INVITE, VIEW, Questionnaire, Survey, SurveyStatus


def root_unit(user: Any) -> OrgUnit | None:
    """The top of the user's view."""
    return OrgUnit.objects.visible_to(user).order_by("path").first()


def questionnaires(user: Any) -> QuerySet[Questionnaire]:
    return (
        Questionnaire.objects.visible_to(user)
        .select_related("org_unit", "copied_from")
        .annotate(
            question_count=Count("questions", distinct=True), survey_count=Count("surveys", distinct=True)
        )
        .order_by("-created_at", "-pk")
    )


def questionnaires_usable(user: Any) -> QuerySet[Questionnaire]:
    """Questionnaires a survey of the user may use: their subtree's and those of the units above them and of
    those units' departments (a branch runs the standard questionnaire head office's consumer-protection
    department keeps)."""
    visible = Questionnaire.objects.visible_to(user)
    scope = user_scope(user)
    if scope is None or isinstance(scope, str) or not user.has_perm("surveys.view_surveys"):
        return visible
    above = scope.ancestors().values("pk")
    return Questionnaire.objects.filter(
        Q(pk__in=visible.values("pk"))
        | Q(org_unit__in=above)
        | Q(org_unit__kind="department", org_unit__parent__in=above)
    ).select_related("org_unit")


def questionnaire_detail(user: Any, pk: int) -> Questionnaire | None:
    return questionnaires_usable(user).filter(pk=pk).select_related("org_unit", "created_by").first()


def surveys(user: Any) -> QuerySet[Survey]:
    return (
        Survey.objects.visible_to(user)
        .select_related("org_unit", "questionnaire")
        .annotate(response_count=Count("responses"))
        .order_by("-opens_on", "-pk")
    )


def filter_surveys(qs: QuerySet[Survey], data: dict[str, Any]) -> QuerySet[Survey]:
    """The list's filters (page and API): text, status, target, unit (with the units below), open on a day."""
    if text := (data.get("q") or "").strip():
        qs = qs.filter(title__icontains=text[:100])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("target"):
        qs = qs.filter(target=data["target"])
    unit = data.get("unit")
    if isinstance(unit, OrgUnit):
        qs = qs.filter(subtree_q(unit.path, "org_unit__path"))
    if isinstance(data.get("year"), int):
        qs = qs.filter(opens_on__year=data["year"])
    return qs


def survey_detail(user: Any, pk: int) -> Survey | None:
    return (
        Survey.objects.visible_to(user)
        .select_related("org_unit", "questionnaire", "activity", "created_by")
        .filter(pk=pk)
        .first()
    )


def survey_by_token(token: str) -> Survey | None:
    """The survey of a public link (any status: the page says when it is not open)."""
    if not token or len(token) > 32:
        return None
    return Survey.objects.select_related("org_unit", "questionnaire").filter(token=token).first()


def open_surveys(user: Any, today: dt.date) -> QuerySet[Survey]:
    return surveys(user).filter(status=SurveyStatus.OPEN, opens_on__lte=today, closes_on__gte=today)


def outlets_for_links(survey: Survey) -> list[OrgUnit]:
    """The active units below the survey's unit that get a per-unit link (outlets and sub-branches)."""
    return list(
        OrgUnit.objects.filter(subtree_q(survey.org_unit.path), is_active=True)
        .exclude(pk=survey.org_unit_id)
        .order_by("path")[:200]
    )


def survey_for_invitations(user: Any, pk: int) -> Survey | None:
    """A survey of the user's subtree for those who view surveys or send complainants their links."""
    if not (user.has_perm(VIEW) or user.has_perm(INVITE)):
        return None
    q = scope_q(user, "org_unit__path")
    qs = Survey.objects.select_related("org_unit", "questionnaire").filter(pk=pk)
    return (qs if q is None else qs.filter(q)).first()
