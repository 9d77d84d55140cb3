"""Survey pages for staff: the home page, surveys (list, new, detail with the public link and QR codes,
edit, open/close, results and their Excel export, a printable poster) and questionnaires (list, new, detail
with its questions, copy). Reading needs `surveys.view_surveys`, changing `surveys.manage_surveys`, both
within the user's subtree (invisible → 404, not allowed → 403)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.surveys import selectors
from xiaobao.surveys import services as svc
from xiaobao.surveys.forms import (
    InvitationForm,
    QuestionForm,
    QuestionnaireForm,
    SurveyFilter,
    SurveyForm,
)
from xiaobao.surveys.models import (
    INVITE,
    MANAGE,
    VIEW,
    Invitation,
    Question,
    Questionnaire,
    Survey,
    SurveyStatus,
    SurveyTarget,
)
from xiaobao.surveys.results import results_workbook, survey_results

LIST_PAGE = 50


def _need(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _survey(request: HttpRequest, pk: int) -> Survey:
    _need(request, VIEW)
    survey = selectors.survey_detail(request.user, pk)
    if survey is None:
        raise Http404
    return survey


def _questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    _need(request, VIEW)
    found = selectors.questionnaire_detail(request.user, pk)
    if found is None:
        raise Http404
    return found


def _apply_errors(form: Any, exc: DomainError) -> None:
    placed = False
    for name, texts in exc.fields.items():
        key = name if name in form.fields else None
        for text in texts:
            form.add_error(key, text)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def qr_svg(url: str, *, scale: int = 6) -> str:
    """The QR code of `url` as inline SVG (segno, made here: no outside service)."""
    return str(
        segno.make(url, error="m", micro=False).svg_inline(scale=scale, border=2, title=url, omitsize=True)
    )


def public_url(request: HttpRequest, survey: Survey, unit: OrgUnit | None = None) -> str:
    url = request.build_absolute_uri(reverse("surveys_public:answer", args=[survey.token]))
    if unit is not None and unit.pk != survey.org_unit_id:
        url += f"?at={unit.code}"
    return url


# --- home and lists -----------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _need(request, VIEW)
    from xiaobao.analytics.periods import Period
    from xiaobao.surveys.figures import compute

    today = localdate()
    unit = selectors.root_unit(request.user)
    year = compute(user=request.user, unit=unit, period=Period.year(today.year)) if unit else None
    context = {
        "today": today,
        "unit": unit,
        "year": year,
        "open": list(selectors.open_surveys(request.user, today)[:10]),
        "recent": list(selectors.surveys(request.user)[:10]),
        "questionnaires": list(selectors.questionnaires(request.user)[:8]),
        "can_manage": request.user.has_perm(MANAGE),
    }
    return render(request, "surveys/home.html", context)


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    _need(request, VIEW)
    form = SurveyFilter(request.GET or None)
    qs = selectors.surveys(request.user)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("unit"):
            data["unit"] = OrgUnit.objects.visible_to(request.user).filter(code=data["unit"]).first()
            if data["unit"] is None:
                raise Http404
        qs = selectors.filter_surveys(qs, data)
    rows = list(qs[: LIST_PAGE + 1])
    return render(
        request,
        "surveys/list.html",
        {
            "form": form,
            "rows": rows[:LIST_PAGE],
            "more": len(rows) > LIST_PAGE,
            "can_manage": request.user.has_perm(MANAGE),
        },
    )


# --- surveys ------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    _need(request, MANAGE)
    initial: dict[str, Any] = {"opens_on": localdate(), "closes_on": localdate().replace(day=28)}
    if request.user.org_unit_id:  # type: ignore[union-attr]
        initial["org_unit"] = request.user.org_unit.code  # type: ignore[union-attr]
    if request.GET.get("questionnaire", "").isdigit():
        initial["questionnaire"] = int(request.GET["questionnaire"])
    form = SurveyForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey = svc.survey_create(actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Survey saved as a draft. Open it to accept answers."))
            return redirect("surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "survey": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    _need(request, MANAGE)
    initial = {
        "title": survey.title,
        "questionnaire": survey.questionnaire_id,
        "target": survey.target,
        "org_unit": survey.org_unit.code,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
        "activity": survey.activity_id,
        "one_per_browser": survey.one_per_browser,
        "ask_contact": survey.ask_contact,
        "notes": survey.notes,
    }
    form = SurveyForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.survey_update(actor=request.user, survey=survey, data=form.cleaned_data)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "survey": survey},
        status=400 if form.errors else 200,
    )


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    url = public_url(request, survey)
    today = localdate()
    units = selectors.outlets_for_links(survey)
    context = {
        "s": survey,
        "url": url,
        "qr": qr_svg(url),
        "units": [(u, public_url(request, survey, u)) for u in units],
        "accepting": survey.accepting(today),
        "today": today,
        "responses": survey.responses.count(),
        "questions": list(survey.questionnaire.questions.prefetch_related("options")),
        "can_manage": request.user.has_perm(MANAGE),
        "statuses": SurveyStatus,
    }
    return render(request, "surveys/detail.html", context)


@login_required
def survey_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A4 page with the QR code (of the survey, or of one unit's link with `?at=`)."""
    survey = _survey(request, pk)
    unit = None
    if code := request.GET.get("at", ""):
        unit = OrgUnit.objects.filter(code=code[:32]).first()
        if unit is None or not unit.path.startswith(survey.org_unit.path):
            raise Http404
    url = public_url(request, survey, unit)
    return render(
        request,
        "surveys/poster.html",
        {"s": survey, "unit": unit or survey.org_unit, "url": url, "qr": qr_svg(url, scale=10)},
    )


@login_required
@require_POST
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    _need(request, MANAGE)
    try:
        svc.survey_set_status(actor=request.user, survey=survey, status=request.POST.get("status", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:detail", pk=survey.pk)
    messages.success(request, _("Survey status changed."))
    return redirect("surveys:detail", pk=survey.pk)


@login_required
@require_POST
def survey_delete(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    _need(request, MANAGE)
    try:
        svc.survey_delete(actor=request.user, survey=survey)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:detail", pk=survey.pk)
    messages.success(request, _("Survey deleted."))
    return redirect("surveys:surveys")


def invitation_url(request: HttpRequest, invitation: Invitation) -> str:
    url = reverse("surveys_public:answer", args=[invitation.survey.token])
    return request.build_absolute_uri(f"{url}?i={invitation.token}")


def invitation_message(survey: Survey, invitation: Invitation, url: str) -> str:
    """The text the complaint desk sends (SMS or message) with the personal link."""
    from xiaobao.reports.builders import institution_name

    return _(
        "%(bank)s: your complaint %(ref)s has been decided. Please tell us how satisfied you are with how it "
        "was handled (anonymous, about 1 minute, by %(until)s): %(url)s"
    ) % {
        "bank": institution_name(),
        "ref": invitation.complaint.reference,
        "until": survey.closes_on.strftime("%Y-%m-%d"),
        "url": url,
    }


INVITATIONS_SHOWN = 200


@login_required
@require_http_methods(["GET", "POST"])
def survey_invitations(request: HttpRequest, pk: int) -> HttpResponse:
    """Complainants' personal links of a complainants survey: the complaint desk adds a decided complaint
    (or all decided since a day) and sends each person their link with the message shown."""
    if not (request.user.has_perm(VIEW) or request.user.has_perm(INVITE)):
        raise PermissionDenied
    survey = selectors.survey_for_invitations(request.user, pk)
    if survey is None:
        raise Http404
    if survey.target != SurveyTarget.COMPLAINANTS:
        raise Http404
    can_invite = request.user.has_perm(INVITE) or request.user.has_perm(MANAGE)
    form = InvitationForm(request.POST or None)
    made: list[Invitation] = []
    if request.method == "POST":
        if not can_invite:
            raise PermissionDenied
        if form.is_valid():
            try:
                made = svc.invitations_create(
                    actor=request.user,
                    survey=survey,
                    reference=form.cleaned_data.get("reference") or "",
                    decided_from=form.cleaned_data.get("decided_from"),
                )
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("%(n)s personal links ready to send.") % {"n": len(made)})
                return redirect("surveys:invitations", pk=survey.pk)
    qs = Invitation.objects.visible_to(request.user).filter(survey=survey)
    rows = [
        (inv, url, invitation_message(survey, inv, url))
        for inv in qs.select_related("complaint", "org_unit", "survey")[:INVITATIONS_SHOWN]
        for url in [invitation_url(request, inv)]
    ]
    counts = qs.aggregate(total=Count("pk"), answered=Count("pk", filter=Q(answered_on__isnull=False)))
    return render(
        request,
        "surveys/invitations.html",
        {
            "s": survey,
            "form": form,
            "rows": rows,
            "counts": counts,
            "more": counts["total"] > INVITATIONS_SHOWN,
            "can_invite": can_invite and survey.status != SurveyStatus.CLOSED,
        },
        status=400 if form.errors else 200,
    )


def _results_unit(request: HttpRequest, survey: Survey) -> OrgUnit:
    code = request.GET.get("unit", "")
    if not code:
        return survey.org_unit
    unit = OrgUnit.objects.visible_to(request.user).filter(code=code[:32]).first()
    if unit is None or not unit.path.startswith(survey.org_unit.path):
        raise Http404
    return unit


@login_required
def survey_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    unit = _results_unit(request, survey)
    results = survey_results(survey, unit)
    trail = [u for u in unit.ancestors() if u.path.startswith(survey.org_unit.path)] + [unit]
    return render(request, "surveys/results.html", {"s": survey, "r": results, "unit": unit, "trail": trail})


@login_required
def survey_results_export(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    unit = _results_unit(request, survey)
    results = survey_results(survey, unit, all_texts=True)
    contacts = [
        (r.submitted_at.strftime("%Y-%m-%d %H:%M"), str(r.contact_name), str(r.contact_phone))
        for r in survey.responses.filter(consent=True, org_unit__path__startswith=unit.path).order_by(
            "-submitted_at"
        )[:5000]
    ]
    audit_record(
        actor=request.user, action=AuditAction.EXPORT, obj=survey, changes={"unit": [None, unit.code]}
    )
    return xlsx_file_response(
        f"survey-{survey.pk}-results.xlsx", results_workbook(results, contacts=contacts)
    )


# --- questionnaires -----------------------------------------------------------------------------------------


@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    _need(request, VIEW)
    rows = list(selectors.questionnaires(request.user)[:200])
    return render(
        request, "surveys/questionnaires.html", {"rows": rows, "can_manage": request.user.has_perm(MANAGE)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    _need(request, MANAGE)
    initial = {"org_unit": request.user.org_unit.code} if request.user.org_unit_id else {}  # type: ignore[union-attr]
    form = QuestionnaireForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            q = svc.questionnaire_create(actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Questionnaire saved. Add its questions."))
            return redirect("surveys:questionnaire", pk=q.pk)
    return render(
        request, "surveys/questionnaire_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The questions; a manager adds one (POST) while the questionnaire is not frozen."""
    q = _questionnaire(request, pk)
    editable = (
        request.user.has_perm(MANAGE) and q in selectors.questionnaires(request.user) and not q.is_frozen
    )
    form = QuestionForm(request.POST or None, initial={"required": True, "scale_max": 5})
    if request.method == "POST":
        _need(request, MANAGE)
        if not Questionnaire.objects.visible_to(request.user).filter(pk=q.pk).exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                svc.question_add(actor=request.user, questionnaire=q, data=form.service_data())
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Question added."))
                return redirect("surveys:questionnaire", pk=q.pk)
    context = {
        "q": q,
        "questions": list(q.questions.prefetch_related("options")),
        "form": form,
        "editable": editable,
        "frozen": q.is_frozen,
        "surveys": list(selectors.surveys(request.user).filter(questionnaire=q)[:20]),
        "can_manage": request.user.has_perm(MANAGE),
    }
    return render(request, "surveys/questionnaire.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def questionnaire_copy(request: HttpRequest, pk: int) -> HttpResponse:
    q = _questionnaire(request, pk)
    _need(request, MANAGE)
    mine = getattr(request.user, "org_unit", None)
    copy = svc.questionnaire_copy(actor=request.user, questionnaire=q, org_unit=mine or q.org_unit)
    messages.success(request, _("A new version was made; change its questions here."))
    return redirect("surveys:questionnaire", pk=copy.pk)


def _question(request: HttpRequest, pk: int) -> Question:
    _need(request, VIEW)
    question = (
        Question.objects.filter(pk=pk, questionnaire__in=Questionnaire.objects.visible_to(request.user))
        .select_related("questionnaire__org_unit")
        .first()
    )
    if question is None:
        raise Http404
    return question


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    _need(request, MANAGE)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            svc.question_update(actor=request.user, question=question, data=form.service_data())
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("surveys:questionnaire", pk=question.questionnaire_id)
    return render(
        request,
        "surveys/question_form.html",
        {"form": form, "question": question, "frozen": question.questionnaire.is_frozen},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    _need(request, MANAGE)
    try:
        svc.question_delete(actor=request.user, question=question)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Question deleted."))
    return redirect("surveys:questionnaire", pk=question.questionnaire_id)


@login_required
@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    _need(request, MANAGE)
    try:
        svc.question_move(
            actor=request.user, question=question, step=-1 if request.POST.get("dir") == "up" else 1
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("surveys:questionnaire", pk=question.questionnaire_id)
