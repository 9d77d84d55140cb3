from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from xiaobao.core.context import client_ip

PUBLIC_PREFIXES = ("/api/", "/static/", "/i18n/", "/favicon.ico")


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
    nosniff, referrer policy, HSTS over HTTPS, X-Frame-Options through XFrameOptionsMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
