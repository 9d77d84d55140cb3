"""How long records are kept (PIPL Art 19 and 47; regulations.md §5.4): one row per record type, as data.

The periods collected in regulations.md are partly secondary or UNCONFIRMED sources, so they are rows an
administrator edits, never constants. `xiaobao retention_purge` anonymises what has passed its period.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel


class RecordType(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint file (from closing)")


class RetentionRule(TimeStampedModel):
    record_type = models.CharField(_("record type"), max_length=30, choices=RecordType.choices, unique=True)
    years = models.PositiveSmallIntegerField(_("years kept"))
    source_document = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("purge when due"), default=True)

    class Meta:
        ordering = ["record_type"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(years__gte=1), name="retention_at_least_one_year")
        ]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.years}"
