"""How long records are kept (PIPL Art 19 and 47; regulations.md §5.4): one row per record type, as data.

The periods collected in regulations.md are partly secondary or UNCONFIRMED sources, and for most record
types here no rule names a period at all, so they are rows an administrator edits (`xiaobao retention_rules`),
never constants. A rule's period is in years or in days. `xiaobao retention_purge` removes what has passed it
(xiaobao/retention.py).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from xiaobao.core.models.base import TimeStampedModel


class RecordType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint file (from closing)")
    REPORT_FILE = "report_file", _("Generated report file (from generation)")
    IMPORT_FILE = "import_file", _("Uploaded import file (from upload)")
    EXPORT_FILE = "export_file", _("Complaint list export workbook (from building)")
    NOTIFICATION = "notification", _("Read notification (from sending)")
    CONSUMER = "consumer", _("Consumer without any complaint (from the last change)")


class RetentionRule(TimeStampedModel):
    record_type = models.CharField(_("record type"), max_length=30, choices=RecordType.choices, unique=True)
    years = models.PositiveSmallIntegerField(_("years kept"), null=True, blank=True)
    days = models.PositiveIntegerField(_("days kept"), null=True, blank=True)
    source_document = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("purge when due"), default=True)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years__gte=1, days__isnull=True)
                | models.Q(years__isnull=True, days__gte=1),
                name="retention_years_or_days",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.period}"

    @classmethod
    def active_for(cls, record_type: str) -> RetentionRule | None:
        """The rule that applies to a record type, or None: records of that type are kept."""
        return cls.objects.filter(record_type=record_type, is_active=True).first()

    @property
    def period(self) -> str:
        if self.years:
            return ngettext("%(n)d year", "%(n)d years", self.years) % {"n": self.years}
        return ngettext("%(n)d day", "%(n)d days", self.days or 0) % {"n": self.days or 0}

    @property
    def period_code(self) -> str:
        """The period as `xiaobao retention_rules` takes it: 3y, 90d."""
        return f"{self.years}y" if self.years else f"{self.days or 0}d"

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """Records whose period starts before this moment are due."""
        if self.years:
            try:
                return now.replace(year=now.year - self.years)
            except ValueError:  # 29 February
                return now.replace(year=now.year - self.years, day=28)
        return now - dt.timedelta(days=self.days or 0)
