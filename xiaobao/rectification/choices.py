from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for verification")
    VERIFIED = "verified", _("Verified")
    CANCELLED = "cancelled", _("Cancelled")


class Source(models.TextChoices):
    REGULATOR = "regulator", _("Regulator's opinion")
    INSPECTION = "inspection", _("Inspection finding")
    COMPLAINT = "complaint", _("Complaint root cause")
    AUDIT = "audit", _("Audit")
    SELF_CHECK = "self_check", _("Self-check")


class EvidenceKind(models.TextChoices):
    BEFORE = "before", _("Before (photo)")
    AFTER = "after", _("After (photo)")
    DOCUMENT = "document", _("Document")
