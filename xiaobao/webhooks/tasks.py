"""Background work of webhooks: one thin task per delivery attempt."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_task(delivery_id: int) -> None:
    """Send the delivery's next attempt if it is due (a claimed or finished one is left alone)."""
    from xiaobao.webhooks.delivery import delivery_attempt

    delivery_attempt(delivery_id)
