from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module


class WebhooksConfig(AppConfig):
    """Administrators subscribe URLs to events; signed JSON payloads (HMAC-SHA256) delivered by the task
    worker with retries and backoff, a delivery log per subscription, a test button."""

    name = "xiaobao.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[],
        roles={},
        order=60,
    )
