"""The authentication backends used while the directory is on (settings from `xiaobao.directory.conf`).

`DirectoryBackend` is django-auth-ldap's LDAPBackend with Xiaobao's rules around it: the AUTH_LDAP_* settings
are read at every use (tests change them per test), break-glass usernames are left to the local backend, a
disabled or vanished entry deactivates the local account, and name, e-mail, unit and roles are applied by
`services.account_apply` in the sign-in's transaction (refused → nothing of it is kept but the audit row).
`BreakGlassBackend` is Django's ModelBackend for the listed usernames only.

This module imports python-ldap: it is loaded only when the directory is configured (or by tests that
have python-ldap)."""

from __future__ import annotations

import logging
from typing import Any

import ldap
import ldap.filter
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend, _LDAPUser
from django_auth_ldap.config import LDAPSettings

from xiaobao.core.models import User
from xiaobao.directory import services
from xiaobao.directory.entries import Entry, Refused

log = logging.getLogger(__name__)

REFUSAL_ATTR = "xiaobao_login_refusal"  # the login page shows this message instead of "wrong password"


def directory_on() -> bool:
    return bool(getattr(settings, "DIRECTORY", {}).get("enabled"))


def break_glass_names() -> set[str]:
    return set(getattr(settings, "DIRECTORY", {}).get("break_glass", []))


def _first(attrs: Any, name: str) -> str:
    if not name or not attrs:
        return ""
    for key, values in attrs.items():
        if key.lower() == name.lower() and values:
            return str(values[0]).strip()
    return ""


class DirectoryBackend(LDAPBackend):
    """Sign-in through the bank's directory (LDAP / Active Directory)."""

    @property  # type: ignore[override]
    def settings(self) -> LDAPSettings:
        # read django.conf.settings at every use: LDAPBackend keeps the first read for the instance's life
        return LDAPSettings(self.settings_prefix, self.default_settings)

    @settings.setter
    def settings(self, value: Any) -> None:  # LDAPBackend's API; the settings are always read afresh
        pass

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kw: Any):
        if not directory_on() or not username or username.strip().lower() in break_glass_names():
            return None
        if User.objects.filter(username__iexact=username.strip(), is_service=True).exists():
            return None  # a program's account (the portal) is never taken over by a directory entry
        return super().authenticate(request, username=username, password=password, **kw)

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def get_or_build_user(self, username: str, ldap_user: _LDAPUser) -> tuple[Any, bool]:
        user, built = super().get_or_build_user(username, ldap_user)
        ldap_user.xiaobao_built = built  # type: ignore[attr-defined]
        return user, built

    def authenticate_ldap_user(self, ldap_user: _LDAPUser, password: str) -> Any:
        request = ldap_user._request
        username = ldap_user._username
        try:
            entry = self.entry_of(ldap_user)
        except ldap.LDAPError as exc:
            log.warning("directory unavailable at sign-in: %s", type(exc).__name__)
            _refuse(request, _("The directory cannot be reached. Try again later."))
        if entry is None:
            services.account_gone(username=username, state="missing")
            return None
        if entry.disabled:
            services.account_gone(username=username, state="disabled")
            if self._password_ok(ldap_user, password):
                _refuse(request, _("Your directory account is disabled. Ask your administrator."))
            return None
        try:
            with transaction.atomic():
                user = super().authenticate_ldap_user(ldap_user, password)
                if user is None:
                    return None
                return services.account_apply(
                    user=user, entry=entry, built=getattr(ldap_user, "xiaobao_built", False)
                )
        except Refused as exc:
            services.sign_in_refused(username=username, entry=entry, reason=exc)
            _refuse(request, exc.message)

    def _password_ok(self, ldap_user: _LDAPUser, password: str) -> bool:
        if not password:
            return False
        try:
            ldap_user._bind_as(ldap_user.dn, password, sticky=False)
        except ldap.LDAPError:
            return False
        return True

    # --- reading the directory with the service account (sign-in, lookup, sync) -------------------------

    def entry_of(self, ldap_user: _LDAPUser) -> Entry | None:
        """The user's entry, groups and disabled state, read with the bind account; None when not found.
        Errors of the directory are raised (LDAPError), never taken for "not found": the sync must not
        deactivate everybody while the directory is down."""
        entry = self.read_entry(ldap_user.connection, ldap_user._username)
        if entry is not None:
            ldap_user._user_dn = entry.dn.lower()  # what django-auth-ldap binds as next
        return entry

    def read_entry(self, conn: Any, username: str) -> Entry | None:
        conf = getattr(settings, "DIRECTORY", {})
        search = self.settings.USER_SEARCH
        flt = search.filterstr % {"user": ldap.filter.escape_filter_chars(username.strip())}
        found = [r for r in conn.search_s(search.base_dn, search.scope, flt, search.attrlist) if r[0]]
        if len(found) != 1:
            return None
        dn, raw = found[0]
        attrs = {k: [v.decode("utf-8", "replace") for v in vals] for k, vals in raw.items()}
        disabled = False
        if conf.get("disabled_filter"):
            hit = conn.search_s(dn, ldap.SCOPE_BASE, conf["disabled_filter"], ["1.1"])
            disabled = any(r[0] for r in hit)
        groups = self.settings.GROUP_SEARCH
        gflt = f"(&{groups.filterstr}(member={ldap.filter.escape_filter_chars(dn)}))"
        group_dns = sorted(g for g, _attrs in conn.search_s(groups.base_dn, groups.scope, gflt, ["1.1"]) if g)
        return Entry(
            username=username.strip().lower(),
            dn=dn,
            name=(_first(attrs, conf.get("attr_name", "")) or _first(attrs, "cn"))[:60],
            email=_first(attrs, conf.get("attr_email", "")),
            unit_code=_first(attrs, conf.get("attr_unit", "")),
            group_dns=group_dns,
            disabled=disabled,
        )

    def service_connection(self) -> Any:
        """A connection bound with the bind account (the caller unbinds it)."""
        return _LDAPUser(self, username="-").connection


def _refuse(request: Any, message: str) -> None:
    if request is not None:
        setattr(request, REFUSAL_ATTR, message)
    raise PermissionDenied(message)  # django.contrib.auth.authenticate stops here and counts a failure


class BreakGlassBackend(ModelBackend):
    """Local passwords while the directory is on, only for the usernames of XIAOBAO_LDAP_BREAK_GLASS."""

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kw: Any):
        if not username or username.strip().lower() not in break_glass_names():
            return None
        return super().authenticate(request, username=username, password=password, **kw)

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        if user is None or user.username.lower() not in break_glass_names():
            return None  # taken off the list: the session ends
        return user
