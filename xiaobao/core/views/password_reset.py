"""Self-service password reset that never reveals whether an account exists.

"Forgot password?" on the login page → a username or e-mail → always the same redirect to the same page,
whatever was typed (the lookup and the e-mail happen in a background task; throttled per address and per
login, audited) → the e-mailed one-time link (Django's token, PASSWORD_RESET_TIMEOUT) → a new password that
the validators accept → every session of the user ends.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from xiaobao.core.forms import PasswordResetRequestForm, ResetSetPasswordForm
from xiaobao.core.middleware import request_ip
from xiaobao.core.models import User
from xiaobao.core.services import accounts as svc


def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        elif svc.password_reset_is_throttled(login=form.cleaned_data["email"], ip=request_ip(request)):
            minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
            form.add_error(None, _("Too many requests. Try again in %(m)d minutes.") % {"m": minutes})
            status = 429
        else:
            svc.password_reset_request(
                login=form.cleaned_data["email"], domain=request.get_host(), use_https=request.is_secure()
            )
            return redirect("core:password_reset_done")
    return render(request, "core/password_reset.html", {"form": form}, status=status)


def password_reset_done(request: HttpRequest) -> HttpResponse:
    """The one answer to every accepted request."""
    return render(
        request, "core/password_reset_done.html", {"timeout_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    )


UID_SESSION_KEY = "_xb_password_reset_uid"


class ResetConfirmView(PasswordResetConfirmView):
    """Django's view, with the e-mailed link carrying the account and the one-time token in its query string
    (`/password-reset/link/?uid=…&token=…`), never in a path: access logs write paths, not query strings.
    Opening the link moves both to the session and redirects to `/password-reset/set-password/`, so neither
    is in any later URL nor in a Referer. An inactive user's or a locked account's link is invalid like an
    expired one."""

    form_class = ResetSetPasswordForm
    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        uid, token = request.GET.get("uid", ""), request.GET.get("token", "")
        if uid and token:  # the e-mailed link
            request.session[UID_SESSION_KEY] = uid
            response = super().dispatch(request, uidb64=uid, token=token)
            return redirect("core:password_reset_set") if response.status_code == 302 else response
        uid = request.session.get(UID_SESSION_KEY, "")
        return super().dispatch(request, uidb64=uid, token=self.reset_url_token)

    def get_user(self, uidb64: str) -> Any:
        user: User | None = super().get_user(uidb64)
        if user is None or not user.is_active or not user.has_usable_password():
            return None
        return user

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if not context.get("validlink"):
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "core/password_reset_complete.html")
