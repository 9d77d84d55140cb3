from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.scoping import scope_q


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    REVEAL = "reveal", _("Reveal personal data")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    TOKEN = "token", _("API token")
    ROTATE = "rotate", _("Key rotation")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        if not user.has_perm("core.view_auditevent"):
            return self.none()
        q = scope_q(user, "unit_path")
        return self if q is None else self.filter(q)


class AuditEvent(models.Model):
    """One append-only, hash-chained row of the audit trail.

    `hash` = SHA-256 over the row's content and the previous row's hash, so editing or deleting any row
    breaks the chain from that row on (`xiaobao audit_verify`). Personal data is masked before it gets
    here. Rows are never updated or deleted by the application.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        "core.User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    unit_code = models.CharField(_("unit"), max_length=32, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ("view",)
        permissions = [("export_auditevent", "Export the audit trail")]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_username", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    @property
    def change_rows(self) -> list[tuple[str, Any, Any, bool]]:
        """(field, old, new, is_change) for display: [old, new] pairs, or plain values (e.g. a reason)."""
        rows = []
        for key, value in (self.changes or {}).items():
            if isinstance(value, list) and len(value) == 2:
                rows.append((key, value[0], value[1], True))
            else:
                rows.append((key, None, value, False))
        return rows

    def compute_hash(self) -> str:
        payload = {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "actor_username": self.actor_username,
            "unit_path": self.unit_path,
            "unit_code": self.unit_code,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "ip": self.ip,
            "prev": self.prev_hash,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()
