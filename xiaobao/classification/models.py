"""Assisted classification: the trained model versions, their training jobs, and the suggestion given for
each complaint with the codes chosen.

The model itself is a joblib file the app wrote into `<DATA_DIR>/classification/` (never a file from
elsewhere): its SHA-256 is kept here and checked before it is loaded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.models.jobs import BackgroundJob


class ClassifierModel(TimeStampedModel):
    """One trained version: both dimensions (business type, cause) over one shared text vectoriser, with the
    figures measured on its held-out part (`metrics[dimension]`: top1, top3, macro_f1, baseline,
    per_class)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    dimensions = models.JSONField(_("dimensions"), default=list)  # the dimensions the file holds a model of
    trained_at = models.DateTimeField(_("trained at"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("trained by"),
    )
    n_train = models.PositiveIntegerField(_("complaints trained on"), default=0)
    n_test = models.PositiveIntegerField(_("complaints held out"), default=0)
    seed = models.PositiveIntegerField(_("random seed"), default=0)
    seconds = models.FloatField(_("training seconds"), default=0)
    metrics = models.JSONField(_("measured figures"), default=dict)
    file = models.CharField(_("file"), max_length=200)  # relative to DATA_DIR/classification
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=False)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("classification model")
        verbose_name_plural = _("classification models")
        permissions = [("manage_classifier", "Train and activate the classification model; see its figures")]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="classifier_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def figure(self, dimension: str, name: str) -> float | None:
        value = (self.metrics.get(dimension) or {}).get(name)
        return float(value) if isinstance(value, int | float) else None


class TrainingJob(BackgroundJob):
    """`train now`: a background job with progress; `model` is the version it produced."""

    seed = models.PositiveIntegerField(_("random seed"), default=0)
    model = models.ForeignKey(
        ClassifierModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activate = models.BooleanField(_("activate when trained"), default=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("training job")
        verbose_name_plural = _("training jobs")

    def __str__(self) -> str:
        return f"training #{self.pk}"


class Origin(models.TextChoices):
    REGISTERED = "registered", _("Registered (form or API)")
    IMPORTED = "imported", _("Imported")


class Suggestion(models.Model):
    """What the active model suggested for a complaint when it was created, and the codes chosen then.

    `business_type` / `cause`: the top three as [{"code", "confidence"}], best first. The codes a complaint
    has later are read from the complaint itself (see docs: acceptance counts the choice at registration)."""

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="classification_suggestion"
    )
    model_version = models.PositiveIntegerField(_("model version"))
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    business_type = models.JSONField(default=list)
    cause = models.JSONField(default=list)
    chosen_business_type = models.CharField(_("business type chosen"), max_length=20, blank=True)
    chosen_cause = models.CharField(_("cause chosen"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("classification suggestion")
        verbose_name_plural = _("classification suggestions")

    def __str__(self) -> str:
        return f"suggestion for {self.complaint_id}"

    def top(self, dimension: str) -> list[str]:
        return [s["code"] for s in getattr(self, dimension) or []]
