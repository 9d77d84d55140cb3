from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.roles import ROLES
from xiaobao.core.scoping import scope_q

EXTRA_LABELS = {
    "roles": _("roles"),
    "field": _("field"),
    "reason": _("reason"),
    "filters": _("filters"),
    "token": _("API token"),
    "two_factor": _("two-factor login"),
    "created": _("created"),
    "updated": _("updated"),
    "rows": _("rows"),
    "active_key": _("active key"),
    "step": _("step"),
}
# Labels of fields declared without a verbose_name (Django would show the English field name).
FIELD_LABELS = {
    "created_by": _("created by"),
}


def _choice_labels(value: Any, choices: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_choice_labels(v, choices) for v in value]
    return choices.get(value, value) if isinstance(value, str) else value


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(_display(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}={_display(v)}" for k, v in value.items()) or "—"
    return str(value)


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
    PASSWORD_RESET = "password_reset", _("Password reset")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        if not user.has_perm("core.view_auditevent"):
            return self.none()
        q = scope_q(user, "unit_path")
        return self if q is None else self.filter(q)


class AuditEvent(models.Model):
    """One append-only row of the audit trail, chained after commit by the sealer.

    A row is inserted unsealed; `xiaobao audit_seal` gives it its position `seq` in the chain, the previous
    row's hash and `hash` = HMAC-SHA256 (key outside the database) over its content, id, position and that
    previous hash. Editing, deleting or replacing sealed rows breaks the chain (`xiaobao audit_verify`),
    deleting the newest ones is caught against the head exported outside the database. Personal data is
    masked before it gets here. The database refuses UPDATE (except sealing an unsealed row) and DELETE.
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
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

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
            models.Index(fields=["id"], condition=models.Q(hash__isnull=True), name="audit_unsealed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.object_repr}"

    @property
    def change_rows(self) -> list[tuple[str, str, str, bool]]:
        """(label, old, new, is_change) for display: field labels in the user's language, values readable."""
        rows = []
        for key, value in (self.changes or {}).items():
            label, choices = self._field_info(key)
            if key == "roles":
                choices = {code: str(role.name) for code, role in ROLES.items()}
            if isinstance(value, list) and len(value) == 2:
                old, new = (_choice_labels(v, choices) for v in value)
                if self.action == "create":
                    if new not in (None, "", False):
                        rows.append((label, "", _display(new), False))
                else:
                    rows.append((label, _display(old), _display(new), True))
            else:
                rows.append((label, "", _display(value), False))
        return rows

    def _field_info(self, key: str) -> tuple[str, dict[str, str]]:
        """The field's label in the user's language and its choice labels (raw names when unknown)."""
        from django.apps import apps

        try:
            field = apps.get_model(self.object_type)._meta.get_field(key)
        except (LookupError, ValueError, FieldDoesNotExist):
            return str(EXTRA_LABELS.get(key, key)), {}
        choices = {str(k): str(v) for k, v in (getattr(field, "choices", None) or [])}
        label = getattr(field, "verbose_name", key)
        if key in FIELD_LABELS and label == key.replace("_", " "):
            label = FIELD_LABELS[key]
        return str(label), choices

    def compute_hash(self, key: bytes) -> str:
        """HMAC-SHA256 under the audit key over the content, the id, the position and the previous hash."""
        payload = {
            "id": self.id,
            "seq": self.seq,
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
        return hmac.new(key, blob.encode(), hashlib.sha256).hexdigest()
