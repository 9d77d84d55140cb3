"""In-app notifications about any subject (a complaint, a rectification item, an early warning …)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Notification(models.Model):
    """One person told about one event; `dedupe_key` makes sending idempotent across concurrent sweepers.

    The subject is any model row (`content_type` + `object_id`), or none. A module may keep its old query
    name with a `GenericRelation(Notification, related_query_name=...)` on its item
    (`Notification.objects.filter(complaint=c)`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="cw_notification_unread"),
            models.Index(fields=["content_type", "object_id"], name="cw_notification_subject"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__isnull=True, object_id__isnull=True)
                | models.Q(content_type__isnull=False, object_id__isnull=False),
                name="cw_notification_subject_whole",
            )
        ]

    def __str__(self) -> str:
        return self.message

    def subject_url(self) -> str:
        """The page of the subject (its `get_absolute_url`), or "" when it has none or is gone."""
        subject: Any = self.subject if self.object_id is not None else None
        url = getattr(subject, "get_absolute_url", None)
        return str(url()) if callable(url) else ""

    def subject_label(self) -> str:
        """How the subject is named beside the message (its reference)."""
        subject: Any = self.subject if self.object_id is not None else None
        return str(subject) if subject is not None else ""
