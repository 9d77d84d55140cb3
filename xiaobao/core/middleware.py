from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from xiaobao.core.context import client_ip

# /public/: pages meant for anybody (an approval check from a QR code, the fees in force for the banking hall)
# /directory/oidc/: the OpenID Connect sign-in's start and the provider's return (404 when not configured)
PUBLIC_PREFIXES = ("/api/", "/static/", "/i18n/", "/favicon.ico", "/public/", "/directory/oidc/")


def request_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind TRUSTED_PROXIES proxies, the entry of X-Forwarded-For that the
    outermost trusted proxy appended (the Nth from the right): entries left of it are whatever the client
    sent. Without trusted proxies, or when the header is short or not an address, the peer's address."""
    peer = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXIES
    if hops <= 0:
        return peer
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if len(entries) < hops:
        return peer
    try:
        return str(ipaddress.ip_address(entries[-hops]))
    except ValueError:
        return peer


class LoginRequiredMiddleware:
    """Every page needs a logged-in user (the API answers 401 itself; login, health and the password-reset
    pages are public); records the client address for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request_ip(request))
        try:
            path = request.path
            public = path.startswith((*PUBLIC_PREFIXES, reverse("core:password_reset"))) or path in {
                reverse("core:login"),
                reverse("core:login_2fa"),
                reverse("core:health"),
            }
            if not public and not request.user.is_authenticated:
                return redirect(f"{reverse('core:login')}?next={request.get_full_path()}")
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 sets the others:
    nosniff, referrer policy, HSTS over HTTPS, X-Frame-Options through XFrameOptionsMiddleware), and
    `Cache-Control: no-store, private` on every answer to a signed-in user and every API answer: pages,
    exports, attachments and reveals carry personal data, and no browser or proxy cache may keep a copy.
    Static files stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if _may_hold_personal_data(request):
            response.headers["Cache-Control"] = "no-store, private"
        return response


def _may_hold_personal_data(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return False
    user = getattr(request, "user", None)
    return request.path.startswith("/api/") or bool(user is not None and user.is_authenticated)


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's schema and docs page (`NinjaAPI(docs_decorator=...)`): for a signed-in user (session or API
    token) only, 401 in the API's error shape — unless API_SCHEMA_PUBLIC (development and the test suite,
    whose fuzzer reads the schema before any user exists)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.API_SCHEMA_PUBLIC or _api_user(request) is not None:
            return view(request, *args, **kwargs)
        message = str(_("Authentication required."))
        return JsonResponse({"code": "unauthenticated", "message": message, "fields": {}}, status=401)

    return guarded


def _api_user(request: HttpRequest) -> Any:
    from xiaobao.core.services.accounts import api_token_authenticate

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return user
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    return api_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
