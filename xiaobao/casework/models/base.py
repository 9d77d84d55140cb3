"""Abstract bases of a work item and what hangs off it: its events, its clocks, its extensions.

A module's item subclasses `WorkItem` (adding its own fields), its event `WorkEvent` (adding a foreign key
named `item` to the item, related name `events`), its clock `WorkClock` (foreign key `item`, related name
`clocks`) and, when deadlines can be extended, `WorkExtension` (foreign key `item`, related name
`extensions`). The transition service (`xiaobao.casework.transitions`) and the sweeper
(`xiaobao.casework.sweeper`) work on these fields only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.choices import ClockState, ExtensionState
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q, subtree_q


class WorkItemQuerySet(models.QuerySet[Any]):
    """Row access in one place: `visible_to(user)` is the base every module's lists, details, API,
    exports, statistics and dropdowns use. The model names its view permission (`view_permission`) and
    the path of its unit (`unit_path_field`, default `org_unit__path`)."""

    def visible_to(self, user: Any) -> Any:
        model = self.model
        if not user.has_perm(model.view_permission):
            return self.none()
        q = scope_q(user, model.unit_path_field)
        return self if q is None else self.filter(q)

    def in_subtree(self, unit: Any) -> Any:
        """Items of `unit` and every unit below it: an index range on the materialised path."""
        return self.filter(subtree_q(unit.path, self.model.unit_path_field))


class WorkItem(TimeStampedModel):
    """Something opened in a unit, with an owner (handler), a status from a declared workflow table and a
    version that each transition bumps (optimistic concurrency: a stale version gets 409)."""

    view_permission: ClassVar[str] = ""
    unit_path_field: ClassVar[str] = "org_unit__path"

    reference = models.CharField(_("reference"), max_length=24, unique=True)
    status = models.CharField(_("status"), max_length=20, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.reference


class WorkEvent(models.Model):
    """One step in an item's history: the regulator's audit trail and the source of clocks and statistics."""

    at = models.DateTimeField(_("at"), db_index=True)
    effective_date = models.DateField(_("effective date"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class WorkClock(models.Model):
    """A named clock of an item, recomputed from its events on every transition; swept by the sweeper."""

    name = models.CharField(_("clock"), max_length=20)
    rule = models.ForeignKey("casework.DeadlineRule", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("start"))
    days = models.PositiveIntegerField(_("days"))
    paused_days = models.PositiveIntegerField(_("paused days"), default=0)
    due_date = models.DateField(_("due date"), db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    provisional = models.BooleanField(_("provisional"), default=False)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    warned = models.JSONField(default=list, blank=True)  # warning levels already sent (sweeper)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} {self.due_date}"


class WorkExtension(TimeStampedModel):
    """A request to move a clock's deadline to `to_days` days in total, approved by somebody else."""

    clock = models.CharField(max_length=20)
    to_days = models.PositiveIntegerField(_("extend to (days)"))
    reason = models.TextField(_("reason"))
    state = models.CharField(
        _("state"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"→ {self.to_days}"
