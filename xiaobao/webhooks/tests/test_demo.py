"""The demo loader: one subscription of the bank's service bus with a plausible log, quickly, once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management.base import BaseCommand

from xiaobao.complaints.services import complaint_register
from xiaobao.webhooks import demo
from xiaobao.webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)


def test_the_demo_log_tells_a_plausible_story(admin, branch_officer, payload):
    for i in range(6):
        complaint_register(actor=branch_officer, data=payload(request=f"请求 {i}"))
    counts = demo.webhooks_demo_load(now=NOW)
    sub = Subscription.objects.get()
    assert counts == {"subscriptions": 1, "deliveries": 7}
    assert sub.created_by == admin and sub.secret.reveal().startswith("whsec_")
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == ["failed", "retrying", "retrying", "succeeded", "succeeded", "succeeded", "succeeded"]
    for d in Delivery.objects.all():
        assert d.created_at <= NOW
        assert "张伟" not in str(d.payload) and "13812345678" not in str(d.payload)
        if d.status == "retrying":
            assert d.next_attempt_at > NOW
    # loaded once
    command = BaseCommand(stdout=io.StringIO())
    demo.load(command)
    assert "already loaded" in command.stdout.getvalue()
