"""The real OpenID Connect provider for the OIDC sign-in tests: the django-oauth-toolkit project in
./oidc_provider started as a subprocess on a free 127.0.0.1 port (one per pytest-xdist worker), waited for
until its discovery document answers, killed at the end. Without django-oauth-toolkit the tests skip — or
fail when XIAOBAO_REQUIRE_LDAP=1 (CI sets it: the directory tests never pass by skipping).

`oidc_provider` (session) is the running provider; `oidc` switches OIDC sign-in on for one test
(override of the settings with `conf.oidc_build`); `sso_sign_in` drives the whole code flow: Xiaobao's
authenticate view (Django's test Client), the provider's login form and authorize endpoint (requests, as the
browser would), back to Xiaobao's callback (the test Client), which calls the provider's token, userinfo and
JWKS endpoints itself."""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests

CLIENT_ID = "xiaobao"
CALLBACK = "http://testserver/directory/oidc/callback/"
ROOT = Path(__file__).resolve().parents[3]


def need_provider() -> None:
    if importlib.util.find_spec("oauth2_provider") is None:
        why = "django-oauth-toolkit not installed (the dev extra)"
        if os.environ.get("XIAOBAO_REQUIRE_LDAP") == "1":
            pytest.fail(f"XIAOBAO_REQUIRE_LDAP=1 but {why}")
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Provider:
    def __init__(self, base: str, token: str, secret: str) -> None:
        self.base, self.token, self.secret = base, token, secret
        self.issuer = f"{base}/o"

    def user(self, username: str, *, password: str = "", **claims: Any) -> str:
        """Create or replace a provider user (name, email, unit, groups, extra, is_active); its sub."""
        data = {"username": username, "password": password or f"sso-{username}", **claims}
        headers = {"X-Test-Token": self.token}
        r = requests.post(f"{self.base}/test/user/", json=data, headers=headers, timeout=5)
        r.raise_for_status()
        return str(r.json()["sub"])

    def redirect_uris(self, *uris: str) -> None:
        r = requests.post(
            f"{self.base}/test/redirect-uris/",
            data=" ".join(uris),
            headers={"X-Test-Token": self.token},
            timeout=5,
        )
        r.raise_for_status()

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "XIAOBAO_OIDC_ISSUER": self.issuer,
            "XIAOBAO_OIDC_CLIENT_ID": CLIENT_ID,
            "XIAOBAO_OIDC_CLIENT_SECRET": self.secret,
            "XIAOBAO_OIDC_BUTTON_LABEL": "行内统一认证",
            **extra,
        }


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Provider]:
    need_provider()
    root = Path(tempfile.mkdtemp(prefix="xb-oidc-"))
    port = _free_port()
    token, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XIAOBAO_", "DATABASE_URL"))}
    env.update(XB_OIDC_PROVIDER_TOKEN=token, XB_OIDC_CLIENT_SECRET=secret, XB_OIDC_REDIRECT_URIS=CALLBACK)
    log = (root / "provider.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "xiaobao.directory.tests.oidc_provider.serve", str(port), str(root)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the OIDC provider did not start: {(root / 'provider.log').read_text()[-800:]}")
            time.sleep(0.05)
        yield Provider(base, token, secret)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def oidc(oidc_provider: Provider, settings: Any) -> Provider:
    """OIDC sign-in on for this test (next to local passwords), pointing at the real provider."""
    apply_oidc(settings, oidc_provider.env())
    return oidc_provider


def apply_oidc(settings: Any, env: dict[str, str]) -> None:
    from xiaobao.directory.conf import MODEL_BACKEND, oidc_build

    backends = [b for b in settings.AUTHENTICATION_BACKENDS if "oidc" not in b] or [MODEL_BACKEND]
    for key, value in oidc_build(env, backends).items():
        setattr(settings, key, value)


def provider_login(authorize_url: str, username: str, password: str) -> str:
    """The browser's part at the provider: the authorize URL, its login form, back to authorize; the URL
    the provider sends the browser to (Xiaobao's callback with code and state)."""
    s = requests.Session()
    r = s.get(authorize_url, allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text[:300]
    login_url = urljoin(authorize_url, r.headers["Location"])
    r = s.get(login_url, timeout=5)
    assert r.status_code == 200
    r = s.post(
        login_url,
        data={"username": username, "password": password, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=5,
    )
    assert r.status_code == 302, "the provider refused the password"
    r = s.get(urljoin(login_url, r.headers["Location"]), allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text[:300]
    return str(r.headers["Location"])


def sso_sign_in(client: Any, username: str, password: str = "", next_url: str = "") -> Any:
    """The whole code flow for `client` (Django's test Client); Xiaobao's answer to the callback."""
    from django.urls import reverse

    start = client.get(reverse("directory:oidc_authenticate"), {"next": next_url} if next_url else {})
    assert start.status_code == 302, start
    back = provider_login(start["Location"], username, password or f"sso-{username}")
    parts = urlsplit(back)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")
