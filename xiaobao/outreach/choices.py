"""What the notices are, how they go out, and where a sending stands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt")
    EXTENSION = "extension", _("Extension notice")
    DECISION = "decision", _("Decision notice")


class Channel(models.TextChoices):
    EMAIL = "email", pgettext_lazy("channel", "E-mail")
    SMS = "sms", pgettext_lazy("channel", "SMS")


class SendingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retry scheduled")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class BodyFormat(models.TextChoices):
    JSON = "json", _("JSON")
    FORM = "form", _("Form (application/x-www-form-urlencoded)")


# waiting to go out: a worker or the sweep may (re)try them
PENDING = (SendingStatus.QUEUED, SendingStatus.RETRYING)
# a decision notice in one of these covers the decision: the notify event does not send another
LIVE = (SendingStatus.QUEUED, SendingStatus.SENDING, SendingStatus.RETRYING, SendingStatus.SENT)
