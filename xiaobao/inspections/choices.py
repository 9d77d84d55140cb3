"""The inspection module's choices: checklist, item and plan kinds; plan and inspection statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChecklistKind(models.TextChoices):
    MYSTERY_SHOPPING = "mystery_shopping", _("Mystery shopping")
    ONSITE = "onsite", _("On-site service inspection")
    ELDER_FRIENDLY = "elder_friendly", _("Elder-friendly facilities")
    PERSONAL_INFORMATION = "personal_information", _("Personal-information protection")
    SALES_RECORDING = "sales_recording", _("Sales recording")


class ItemKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    SCORE = "score", _("Score 0–N")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo")


class PlanKind(models.TextChoices):
    SELF_CHECK = "self_check", _("Self-check")
    ROUTINE = "routine", _("Routine inspection")
    SPECIAL = "special", _("Special inspection")
    VIDEO = "video", _("Video inspection")
    UNANNOUNCED = "unannounced", _("Unannounced inspection")
    MYSTERY_SHOPPING = "mystery_shopping", _("Mystery shopping")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class CadencePeriod(models.TextChoices):
    QUARTER = "quarter", _("Quarterly")
    MONTH = "month", _("Monthly")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


class Severity(models.TextChoices):
    MINOR = "minor", pgettext_lazy("finding severity", "Minor")
    MAJOR = "major", pgettext_lazy("finding severity", "Major")
    CRITICAL = "critical", pgettext_lazy("finding severity", "Critical")
