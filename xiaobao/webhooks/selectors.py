"""The read side of webhooks: every query starts from `Subscription.objects.visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from xiaobao.webhooks.models import Delivery, Subscription

LOG_LENGTH = 50


def subscription_list(user: Any) -> QuerySet[Subscription]:
    """The user's subscriptions, each with the status and time of its last delivery (one query)."""
    last = Delivery.objects.filter(subscription=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        Subscription.objects.visible_to(user)
        .select_related("org_unit", "created_by")
        .annotate(
            last_status=Subquery(last.values("status")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
            last_code=Subquery(last.values("last_status_code")[:1]),
        )
    )


def subscription_detail(user: Any, pk: int) -> Subscription | None:
    return subscription_list(user).filter(pk=pk).first()


def delivery_log(subscription: Subscription, *, limit: int = LOG_LENGTH) -> list[Delivery]:
    """The subscription's latest deliveries, newest first."""
    return list(subscription.deliveries.all().order_by("-created_at", "-pk")[:limit])


def delivery_of(user: Any, subscription_id: int, delivery_id: int) -> Delivery | None:
    return (
        Delivery.objects.filter(subscription__in=Subscription.objects.visible_to(user).values("pk"))
        .select_related("subscription")
        .filter(subscription_id=subscription_id, pk=delivery_id)
        .first()
    )
