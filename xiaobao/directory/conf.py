"""Directory sign-in settings, read from XIAOBAO_LDAP_* (called from xiaobao/settings.py; imports no
model).

Without XIAOBAO_LDAP_URI the directory is off: nothing of python-ldap is imported and AUTHENTICATION_BACKENDS
stays Django's ModelBackend. With it, django-auth-ldap's AUTH_LDAP_* settings are set and the backends become
the directory (`DirectoryBackend`) and the break-glass local accounts (`BreakGlassBackend`, only for the
usernames in XIAOBAO_LDAP_BREAK_GLASS). `build(env)` is the pure part: tests apply its result with
override_settings against their own directory server.

OpenID Connect (XIAOBAO_OIDC_*, `oidc_build`) is the second option, alone or next to LDAP: when configured,
mozilla-django-oidc's OIDC_* settings are set and `xiaobao.directory.oidc.OIDCBackend` is added to the
backends (after LDAP's, or after ModelBackend: local passwords keep working when only OIDC is on)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DIRECTORY_BACKEND = "xiaobao.directory.backends.DirectoryBackend"
BREAK_GLASS_BACKEND = "xiaobao.directory.backends.BreakGlassBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

GROUP_TYPES = {"groupofnames": "(objectClass=groupOfNames)", "ad": "(objectClass=group)"}
DEFAULTS = {
    "XIAOBAO_LDAP_USER_FILTER": "(uid=%(user)s)",
    "XIAOBAO_LDAP_GROUP_TYPE": "groupOfNames",
    "XIAOBAO_LDAP_ATTR_NAME": "displayName",
    "XIAOBAO_LDAP_ATTR_EMAIL": "mail",
    "XIAOBAO_LDAP_ATTR_UNIT": "departmentNumber",
}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _minutes(value: str | None) -> int:
    try:
        return max(1, int((value or "60").strip()))
    except ValueError:
        return 60


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or DEFAULTS.get(name, "")).strip()


def summary(env: Mapping[str, str]) -> dict[str, Any]:
    """What the directory page shows (and the code reads as settings.DIRECTORY): never the bind password."""
    uri = _get(env, "XIAOBAO_LDAP_URI")
    group_type = _get(env, "XIAOBAO_LDAP_GROUP_TYPE").lower()
    if group_type in {"activedirectory", "active_directory"}:
        group_type = "ad"
    return {
        "enabled": bool(uri),
        "uri": uri,
        "bind_dn": _get(env, "XIAOBAO_LDAP_BIND_DN"),
        "bind_password_set": bool(env.get("XIAOBAO_LDAP_BIND_PASSWORD")),
        "user_base": _get(env, "XIAOBAO_LDAP_USER_BASE"),
        "user_filter": _get(env, "XIAOBAO_LDAP_USER_FILTER"),
        "group_base": _get(env, "XIAOBAO_LDAP_GROUP_BASE"),
        "group_type": group_type if group_type in GROUP_TYPES else "groupofnames",
        "attr_name": _get(env, "XIAOBAO_LDAP_ATTR_NAME"),
        "attr_email": _get(env, "XIAOBAO_LDAP_ATTR_EMAIL"),
        "attr_unit": _get(env, "XIAOBAO_LDAP_ATTR_UNIT"),
        "disabled_filter": _get(env, "XIAOBAO_LDAP_DISABLED_FILTER"),
        "start_tls": _flag(env.get("XIAOBAO_LDAP_START_TLS")),
        "sync_minutes": _minutes(env.get("XIAOBAO_LDAP_SYNC_MINUTES")),
        "break_glass": sorted(
            {u.strip().lower() for u in (env.get("XIAOBAO_LDAP_BREAK_GLASS") or "").split(",") if u.strip()}
        ),
    }


def build(env: Mapping[str, str]) -> dict[str, Any]:
    """The settings for `env` (os.environ in production): DIRECTORY always, AUTH_LDAP_* and
    AUTHENTICATION_BACKENDS only when a URI is given (python-ldap is imported then, not before)."""
    directory = summary(env)
    if not directory["enabled"]:
        return {"DIRECTORY": directory}
    try:
        import ldap
        from django_auth_ldap.config import ActiveDirectoryGroupType, GroupOfNamesType, LDAPSearch
    except ImportError as exc:  # pragma: no cover - a server configured for LDAP without python-ldap
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "XIAOBAO_LDAP_URI is set but python-ldap is not installed (pip install 'xiaobao[ldap]')."
        ) from exc
    group_type = ActiveDirectoryGroupType() if directory["group_type"] == "ad" else GroupOfNamesType()
    attrs = [a for a in (directory["attr_name"], "cn", directory["attr_email"], directory["attr_unit"]) if a]
    return {
        "DIRECTORY": directory,
        "AUTH_LDAP_SERVER_URI": directory["uri"],
        "AUTH_LDAP_BIND_DN": directory["bind_dn"],
        "AUTH_LDAP_BIND_PASSWORD": env.get("XIAOBAO_LDAP_BIND_PASSWORD") or "",
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(
            directory["user_base"], ldap.SCOPE_SUBTREE, directory["user_filter"], attrlist=sorted(set(attrs))
        ),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(
            directory["group_base"] or directory["user_base"],
            ldap.SCOPE_SUBTREE,
            GROUP_TYPES[directory["group_type"]],
        ),
        "AUTH_LDAP_GROUP_TYPE": group_type,
        "AUTH_LDAP_START_TLS": directory["start_tls"],
        "AUTH_LDAP_USER_ATTR_MAP": {},  # name, e-mail and unit are applied by xiaobao.directory.services
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CACHE_TIMEOUT": 0,  # a group change counts at the next sign-in
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_REFERRALS: 0,  # Active Directory's referrals lead outside the searched domain
            ldap.OPT_NETWORK_TIMEOUT: 5,
            ldap.OPT_TIMEOUT: 10,
        },
        "AUTHENTICATION_BACKENDS": [DIRECTORY_BACKEND, BREAK_GLASS_BACKEND],
    }


# --- OpenID Connect (XIAOBAO_OIDC_*) -----------------------------------------------------------------------

OIDC_BACKEND = "xiaobao.directory.oidc.OIDCBackend"
OIDC_DEFAULTS = {
    "XIAOBAO_OIDC_SCOPES": "openid profile email",
    "XIAOBAO_OIDC_CLAIM_USERNAME": "preferred_username",
    "XIAOBAO_OIDC_CLAIM_GROUPS": "groups",
    "XIAOBAO_OIDC_CLAIM_UNIT": "department",
    "XIAOBAO_OIDC_CLAIM_NAME": "name",
    "XIAOBAO_OIDC_CLAIM_EMAIL": "email",
    "XIAOBAO_OIDC_SIGN_ALGO": "RS256",
}
OIDC_ENDPOINTS = {  # XIAOBAO_OIDC_… → the key of the provider's discovery document
    "authorization": ("XIAOBAO_OIDC_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    "token": ("XIAOBAO_OIDC_TOKEN_ENDPOINT", "token_endpoint"),
    "userinfo": ("XIAOBAO_OIDC_USERINFO_ENDPOINT", "userinfo_endpoint"),
    "jwks": ("XIAOBAO_OIDC_JWKS_ENDPOINT", "jwks_uri"),
}


def _oget(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or OIDC_DEFAULTS.get(name, "")).strip()


def _words(value: str) -> list[str]:
    return sorted({w for w in value.replace(",", " ").split() if w})


def oidc_summary(env: Mapping[str, str]) -> dict[str, Any]:
    """What the directory page shows (and the code reads as settings.OIDC): never the client secret.
    On when a client id and either an issuer (its discovery document names the endpoints) or all four
    endpoints are given."""
    endpoints = {key: _oget(env, var) for key, (var, _doc) in OIDC_ENDPOINTS.items()}
    issuer = _oget(env, "XIAOBAO_OIDC_ISSUER").rstrip("/")
    client_id = _oget(env, "XIAOBAO_OIDC_CLIENT_ID")
    return {
        "enabled": bool(client_id and (issuer or all(endpoints.values()))),
        "issuer": issuer,
        "endpoints": endpoints,
        "client_id": client_id,
        "client_secret_set": bool(env.get("XIAOBAO_OIDC_CLIENT_SECRET")),
        "scopes": " ".join(_oget(env, "XIAOBAO_OIDC_SCOPES").split()),
        "claim_username": _oget(env, "XIAOBAO_OIDC_CLAIM_USERNAME"),
        "claim_groups": _oget(env, "XIAOBAO_OIDC_CLAIM_GROUPS"),
        "claim_unit": _oget(env, "XIAOBAO_OIDC_CLAIM_UNIT"),
        "claim_name": _oget(env, "XIAOBAO_OIDC_CLAIM_NAME"),
        "claim_email": _oget(env, "XIAOBAO_OIDC_CLAIM_EMAIL"),
        "sign_algo": _oget(env, "XIAOBAO_OIDC_SIGN_ALGO"),
        # the provider's MFA stands in for Xiaobao's TOTP when the id token's amr names one of these
        # (or its acr is one of XIAOBAO_OIDC_TRUSTED_ACR); otherwise an enrolled user is asked for the code
        "trusted_amr": _words(_oget(env, "XIAOBAO_OIDC_TRUSTED_AMR")),
        "trusted_acr": _words(_oget(env, "XIAOBAO_OIDC_TRUSTED_ACR")),
        "button_label": _oget(env, "XIAOBAO_OIDC_BUTTON_LABEL"),
        "timeout": 10,
    }


def oidc_build(env: Mapping[str, str], backends: list[str]) -> dict[str, Any]:
    """The OIDC settings for `env`: OIDC always, mozilla-django-oidc's OIDC_* and the backend added to
    `backends` only when configured. The endpoints left empty are read from the issuer's discovery
    document at the first sign-in (xiaobao.directory.oidc), not here: settings never wait for the network."""
    oidc = oidc_summary(env)
    if not oidc["enabled"]:
        return {"OIDC": oidc}
    return {
        "OIDC": oidc,
        "OIDC_RP_CLIENT_ID": oidc["client_id"],
        "OIDC_RP_CLIENT_SECRET": env.get("XIAOBAO_OIDC_CLIENT_SECRET") or "",
        "OIDC_RP_SCOPES": oidc["scopes"],
        "OIDC_RP_SIGN_ALGO": oidc["sign_algo"],
        "OIDC_OP_AUTHORIZATION_ENDPOINT": oidc["endpoints"]["authorization"],
        "OIDC_OP_TOKEN_ENDPOINT": oidc["endpoints"]["token"],
        "OIDC_OP_USER_ENDPOINT": oidc["endpoints"]["userinfo"],
        "OIDC_OP_JWKS_ENDPOINT": oidc["endpoints"]["jwks"],
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_TIMEOUT": oidc["timeout"],
        "OIDC_CREATE_USER": True,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "directory:oidc_callback",
        "AUTHENTICATION_BACKENDS": [*backends, OIDC_BACKEND],
    }


def configure(ns: dict[str, Any]) -> None:
    """Set the LDAP and OIDC settings and AUTHENTICATION_BACKENDS in the settings namespace `ns`."""
    ns.update(build(os.environ))
    ns.update(oidc_build(os.environ, list(ns.get("AUTHENTICATION_BACKENDS") or [MODEL_BACKEND])))
