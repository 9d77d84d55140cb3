"""Security headers on every kind of response: pages, the API, static files, errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/login/", "/", "/statistics/", "/api/v1/health", "/api/v1/me", "/nowhere/"]
)
def test_every_response_carries_the_policy(client_for, hq_officer, path):
    response = client_for(hq_officer).get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_session_and_csrf_cookies(client, hq_officer):
    from conftest import PASSWORD

    page = client.get("/login/")
    response = client.post(
        "/login/",
        {
            "username": hq_officer.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
        },
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_https_settings_in_production(monkeypatch):
    """With XIAOBAO_HTTPS on (the production default), cookies are Secure and HSTS is sent."""
    import importlib

    import xiaobao.settings as settings_module

    monkeypatch.setenv("XIAOBAO_HTTPS", "1")
    fresh = importlib.reload(settings_module)
    try:
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE
        assert fresh.SECURE_HSTS_SECONDS >= 31536000 and fresh.SECURE_SSL_REDIRECT
    finally:
        monkeypatch.delenv("XIAOBAO_HTTPS")
        importlib.reload(settings_module)
