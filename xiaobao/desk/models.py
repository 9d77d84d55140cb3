"""The desk's records: a bulk run over complaints (a background job with its summary) and saved views."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.models.jobs import BackgroundJob


class BulkAction(models.TextChoices):
    """What a bulk run does to each complaint: the first three are workflow actions, each taken through the
    complaints' transition service; export builds one workbook of the selection."""

    ASSIGN = "assign", pgettext_lazy("bulk action", "Assign")
    TRANSFER = "transfer", pgettext_lazy("bulk action", "Transfer")
    MARK_MAJOR = "mark_major", pgettext_lazy("bulk action", "Mark as major")
    EXPORT = "export", pgettext_lazy("bulk action", "Export")


class ViewScope(models.TextChoices):
    LIST = "list", pgettext_lazy("saved view scope", "Complaint list")
    QUEUE = "queue", pgettext_lazy("saved view scope", "My queue")


class BulkRun(BackgroundJob):
    """One bulk action over selected complaints, run by the task worker with progress.

    `items` holds the selection as `[id, version]` pairs: the version the requester saw (the list row) or,
    for ids given through the API and "all matching", the version when the run was asked for; a complaint
    changed since is not touched (stale). `params` are the action's inputs (handler, unit, reason, note).
    `summary`: {"succeeded": n, "failed": [{"id", "reference", "reason"}], "export_job": id}; a complaint
    the requester can no longer see fails without its reference."""

    action = models.CharField(_("action"), max_length=20, choices=BulkAction.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    items = models.JSONField(_("complaints"), default=list, blank=True)
    scope = models.CharField(_("selected from"), max_length=10, choices=ViewScope.choices, default="list")
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")

    class Meta(BackgroundJob.Meta):
        verbose_name = _("bulk run")
        verbose_name_plural = _("bulk runs")
        default_permissions = ()
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="bulkrun_user_created")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ×{len(self.items or [])}"

    @property
    def succeeded(self) -> int:
        return int((self.summary or {}).get("succeeded", 0))

    @property
    def failed(self) -> list[dict[str, Any]]:
        return list((self.summary or {}).get("failed", []))


class SavedViewQuerySet(models.QuerySet["SavedView"]):
    def for_user(self, user: Any) -> SavedViewQuerySet:
        """The user's own views and the views shared with the user's unit."""
        own = Q(owner_id=user.pk)
        unit_id = getattr(user, "org_unit_id", None)
        return self.filter(own | Q(shared=True, org_unit_id=unit_id) if unit_id else own)


class SavedView(TimeStampedModel):
    """A named filter and ordering of the complaint list or the queue (the list's query string), shared
    with the owner's unit when `shared` (`org_unit`: the owner's unit when last saved). Only the owner
    changes it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=60)
    scope = models.CharField(_("page"), max_length=10, choices=ViewScope.choices, default=ViewScope.LIST)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared with my unit"), default=False)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("unit"),
    )  # fmt: skip

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        default_permissions = ()
        ordering = ["scope", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "scope", "name"], name="savedview_owner_scope_name")
        ]
        indexes = [models.Index(fields=["org_unit", "shared"], name="savedview_unit_shared")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        from django.urls import reverse

        base = reverse("complaints:queue" if self.scope == ViewScope.QUEUE else "complaints:list")
        return f"{base}?{self.query}" if self.query else base
