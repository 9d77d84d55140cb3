"""The task worker's part: send one queued notice (thin: fetch by id, call the service)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_task(sending_id: int) -> None:
    """Send sending `sending_id` once (a retry is scheduled on failure; `xiaobao sweep` sends it then)."""
    from xiaobao.outreach.services import sending_attempt

    sending_attempt(sending_id=sending_id)
