"""Login (with throttling and optional TOTP), logout, and the user's own account page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.forms import ApiTokenForm, LoginForm, TwoFactorDisableForm, TwoFactorForm
from xiaobao.core.http import AuthedRequest
from xiaobao.core.middleware import request_ip
from xiaobao.core.models import ApiToken, User
from xiaobao.core.services import accounts as svc
from xiaobao.core.views.common import add_service_errors

PENDING_2FA = "_xb_pending_2fa_user"
PENDING_2FA_BACKEND = "_xb_pending_2fa_backend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if svc.login_is_locked(username=username, ip=request_ip(request)):
            form.add_error(
                None,
                _("Too many failed attempts. Try again in %(m)d minutes.")
                % {"m": max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)},
            )
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                # a backend that refused with a reason (directory sign-in: disabled, unknown unit) says why
                refusal = getattr(request, "xiaobao_login_refusal", "")
                form.add_error(None, refusal or _("Wrong username or password."))
                status = 400
            elif svc.user_needs_2fa(user) and user.has_2fa:
                request.session[PENDING_2FA] = user.pk
                request.session[PENDING_2FA_BACKEND] = getattr(user, "backend", MODEL_BACKEND)
                return redirect(f"{_login_2fa_url()}?next={_next_url(request)}")
            else:
                login(request, user)
                if svc.user_needs_2fa(user):
                    messages.warning(request, _("Administrators must set up two-factor login."))
                    return redirect("core:two_factor")
                return redirect(_next_url(request))
    elif request.method == "POST":
        status = 400
    return render(request, "core/login.html", {"form": form, "next": _next_url(request)}, status=status)


def _login_2fa_url() -> str:
    from django.urls import reverse

    return reverse("core:login_2fa")


def login_2fa_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_2FA)
    if not pending:
        return redirect("core:login")
    user = get_object_or_404(User, pk=pending, is_active=True)
    form = TwoFactorForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if svc.login_is_locked(username=user.username, ip=request_ip(request)):
            form.add_error(None, _("Too many failed attempts. Try again later."))
            status = 429
        elif form.is_valid() and svc.totp_verify(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_2FA]
            backend = request.session.pop(PENDING_2FA_BACKEND, MODEL_BACKEND)
            if backend not in settings.AUTHENTICATION_BACKENDS:
                backend = settings.AUTHENTICATION_BACKENDS[0]
            login(request, user, backend=backend)
            return redirect(_next_url(request))
        else:
            from django.contrib.auth.signals import user_login_failed

            user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
            form.add_error("code", _("The code is not valid."))
            status = 400
    return render(request, "core/login_2fa.html", {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:login")


def account(request: AuthedRequest) -> HttpResponse:
    """Own account: change password (not for directory users: the directory manages it), manage own API
    tokens."""
    user = request.user
    from_directory = hasattr(user, "directory_account")
    pw_form = PasswordChangeForm(user)
    token_form = ApiTokenForm()
    new_token = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "password" and from_directory:
            messages.error(request, _("Your password is managed by the bank's directory."))
            return redirect("core:account")
        if action == "password":
            pw_form = PasswordChangeForm(user, request.POST)
            if pw_form.is_valid():
                svc.user_set_password(actor=user, user=user, password=pw_form.cleaned_data["new_password1"])
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password was changed."))
                return redirect("core:account")
            status = 400
        elif action == "token_create":
            token_form = ApiTokenForm(request.POST)
            if token_form.is_valid():
                _token, new_token = svc.api_token_create(
                    actor=user, user=user, name=token_form.cleaned_data["name"]
                )
            else:
                status = 400
        elif action == "token_revoke":
            token_id = request.POST.get("token", "")
            token = get_object_or_404(ApiToken, pk=int(token_id) if token_id.isdigit() else 0, user=user)
            svc.api_token_revoke(actor=user, token=token)
            messages.success(request, _("The token was revoked."))
            return redirect("core:account")
    tokens = ApiToken.objects.filter(user=user)
    return render(
        request,
        "core/account.html",
        {
            "pw_form": pw_form,
            "token_form": token_form,
            "tokens": tokens,
            "new_token": new_token,
            "from_directory": from_directory,
        },
        status=status,
    )


def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    """Enrol an authenticator app (the secret is shown until a valid code confirms it) or, when one is
    enrolled, turn two-factor login off with the current password and a code. Another device is enrolled
    only after turning it off: a session alone never changes the second factor."""
    user = request.user
    if user.has_2fa:
        return _two_factor_disable(request)
    form = TwoFactorForm(request.POST or None)
    status = 200
    secret = request.session.get("_xb_totp_secret") or svc.totp_new_secret()
    request.session["_xb_totp_secret"] = secret
    if request.method == "POST" and form.is_valid():
        try:
            svc.totp_enable(user=user, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        else:
            del request.session["_xb_totp_secret"]
            messages.success(request, _("Two-factor login is on."))
            return redirect("core:account")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "core/two_factor.html",
        {"form": form, "secret": secret, "uri": svc.totp_provisioning_uri(user, secret)},
        status=status,
    )


def _two_factor_disable(request: AuthedRequest) -> HttpResponse:
    form = TwoFactorDisableForm(request.POST or None)
    if request.method != "POST":
        return render(request, "core/two_factor.html", {"disable_form": form})
    if form.is_valid():
        d = form.cleaned_data
        try:
            svc.totp_disable(actor=request.user, user=request.user, password=d["password"], code=d["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Two-factor login is off."))
            return redirect("core:account")
    return render(request, "core/two_factor.html", {"disable_form": form}, status=400)
