"""The public sign-in page (no login, /public/training/sign-in/<token>/): staff without an account sign in at
a session with their employee number and name, which must both match the staff register of the session's
unit — only while the session's sign-in is open and on its day.

Throttled per address like review's public check (`TRAINING_SIGNIN_PER_MINUTE` attempts a minute; a whole
room behind one address still signs in), and failed attempts are capped per address and per employee number
(`TRAINING_SIGNIN_FAILURES` in ten minutes), so names cannot be guessed number by number. The page shows the
session's title, date, unit and venue, never anybody's data but what the visitor typed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xiaobao.core.errors import DomainError
from xiaobao.core.middleware import request_ip
from xiaobao.training import services as svc
from xiaobao.training.forms import PublicSignInForm

PER_MINUTE = int(getattr(settings, "TRAINING_SIGNIN_PER_MINUTE", 120))
FAILURES = int(getattr(settings, "TRAINING_SIGNIN_FAILURES", 10))
FAILURE_WINDOW = 600  # seconds


def _count(key: str, timeout: int) -> int:
    """Add one to a counter in the cache (shared by the processes when the cache is); the new value."""
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def _keys(request: HttpRequest, employee_no: str = "") -> list[str]:
    window = int(timezone.now().timestamp() // FAILURE_WINDOW)
    keys = [f"training:signin:fail:ip:{request_ip(request) or '-'}:{window}"]
    if employee_no:
        keys.append(f"training:signin:fail:no:{employee_no[:30]}:{window}")
    return keys


def _too_many_attempts(request: HttpRequest) -> bool:
    if PER_MINUTE <= 0:
        return False
    minute = int(timezone.now().timestamp() // 60)
    return _count(f"training:signin:ip:{request_ip(request) or '-'}:{minute}", 90) > PER_MINUTE


def _too_many_failures(request: HttpRequest, employee_no: str) -> bool:
    if FAILURES <= 0:
        return False
    return any(int(cache.get(key) or 0) >= FAILURES for key in _keys(request, employee_no))


def _failed(request: HttpRequest, employee_no: str) -> None:
    for key in _keys(request, employee_no):
        _count(key, FAILURE_WINDOW + 60)


@never_cache
@require_http_methods(["GET", "POST"])
def public_signin(request: HttpRequest, token: str) -> HttpResponse:
    session = svc.session_by_token(token)
    if session is None:
        raise Http404
    form = PublicSignInForm(request.POST or None)
    context = {"s": session, "state": svc.signin_state(session), "form": form, "throttled": False}
    if request.method != "POST":
        return render(request, "training/signin_public.html", context)
    if _too_many_attempts(request):
        context["throttled"] = True
        return render(request, "training/signin_public.html", context, status=429)
    if not form.is_valid():
        return render(request, "training/signin_public.html", context, status=400)
    number = " ".join(form.cleaned_data["employee_no"].split())
    if _too_many_failures(request, number):
        context["throttled"] = True
        return render(request, "training/signin_public.html", context, status=429)
    try:
        row, created = svc.signin_public(session=session, employee_no=number, name=form.cleaned_data["name"])
    except ValidationError as exc:
        _failed(request, number)
        for message in exc.messages:
            form.add_error(None, message)
        return render(request, "training/signin_public.html", context, status=400)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(request, "training/signin_public.html", context, status=exc.status)
    if created:
        messages.success(
            request, _("Signed in: %(name)s, %(hours)s h.") % {"name": row.staff.name, "hours": row.hours}
        )
    else:
        messages.info(request, _("%(name)s was signed in already.") % {"name": row.staff.name})
    return redirect("training_public:signin", token=session.signin_token)
