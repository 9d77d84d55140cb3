"""OpenID Connect sign-in (the second directory option; settings from `xiaobao.directory.conf.oidc_build`).

mozilla-django-oidc runs the authorization-code flow with PKCE, state and nonce, and verifies the id token's
signature against the provider's JWKS. Around it, Xiaobao's rules:

- the id token's issuer and audience are checked too (the library checks neither);
- the endpoints not configured are read from the issuer's discovery document at the first use (cached an
  hour), never at start-up, and never for a password sign-in (the backend reads its settings lazily);
- the account is made or updated by `services.account_apply`, as for LDAP: name, e-mail, unit (the unit claim
  names an OrgUnit code; an unknown unit refuses the sign-in with a message and an audit row), the roles the
  groups claim maps to through the same `GroupRoleMapping` table (the group identifier string) replacing the
  roles the directory gave before, hand-made roles kept; an administrator-deactivated account and service
  accounts are refused;
- two-factor: a user with TOTP enrolled (or an administrator who must have it) goes through Xiaobao's code
  step unless the id token's `amr` names a method of XIAOBAO_OIDC_TRUSTED_AMR or its `acr` is one of
  XIAOBAO_OIDC_TRUSTED_ACR (the provider's own MFA then stands in for it);
- every failure ends on the login page with a message (never a 500), and is in the audit trail."""

from __future__ import annotations

import logging
import time
from typing import Any, NoReturn
from urllib.parse import quote

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.directory import services
from xiaobao.directory.entries import Entry, Refused

log = logging.getLogger(__name__)

REFUSAL_ATTR = "xiaobao_login_refusal"
CLAIMS_ATTR = "xiaobao_oidc_claims"  # the verified id token's claims, for the two-factor decision
BACKEND_PATH = "xiaobao.directory.oidc.OIDCBackend"
DISCOVERY_SECONDS = 3600
ENDPOINT_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


class Unavailable(Exception):
    """The provider cannot be reached or answers nonsense."""


def conf() -> dict[str, Any]:
    return dict(getattr(settings, "OIDC", {}) or {})


def oidc_on() -> bool:
    return bool(conf().get("enabled"))


def button_label() -> str:
    return conf().get("button_label") or _("single sign-on")


def discovery() -> dict[str, Any]:
    """The issuer's /.well-known/openid-configuration (cached an hour; its `issuer` must be the one
    configured)."""
    issuer = conf().get("issuer", "")
    if not issuer:
        raise Unavailable("no issuer and an endpoint missing")
    hit = _discovered.get(issuer)
    if hit is not None and time.monotonic() - hit[0] < DISCOVERY_SECONDS:
        return hit[1]
    try:
        url = f"{issuer}/.well-known/openid-configuration"
        response = requests.get(url, timeout=conf().get("timeout", 10))
        response.raise_for_status()
        doc = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise Unavailable(type(exc).__name__) from exc
    if not isinstance(doc, dict) or str(doc.get("issuer", "")).rstrip("/") != issuer:
        raise Unavailable("the discovery document names another issuer")
    _discovered[issuer] = (time.monotonic(), doc)
    return doc


def setting(attr: str, *args: Any) -> Any:
    """mozilla-django-oidc's settings, the empty endpoints filled from the discovery document."""
    value = import_from_settings(attr, *args)
    if attr in ENDPOINT_SETTINGS and not value:
        value = discovery().get(ENDPOINT_SETTINGS[attr]) or ""
        if not value:
            raise Unavailable(f"the discovery document has no {ENDPOINT_SETTINGS[attr]}")
    return value


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple):
        return []
    return [str(v).strip()[:500] for v in value[:500] if str(v).strip()]


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name) if name else None
    return str(value).strip() if isinstance(value, str | int) else ""


def entry_of(claims: dict[str, Any]) -> Entry:
    """What Xiaobao takes from the provider's claims (id token and userinfo)."""
    c = conf()
    return Entry(
        username=_claim(claims, c.get("claim_username", "")).lower()[:150],
        dn=f"oidc:{claims.get('iss', '')}#{claims.get('sub', '')}"[:1000],
        name=_claim(claims, c.get("claim_name", ""))[:60],
        email=_claim(claims, c.get("claim_email", "")),
        unit_code=_claim(claims, c.get("claim_unit", ""))[:64],
        group_dns=sorted(set(_as_list(claims.get(c.get("claim_groups", ""))))),
    )


def mfa_done(claims: dict[str, Any]) -> bool:
    """The provider's own MFA is trusted for this sign-in (configured amr or acr values)."""
    c = conf()
    amr = set(_as_list(claims.get("amr")))
    acr = _claim(claims, "acr")
    return bool(amr & set(c.get("trusted_amr", []))) or bool(acr and acr in c.get("trusted_acr", []))


class OIDCBackend(OIDCAuthenticationBackend):
    """The OpenID Connect callback's backend (only the callback passes `nonce`). Reads its settings when it
    authenticates: Django makes every backend for every password sign-in and every request's user."""

    get_settings = staticmethod(setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def _load(self) -> None:
        super().__init__()

    def authenticate(self, request: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if request is None or "nonce" not in kwargs or not oidc_on():
            return None
        self._load()
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        if user is None or not user.is_active or user.is_service or not oidc_on():
            return None
        return user

    def verify_token(self, token: Any, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        if not isinstance(payload, dict):
            raise SuspiciousOperation("id token is not an object")
        aud = payload.get("aud")
        audiences = [aud] if isinstance(aud, str) else list(aud or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("id token for another audience")
        if len(audiences) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("id token for another authorized party")
        issuer = conf().get("issuer", "")
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("id token from another issuer")
        if "nonce" in kwargs:  # the id token (userinfo as a JWT passes no nonce)
            setattr(self.request, CLAIMS_ATTR, payload)
        return payload

    def get_or_create_user(self, access_token: Any, id_token: Any, payload: Any) -> Any:
        info = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict) or str(info.get("sub", "")) != str(payload.get("sub", "")):
            raise SuspiciousOperation("userinfo for another subject")
        claims = {**info, "iss": payload.get("iss", ""), "sub": payload.get("sub", "")}
        entry = entry_of(claims)
        if not entry.username:
            nameless = _("The provider did not say who you are (no user name).")
            self._refuse(entry, Refused(nameless, "no_username"))
        user = self.UserModel.objects.filter(username__iexact=entry.username).first()
        if user is not None and user.is_service:
            self._refuse(entry, Refused(_("This account cannot sign in this way."), "service_account"))
        try:
            with transaction.atomic():
                built = user is None
                if built:
                    user = self.UserModel.objects.create_user(username=entry.username, password=None)
                return services.account_apply(user=user, entry=entry, built=built)
        except Refused as exc:
            self._refuse(entry, exc)

    def _refuse(self, entry: Entry, reason: Refused) -> NoReturn:
        services.sign_in_refused(username=entry.username or "-", entry=entry, reason=reason)
        setattr(self.request, REFUSAL_ATTR, reason.message)
        raise PermissionDenied(reason.message)  # django.contrib.auth.authenticate: a failed sign-in


def _to_login(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return HttpResponseRedirect(reverse("core:login"))


def _failed(request: HttpRequest, why: str) -> HttpResponse:
    log.warning("OIDC sign-in failed: %s", why)
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_repr="",
        changes={"oidc": [None, why[:200]]},
    )
    return _to_login(request, _("The sign-in through the provider did not succeed. Start again."))


class _RequestView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(setting)


class _CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(setting)

    def get(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        try:
            return super().get(request)
        except Unavailable as exc:
            log.warning("OIDC provider unavailable: %s", exc)
            return _to_login(request, _("The sign-in provider cannot be reached. Try again later."))
        except requests.RequestException as exc:
            return _failed(request, f"provider answered: {type(exc).__name__}")
        except (SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError) as exc:
            return _failed(request, f"{type(exc).__name__}: {exc}")

    def login_failure(self) -> HttpResponse:
        refusal = getattr(self.request, REFUSAL_ATTR, "")
        if refusal:
            return _to_login(self.request, refusal)
        if self.request.GET.get("error"):
            return _failed(self.request, f"provider error: {self.request.GET['error'][:50]}")
        return _failed(self.request, "no user")

    def login_success(self) -> HttpResponse:
        from xiaobao.core.services.accounts import user_needs_2fa
        from xiaobao.core.views.accounts import PENDING_2FA, PENDING_2FA_BACKEND

        request, user = self.request, self.user
        next_url = self.success_url
        claims = getattr(request, CLAIMS_ATTR, {}) or {}
        if user.has_2fa and not mfa_done(claims):
            request.session[PENDING_2FA] = user.pk
            request.session[PENDING_2FA_BACKEND] = BACKEND_PATH
            return HttpResponseRedirect(f"{reverse('core:login_2fa')}?next={quote(next_url)}")
        auth.login(request, user, backend=BACKEND_PATH)
        if user_needs_2fa(user) and not user.has_2fa:
            messages.warning(request, _("Administrators must set up two-factor login."))
            return HttpResponseRedirect(reverse("core:two_factor"))
        return HttpResponseRedirect(next_url)


def authenticate_view(request: HttpRequest) -> HttpResponse:
    """Start the sign-in: to the provider's authorization endpoint (state, nonce and PKCE in the session)."""
    if not oidc_on():
        raise Http404
    if request.method != "GET":
        return HttpResponse(status=405)
    try:
        return _RequestView.as_view()(request)
    except Unavailable as exc:
        log.warning("OIDC provider unavailable: %s", exc)
        return _to_login(request, _("The sign-in provider cannot be reached. Try again later."))


def callback_view(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with the code (or an error)."""
    if not oidc_on():
        raise Http404
    if request.method != "GET":
        return HttpResponse(status=405)
    return _CallbackView.as_view()(request)
