"""Notices to complainants: the settings (one row), the message templates (kind × channel) and each sending,
kept as the notice's proof (NFRA 2020 Art 21: an e-mail or SMS counts as given when it was sent).

Recipients are personal data: stored in the vault (SealedField) with a masked copy for screens and lists. The
SMS gateway's token is sealed too and never shown again once saved.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.vault.fields import Sealed, SealedField
from xiaobao.outreach.choices import BodyFormat, Channel, Kind, SendingStatus


def in_clear(value: Any) -> str:
    """A sealed field's value in clear, whether read from the database (Sealed) or just assigned (str)."""
    return value.reveal() if isinstance(value, Sealed) else str(value or "")


DEFAULT_SMS_BODY = '{"phone": "{phone}", "text": "{signature}{text}"}'


class OutreachSettings(TimeStampedModel):
    """The institution's settings for notices to complainants (one row, pk 1): which notice goes by which
    channel, the sender's name, and the bank's SMS gateway (an HTTP endpoint taking a JSON or form body)."""

    sender_name = models.CharField(
        _("sender's name"),
        max_length=100,
        blank=True,
        help_text=_("Shown as the e-mail's sender, e.g. the institution's consumer-protection department."),
    )
    email_acknowledgement = models.BooleanField(_("acknowledgement by e-mail"), default=True)
    email_extension = models.BooleanField(_("extension notice by e-mail"), default=True)
    email_decision = models.BooleanField(_("decision notice by e-mail"), default=True)
    sms_acknowledgement = models.BooleanField(_("acknowledgement by SMS"), default=True)
    sms_extension = models.BooleanField(_("extension notice by SMS"), default=True)
    sms_decision = models.BooleanField(_("decision notice by SMS"), default=True)
    record_notice = models.BooleanField(
        _("record the decision as notified when its notice is sent"),
        default=True,
        help_text=_(
            "When a decision notice sent from the complaint page goes out and the decision is ready to be "
            "notified, record the notice (method, time, proof) on the complaint."
        ),
    )
    sms_enabled = models.BooleanField(_("SMS gateway enabled"), default=False)
    sms_url = models.CharField(_("gateway URL"), max_length=500, blank=True)
    sms_format = models.CharField(
        _("body format"), max_length=10, choices=BodyFormat.choices, default=BodyFormat.JSON
    )
    sms_body = models.TextField(
        _("body template"),
        max_length=2000,
        default=DEFAULT_SMS_BODY,
        help_text=_("Placeholders: {phone} {text} {signature}."),
    )
    sms_auth_header = models.CharField(_("authentication header"), max_length=100, blank=True)
    sms_token = SealedField(_("authentication token"), kind="secret")
    sms_signature = models.CharField(_("SMS signature"), max_length=30, blank=True)
    sms_timeout = models.PositiveSmallIntegerField(_("timeout (seconds)"), default=10)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    audit_exclude = ("sms_token",)

    class Meta:
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")
        default_permissions = ()
        permissions = [
            ("manage_outreach", "Manage notices to complainants: settings, templates, test sendings"),
            ("view_sending", "See the log of notices sent to complainants"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="outreach_settings_singleton")]

    def __str__(self) -> str:
        return str(_("notice settings"))

    def channel_enabled(self, kind: str, channel: str) -> bool:
        return bool(getattr(self, f"{channel}_{kind}", False))

    @property
    def sms_ready(self) -> bool:
        """The gateway is switched on and has a URL."""
        return bool(self.sms_enabled and self.sms_url)


class MessageTemplate(TimeStampedModel):
    """The text of one notice on one channel (subject for e-mail), with placeholders from a closed list
    (`xiaobao.outreach.placeholders`); seeded with defaults in Chinese, edited by administrators."""

    kind = models.CharField(_("notice"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=4000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "channel"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="outreach_template_kind_channel")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_channel_display()}"


class SendingQuerySet(models.QuerySet["Sending"]):
    def visible_to(self, user: Any) -> SendingQuerySet:
        """Sendings of the complaints the user may see (`Complaint.objects.visible_to`)."""
        from xiaobao.complaints.models import Complaint

        return self.filter(complaint__in=Complaint.objects.visible_to(user).values("pk"))


class Sending(TimeStampedModel):
    """One notice sent (or being sent) to a complainant by one channel: the text as sent, the masked
    recipient, the attempts, and the provider's reference (SMTP Message-ID, the gateway's answer) — the proof
    of notification."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="sendings", verbose_name=_("complaint")
    )
    kind = models.CharField(_("notice"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient_email = SealedField(_("e-mail address"), kind="email")
    recipient_phone = SealedField(_("mobile number"), kind="phone")
    recipient_masked = models.CharField(_("recipient"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=SendingStatus.choices, default=SendingStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_error = models.CharField(_("failure reason"), max_length=500, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=200, blank=True)
    response_excerpt = models.CharField(_("gateway answer"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # who asked (resend, "send now"); None: sent on the complaint's own event
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # one sending per event and channel: the same event told twice sends once ("register", "ext:12", …)
    trigger = models.CharField(max_length=60, null=True, blank=True, editable=False)
    # what became of recording the decision as notified after this sending (decision notices sent by hand)
    notify_result = models.CharField(_("recorded as notified"), max_length=300, blank=True)

    objects = SendingQuerySet.as_manager()
    audit_exclude = ("body", "response_excerpt", "trigger")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sending")
        verbose_name_plural = _("sendings")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "channel", "trigger"],
                name="outreach_sending_once_per_event",
                condition=models.Q(trigger__isnull=False),
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outreach_sending_due"),
            models.Index(fields=["complaint", "kind"], name="outreach_sending_complaint"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.channel} #{self.pk}"

    @property
    def recipient(self) -> str:
        """The address in clear: only for the sending itself (never shown, never logged)."""
        sealed = self.recipient_email if self.channel == Channel.EMAIL else self.recipient_phone
        return in_clear(sealed)

    @property
    def is_failed(self) -> bool:
        return self.status == SendingStatus.FAILED
