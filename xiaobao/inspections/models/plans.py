"""Inspection plans and the planning cadence (data).

A plan draws a reproducible sample of outlets (the seed is stored, and so is the sample with the reason
each outlet was drawn); helper code lives in `xiaobao.inspections.plans` and `.sampling`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.inspections.choices import CadencePeriod, PlanKind, PlanStatus


class PlanCadence(TimeStampedModel):
    """How often units of a kind plan inspections (head office quarterly, branches monthly)."""

    unit_kind = models.CharField(
        _("unit kind"),
        max_length=20,
        unique=True,
        choices=[("head_office", _("Head office")), ("branch", _("Branch"))],
    )
    period = models.CharField(_("period"), max_length=10, choices=CadencePeriod.choices)

    class Meta:
        ordering = ["unit_kind"]
        default_permissions = ()
        verbose_name = _("planning cadence")
        verbose_name_plural = _("planning cadences")

    def __str__(self) -> str:
        return f"{self.get_unit_kind_display()}: {self.get_period_display()}"


class InspectionPlanQuerySet(models.QuerySet["InspectionPlan"]):
    def visible_to(self, user: Any) -> InspectionPlanQuerySet:
        """Plans whose inspecting unit or inspected subtree lies in the user's scope."""
        if not user.has_perm("inspections.view_inspection"):
            return self.none()
        by_inspector = scope_q(user, "inspecting_unit__path")
        if by_inspector is None:
            return self
        return self.filter(by_inspector | scope_q(user, "scope_unit__path"))  # type: ignore[operator]


class InspectionPlan(TimeStampedModel):
    """An inspection plan (检查计划) for a period over a subtree, with its drawn sample."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    template = models.ForeignKey(
        "inspections.ChecklistTemplate",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("checklist"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    inspecting_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("inspecting unit")
    )
    scope_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("units inspected")
    )
    outlet_count = models.PositiveIntegerField(_("number of outlets"), default=0)
    seed = models.BigIntegerField(_("sampling seed"), default=0)
    exclude_recent_days = models.PositiveIntegerField(_("exclude outlets inspected within (days)"), default=0)
    risk_weighted = models.BooleanField(_("weight by risk"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sample = models.JSONField(_("sample"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-id"]
        default_permissions = ()
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="plan_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name
