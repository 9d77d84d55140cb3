"""Rectification items (限期整改) on the casework bases: the item, its events, its clock, its extensions and
its evidence (before/after photos and documents)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.models import WorkClock, WorkEvent, WorkExtension, WorkItem
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.rectification.choices import EvidenceKind, Source, Status


class Rectification(WorkItem):
    """Something a unit must put right by a deadline: owner (`handler`), plan, evidence, verification by
    somebody who is not the owner. Opened from an inspection finding, a complaint's root cause, a regulator's
    opinion, an audit or a self-check."""

    view_permission: ClassVar[str] = "rectification.view_rectification"

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, db_index=True)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    rule = models.ForeignKey(
        "casework.DeadlineRule", on_delete=models.PROTECT, related_name="+", verbose_name=_("deadline rule")
    )
    finding = models.ForeignKey(
        "inspections.Finding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("finding"),
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("complaint"),
    )
    issued_by = models.CharField(
        _("issued by"),
        max_length=100,
        blank=True,
        help_text=_("The regulator or auditor whose opinion it is."),
    )
    external_reference = models.CharField(_("document number"), max_length=64, blank=True)
    is_repeat = models.BooleanField(_("repeat finding"), default=False)
    plan = models.TextField(_("rectification plan"), blank=True)
    result = models.TextField(_("what was done"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # The clock's outcome on the row (what lists sort and filter by, what statistics count).
    due_date = models.DateField(_("due date"), null=True, blank=True)
    clock_state = models.CharField(_("deadline"), max_length=10, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        permissions = [
            ("open_rectification", "Can open rectification items"),
            ("work_rectification", "Can work on own rectification items (plan, evidence, submit, extend)"),
            ("verify_rectification", "Can verify or reject rectification and approve extensions"),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="rect_status_due"),
            models.Index(fields=["org_unit", "status"], name="rect_unit_status"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("rectification:detail", args=[self.pk])


class RectificationEvent(WorkEvent):
    item = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkEvent.Meta):
        indexes = [models.Index(fields=["item", "at"], name="rect_event_item_at")]


class RectificationClock(WorkClock):
    """The item's deadline clock (one, named "rectification"), swept by the shared sweeper."""

    item = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="clocks")

    class Meta:
        ordering = ["item", "name"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="rect_clock_unique_name")]
        indexes = [models.Index(fields=["state", "due_date"], name="rect_clock_state_due")]

    # How the shared sweeper reaches, names and escalates the item (xiaobao.casework.sweeper.ClockSweep).
    sweep: ClassVar[str] = "xiaobao.rectification.sweeping.SWEEP"


class RectificationExtension(WorkExtension):
    item = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="extensions")

    class Meta(WorkExtension.Meta):
        pass


class Evidence(TimeStampedModel):
    """A photo before or after the fix, or a document proving it; validated by content and extension."""

    item = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(upload_to="rectification/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
