"""Directory sign-in: which directory groups give which Xiaobao roles, which accounts come from the
directory (and which of their roles the directory gave), and the runs of the directory sync."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.models.jobs import BackgroundJob
from xiaobao.core.roles import ROLES
from xiaobao.directory import dn as dnlib

MANAGE = "directory.manage_groupmapping"


def role_choices() -> list[tuple[str, str]]:
    return [(code, str(role.name)) for code, role in ROLES.items()]


# an LDAP group's DN, or an OpenID provider's group name, path or id
GROUP_ID_ERROR = _(
    "Not a directory group: an LDAP distinguished name (e.g. cn=staff,ou=groups,dc=bank,dc=cn) or an OpenID "
    "provider's group name, path or id."
)


class GroupRoleMapping(TimeStampedModel):
    """Members of the directory group `group_dn` get the role `role` at sign-in (and lose it when they leave
    the group). `org_unit`, when set, is the unit the members belong to, overriding their unit attribute."""

    group_dn = models.CharField(_("directory group (DN)"), max_length=500)
    group_key = models.CharField(max_length=500, editable=False, db_index=True)
    role = models.CharField(_("role"), max_length=40, choices=role_choices)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit override"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["group_key", "role", "id"]
        verbose_name = _("group-to-role mapping")
        verbose_name_plural = _("group-to-role mappings")
        default_permissions = ()
        permissions = [("manage_groupmapping", "Edit the directory group mapping, look users up, sync")]
        constraints = [
            models.UniqueConstraint(fields=["group_key", "role"], name="directory_mapping_group_role"),
        ]

    def __str__(self) -> str:
        return f"{self.group_dn} → {self.role}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not dnlib.is_group_id(self.group_dn or ""):
            errors["group_dn"] = str(GROUP_ID_ERROR)
        else:
            self.group_dn = self.group_dn.strip()
            self.group_key = dnlib.normalize_or_raw(self.group_dn)
        if self.role not in ROLES:
            errors["role"] = str(_("Unknown role."))
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: object = None) -> None:
        clash = GroupRoleMapping.objects.filter(group_key=self.group_key, role=self.role).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"role": _("This group already gives this role.")})


class AccountState(models.TextChoices):
    ACTIVE = "active", _("In the directory")
    DISABLED = "disabled", _("Disabled in the directory")
    MISSING = "missing", _("Not in the directory")


OIDC_PREFIX = "oidc:"  # DirectoryAccount.dn of a user from an OpenID provider: "oidc:<issuer>#<subject>"


class DirectoryAccountQuerySet(models.QuerySet["DirectoryAccount"]):
    def ldap(self) -> DirectoryAccountQuerySet:
        return self.exclude(dn__startswith=OIDC_PREFIX)


class DirectoryAccount(TimeStampedModel):
    """A user who comes from the directory: their entry's DN, when it was last read, and the roles the
    directory gave (`granted_roles`) — a group change removes those, never a role an administrator gave."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_account"
    )
    dn = models.CharField(_("directory entry (DN)"), max_length=1000)
    granted_roles = models.JSONField(_("roles from the directory"), default=list, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=AccountState.choices, default="active")
    synced_at = models.DateTimeField(_("last read from the directory"), null=True, blank=True)

    objects = DirectoryAccountQuerySet.as_manager()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        default_permissions = ()

    def __str__(self) -> str:
        return self.dn


class SyncTrigger(models.TextChoices):
    MANUAL = "manual", _("Asked for")
    PERIODIC = "periodic", _("Periodic")
    COMMAND = "command", _("Command")


class DirectorySyncRun(BackgroundJob):
    """One pass of the directory sync (every directory account read again: deactivated when gone or
    disabled, roles updated). `summary`: {"checked", "updated", "deactivated", "unchanged", "errors"}."""

    requested_by = models.ForeignKey(  # type: ignore[assignment]
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    org_unit = models.ForeignKey(  # type: ignore[assignment]
        "core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=SyncTrigger.choices, default="manual")
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("directory sync")
        verbose_name_plural = _("directory syncs")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.created_at:%Y-%m-%d %H:%M}"
