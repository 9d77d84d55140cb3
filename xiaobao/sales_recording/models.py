"""Sales recording (双录): the register of sales that require recording, the sampling rules, the quarterly
samples and their items.

The register holds no customer's personal data: the seller is a member of staff (name or staff number), the
applicant appears only as an age (for the rules on applicants aged 60 or more). The recordings themselves
stay in the recording system; a sale names its recording by id and duration, and how long recordings are
kept is a retention rule (`core.RetentionRule` "sales_recording", data).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q, subtree_q
from xiaobao.sales_recording.choices import ProductKind, SampleReason

VIEW_PERM = "sales_recording.view_recordedsale"
IMPORT_PERM = "sales_recording.import_recordedsale"
CHECK_PERM = "sales_recording.check_recordedsale"
RULES_PERM = "sales_recording.manage_samplingrule"


class ScopedQuerySet(models.QuerySet[Any]):
    """Rows of units in the user's subtree, for users with the module's view permission."""

    def visible_to(self, user: Any) -> Any:
        if not user.has_perm(VIEW_PERM):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)

    def in_subtree(self, unit: Any) -> Any:
        return self.filter(subtree_q(unit.path, "org_unit__path"))


class RecordedSale(TimeStampedModel):
    """One sale that requires recording, as imported from the sales or recording system.

    It is recorded when it has a recording id and a duration above zero. `(source, external_id)` is unique: a
    file imported again adds nothing."""

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet")
    )
    product = models.CharField(_("product"), max_length=100)
    product_kind = models.CharField(_("product kind"), max_length=20, choices=ProductKind.choices)
    seller = models.CharField(_("seller (staff name or number)"), max_length=60)
    sale_at = models.DateTimeField(_("sale time"))
    recording_id = models.CharField(_("recording id"), max_length=64, blank=True)
    duration_seconds = models.PositiveIntegerField(_("recording length (seconds)"), default=0)
    applicant_age = models.PositiveSmallIntegerField(
        _("applicant's age"), null=True, blank=True, validators=[MaxValueValidator(130)]
    )
    source = models.CharField(_("source system"), max_length=30)
    external_id = models.CharField(_("external ID"), max_length=64)
    batch = models.ForeignKey(
        "imports.ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("import"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sale_at", "-id"]
        verbose_name = _("recorded sale")
        verbose_name_plural = _("recorded sales")
        default_permissions = ("view",)
        permissions = [
            ("import_recordedsale", "Import sales that require recording into the own subtree"),
            ("check_recordedsale", "Draw samples of recorded sales and check them"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="recordedsale_once_per_source"),
            models.CheckConstraint(
                condition=models.Q(applicant_age__isnull=True) | models.Q(applicant_age__lte=130),
                name="recordedsale_age_range",
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "sale_at"], name="recordedsale_unit_sale"),
            models.Index(fields=["sale_at"], name="recordedsale_sale_at"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.sale_at:%Y-%m-%d}"

    @property
    def is_recorded(self) -> bool:
        return bool(self.recording_id) and self.duration_seconds > 0


class SamplingRule(TimeStampedModel):
    """How many recorded sales a unit's quarterly sample checks (editable data).

    Either `share_percent` (of each product kind's sales, rounded up) or `count` (random items per sample,
    spread over the product kinds in proportion), at least `min_per_unit` random items when there are enough
    sales. `product_kinds` limits the sales the rule samples (empty: all). `must_check` lists conditions
    whose sales are all checked, whatever the share: each is a dict of tests that must all hold, e.g.
    `[{"applicant_age_gte": 60}]` or `[{"applicant_age_gte": 60, "product_kinds": ["insurance"]}]`.

    The rates are the institution's choice: the banking rule (110号) sets none; the insurance rule (54号
    Art 10) asks for at least 30% and all sales to applicants aged 60 or more."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    share_percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    min_per_unit = models.PositiveIntegerField(_("at least per unit"), default=1)
    product_kinds = models.JSONField(_("product kinds sampled"), default=list, blank=True)
    must_check = models.JSONField(_("always checked"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source_document = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sampling rule")
        verbose_name_plural = _("sampling rules")
        default_permissions = ()
        permissions = [("manage_samplingrule", "Edit the sampling rules of sales recordings")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_percent__isnull=False, count__isnull=True)
                | models.Q(share_percent__isnull=True, count__isnull=False),
                name="samplingrule_share_or_count",
            ),
            models.CheckConstraint(
                condition=models.Q(share_percent__isnull=True)
                | models.Q(share_percent__gt=0, share_percent__lte=100),
                name="samplingrule_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RecordingSample(TimeStampedModel):
    """A unit's quarterly sample of recorded sales (the sales of its subtree), drawn with a stored seed: the
    same sales, rule snapshot and seed draw the same items. One per unit, quarter and rule."""

    org_unit = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    rule = models.ForeignKey(SamplingRule, on_delete=models.PROTECT, related_name="samples")
    rule_snapshot = models.JSONField(_("rule as drawn"), default=dict)
    seed = models.BigIntegerField(_("seed"))
    population = models.PositiveIntegerField(_("sales in the quarter"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "org_unit__path", "-id"]
        verbose_name = _("recording sample")
        verbose_name_plural = _("recording samples")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "quarter", "rule"], name="recordingsample_once_per_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="recordingsample_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


class SampleItem(models.Model):
    """One sampled sale, checked with the sales-recording checklist through an inspection."""

    sample = models.ForeignKey(RecordingSample, on_delete=models.CASCADE, related_name="items")
    sale = models.ForeignKey(RecordedSale, on_delete=models.PROTECT, related_name="sample_items")
    reason = models.CharField(_("why sampled"), max_length=20, choices=SampleReason.choices)
    stratum = models.CharField(_("product kind"), max_length=20, choices=ProductKind.choices)
    inspection = models.OneToOneField(
        "inspections.Inspection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("check"),
    )

    class Meta:
        ordering = ["sample", "stratum", "sale__sale_at", "id"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["sample", "sale"], name="sampleitem_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id}/{self.sale_id}"
