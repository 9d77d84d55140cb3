"""Writing validated rows in bulk: consumers, complaints, one event each, and their clocks.

One `transaction.atomic()` around everything, `bulk_create` in batches: the number of statements grows with
the batches, not with the rows (apart from SQLite's 999-variable cap on one INSERT), so 28,000 rows take
seconds instead of the ≈65 statements per row of `complaint_register`. What `complaint_register` does per row
is done here per batch, the same way:

- complainant: one anonymous consumer per row (sealed fields empty); when the file has ID numbers, the
  consumer with the same blind index in the actor's scope is reused, else one is created per ID number;
- reference: `IM` + job id (6 digits) + day of receipt + sequence (6 digits) — the `TS<date><pk>` scheme of
  registered complaints with a distinct prefix, so the two never collide and a job's complaints are found by
  searching `IM<job>`;
- status from the value map: ended ones get `closed_at`. A historical import (the default) stores a row the
  file gives as open as `archived` (the file's status kept in its event): history enters no queue, inbox,
  sweep or escalation. Only an import with `"historical": false` keeps open rows `registered` (awaiting
  assignment);
- clocks: the real computation (`sla.compute_clocks` with the rules `rules_for` picks for the source and the
  event history, which holds only the `imported` event), cached per (day of receipt, status) since it
  depends on nothing else. A historical complaint that ended without a recorded notice has no met date:
  its decision clock is `stopped` rather than `breached`, so statistics do not count history as overdue
  (it has no first-contact clock). An open one whose deadline passed long ago is `breached` like any
  other, but stored as already escalated to the top of the ladder: the sweeper does not send a breach
  notice and three escalations for each of thousands of old cases on its first pass (history is not news).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiaobao.complaints import sla
from xiaobao.complaints.choices import ClockState, Priority, Status
from xiaobao.complaints.models import Clock, Complaint, ComplaintEvent, DeadlineRule
from xiaobao.complaints.services import rules_for
from xiaobao.complaints.sweeper import TOP_LEVEL
from xiaobao.core.models import Consumer, OrgUnit, User
from xiaobao.core.vault import crypto
from xiaobao.core.workdays import get_calendar
from xiaobao.imports.bulk import insert_rows
from xiaobao.imports.validation import ParsedRow

BATCH_SIZE = 1000
EVENT_ACTION = "imported"
NOTE_PREFIX = "导入 "  # a new consumer's note: the complaint it was made for


REFERENCE_PREFIX = "IM"  # every imported complaint's reference starts with it (early warning skips them)


def reference(job_id: int, receipt: dt.date, seq: int) -> str:
    return f"{REFERENCE_PREFIX}{job_id:06d}{receipt:%Y%m%d}{seq:06d}"


def reference_prefix(job_id: int) -> str:
    return f"{REFERENCE_PREFIX}{job_id:06d}"


class ClockMaker:
    """The clocks of an imported complaint, from the same rules and computation as registered ones."""

    def __init__(self, source: str, today: dt.date) -> None:
        self.rules: dict[str, DeadlineRule] = rules_for(Complaint(source=source))
        self.specs = {k: sla.RuleSpec(r.code, r.days, r.unit, r.roll_forward) for k, r in self.rules.items()}
        self.calendar = get_calendar()
        self.today = today
        self._cache: dict[tuple[dt.date, str], list[sla.ClockResult]] = {}

    def results(self, receipt: dt.date, status: str) -> list[sla.ClockResult]:
        key = (receipt, status)
        if key not in self._cache:
            self._cache[key] = self._compute(receipt, status) if "decision" in self.specs else []
        return self._cache[key]

    def _compute(self, receipt: dt.date, status: str) -> list[sla.ClockResult]:
        results = sla.compute_clocks(
            self.calendar,
            rules=self.specs,
            receipt=receipt,
            events=[sla.EventSpec(EVENT_ACTION, receipt, {})],
            status=status,
            today=self.today,
            review_requested_on=None,
        )
        if status in Status.ended_statuses():  # history: the decision clock only, stopped unless met
            results = [
                r if r.met_on else dataclasses.replace(r, state=ClockState.STOPPED)
                for r in results
                if r.name == "decision"
            ]
        return results

    def decision(self, receipt: dt.date, status: str) -> sla.ClockResult | None:
        return next((r for r in self.results(receipt, status) if r.name == "decision"), None)

    def rows(self, complaint_id: int, receipt: dt.date, status: str) -> list[tuple[Any, ...]]:
        """The values of CLOCK_COLUMNS for each clock of one complaint."""
        return [
            (
                complaint_id,
                r.name,
                self.rules[r.name].pk,
                r.start_date,
                r.days,
                r.paused_days,
                r.due_date,
                r.state,
                r.provisional,
                r.met_on,
                TOP_LEVEL if r.state == ClockState.BREACHED else 0,
            )
            for r in self.results(receipt, status)
        ]


def existing_references(unit: OrgUnit, prefix: str) -> set[str]:
    """External references already imported into the unit (one query; the prefix narrows the scan)."""
    qs = Complaint.objects.filter(org_unit=unit).exclude(external_reference="")
    if prefix:
        qs = qs.filter(external_reference__startswith=prefix)
    return set(qs.values_list("external_reference", flat=True))


def _known_consumers(actor: User, digests: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    pending = sorted(digests)
    for start in range(0, len(pending), 500):
        chunk = pending[start : start + 500]
        qs = Consumer.objects.visible_to(actor).filter(id_number_bidx__in=chunk).order_by("pk")
        for digest, pk in qs.values_list("id_number_bidx", "pk"):
            found.setdefault(digest, pk)
    return found


def _complainants(actor: User, unit: OrgUnit, rows: Sequence[ParsedRow], refs: Sequence[str]) -> list[int]:
    """The complainant of each row: the consumer with the same ID number (blind index) in the actor's scope,
    else a new one per ID number, else a new anonymous one per row. A new consumer's note names the complaint
    it was made for, which is also how the inserted ids are matched back to the rows."""
    digest = {r.id_number: crypto.blind_index(r.id_number, "id_number") for r in rows if r.id_number}
    known = _known_consumers(actor, set(digest.values())) if digest else {}
    new: list[tuple[str, str, str, str]] = []
    first_ref: dict[str, str] = {}
    for r, ref in zip(rows, refs, strict=True):
        d = digest.get(r.id_number, "")
        if d in known or d in first_ref:
            continue
        if d:
            first_ref[d] = ref
        new.append((r.name, NOTE_PREFIX + ref, r.id_number if d else "", d))
    template = Consumer(org_unit_id=unit.pk, created_by_id=actor.pk, kind="person", id_type="resident_id")
    inserted = insert_rows(
        Consumer,
        template=template,
        variable=["name", "note", "id_number", "id_number_bidx"],
        rows=new,
        returning=["id", "note"],
    )
    by_note = {note: pk for pk, note in inserted}
    for d, ref in first_ref.items():
        known[d] = by_note[NOTE_PREFIX + ref]
    return [
        known[digest[r.id_number]] if r.id_number else by_note[NOTE_PREFIX + ref]
        for r, ref in zip(rows, refs, strict=True)
    ]


COMPLAINT_COLUMNS = [
    "reference",
    "status",
    "external_reference",
    "channel_id",
    "business_type_id",
    "cause_id",
    "received_at",
    "receipt_date",
    "product",
    "complainant_id",
    "special_groups",
    "request",
    "description",
    "priority",
    "liability",
    "closed_at",
    "decision_state",
    "decided_on",
    "decision_due",
]
CLOCK_COLUMNS = [
    "complaint_id",
    "name",
    "rule_id",
    "start_date",
    "days",
    "paused_days",
    "due_date",
    "state",
    "provisional",
    "met_on",
    "escalation_level",
]


def _complaint_values(r: ParsedRow, ref: str, consumer: int, clocks: ClockMaker) -> tuple[Any, ...]:
    decision = clocks.decision(r.receipt_date, r.status)
    return (
        ref,
        r.status,
        r.external_reference,
        r.channel_id,
        r.business_type_id,
        r.cause_id,
        r.received_at,
        r.receipt_date,
        r.product,
        consumer,
        r.special_groups,
        r.request,
        r.description,
        Priority.HIGH if r.special_groups else Priority.NORMAL,
        r.liability,
        r.closed_at,
        decision.state if decision else "",  # the decision clock's outcome, kept on the row for statistics
        decision.met_on if decision else None,
        decision.due_date if decision else None,
    )


def _event_data(job_id: int, r: ParsedRow) -> dict[str, Any]:
    data: dict[str, Any] = {"job": job_id, "row": r.line}
    if r.status_in_file:
        data["status_in_file"] = r.status_in_file  # open in the file, archived as history
    return data


def write_rows(
    *,
    job: Any,
    actor: User,
    unit: OrgUnit,
    source: str,
    prefix: str,
    rows: Sequence[ParsedRow],
    batch_size: int = BATCH_SIZE,
    progress: Callable[[float], None] | None = None,
    after: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Write the rows not imported before into `unit`, all or nothing; returns (created, skipped_existing).

    `progress(fraction)` is called after each batch; `after(created, skipped)` runs inside the transaction
    (the audit record goes with the data)."""
    now = timezone.now()
    report = progress or (lambda fraction: None)
    with transaction.atomic():
        # Serialise imports into one unit so two runs of one file cannot both miss each other's rows.
        OrgUnit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True).first()
        existing = existing_references(unit, prefix)
        todo = [r for r in rows if r.external_reference not in existing]
        refs = [reference(job.pk, r.receipt_date, seq) for seq, r in enumerate(todo, start=1)]
        template = Complaint(
            source=source,
            registered_by_id=actor.pk,
            registering_unit_id=unit.pk,
            org_unit_id=unit.pk,
            created_by_id=actor.pk,
        )
        clocks = ClockMaker(source, timezone.localdate())
        batches = list(range(0, len(todo), batch_size))
        for i, start in enumerate(batches, start=1):
            batch, batch_refs = todo[start : start + batch_size], refs[start : start + batch_size]
            consumers = _complainants(actor, unit, batch, batch_refs)
            insert_rows(
                Complaint,
                template=template,
                variable=COMPLAINT_COLUMNS,
                rows=(
                    _complaint_values(r, ref, consumer, clocks)
                    for r, ref, consumer in zip(batch, batch_refs, consumers, strict=True)
                ),
            )
            report(0.8 * i / len(batches))
        ids = dict(
            Complaint.objects.filter(
                reference__gte=reference_prefix(job.pk), reference__lt=reference_prefix(job.pk + 1)
            ).values_list("reference", "id")
        )
        for i, start in enumerate(batches, start=1):
            batch, batch_refs = todo[start : start + batch_size], refs[start : start + batch_size]
            insert_rows(
                ComplaintEvent,
                template=ComplaintEvent(at=now, actor_id=actor.pk, action=EVENT_ACTION),
                variable=["complaint_id", "effective_date", "to_status", "data"],
                rows=(
                    (ids[ref], r.receipt_date, r.status, _event_data(job.pk, r))
                    for r, ref in zip(batch, batch_refs, strict=True)
                ),
            )
            insert_rows(
                Clock,
                template=Clock(),
                variable=CLOCK_COLUMNS,
                rows=(
                    values
                    for r, ref in zip(batch, batch_refs, strict=True)
                    for values in clocks.rows(ids[ref], r.receipt_date, r.status)
                ),
            )
            report(0.8 + 0.2 * i / len(batches))
        created, skipped = len(todo), len(rows) - len(todo)
        if after:
            after(created, skipped)
    return created, skipped
