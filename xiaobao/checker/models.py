"""The checker's data: rules that head office edits (versioned), their version history, and the findings a
run stored on a subject (a document version of a review, or any other model) with the reviewer's decision.

Rules mirror `xiaobao.checker.engine.RuleSpec` (the pure engine never imports these models) plus what an
edited rule needs: a status, effective dates, a version and who changed it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.checker.engine import LABELS, MATERIALS, PRODUCT_KINDS

# The names people read for the engine's codes (the engine's tuples are the contract; these only name them).
LABEL_NAMES = {
    "absolute": _("Absolute terms"),
    "guarantee": _("Promised principal or return"),
    "no_risk": _("No-risk claim"),
    "deposit_confusion": _("Presented as a deposit"),
    "missing_disclosure": _("Missing disclosure"),
    "expected_return": _("Expected return without its basis"),
    "apr_missing": _("Annualised rate missing"),
    "urgency": _("Pressure to buy"),
    "inducement": _("Improper inducement"),
    "endorsement": _("Endorsement of returns"),
    "regulator_endorsement": _("Regulator used as a guarantee"),
    "misleading": _("Misleading comparison or hidden conditions"),
    "unfair_terms": _("Unfair standard terms"),
    "tying": _("Tying or pre-ticked options"),
}
PRODUCT_KIND_NAMES = {
    "wealth": _("Wealth management"),
    "fund": pgettext_lazy("product kind", "Fund"),
    "insurance": pgettext_lazy("product kind", "Insurance"),
    "deposit": pgettext_lazy("product kind", "Deposit"),
    "loan": pgettext_lazy("product kind", "Loan"),
    "credit_card": pgettext_lazy("product kind", "Credit card"),
    "payment": pgettext_lazy("product kind", "Payment"),
    "precious_metal": pgettext_lazy("product kind", "Precious metals"),
    "other": pgettext_lazy("product kind", "Other"),
}
MATERIAL_NAMES = {
    "marketing": pgettext_lazy("checker material", "Marketing material"),
    "contract": pgettext_lazy("checker material", "Contract or standard terms"),
}
LABEL_CHOICES = [(code, LABEL_NAMES.get(code, code)) for code in LABELS]
PRODUCT_KIND_CHOICES = [(code, PRODUCT_KIND_NAMES.get(code, code)) for code in PRODUCT_KINDS]
MATERIAL_CHOICES = [(code, MATERIAL_NAMES.get(code, code)) for code in MATERIALS]


class Severity(models.TextChoices):
    HIGH = "high", pgettext_lazy("checker severity", "High")
    MEDIUM = "medium", pgettext_lazy("checker severity", "Medium")
    LOW = "low", pgettext_lazy("checker severity", "Low")


class RuleKind(models.TextChoices):
    TERMS = "terms", pgettext_lazy("checker rule kind", "Term list")
    PATTERN = "pattern", pgettext_lazy("checker rule kind", "Patterns")
    REQUIRED = "required", pgettext_lazy("checker rule kind", "Required statement")
    NUMERIC = "numeric", pgettext_lazy("checker rule kind", "Numeric check")


class RuleStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("checker rule", "Draft")
    ACTIVE = "active", pgettext_lazy("checker rule", "Active")
    RETIRED = "retired", pgettext_lazy("checker rule", "Retired")


class Decision(models.TextChoices):
    PENDING = "pending", pgettext_lazy("checker finding", "Not decided")
    CONFIRMED = "confirmed", pgettext_lazy("checker finding", "Confirmed")
    DISMISSED = "dismissed", pgettext_lazy("checker finding", "Dismissed")


# The list fields a rule holds (JSON lists of strings); the regex ones must compile.
LIST_FIELDS = ("terms", "patterns", "exceptions", "product_kinds", "materials", "required", "near")
REGEX_FIELDS = ("patterns", "exceptions", "required", "near")


class CheckRule(models.Model):
    """One rule of the checker, as head office maintains it. Only the service (`rule_save`) writes it: each
    save bumps `version` and keeps a `CheckRuleVersion` snapshot."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    label = models.CharField(_("label"), max_length=32, choices=LABEL_CHOICES, db_index=True)
    severity = models.CharField(
        pgettext_lazy("checker", "severity"), max_length=10, choices=Severity.choices, default="medium"
    )
    kind = models.CharField(pgettext_lazy("checker", "rule kind"), max_length=10, choices=RuleKind.choices)
    terms = models.JSONField(_("terms"), default=list, blank=True)
    patterns = models.JSONField(_("patterns"), default=list, blank=True)
    exceptions = models.JSONField(_("exceptions"), default=list, blank=True)
    product_kinds = models.JSONField(_("product kinds"), default=list, blank=True)
    materials = models.JSONField(_("materials"), default=list, blank=True)
    required = models.JSONField(_("required statements"), default=list, blank=True)
    near = models.JSONField(_("triggers"), default=list, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    source = models.CharField(_("legal source"), max_length=500, blank=True)
    suggestion = models.CharField(_("suggested fix"), max_length=2000, blank=True)
    status = models.CharField(
        pgettext_lazy("checker", "status"), max_length=10, choices=RuleStatus.choices, default="draft"
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_preset = models.BooleanField(_("preset"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set by review's recheck job once live approved materials were checked again with this rule (after a
    # pending rule took effect); cleared when the rule's start moves into the future again.
    rechecked_at = models.DateTimeField(_("rechecked at"), null=True, blank=True)

    class Meta:
        ordering = ["label", "code"]
        verbose_name = _("checker rule")
        verbose_name_plural = _("checker rules")
        permissions = [
            ("use_checker", "Can run the wording checker"),
            ("manage_rules", "Can edit checker rules"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("checker:rule", args=[self.code])

    def in_force(self, on: dt.date) -> bool:
        """Active and within its effective dates on `on`."""
        return (
            self.status == RuleStatus.ACTIVE
            and (self.effective_from is None or self.effective_from <= on)
            and (self.effective_to is None or self.effective_to >= on)
        )

    def state_on(self, on: dt.date) -> str:
        """draft | pending (active, starts later) | active | expired (active, ended) | retired."""
        if self.status != RuleStatus.ACTIVE:
            return str(self.status)
        if self.effective_from is not None and self.effective_from > on:
            return "pending"
        if self.effective_to is not None and self.effective_to < on:
            return "expired"
        return "active"


class CheckRuleVersion(models.Model):
    """What a rule was after one save: the full snapshot, who, when and why."""

    rule = models.ForeignKey(CheckRule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="checker_rule_version_unique")
        ]
        verbose_name = _("checker rule version")
        verbose_name_plural = _("checker rule versions")

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class CheckFinding(models.Model):
    """One finding of a checker run on a subject (generic: a review's document version, …), kept with the
    rule's words at the time (label, source, suggestion) and the reviewer's decision. Shown by the subject's
    own pages; there is no list of findings of its own."""

    rule = models.ForeignKey(
        CheckRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    rule_code = models.CharField(_("rule"), max_length=64, db_index=True)
    label = models.CharField(_("label"), max_length=32, choices=LABEL_CHOICES)
    severity = models.CharField(pgettext_lazy("checker", "severity"), max_length=10, choices=Severity.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    excerpt = models.CharField(_("excerpt"), max_length=500)
    source = models.CharField(_("legal source"), max_length=500, blank=True)
    suggestion = models.CharField(_("suggested fix"), max_length=2000, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default="pending", db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        ordering = ["content_type", "object_id", "start", "end", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="checker_finding_subject")]
        verbose_name = _("checker finding")
        verbose_name_plural = _("checker findings")

    def __str__(self) -> str:
        return f"{self.rule_code} [{self.start}:{self.end}]"

    @property
    def label_name(self) -> str:
        return str(LABEL_NAMES.get(self.label, self.label))
