"""Retention of complaint files: legal hold, and the purges that remove what has passed its period.

A complaint is due when it has ended (closed, archived, declined, withdrawn or merged), its end lies more than
the `RetentionRule`'s period back, it is not on legal hold and not anonymised yet. Anonymising keeps
everything statistics count — codes, dates, units, status, outcome, flags, amounts — and removes every free
text (the complaint's, its events' notes and texts, its extensions' reasons, its assistance requests and
answers), the attachments, and the complainant's personal data (when no kept complaint still needs that
consumer). Two more record types of this app's data have their own rules: read notifications (deleted) and
consumers no complaint has ever named (their personal data wiped). The runs are idempotent; the audit
record of a run is written by `xiaobao.retention.retention_purge`, which runs every record type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.complaints.choices import Status
from xiaobao.complaints.models import (
    Assistance,
    Attachment,
    Complaint,
    ComplaintEvent,
    Extension,
    Notification,
)
from xiaobao.core.errors import field_error
from xiaobao.core.models import Consumer, RecordType, RetentionRule
from xiaobao.core.models.consumers import INDEXED_FIELDS, PERSONAL_FIELDS
from xiaobao.core.services.audit import audit_change, snapshot
from xiaobao.core.stored_files import delete_files

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
# Free texts an event keeps in its data, by action (the rest are codes, dates, numbers, references).
EVENT_TEXTS = {
    "transfer": ("reason",),
    "contact": ("summary",),
    "pause": ("detail",),
    "return": ("reason",),
    "reopen": ("reason",),
    "decline": ("notice",),
    "mark_major": ("reason",),
    "attach": ("name",),
}
WIPED_NAME = "匿名"
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
    rule = RetentionRule.active_for(RecordType.COMPLAINT)
    return rule.cutoff(now or timezone.now()) if rule else None


def retention_due(now: dt.datetime | None = None) -> QuerySet[Complaint]:
    """Ended complaints past their retention period, not on hold, not anonymised yet."""
    cutoff = retention_cutoff(now)
    if cutoff is None:
        return Complaint.objects.none()
    return Complaint.objects.filter(
        _ended_before(cutoff), legal_hold=False, anonymised_at__isnull=True
    ).order_by("pk")


def _ended_at() -> Coalesce:
    """When the complaint ended: its closing time; for one that ended otherwise (withdrawn, merged,
    declined), the time of the event that took it into its ended state. Retention runs from that day, so
    a later touch (a legal hold set and lifted, a note) never extends it. Only a complaint with neither
    (none is written so) falls back to its last change, which keeps it longer, never shorter."""
    ended = Status.ended_statuses()
    entered = (
        ComplaintEvent.objects.filter(complaint=OuterRef("pk"), to_status__in=ended)
        .exclude(from_status__in=ended)
        .order_by("-at")
        .values("at")[:1]
    )
    return Coalesce("closed_at", Subquery(entered), "updated_at")


def _ended_before(cutoff: dt.datetime) -> Q:
    """Ended, and ended before the cutoff."""
    return Q(status__in=Status.ended_statuses()) & Q(LessThan(_ended_at(), cutoff))


def complaint_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Anonymise every complaint due, in batches, each in its own transaction (attachment files are deleted
    once their batch has committed)."""
    now = now or timezone.now()
    report = PurgeReport(due=retention_due(now).count())
    cutoff = retention_cutoff(now)
    if cutoff is not None:
        report.held = Complaint.objects.filter(
            _ended_before(cutoff), legal_hold=True, anonymised_at__isnull=True
        ).count()
    if dry_run:
        return report
    while batch := list(retention_due(now).values_list("pk", flat=True)[:BATCH]):
        _anonymise(batch, now, report)
    return report


def notification_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Delete read notifications sent before the rule's cutoff (none about a complaint on legal hold);
    returns how many (are due, with `dry_run`). The sweeper's own claims (a clock's escalation level and
    warnings) keep it from sending a deleted notification again."""
    rule = RetentionRule.active_for(RecordType.NOTIFICATION)
    if rule is None:
        return 0
    due = Notification.objects.filter(
        read_at__isnull=False, created_at__lt=rule.cutoff(now or timezone.now())
    )
    due = due.exclude(complaint__legal_hold=True)
    if dry_run:
        return due.count()
    deleted = 0
    while batch := list(due.order_by("pk").values_list("pk", flat=True)[:1000]):
        deleted += Notification.objects.filter(pk__in=batch).delete()[0]
    return deleted


def _unnamed_consumers(cutoff: dt.datetime) -> QuerySet[Consumer]:
    """Consumers no complaint names (as complainant or represented), unchanged since the cutoff, with
    personal data left."""
    complainants = Complaint.objects.values("complainant_id")
    represented = Complaint.objects.filter(consumer__isnull=False).values("consumer_id")
    wiped = Q(name=WIPED_NAME, note="", id_number_bidx="", phone_bidx="", account_number_bidx="")
    return (
        Consumer.objects.filter(updated_at__lt=cutoff)
        .exclude(pk__in=complainants)
        .exclude(pk__in=represented)
        .exclude(wiped)
        .order_by("pk")
    )


def consumer_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    """Wipe the personal data of consumers that no complaint names and nobody changed within the rule's
    period (a registration never followed by a complaint); returns how many (are due)."""
    rule = RetentionRule.active_for(RecordType.CONSUMER)
    if rule is None:
        return 0
    cutoff = rule.cutoff(now or timezone.now())
    if dry_run:
        return _unnamed_consumers(cutoff).count()
    wiped = 0
    while batch := list(_unnamed_consumers(cutoff).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():  # checked again inside: a complaint may have named one meanwhile
            for consumer in _unnamed_consumers(cutoff).select_for_update().filter(pk__in=batch):
                _wipe(consumer)
                wiped += 1
    return wiped


@transaction.atomic
def _anonymise(pks: list[int], now: dt.datetime, report: PurgeReport) -> None:
    complaints = list(Complaint.objects.select_for_update().filter(pk__in=pks, anonymised_at__isnull=True))
    storage = Attachment._meta.get_field("file").storage  # type: ignore[union-attr]
    files: list[str] = []
    for attachment in Attachment.objects.filter(complaint__in=complaints):
        files.append(attachment.file.name or "")
        attachment.delete()
        report.attachments_deleted += 1
    # the files go once the rows are gone for good (a rolled-back batch keeps both)
    transaction.on_commit(partial(delete_files, storage, files))
    ComplaintEvent.objects.filter(complaint__in=complaints).exclude(note="").update(note="")
    for event in ComplaintEvent.objects.filter(complaint__in=complaints, action__in=EVENT_TEXTS):
        keys = [k for k in EVENT_TEXTS[event.action] if (event.data or {}).get(k)]
        if keys:
            ComplaintEvent.objects.filter(pk=event.pk).update(data={**event.data, **dict.fromkeys(keys, "")})
    Extension.objects.filter(complaint__in=complaints).exclude(reason="").update(reason=ANONYMISED)
    Assistance.objects.filter(complaint__in=complaints).update(question=ANONYMISED, answer="")
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
    consumer.name = WIPED_NAME
    consumer.note = ""
    for name in PERSONAL_FIELDS:
        setattr(consumer, name, "")
    for name in INDEXED_FIELDS:
        setattr(consumer, f"{name}_bidx", "")
    consumer.save()
