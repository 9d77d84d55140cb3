"""Inspections (casework work items), their events, answers, photos and findings."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.models import WorkEvent, WorkItem, WorkItemQuerySet
from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.inspections.choices import PlanKind, Severity, Status


class InspectionQuerySet(WorkItemQuerySet):
    def visible_to(self, user: Any) -> Any:
        """Inspections of outlets in the user's subtree, and those the user is the inspector of.

        A mystery-shopping visit not yet submitted stays hidden from the unit visited: inside the outlet's
        subtree only users whose scope also holds the plan's inspecting unit see it (as the plans
        themselves are hidden, `plan_selectors.plans_visible`); the inspector always does."""
        if not user.has_perm(self.model.view_permission):
            return self.none()
        q = scope_q(user, self.model.unit_path_field)
        if q is None:
            return self
        unannounced = models.Q(is_mystery=True, status__in=[Status.PLANNED, Status.IN_PROGRESS])
        inspecting = scope_q(user, "plan__inspecting_unit__path")
        return self.filter((q & (~unannounced | inspecting)) | models.Q(handler_id=user.pk))  # type: ignore[operator]


class Inspection(WorkItem):
    """A service inspection or mystery-shopping visit of an outlet (`org_unit`) by an inspector (handler)."""

    view_permission: ClassVar[str] = "inspections.view_inspection"

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    plan = models.ForeignKey(
        "inspections.InspectionPlan",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("plan"),
    )
    template = models.ForeignKey(
        "inspections.ChecklistTemplate",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("checklist"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2, null=True, blank=True)
    stars = models.PositiveSmallIntegerField(
        _("stars"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    section_scores = models.JSONField(_("section scores"), default=list, blank=True)
    is_mystery = models.BooleanField(_("mystery shopping"), default=False)
    # Set by the sales-recording module when this inspection checks one sampled recording.
    sales_sample_item_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    objects = InspectionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        permissions = [
            ("plan_inspection", "Plan inspections and assign inspectors"),
            ("conduct_inspection", "Fill in and submit inspections"),
            ("manage_checklist", "Edit checklists and rating bands"),
        ]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["org_unit", "status"], name="inspection_unit_status"),
            models.Index(fields=["handler", "status", "due_date"], name="inspection_handler_due"),
            models.Index(fields=["status", "submitted_at"], name="inspection_status_submitted"),
            # the list's order: newest first without sorting the whole scope (docs/benchmarks.md, inspections)
            models.Index(fields=["-created_at", "-id"], name="inspection_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True) | models.Q(percent__gte=0, percent__lte=100),
                name="inspection_percent_range",
            ),
            models.CheckConstraint(
                condition=models.Q(stars__isnull=True) | models.Q(stars__gte=1, stars__lte=5),
                name="inspection_stars_range",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("inspections:detail", args=[self.pk])


class InspectionEvent(WorkEvent):
    item = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkEvent.Meta):
        default_permissions = ()


class Answer(models.Model):
    """The answer to one item of one inspection, saved as it is given (autosave; idempotent on retry).

    `given_at` is when the inspector gave it on the device: a retry of an older answer arriving after a newer
    one leaves the newer one in place.
    """

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey("inspections.ChecklistItem", on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(_("value"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"))
    given_at = models.DateTimeField(_("given at"), null=True, blank=True)

    class Meta:
        ordering = ["inspection", "item__section__order", "item__order"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="answer_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id}"


class InspectionPhoto(TimeStampedModel):
    """A photo taken during an inspection (optionally of one item). Same bytes twice: one row."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(
        "inspections.ChecklistItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="inspections/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["inspection", "sha256"], name="inspection_photo_once"),
        ]

    def __str__(self) -> str:
        return self.original_name


class FindingQuerySet(models.QuerySet["Finding"]):
    def visible_to(self, user: Any) -> FindingQuerySet:
        if not user.has_perm("inspections.view_inspection"):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)


class Finding(TimeStampedModel):
    """A problem found (检查发现) at an outlet; a repeat finding points at the earlier one."""

    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    item = models.ForeignKey(
        "inspections.ChecklistItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item_code = models.CharField(_("item code"), max_length=40, blank=True, db_index=True)
    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    description = models.TextField(_("description"))
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    is_repeat = models.BooleanField(_("repeat finding"), default=False)
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [models.Index(fields=["org_unit", "item_code"], name="finding_unit_item")]

    def __str__(self) -> str:
        return self.description[:60]
