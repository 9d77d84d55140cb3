"""Early warnings (预警): what the scan found, the watch-word list it matches, and a log of its runs.

A warning names a unit, a category and figures — never a person: no names, ID numbers or phone numbers are
stored in it (complaints are named by reference; a repeat complainant by the internal consumer id only).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q

MAX_COMPLAINT_IDS = 100  # complaint ids kept on one warning (the drill-down link finds the rest)


class WarningKind(models.TextChoices):
    SPIKE = "spike", _("Spike in complaints")
    WATCH_WORD = "watch_word", _("Watch word (public-opinion risk)")
    REPEAT_COMPLAINANT = "repeat_complainant", _("Repeat complainant")
    GROUP_OR_MAJOR = "group_or_major", _("Group or major complaint")
    NEAR_BREACH = "near_breach", _("Decision deadline about to be missed")


class EarlyWarningQuerySet(models.QuerySet["EarlyWarning"]):
    def visible_to(self, user: Any) -> EarlyWarningQuerySet:
        """Warnings of units in the user's subtree, for users with the view permission."""
        if not user.has_perm("early_warning.view_earlywarning"):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)

    def open(self) -> EarlyWarningQuerySet:
        return self.filter(acknowledged_at__isnull=True)


class EarlyWarning(TimeStampedModel):
    """One early warning about a unit: a spike, a watch word, a repeat complainant, a group or major
    complaint, or a decision about to be late. `dedupe_key` is unique: a scan run twice, or by two workers at
    once, never stores the same warning twice."""

    kind = models.CharField(_("kind"), max_length=20, choices=WarningKind.choices, db_index=True)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    category_code = models.CharField(_("category"), max_length=20, blank=True)
    category_label = models.CharField(_("category name"), max_length=60, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)
    baseline = models.FloatField(_("baseline per day"), null=True, blank=True)
    threshold = models.PositiveIntegerField(_("limit"), null=True, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    complaint_ids = models.JSONField(_("complaints"), default=list, blank=True)
    drill_down = models.JSONField(_("complaint-list filters"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # What the warning is about when it is not the unit itself ("consumer:<id>"): an internal id, never
    # personal data. Lets the scan tell one repeat complainant once per window.
    subject = models.CharField(max_length=40, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=120, unique=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement_note = models.TextField(_("note"), blank=True)

    objects = EarlyWarningQuerySet.as_manager()
    audit_exclude = ("complaint_ids", "drill_down", "details", "subject", "dedupe_key")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        default_permissions = ("view",)
        permissions = [("acknowledge_earlywarning", "Acknowledge early warnings")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="earlywarning_ack_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="earlywarning_newest"),
            models.Index(fields=["kind", "subject", "period_end"], name="earlywarning_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.org_unit_id} {self.period_end}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def drill_down_url(self) -> str:
        """The complaint list filtered to what the warning counts (empty when it names its complaints)."""
        if not self.drill_down:
            return ""
        return f"{reverse('complaints:list')}?{urlencode(self.drill_down)}"

    def summary(self) -> str:
        """One sentence with the figures, in the active language (no personal data)."""
        from xiaobao.early_warning.messages import warning_summary

        return warning_summary(self)

    def rule_text(self) -> str:
        from xiaobao.early_warning.messages import rule_explanation

        return rule_explanation(self)

    def get_absolute_url(self) -> str:
        return reverse("early_warning:detail", args=[self.pk])


class WatchWord(TimeStampedModel):
    """A word or phrase that marks public-opinion risk when it appears in a new complaint (admin-edited)."""

    word = models.CharField(_("watch word"), max_length=40, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["word"]
        verbose_name = _("watch word")
        verbose_name_plural = _("watch words")
        default_permissions = ()
        permissions = [("manage_watchword", "Edit the watch-word list of early warnings")]

    def __str__(self) -> str:
        return self.word


class WarningScanRun(models.Model):
    """One run of `warning_scan`: when it ran, for which day, what it created (counts only) and how long it
    took. The start of the last finished run is where the next run's "new complaints" begin; `marks`
    bound them from below by id."""

    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    day = models.DateField(_("day"))
    created = models.JSONField(_("warnings created"), default=dict, blank=True)
    seconds = models.FloatField(_("seconds"), default=0.0)
    # Highest complaint and complaint-event ids when the run started: a later run reads new rows from here
    # (an index range on the primary key instead of a scan of the whole table by time).
    marks = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("warning scan")
        verbose_name_plural = _("warning scans")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.day} {self.started_at:%H:%M:%S}"
