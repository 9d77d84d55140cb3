"""Choices of the complaints domain (statuses with named groups, sources, tags…)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.casework.choices import ClockState

__all__ = [
    "ClockState",
    "CodeDimension",
    "ComplainantRole",
    "Liability",
    "NotifyMethod",
    "PauseReason",
    "Priority",
    "SensitivityTag",
    "Source",
    "SpecialGroup",
    "Status",
]


class Status(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("complaint status", "Registered")
    ASSIGNED = "assigned", _("Assigned, awaiting acceptance")
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Paused")
    DRAFTED = "drafted", _("Decision drafted")
    PENDING_APPROVAL = "pending_approval", _("Decision awaiting approval")
    DECIDED = "decided", _("Decided and notified")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")
    UNDER_REVIEW = "under_review", _("Under review by superior unit")
    DECLINED = "declined", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged into another complaint")

    @classmethod
    def open_statuses(cls) -> set[str]:
        """The "open" group of the workflow (`complaints.workflow.GROUPS`): lists, queues, statistics."""
        return cls._group("open")

    @classmethod
    def ended_statuses(cls) -> set[str]:
        """The "ended" group of the workflow: nothing more happens unless reopened or reviewed."""
        return cls._group("ended")

    @classmethod
    def _group(cls, name: str) -> set[str]:
        from xiaobao.complaints.workflow import group  # the workflow table imports these statuses

        return {cls(s) for s in group(name)}


class Source(models.TextChoices):
    DIRECT = "direct", _("Direct to the institution")
    NFRA_TRANSFER = "nfra_transfer", _("Forwarded by NFRA or a local office")
    PBOC_TRANSFER = "pboc_transfer", _("Forwarded by the PBoC")
    OTHER_REFERRAL = "other_referral", _("Other referral")


class ComplainantRole(models.TextChoices):
    SELF = "self", _("The consumer")
    AGENT = "agent", _("Agent with authorisation")
    HEIR = "heir", _("Heir")
    LEGAL_GUARDIAN = "guardian", _("Legal guardian")


class SpecialGroup(models.TextChoices):
    ELDERLY = "elderly", _("Elderly")
    DISABLED = "disabled", _("Disabled")
    MINOR = "minor", _("Minor")
    LOW_INCOME = "low_income", _("Low income")
    SERVICEMEMBER = "servicemember", _("Servicemember / veteran")


class SensitivityTag(models.TextChoices):
    REGULATORY = "regulatory", _("Regulatory")  # 监管类
    PUBLIC_OPINION = "public_opinion", _("Public opinion")  # 舆情类
    JUDICIAL = "judicial", _("Judicial")  # 司法类
    PETITION = "petition", _("Petition (信访)")
    AGGRESSIVE = "aggressive", _("Aggressive behaviour")  # 过激行为
    SPECIAL_GROUP = "special_group", _("Special group")  # 特殊群体


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Liability(models.TextChoices):
    UNDETERMINED = "", _("Not determined")
    INVALID = "invalid", _("Not a valid complaint")
    VALID_NOT_AT_FAULT = "valid", _("Valid, institution not at fault")
    AT_FAULT = "at_fault", _("Valid, institution at fault")


class PauseReason(models.TextChoices):
    APPRAISAL = "appraisal", _("Appraisal, testing or evaluation")
    MEDIATION = "mediation", _("Mediation")


class NotifyMethod(models.TextChoices):
    LETTER = "letter", _("Letter (posted at)")
    SMS = "sms", _("SMS (sent at)")
    EMAIL = "email", _("E-mail (sent at)")
    PHONE = "phone", _("Phone (dialled at)")
    IN_PERSON = "in_person", _("Handed over in person")


class CodeDimension(models.TextChoices):
    CHANNEL = "channel", _("Channel")
    BUSINESS_TYPE = "business_type", _("Business type")
    CAUSE = "cause", _("Cause")
