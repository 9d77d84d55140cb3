"""Webhook subscriptions and their deliveries.

A `Subscription` is a URL an administrator subscribed to some event types (or wildcards), with a signing
secret kept in the vault. Each event that matches it becomes one `Delivery`: the payload (no personal data)
and the state of its attempts, which is also the delivery log shown on the subscription's page.

Scope: a subscription may be limited to a unit (only events of items in that unit's subtree). Administrators
who see the whole institution see every subscription; one whose scope is a subtree sees (and may create) only
subscriptions limited to a unit inside it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models.base import TimeStampedModel
from xiaobao.core.scoping import scope_q
from xiaobao.core.vault.fields import SealedField

MANAGE = "webhooks.manage_subscription"


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def visible_to(self, user: Any) -> SubscriptionQuerySet:
        """Every subscription for an administrator of the whole institution; else those limited to a unit
        of the user's subtree; nothing without the permission."""
        if user is None or not user.is_authenticated or not user.has_perm(MANAGE):
            return self.none()
        q = scope_q(user, "org_unit__path")
        return self if q is None else self.filter(q)


class Subscription(TimeStampedModel):
    """A URL subscribed to events, with its signing secret (vault) and the event types it receives."""

    name = models.CharField(pgettext_lazy("webhook", "name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = SealedField(kind="webhook_secret")
    secret_hint = models.CharField(max_length=12, blank=True, default="")  # last characters, for recognition
    event_types = models.JSONField(_("event types"), default=list)
    is_active = models.BooleanField(pgettext_lazy("webhook", "active"), default=True)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Only events of items in this unit and the units below it (empty: the whole institution)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SubscriptionQuerySet.as_manager()
    audit_exclude = ("secret_hint",)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        permissions = [("manage_subscription", "Manage webhook subscriptions")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", args=[self.pk])

    @property
    def masked_secret(self) -> str:
        return f"whsec_••••••{self.secret_hint}" if self.secret_hint else "—"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", pgettext_lazy("webhook", "Failed")


OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    """One event sent (or to be sent) to one subscription, with the outcome of its last attempt."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_type = models.CharField(_("event"), max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    last_response_excerpt = models.TextField(_("response"), blank=True, default="")
    last_error = models.CharField(_("error"), max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due"),
            models.Index(fields=["subscription", "-created_at"], name="webhooks_delivery_log"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DeliveryStatus]),
                name="webhooks_delivery_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.uuid}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
