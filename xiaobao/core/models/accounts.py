from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.roles import ROLES
from xiaobao.core.scoping import scope_q


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> UserQuerySet:
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)


class XiaobaoUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A member of staff. Belongs to one unit; roles are Django groups named after `roles.ROLES`."""

    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    totp_secret = models.CharField(_("two-factor secret"), max_length=300, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An account a program acts as (the consumer portal): never signs in, never offered as a person to
    # assign, mention or pick.
    is_service = models.BooleanField(_("service account"), default=False, editable=False)

    objects = XiaobaoUserManager()  # type: ignore[misc]
    audit_exclude = ("last_login", "is_staff", "is_superuser", "date_joined", "password_changed_at")

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_users", "Create users, assign roles and units, deactivate")]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_codes(self) -> list[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = sorted(g.name for g in self.groups.all() if g.name in ROLES)
            self._role_codes = cached
        return cached

    @property
    def role_names(self) -> list[str]:
        return [str(ROLES[c].name) for c in self.role_codes]

    @property
    def has_2fa(self) -> bool:
        return bool(self.totp_secret)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(TimeStampedModel):
    """A machine client's bearer token. Only a SHA-256 of the token is stored; it is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
