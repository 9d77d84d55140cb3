"""Choices of consumer-protection review (消保审查): statuses, kinds, opinions, approvals."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("review", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review", "Submitted")
    IN_REVIEW = "in_review", _("In review")
    ANSWERING = "answering", _("Awaiting answers")
    ESCALATED = "escalated", _("Escalated to the department head")
    PASSED = "passed", pgettext_lazy("review", "Passed")
    PASSED_WITH_CHANGES = "passed_with_changes", _("Passed after changes")
    REJECTED = "rejected", pgettext_lazy("review", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("review", "Withdrawn")


class ReviewKind(models.TextChoices):
    NEW_PRODUCT = "new_product", _("New product")
    PRODUCT_CHANGE = "product_change", _("Product change")
    FEE_CHANGE = "fee_change", _("Fee or price change")
    CONTRACT = "contract", _("Contract or standard terms")
    MARKETING = "marketing", _("Marketing material")
    SERVICE_PROCESS = "service_process", _("Service process")
    OTHER = "other", pgettext_lazy("review kind", "Other")


class Material(models.TextChoices):
    """What the checker treats the documents as (its rule sets differ)."""

    MARKETING = "marketing", _("Marketing text")
    CONTRACT = "contract", _("Contract text")


# The checker's material by kind of review (a contract review reads the documents as contract text).
DEFAULT_MATERIAL = {ReviewKind.CONTRACT: Material.CONTRACT}


def default_material(kind: str) -> str:
    return str(DEFAULT_MATERIAL.get(kind, Material.MARKETING))  # type: ignore[call-overload]


class Track(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("review track", "Normal")
    URGENT = "urgent", pgettext_lazy("review track", "Urgent")


class Conclusion(models.TextChoices):
    PASS = "pass", pgettext_lazy("review conclusion", "Pass")
    PASS_WITH_CHANGES = "pass_with_changes", _("Pass after changes")
    REJECT = "reject", pgettext_lazy("review conclusion", "Reject")


# The status a conclusion leads to.
CONCLUSION_STATUS = {
    Conclusion.PASS: Status.PASSED,
    Conclusion.PASS_WITH_CHANGES: Status.PASSED_WITH_CHANGES,
    Conclusion.REJECT: Status.REJECTED,
}


class OpinionCategory(models.TextChoices):
    SUITABILITY = "suitability", _("Suitability")
    DISCLOSURE = "disclosure", _("Information disclosure")
    PRICING = "pricing", _("Fees and pricing")
    CONTRACT_TERMS = "contract_terms", _("Contract and standard terms")
    MARKETING = "marketing", _("Marketing and promotion")
    PERSONAL_INFO = "personal_info", _("Personal information")
    OTHER = "other", pgettext_lazy("opinion category", "Other")


class OpinionSeverity(models.TextChoices):
    MUST_CHANGE = "must_change", _("Must change")
    SUGGESTION = "suggestion", pgettext_lazy("opinion", "Suggestion")


class OpinionResponse(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class OpinionState(models.TextChoices):
    OPEN = "open", pgettext_lazy("opinion", "Open")
    ANSWERED = "answered", pgettext_lazy("opinion", "Answered")
    CLOSED = "closed", pgettext_lazy("opinion", "Closed")
    WAIVED = "waived", pgettext_lazy("opinion", "Waived")
    ESCALATED = "escalated", pgettext_lazy("opinion", "Escalated")


# Opinion states that no longer block a pass.
SETTLED_OPINION_STATES = (OpinionState.CLOSED, OpinionState.WAIVED)


class EscalationDecision(models.TextChoices):
    WAIVE = "waive", _("Waive (accept the reason)")
    UPHOLD = "uphold", _("Uphold (must change)")


class ApprovalState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("approval", "Valid")
    WITHDRAWN = "withdrawn", pgettext_lazy("approval", "Withdrawn")
    EXPIRED = "expired", pgettext_lazy("approval", "Expired")
    SUPERSEDED = "superseded", pgettext_lazy("approval", "Superseded")
