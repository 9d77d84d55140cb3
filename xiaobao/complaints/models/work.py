from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.choices import ExtensionState
from xiaobao.casework.models.base import WorkClock, WorkExtension
from xiaobao.core.models.base import TimeStampedModel


class Clock(WorkClock):
    """A named regulatory clock of a complaint, recomputed from the event history on every transition
    (its fields are the casework clock's: `xiaobao.casework.models.WorkClock`)."""

    sweep = "xiaobao.complaints.sweeper.CLOCK_SWEEP"  # how the shared sweeper reaches and names it

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="clocks")

    class Meta:
        ordering = ["complaint", "name"]
        constraints = [models.UniqueConstraint(fields=["complaint", "name"], name="clock_unique_name")]
        indexes = [models.Index(fields=["state", "due_date"], name="clock_state_due")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.name} {self.due_date}"


class Extension(WorkExtension):
    """A request to extend a complaint's clock (the casework extension, `WorkExtension`), told to the
    complainant."""

    State = ExtensionState

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="extensions")
    clock = models.CharField(max_length=20, default="decision")
    complainant_told_at = models.DateTimeField(_("complainant told at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.to_days}"


class Assistance(TimeStampedModel):
    """A co-handling task (协办) for another unit."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="assistances"
    )
    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("request"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.complaint_id} assist {self.unit_id}"


class Attachment(TimeStampedModel):
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="complaints/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=20, default="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name
