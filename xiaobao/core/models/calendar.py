from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel


class CalendarYear(TimeStampedModel):
    """Marks a year whose official schedule (State Council notice) has been entered by hand.

    Years covered by the `chinesecalendar` package need no row. A year with neither is computed with
    weekends only and every deadline that touches it is `provisional`.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source_document = models.CharField(_("source document"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        permissions = [("manage_calendar", "Maintain the working-day calendar")]

    def __str__(self) -> str:
        return str(self.year)


class CalendarOverride(TimeStampedModel):
    """A dated exception that takes precedence over the package: a holiday or a (make-up) working day."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60)
    source_document = models.CharField(_("source document"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
