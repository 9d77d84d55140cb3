"""Read side: the panel on the complaint page and the sending log, both within what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from xiaobao.outreach import services
from xiaobao.outreach.choices import Channel, Kind, SendingStatus
from xiaobao.outreach.models import Sending


@dataclass
class Panel:
    complaint: Any
    rows: list[Sending] = field(default_factory=list)
    failed: list[Sending] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why a channel cannot reach the complainant
    can_send: bool = False
    channels: list[tuple[str, str]] = field(default_factory=list)  # usable (value, label)
    decision_ready: bool = False
    resendable: set[int] = field(default_factory=set)


def complaint_panel(user: Any, complaint: Any) -> Panel | None:
    """The notices sent about a complaint the user can see (None without the right to see complaints)."""
    if not user.has_perm("complaints.view_complaint"):
        return None
    rows = list(Sending.objects.filter(complaint=complaint).select_related("requested_by"))
    st = services.settings_get()
    usable = services.channels_for(st, complaint.complainant) if not complaint.anonymised_at else {}
    reasons = [r for r in (services.why_not(st, complaint.complainant, c) for c in Channel.values) if r]
    can_send = bool(
        user.has_perm(services.SEND)
        and complaint.workable_by(user)
        and not complaint.anonymised_at
        and usable
    )
    channels = [(c.value, str(c.label)) for c in Channel if c.value in usable]
    resendable = {
        s.pk
        for s in rows
        if s.channel in usable
        and s.status in (SendingStatus.SENT, SendingStatus.FAILED)
        and (s.kind != Kind.DECISION or services.decision_ready(complaint))
    }
    return Panel(
        complaint=complaint,
        rows=rows,
        failed=[s for s in rows if s.status == SendingStatus.FAILED and not _superseded(s, rows)],
        reasons=reasons,
        can_send=can_send,
        channels=channels,
        decision_ready=services.decision_ready(complaint),
        resendable=resendable if can_send else set(),
    )


def _superseded(failed: Sending, rows: list[Sending]) -> bool:
    """A later sending of the same notice by the same channel went out: the failure is no longer news."""
    return any(
        s.kind == failed.kind
        and s.channel == failed.channel
        and s.status == SendingStatus.SENT
        and s.created_at > failed.created_at
        for s in rows
    )


def sending_list(*, user: Any, status: str = "", kind: str = "") -> QuerySet[Sending]:
    """Sendings of the complaints the user can see, failed first, then the newest."""
    qs = Sending.objects.visible_to(user).select_related("complaint")
    if status in SendingStatus.values:
        qs = qs.filter(status=status)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    failed_first = Case(
        When(status=SendingStatus.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(failed_first=failed_first).order_by("failed_first", "-created_at", "-id")


def complaint_sendings(complaint: Any) -> QuerySet[Sending]:
    return Sending.objects.filter(complaint=complaint).select_related("requested_by")
