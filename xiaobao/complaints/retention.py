"""Retention of complaint files: legal hold, and the purge that anonymises what has passed its period.

A complaint is due when it has ended (closed, archived, declined, withdrawn or merged), its end lies more than
the `RetentionRule` years back, it is not on legal hold and not anonymised yet. Anonymising keeps everything
statistics count — codes, dates, units, status, outcome, flags, amounts — and removes every free text, the
attachments, the event notes, and the complainant's personal data (when no kept complaint still needs that
consumer). Each run writes one audit record with the references it anonymised; the run is idempotent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.complaints.choices import Status
from xiaobao.complaints.models import Attachment, Complaint, ComplaintEvent
from xiaobao.core.errors import field_error
from xiaobao.core.models import Consumer, RecordType, RetentionRule
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.consumers import INDEXED_FIELDS, PERSONAL_FIELDS
from xiaobao.core.services.audit import audit_change, audit_record, snapshot

ANONYMISED = "〔已按保存期限匿名化〕"
TEXT_FIELDS = (
    "request",
    "description",
    "product",
    "decision_verification",
    "decision_basis",
    "decision_result",
    "decision_remedies",
    "notify_proof",
    "root_cause",
    "satisfaction_comment",
    "review_result",
    "decline_reason",
    "major_reason",
)
BATCH = 200


@dataclass
class PurgeReport:
    due: int = 0
    anonymised: int = 0
    consumers_wiped: int = 0
    attachments_deleted: int = 0
    held: int = 0
    references: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"due={self.due} anonymised={self.anonymised} consumers_wiped={self.consumers_wiped} "
            f"attachments_deleted={self.attachments_deleted} on_hold={self.held}"
        )


@transaction.atomic
def complaint_set_legal_hold(*, actor: Any, complaint: Complaint, hold: bool, reason: str = "") -> Complaint:
    """Put a complaint on legal hold (a reason is required) or release it; audited."""
    reason = (reason or "").strip()
    if hold and not reason:
        raise field_error("reason", _("Give the reason for the legal hold (e.g. the court case number)."))
    if complaint.anonymised_at and hold:
        raise field_error("hold", _("This complaint has already been anonymised."))
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = snapshot(complaint)
    complaint.legal_hold, complaint.legal_hold_reason = hold, reason[:200] if hold else ""
    complaint.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
    audit_change(actor=actor, obj=complaint, before=before)
    return complaint


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime | None:
    rule = RetentionRule.objects.filter(record_type=RecordType.COMPLAINT, is_active=True).first()
    if rule is None:
        return None
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - rule.years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - rule.years, day=28)


def retention_due(now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Ended complaints past their retention period, not on hold, not anonymised yet."""
    cutoff = retention_cutoff(now)
    if cutoff is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(
        _ended_before(cutoff), legal_hold=False, anonymised_at__isnull=True
    ).order_by("pk")


def _ended_before(cutoff: dt.datetime) -> Q:
    """Ended, and ended before the cutoff (closing time; for complaints never closed, their last change)."""
    old = Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, updated_at__lt=cutoff)
    return Q(status__in=Status.ended_statuses()) & old


def retention_purge(
    *, actor: Any = None, now: dt.datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Anonymise every complaint due (in batches, each in its own transaction); one audit record per run."""
    now = now or timezone.now()
    report = PurgeReport(due=retention_due(now).count())
    cutoff = retention_cutoff(now)
    if cutoff is not None:
        report.held = Complaint.objects.filter(_ended_before(cutoff), legal_hold=True).count()
    if dry_run or not report.due:
        return report
    while True:
        batch = list(retention_due(now).values_list("pk", flat=True)[:BATCH])
        if not batch:
            break
        _anonymise(batch, now, report)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="complaints.complaint",
        object_repr=_("retention purge"),
        changes={
            "anonymised": report.anonymised,
            "references": report.references[:1000],
            "cutoff": str(cutoff),
        },
    )
    return report


@transaction.atomic
def _anonymise(pks: list[int], now: dt.datetime, report: PurgeReport) -> None:
    complaints = list(Complaint.objects.select_for_update().filter(pk__in=pks, anonymised_at__isnull=True))
    for attachment in Attachment.objects.filter(complaint__in=complaints):
        attachment.file.delete(save=False)
        attachment.delete()
        report.attachments_deleted += 1
    ComplaintEvent.objects.filter(complaint__in=complaints).exclude(note="").update(note="")
    consumers: set[int] = set()
    for c in complaints:
        for name in TEXT_FIELDS:
            if getattr(c, name):
                setattr(c, name, ANONYMISED if name in ("request", "description") else "")
        c.anonymised_at = now
        c.save(update_fields=[*TEXT_FIELDS, "anonymised_at"])
        c.staff_named.clear()
        consumers.update(x for x in (c.complainant_id, c.consumer_id) if x)
        report.anonymised += 1
        report.references.append(c.reference)
    represented = Complaint.objects.filter(anonymised_at__isnull=True, consumer__isnull=False)
    still_needed = Q(complaints__anonymised_at__isnull=True) | Q(pk__in=represented.values("consumer_id"))
    for consumer in Consumer.objects.filter(pk__in=consumers).exclude(still_needed):
        _wipe(consumer)
        report.consumers_wiped += 1


def _wipe(consumer: Consumer) -> None:
    consumer.name = "匿名"
    consumer.note = ""
    for name in PERSONAL_FIELDS:
        setattr(consumer, name, "")
    for name in INDEXED_FIELDS:
        setattr(consumer, f"{name}_bidx", "")
    consumer.save()
