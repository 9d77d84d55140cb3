"""Checklist templates as data: versioned templates, their sections and items, and the rating bands.

A template is one version of a checklist family (`code`); exactly one version per family is current.
Editing a version that inspections already use makes a new version (`services.checklist_update`), so every
inspection keeps the exact version it was filled with.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.inspections.choices import ChecklistKind, ItemKind


class ChecklistTemplate(TimeStampedModel):
    """One version of a checklist (检查表)."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=ChecklistKind.choices)
    description = models.TextField(_("description"), blank=True)
    is_current = models.BooleanField(_("current version"), default=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["code", "-version"]
        default_permissions = ()
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="checklist_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_current=True), name="checklist_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ChecklistSection(models.Model):
    """A section (aspect) of a checklist: weighted; its gating item zeroes it when failed."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    gate_item_code = models.CharField(_("gating item"), max_length=40, blank=True)

    class Meta:
        ordering = ["template", "order", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_section_code"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    """An item (检查项). `template` repeats the section's template so an item is found by (template, code)."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=40)
    text = models.CharField(_("item"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.YES_NO)
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), default=1, validators=[MaxValueValidator(100)]
    )
    weight = models.DecimalField(
        _("weight"), max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    critical = models.BooleanField(_("critical"), default=False)
    gating = models.BooleanField(_("gating item"), default=False)
    photo_required = models.BooleanField(_("photo required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    guidance = models.TextField(_("guidance"), blank=True)

    class Meta:
        ordering = ["section__order", "order", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def scored(self) -> bool:
        """Whether the item counts towards the score (text and number items are recorded only)."""
        return self.kind in (ItemKind.YES_NO, ItemKind.SCORE, ItemKind.PHOTO) and self.max_score > 0


class RatingBand(TimeStampedModel):
    """An outlet rating threshold (评星): `stars` from a percentage of at least `min_percent`."""

    stars = models.PositiveSmallIntegerField(
        _("stars"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    min_percent = models.DecimalField(
        _("minimum percentage"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["-stars"]
        default_permissions = ()
        verbose_name = _("rating band")
        verbose_name_plural = _("rating bands")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="ratingband_stars_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(min_percent__gte=0, min_percent__lte=100), name="ratingband_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ ≥ {self.min_percent}%"
