from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel


class DeadlineRule(TimeStampedModel):
    """A deadline rule as data: N calendar or working days, optional extensions, roll-forward option.

    `subject` names the kind of work item the rule is for, as a model label (`complaints.complaint`,
    `inspections.rectification`); `clock` names the clock of that item it drives; `sources` lists the item
    sources it is the default for. `extensions` is a list of steps [{"to_days": 30, "approval": false},
    {"to_days": 60, "approval": true}]: each step sets the total number of days; steps with approval wait
    for an approver. Working days count from the day after the start day (the complaint rules' reading).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("applies to"), max_length=60, default="complaints.complaint", db_index=True)
    clock = models.CharField(_("clock"), max_length=20, default="decision")
    days = models.PositiveIntegerField(_("days"))
    unit = models.CharField(
        _("counted in"),
        max_length=10,
        choices=[("calendar", _("calendar days")), ("working", _("working days"))],
    )
    roll_forward = models.BooleanField(_("move a last day off work to the next working day"), default=True)
    extensions = models.JSONField(_("extension steps"), default=list, blank=True)
    sources = models.JSONField(
        _("applies to sources"),
        default=list,
        blank=True,
        help_text=_("Complaint sources this rule is the default for."),
    )
    source_document = models.CharField(_("source document"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["clock", "code"]
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")

    def __str__(self) -> str:
        return f"{self.name} ({self.days} {self.get_unit_display()})"

    def max_days(self) -> int:
        return max([self.days, *[int(s["to_days"]) for s in self.extensions]])

    def step_for(self, to_days: int) -> dict | None:
        return next((s for s in self.extensions if int(s["to_days"]) == to_days), None)
