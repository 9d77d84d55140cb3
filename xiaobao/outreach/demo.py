"""Demo notices (`Module.demo`): the settings and default templates, and the sendings of some demo complaints
written as rows (mostly sent, one failed after its five attempts). Nothing is sent: the demo's e-mail backend
is the console, and the SMS gateway stays off. Synthetic addresses only (example.com)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

SAMPLE = 24


def _row(c: Any, i: int, kind: str, at: dt.datetime, *, failed: bool = False) -> Any:
    from xiaobao.core.vault.masking import mask
    from xiaobao.outreach.models import Sending
    from xiaobao.outreach.services import render

    address = f"demo.complainant{c.pk}@example.com"
    subject, body = render(kind, "email", c)
    s = Sending(
        complaint=c,
        kind=kind,
        channel="email",
        recipient_masked=mask(address, "email"),
        subject=subject,
        body=body,
        status="failed" if failed else "sent",
        attempts=5 if failed else 1,
        last_attempt_at=at + dt.timedelta(hours=3) if failed else at,
        last_error="550 5.1.1 mailbox unavailable" if failed else "",
        provider_ref="" if failed else f"<demo.{c.pk}.{i}@bank.example>",
        sent_at=None if failed else at,
        trigger="register" if kind == "acknowledgement" else None,
    )
    s.recipient_email = address  # type: ignore[assignment]
    return s


def load(command: Any, **opts: Any) -> None:
    from xiaobao.complaints.models import Complaint
    from xiaobao.outreach.models import Sending
    from xiaobao.outreach.services import settings_get, templates_ensure

    out = command.stdout
    if Sending.objects.exists():
        out.write("Demo notices already loaded.")
        return
    with transaction.atomic():
        templates_ensure()
        st = settings_get()
        st.sender_name = st.sender_name or "消费者权益保护部"
        st.save(update_fields=["sender_name", "updated_at"])
        complaints = list(
            Complaint.objects.filter(anonymised_at__isnull=True)
            .select_related("org_unit__parent", "business_type", "complainant")
            .order_by("-received_at")[:SAMPLE]
        )
        rows = []
        for i, c in enumerate(complaints):
            rows.append(_row(c, i, "acknowledgement", c.received_at + dt.timedelta(minutes=3), failed=i == 1))
            if c.notified_at and c.decision_result:
                rows.append(_row(c, i, "decision", c.notified_at))
        Sending.objects.bulk_create(rows)
    out.write(f"Demo notices: {len(rows)} sendings for {len(complaints)} complaints (one failed).")
