from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from xiaobao.casework.registry import Module, Nav

MANAGE = "webhooks.manage_subscription"


class WebhooksConfig(AppConfig):
    """Administrators subscribe URLs to events; signed JSON payloads (HMAC-SHA256) delivered by the task
    worker with retries and backoff, a delivery log per subscription, a test button."""

    name = "xiaobao.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")
    module = Module(  # type: ignore[assignment]  # AppConfig.module is the Python module
        nav=[Nav("webhooks:list", _("Webhooks"), MANAGE, order=150, group="admin")],
        roles={"sysadmin": [MANAGE]},
        # deliveries whose next attempt is due (retries, and anything a worker lost)
        periodic=["xiaobao.webhooks.delivery.periodic_retry"],
        demo="xiaobao.webhooks.demo.load",
        order=60,
    )

    def ready(self) -> None:
        from xiaobao.casework.events import work_item_event
        from xiaobao.webhooks.delivery import on_work_item_event

        work_item_event.connect(on_work_item_event, dispatch_uid="webhooks.deliveries")
