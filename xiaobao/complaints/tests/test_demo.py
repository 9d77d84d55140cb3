"""The demo year of complaints (through the services) and the bulk benchmark generator."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from xiaobao.complaints import sla
from xiaobao.complaints.demo import MAX_LENGTH, MIN_LENGTH, complaints_demo_load
from xiaobao.complaints.models import Clock, Complaint, ComplaintEvent, Extension, Notification
from xiaobao.complaints.services import _rule_spec, rules_for
from xiaobao.core.demo import demo_load
from xiaobao.core.models import AuditEvent, Consumer
from xiaobao.core.services.audit import audit_verify
from xiaobao.core.workdays import get_calendar

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 17)  # a Wednesday without holidays nearby


def _clocks_from_events(c: Complaint, today: dt.date) -> dict[str, tuple]:
    """What the clock engine says from the stored event history, as of `today`."""
    rules = rules_for(c)
    events = [sla.EventSpec(e.action, e.effective_date, e.data) for e in c.events.order_by("at", "id")]
    results = sla.compute_clocks(
        get_calendar(),
        rules={k: _rule_spec(r) for k, r in rules.items()},
        receipt=c.receipt_date,
        events=events,
        status=c.status,
        today=today,
        review_requested_on=c.review_requested_on,
    )
    return {r.name: (r.days, r.due_date, r.state, r.met_on) for r in results}


def _stored_clocks(c: Complaint) -> dict[str, tuple]:
    return {k.name: (k.days, k.due_date, k.state, k.met_on) for k in c.clocks.all()}


def test_demo_year():
    """One small year (loading takes a few seconds), checked from several sides."""
    # given the demo bank; when a year of 60 complaints is loaded
    demo_load()
    year = complaints_demo_load(seed=7, count=60, today=TODAY)
    # then
    _check_states(year)
    _check_clocks()
    _check_texts()
    _check_personal_data()


def _check_states(year):
    # then: 60 complaints, ended and open, with the pinned open states present
    assert year.created == 60 == Complaint.objects.count()
    statuses = Counter(Complaint.objects.values_list("status", flat=True))
    assert statuses["archived"] > 20
    assert {
        "registered",
        "assigned",
        "in_progress",
        "paused",
        "drafted",
        "pending_approval",
        "decided",
        "followed_up",
        "closed",
        "archived",
        "under_review",
        "withdrawn",
        "declined",
        "merged",
    } <= set(statuses)
    # regulator-forwarded, major (20+ face to face), extended with approval, reviewed
    assert Complaint.objects.exclude(source="direct").exists()
    major = Complaint.objects.filter(is_major=True)
    assert major.exists() and all(c.people_count >= 20 and c.face_to_face for c in major)
    assert Extension.objects.filter(to_days=60, state="approved").exists()
    assert Extension.objects.filter(to_days=30, state="approved").exists()
    assert Extension.objects.filter(state="pending").exists()
    assert Complaint.objects.filter(review_requested_on__isnull=False).exists()
    # a year of receipts up to today
    dates = Complaint.objects.values_list("receipt_date", flat=True)
    assert max(dates) <= TODAY and min(dates) >= TODAY - dt.timedelta(days=364)


def _check_clocks():
    for c in Complaint.objects.all():
        assert c.events.filter(action="register").count() == 1, c.reference
        assert _stored_clocks(c) == _clocks_from_events(c, TODAY), c.reference
    decision = {k.complaint_id: k for k in Clock.objects.filter(name="decision")}
    for c in Complaint.objects.filter(status__in=["closed", "archived"]):
        assert decision[c.pk].state in {"met", "breached"} and decision[c.pk].met_on is not None
        assert c.notified_at is not None and c.liability
    for c in Complaint.objects.filter(status="paused"):
        assert decision[c.pk].state == "paused"
    for c in Complaint.objects.filter(status__in=["withdrawn", "declined", "merged"]):
        assert decision[c.pk].state == "stopped"
    for c in Complaint.objects.filter(status="under_review"):
        assert c.clocks.filter(name="review", state="running").exists()
    # some open ones are overdue, some due soon; extended clocks carry their days
    assert Clock.objects.filter(name="decision", state="breached", met_on__isnull=True).exists()
    assert Clock.objects.filter(
        name="decision", state="running", due_date__lte=TODAY + dt.timedelta(days=5)
    ).exists()
    assert Clock.objects.filter(name="decision", days=60).exists()
    # most closed ones were followed up
    closed = Complaint.objects.filter(status__in=["closed", "archived"])
    assert closed.filter(satisfaction__isnull=False).count() >= 0.8 * closed.count()


def _check_texts():
    lengths = [len(d) for d in Complaint.objects.values_list("description", flat=True)]
    assert min(lengths) >= MIN_LENGTH and max(lengths) <= MAX_LENGTH
    assert all(c.reference == f"TS{c.receipt_date:%Y%m%d}{c.pk:07d}" for c in Complaint.objects.all())


def _check_personal_data():
    people = []
    for consumer in Consumer.objects.filter(complaints__isnull=False).distinct():
        sealed = [consumer.id_number, consumer.phone, consumer.account_number, consumer.address]
        people.append((consumer.name, [s.reveal() for s in sealed if s]))
    assert people
    events = json.dumps([[e.note, e.data] for e in ComplaintEvent.objects.all()], ensure_ascii=False)
    complaint_audit = json.dumps(
        [
            [a.object_repr, a.changes]
            for a in AuditEvent.objects.filter(object_type__startswith="complaints.")
        ],
        ensure_ascii=False,
    )
    all_audit = json.dumps([[a.object_repr, a.changes] for a in AuditEvent.objects.all()], ensure_ascii=False)
    texts = " ".join(Complaint.objects.values_list("description", flat=True))
    for name, secrets in people:
        assert name not in events and name not in complaint_audit and name not in texts
        for value in secrets:
            assert value not in events and value not in all_audit
    # the C2 patterns do not occur either
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", events + complaint_audit + texts)
    assert audit_verify().broken_id is None


def test_demo_load_command_adds_complaints_once(capsys):
    staff_made = Complaint.objects.exclude(created_by__is_service=True)  # not the consumer portal's demo ones
    call_command("demo_load", complaints=12, reviews=0, training=0, exams=0)  # their own tests
    first = staff_made.count()
    call_command("demo_load", complaints=12, reviews=0, training=0, exams=0)  # their own tests
    out = capsys.readouterr().out
    assert first == 12 == staff_made.count()
    assert "Demo complaints already loaded." in out and "branch1_sub1_handler" in out


def test_bench_generate_writes_complaints_with_events_and_clocks(capsys):
    # when
    call_command("bench_generate", complaints=200, batch=70)
    # then
    assert Complaint.objects.count() == 200
    assert "rows/s" in capsys.readouterr().out
    today = timezone.localdate()
    for c in Complaint.objects.all():
        assert c.reference == f"TS{c.receipt_date:%Y%m%d}{c.pk:07d}"
        assert c.events.first().action == "register"
        stored = _stored_clocks(c)
        assert {"decision", "first_contact"} <= set(stored)
        assert stored == _clocks_from_events(c, today), c.reference
        assert c.decision_due == c.clocks.get(name="decision").due_date
        assert c.version == c.events.count()
    statuses = Counter(Complaint.objects.values_list("status", flat=True))
    assert statuses["archived"] > 100 and len(statuses) >= 3
    assert min(Complaint.objects.values_list("receipt_date", flat=True)) < today - dt.timedelta(days=365)
    # complainants from a pool, encrypted with the vault; no audit rows for the generated complaints
    assert Consumer.objects.count() == 200
    assert Consumer.objects.first().id_number.reveal()
    assert not AuditEvent.objects.filter(object_type="complaints.complaint").exists()
    # the sequences continue after the explicit ids
    c = Complaint.objects.order_by("-pk").first()
    assert (
        ComplaintEvent.objects.create(
            complaint=c, at=c.received_at, effective_date=c.receipt_date, action="note"
        ).pk
        > ComplaintEvent.objects.exclude(action="note").order_by("-pk").first().pk
    )


@pytest.fixture
def no_time_machine(monkeypatch):
    """An installation without the development extras: `import time_machine` fails."""
    import sys

    monkeypatch.setitem(sys.modules, "time_machine", None)
    with pytest.raises(ImportError):
        import time_machine  # noqa: F401


def test_demo_year_needs_no_clock_moving(no_time_machine, django_capture_on_commit_callbacks):
    # given the demo bank and no time-machine; when a year of 40 complaints is loaded (and committed)
    demo_load()
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        year = complaints_demo_load(seed=11, count=40, today=TODAY)
    # then they were received over the year up to TODAY, and everything is dated when it happened
    assert year.created == 40 == Complaint.objects.count()
    end = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(23, 59)))
    dates = Complaint.objects.values_list("receipt_date", flat=True)
    assert max(dates) <= TODAY and min(dates) >= TODAY - dt.timedelta(days=364)
    audit_at = {
        (a.object_id, a.action): a.at
        for a in AuditEvent.objects.filter(object_type="complaints.complaint", action="create")
    }
    for c in Complaint.objects.prefetch_related("events"):
        events = list(c.events.order_by("at", "id"))
        register = events[0]
        assert register.action == "register" and c.received_at <= register.at < end, c.reference
        assert c.created_at == register.at == audit_at[(str(c.pk), "create")], c.reference
        assert all(e.at < end and e.effective_date <= TODAY for e in events), c.reference
        assert c.updated_at == events[-1].at, c.reference
        assert _stored_clocks(c) == _clocks_from_events(c, TODAY), c.reference
        if c.closed_at:
            assert c.closed_at < end
    assert Complaint.objects.filter(status="archived").exists()
    assert not AuditEvent.objects.filter(object_type__startswith="complaints.", at__gte=started).exists()
    # the workflow's notifications are dated at the step that sent them
    sent = Notification.objects.exclude(kind="early_warning")
    assert sent.exists() and not sent.filter(created_at__gte=started).exists()
    steps = set(ComplaintEvent.objects.values_list("complaint_id", "at"))
    assert all((n.complaint_id, n.created_at) in steps for n in sent)
    assigned = sent.filter(kind="assigned").select_related("complaint").first()
    assert assigned is not None
    assert assigned.complaint.events.filter(
        at=assigned.created_at, action__in=["assign", "transfer"]
    ).exists()
    assert audit_verify().broken_id is None


def test_demo_load_command_without_time_machine(no_time_machine, capsys):
    call_command("demo_load", complaints=12, reviews=0, training=0, exams=0)  # their own tests
    out, err = capsys.readouterr()
    staff_made = Complaint.objects.exclude(created_by__is_service=True)  # not the consumer portal's demo ones
    assert staff_made.count() == 12 and "skipped" not in err and "Demo complaints loaded" in out
    today = timezone.localdate()
    assert all(
        today - dt.timedelta(days=365) <= d <= today
        for d in Complaint.objects.values_list("receipt_date", flat=True)
    )
    assert ComplaintEvent.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).exists()
