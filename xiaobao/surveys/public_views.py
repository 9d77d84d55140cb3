"""The public survey page (no login, /public/surveys/<token>/, `?at=<unit code>` for an outlet's own link,
`?i=<invitation token>` for a complainant's personal link): anybody with the link or QR code answers on a
phone. Submission is page-only (no public API operation).

- Anonymous: nothing about the person is asked; a name and a mobile number only after ticking consent, sealed
  in the personal-data vault.
- Throttled per address (`SURVEYS_PUBLIC_PER_MINUTE` submissions a minute, default 60: a room of people at an
  event behind one address still answers).
- Repeats refused without personal data: every rendering of the form carries a signed one-time nonce (valid
  `SURVEYS_NONCE_MAX_AGE` seconds, default a day) stored with the answer — the same form sent twice is
  refused; and the browser gets a random id in a signed, HttpOnly cookie whose keyed hash is stored with the
  answer — the same browser answering again is refused (unless the survey is set for a shared tablet).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xiaobao.core.errors import DomainError
from xiaobao.core.middleware import request_ip
from xiaobao.surveys import selectors
from xiaobao.surveys import services as svc
from xiaobao.surveys.forms import AnswerForm
from xiaobao.surveys.models import Invitation, Response, Survey

PER_MINUTE = int(getattr(settings, "SURVEYS_PUBLIC_PER_MINUTE", 60))
NONCE_MAX_AGE = int(getattr(settings, "SURVEYS_NONCE_MAX_AGE", 86400))
COOKIE = "xb_survey_browser"
COOKIE_AGE = 365 * 86400


def _count(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:
        cache.add(key, 1, timeout=timeout)
        return 1


def _throttled(request: HttpRequest) -> bool:
    if PER_MINUTE <= 0:
        return False
    minute = int(timezone.now().timestamp() // 60)
    return _count(f"surveys:public:ip:{request_ip(request) or '-'}:{minute}", 90) > PER_MINUTE


def _signer(survey: Survey) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"surveys.nonce.{survey.token}")


def new_nonce(survey: Survey) -> str:
    return _signer(survey).sign(secrets.token_urlsafe(16))


def nonce_value(survey: Survey, signed: str) -> str:
    """The nonce of a signed value from this survey's form, or "" when forged or expired."""
    try:
        return _signer(survey).unsign(signed or "", max_age=NONCE_MAX_AGE)
    except signing.BadSignature:
        return ""


def _browser(request: HttpRequest) -> tuple[str, bool]:
    """The browser's random id (from its signed cookie) and whether it is new."""
    value = request.get_signed_cookie(COOKIE, default="", salt="surveys.browser")
    if value and len(value) <= 64:
        return value, False
    return secrets.token_urlsafe(18), True


def _answered(survey: Survey, browser: str) -> bool:
    return (
        survey.one_per_browser
        and Response.objects.filter(survey=survey, browser=svc.browser_hash(browser)).exists()
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    survey = selectors.survey_by_token(token)
    if survey is None:
        raise Http404
    today = timezone.localdate()
    at = request.GET.get("at", "")[:32]
    invitation = None
    if invite := request.GET.get("i", ""):
        invitation = (
            Invitation.objects.filter(survey=survey, token=invite[:32]).select_related("org_unit").first()
        )
        if invitation is None:
            raise Http404
        at = ""
    unit = invitation.org_unit if invitation is not None else svc.response_unit(survey, at)
    browser, new_browser = _browser(request)
    questions = list(survey.questionnaire.questions.prefetch_related("options"))
    form = AnswerForm(request.POST or None, questions=questions, ask_contact=survey.ask_contact)
    context = {
        "s": survey,
        "unit": unit,
        "form": form,
        "accepting": survey.accepting(today),
        "done": request.GET.get("done") == "1",
        "answered": invitation is not None and invitation.answered_on is not None,
        "invitation": invitation,
        "throttled": False,
        "repeat": False,
    }
    status = 200
    if request.method == "POST" and context["accepting"]:
        status = _submit(request, survey, form, browser, at, context, invitation)
        if status == 302:
            if invitation is not None:
                where = f"&i={invitation.token}"
            else:
                where = f"&at={unit.code}" if unit.pk != survey.org_unit_id else ""
            done = redirect(f"{request.path}?done=1{where}")
            _set_cookie(done, browser, new_browser)
            return done
    elif request.method == "POST":
        status = 409
    if not context["done"] and context["accepting"] and not context["repeat"]:
        context["answered"] = context["answered"] or _answered(survey, browser)
        if request.method == "GET":
            form = AnswerForm(
                initial={"nonce": new_nonce(survey)}, questions=questions, ask_contact=survey.ask_contact
            )
            context["form"] = form
    response = render(request, "surveys/public.html", context, status=status)
    _set_cookie(response, browser, new_browser)
    return response


def _submit(
    request: HttpRequest,
    survey: Survey,
    form: AnswerForm,
    browser: str,
    at: str,
    context: dict,
    invitation: Invitation | None = None,
) -> int:
    if _throttled(request):
        context["throttled"] = True
        return 429
    if not form.is_valid():
        return 400
    nonce = nonce_value(survey, form.cleaned_data["nonce"])
    if not nonce:
        form.add_error(None, _("The form has expired: reload the page and answer again."))
        return 400
    try:
        svc.response_submit(
            survey=survey,
            answers=form.answers(),
            nonce=nonce,
            browser=browser,
            unit_code=at,
            consent=bool(form.cleaned_data.get("consent")),
            contact_name=form.cleaned_data.get("contact_name") or "",
            contact_phone=form.cleaned_data.get("contact_phone") or "",
            invitation=invitation,
        )
    except svc.AlreadyAnswered:
        context["repeat"] = True
        return 409
    except DomainError as exc:
        placed = False
        for name, texts in exc.fields.items():
            if name in form.fields:
                for text in texts:
                    form.add_error(name, text)
                    placed = True
        if not placed:
            form.add_error(None, exc.message)
        return exc.status
    return 302


def _set_cookie(response: HttpResponse, browser: str, new: bool) -> None:
    if new:
        response.set_signed_cookie(
            COOKIE,
            browser,
            salt="surveys.browser",
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
            path="/public/surveys/",
        )
