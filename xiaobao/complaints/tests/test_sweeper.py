"""The SLA sweeper: warnings, breach, the escalation ladder, the e-mail digest, and idempotency."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from conftest import make_user
from xiaobao.complaints.models import Clock, Complaint, ComplaintCode, DeadlineRule, Notification
from xiaobao.complaints.notifications import email_digest, mark_read, notify, unread_for
from xiaobao.complaints.sweeper import Ladder, SweepReport, sla_sweep
from xiaobao.core.models import User
from xiaobao.core.services.consumers import consumer_create

SH = ZoneInfo("Asia/Shanghai")
NAME, ID_NUMBER, PHONE = "王小明", "110108199003070016", "13812345678"


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    """A moment in March 2026 (Shanghai time): the 10th is a Tuesday."""
    return dt.datetime(2026, month, day, hour, tzinfo=SH)


def sweep_at(moment: dt.datetime) -> SweepReport:
    with time_machine.travel(moment, tick=False):
        return sla_sweep()


def _with_email(user: User, email: str | None = None) -> User:
    user.email = email if email is not None else f"{user.username}@bank.example"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def staff(org):
    """The ladder of branch 1's sub-branch: handler, unit head, branch officer, head office."""
    return SimpleNamespace(
        handler=_with_email(make_user("sw_handler", org.b1s, ["complaint_handler"])),
        handler2=_with_email(make_user("sw_handler2", org.b1s, ["complaint_handler"])),
        approver=_with_email(make_user("sw_approver", org.b1, ["approver"])),
        branch=_with_email(make_user("sw_branch_cp", org.b1, ["branch_cp_officer"])),
        hq=_with_email(make_user("sw_hq_cp", org.cpd, ["hq_cp_officer"])),
        other_branch=_with_email(make_user("sw_b2_cp", org.b2, ["branch_cp_officer"])),
    )


@pytest.fixture
def consumer(org):
    return consumer_create(actor=None, org_unit=org.b1o, name=NAME, id_number=ID_NUMBER, phone=PHONE)


def _code(dimension: str) -> ComplaintCode:
    """A preloaded code (migration 0002); created when a transactional test's flush removed them."""
    found = ComplaintCode.objects.filter(dimension=dimension).first()
    return found or ComplaintCode.objects.create(dimension=dimension, code=f"T-{dimension}", name=dimension)


def _rule() -> DeadlineRule:
    found = DeadlineRule.objects.first()
    return found or DeadlineRule.objects.create(code="test-15", name="15 days", days=15, unit="calendar")


@pytest.fixture
def make_case(org, staff, consumer):
    """`make_case(ref, due, ...)`: a complaint of the sub-branch with one decision clock."""

    def make(ref, due, *, handler=staff.handler, unit=org.b1s, state="running", status="in_progress"):
        code = {
            d: ComplaintCode.objects.filter(dimension=d).first()
            for d in ("channel", "business_type", "cause")
        }
        complaint = Complaint.objects.create(
            reference=ref, status=status, channel=code["channel"], business_type=code["business_type"],
            cause=code["cause"], received_at=at(2, 9), receipt_date=dt.date(2026, 3, 2),
            registered_by=staff.handler, registering_unit=unit, org_unit=unit, handler=handler,
            complainant=consumer, request="退还年费", description="年费争议", created_by=staff.handler,
        )  # fmt: skip
        return Clock.objects.create(
            complaint=complaint, name="decision", rule=_rule(),
            start_date=dt.date(2026, 3, 2), days=15, due_date=due, state=state,
        )  # fmt: skip

    return make


def kinds_for(user: User) -> list[tuple[str, str]]:
    """(kind, reference) of the user's notifications, oldest first."""
    rows = Notification.objects.filter(user=user).order_by("created_at", "pk")
    return [(n.kind, n.complaint.reference) for n in rows]


# --- warnings ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_warns_at_3_and_1_working_days_once_each(staff, make_case):
    # given a clock due on Friday 13 March
    clock = make_case("SW-W-1", dt.date(2026, 3, 13))
    # when the sweeper runs twice on Tuesday (3 working days left), Wednesday (2) and Thursday (1)
    tuesday = [sweep_at(at(10)).warned, sweep_at(at(10, 15)).warned]
    wednesday = sweep_at(at(11)).warned
    thursday = [sweep_at(at(12)).warned, sweep_at(at(12, 16)).warned]
    # then the handler is warned once at 3 days and once at 1 day, never twice
    assert (tuesday, wednesday, thursday) == ([1, 0], 0, [1, 0])
    assert kinds_for(staff.handler) == [("sla_warning", "SW-W-1")] * 2
    messages = list(Notification.objects.filter(user=staff.handler).values_list("message", flat=True))
    assert any("3" in m for m in messages) and any("1" in m for m in messages)
    clock.refresh_from_db()
    assert sorted(clock.warned) == [1, 3]
    # and nobody else is told
    assert Notification.objects.exclude(user=staff.handler).count() == 0


@pytest.mark.django_db
def test_a_late_first_sweep_sends_only_the_most_urgent_warning(staff, make_case):
    # given a clock due tomorrow that was never warned
    clock = make_case("SW-W-2", dt.date(2026, 3, 11))
    # when the sweeper runs
    report = sweep_at(at(10))
    # then one warning goes out and both levels are recorded
    assert report.warned == 1
    assert Notification.objects.filter(user=staff.handler).count() == 1
    clock.refresh_from_db()
    assert sorted(clock.warned) == [1, 3]


@pytest.mark.django_db
def test_warning_levels_come_from_settings(settings, staff, make_case):
    # given warnings configured at 5 working days only
    settings.SLA_WARN_WORKING_DAYS = (5,)
    make_case("SW-W-3", dt.date(2026, 3, 17))
    # when the sweeper runs 5 working days before, then 1 working day before
    first, last = sweep_at(at(10)).warned, sweep_at(at(16)).warned
    # then only the 5-day warning is sent
    assert (first, last) == (1, 0)


@pytest.mark.django_db
def test_without_a_handler_the_units_handlers_are_warned(org, staff, make_case):
    # given an unassigned complaint of the outlet (which has no handlers; its sub-branch has two)
    make_case("SW-W-4", dt.date(2026, 3, 11), handler=None, unit=org.b1o)
    # when the sweeper runs
    sweep_at(at(10))
    # then both handlers of the nearest unit with handlers are warned
    assert set(Notification.objects.values_list("user_id", flat=True)) == {
        staff.handler.pk,
        staff.handler2.pk,
    }


# --- breach and escalation ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_breach_sets_the_state_and_tells_the_handler_once(staff, make_case):
    # given a running clock that was due yesterday (Monday)
    clock = make_case("SW-B-1", dt.date(2026, 3, 9))
    # when the sweeper runs twice on Tuesday
    reports = [sweep_at(at(10)), sweep_at(at(10, 11))]
    # then the clock is breached, the handler told once, and nobody above yet
    clock.refresh_from_db()
    assert clock.state == "breached" and clock.escalation_level == 0
    assert [r.breached for r in reports] == [1, 0]
    assert kinds_for(staff.handler) == [("sla_breach", "SW-B-1")]
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_escalation_climbs_one_rung_per_working_day(staff, make_case):
    # given a clock due on Monday 9 March, breached on Tuesday
    clock = make_case("SW-E-1", dt.date(2026, 3, 9))
    sweep_at(at(10))
    # when the sweeper runs (twice a day) on the following working days, and over the weekend
    escalated = {}
    for day in (11, 12, 13, 14, 16):
        escalated[day] = [sweep_at(at(day)).escalated, sweep_at(at(day, 17)).escalated]
    # then unit head, branch officer and head office are each told once, on successive working days
    assert escalated == {11: [1, 0], 12: [1, 0], 13: [1, 0], 14: [0, 0], 16: [0, 0]}
    assert kinds_for(staff.approver) == [("sla_escalation", "SW-E-1")]
    assert kinds_for(staff.branch) == [("sla_escalation", "SW-E-1")]
    assert kinds_for(staff.hq) == [("sla_escalation", "SW-E-1")]
    assert kinds_for(staff.handler) == [("sla_breach", "SW-E-1")]
    assert Notification.objects.filter(user=staff.other_branch).count() == 0
    clock.refresh_from_db()
    assert clock.escalation_level == 3


@pytest.mark.django_db
def test_weekends_do_not_count_as_days_overdue(staff, make_case):
    # given a clock due on Friday 13 March
    clock = make_case("SW-E-2", dt.date(2026, 3, 13))
    # when the sweeper runs on Saturday, Sunday and Monday
    for day in (14, 15, 16):
        sweep_at(at(day))
    clock.refresh_from_db()
    # then it is breached but not escalated yet; on Tuesday (Monday fully overdue) the unit head hears
    assert (clock.state, clock.escalation_level) == ("breached", 0)
    assert sweep_at(at(17)).escalated == 1
    assert kinds_for(staff.approver) == [("sla_escalation", "SW-E-2")]


@pytest.mark.django_db
def test_a_sweeper_back_after_days_tells_every_rung(staff, make_case):
    # given a clock due a week ago that no sweeper has seen
    clock = make_case("SW-E-3", dt.date(2026, 3, 2))
    # when the sweeper runs
    report = sweep_at(at(10))
    # then it is breached and escalated to head office in one step, each rung told once
    clock.refresh_from_db()
    assert (report.breached, report.escalated, clock.escalation_level) == (1, 1, 3)
    for user in (staff.handler, staff.approver, staff.branch, staff.hq):
        assert Notification.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_ended_complaints_and_paused_clocks_are_left_alone(staff, make_case):
    # given an overdue clock of a closed complaint and an overdue paused clock
    closed = make_case("SW-X-1", dt.date(2026, 3, 2), status="closed")
    paused = make_case("SW-X-2", dt.date(2026, 3, 2), state="paused", status="paused")
    # when the sweeper runs
    report = sweep_at(at(10))
    # then neither is touched
    assert report == SweepReport()
    assert {c.state for c in Clock.objects.filter(pk__in=[closed.pk, paused.pk])} == {"running", "paused"}
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_ladder_resolves_each_rung_from_the_org_tree(org, staff):
    # given the ladder of one sweep
    ladder = Ladder()
    # when the rungs of an unassigned outlet complaint are resolved
    rungs = [ladder.recipients(level, handler_id=None, unit_id=org.b1o.pk) for level in range(4)]
    # then they are the sub-branch's handlers, the branch's approver and officer, and head office
    assert rungs == [
        sorted([staff.handler.pk, staff.handler2.pk]),
        [staff.approver.pk],
        [staff.branch.pk],
        [staff.hq.pk],
    ]
    # and a named handler is level 0 on their own
    assert ladder.recipients(0, handler_id=staff.handler2.pk, unit_id=org.b1o.pk) == [staff.handler2.pk]


# --- idempotency ------------------------------------------------------------------------------------------


def _scenario(make_case) -> None:
    make_case("SW-I-1", dt.date(2026, 3, 11))  # warning (1 working day left)
    make_case("SW-I-2", dt.date(2026, 3, 13))  # warning (3 working days left)
    make_case("SW-I-3", dt.date(2026, 3, 9))  # breach
    make_case("SW-I-4", dt.date(2026, 3, 4))  # breach and escalation to head office


@pytest.mark.django_db
def test_running_the_sweep_twice_in_a_row_changes_nothing(staff, make_case, mailoutbox):
    # given a mix of clocks to warn, breach and escalate
    _scenario(make_case)
    # when the sweeper runs twice
    first, second = sweep_at(at(10)), sweep_at(at(10))
    # then the second run finds nothing left to do
    assert first == SweepReport(warned=2, breached=2, escalated=1, emailed=4)
    assert second == SweepReport()
    assert Notification.objects.count() == 7
    assert len(mailoutbox) == 4


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_never_double_notify(staff, make_case, mailoutbox):
    # given a mix of clocks to warn, breach and escalate, and two sweepers starting together
    _scenario(make_case)
    barrier, reports, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            barrier.wait()
            reports.append(sla_sweep())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    # when both run concurrently
    with time_machine.travel(at(10), tick=False):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    # then together they did each thing exactly once
    assert errors == []
    total = SweepReport(
        *(sum(getattr(r, f) for r in reports) for f in ("warned", "breached", "escalated", "emailed"))
    )
    assert total == SweepReport(warned=2, breached=2, escalated=1, emailed=4)
    assert Notification.objects.count() == 7
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        u.email for u in (staff.handler, staff.approver, staff.branch, staff.hq)
    )


# --- e-mail digest ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_digest_is_one_email_per_person(staff, make_case, mailoutbox):
    # given two complaints of the same handler, one to warn and one breached
    make_case("SW-D-1", dt.date(2026, 3, 11))
    make_case("SW-D-2", dt.date(2026, 3, 9))
    # when the sweeper runs in working hours
    report = sweep_at(at(10))
    # then the handler gets one e-mail naming both complaints, and every row is marked
    assert report.emailed == 1 and len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [staff.handler.email]
    assert "SW-D-1" in mail.body and "SW-D-2" in mail.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [at(10, 8), at(10, 18), at(10, 22), at(14, 10), dt.datetime(2026, 10, 1, 10, tzinfo=SH)],
    ids=["before-9", "at-18", "evening", "saturday", "national-day"],
)
def test_no_email_outside_working_hours(staff, make_case, mailoutbox, moment):
    # given a complaint about to breach
    make_case("SW-D-3", moment.date() - dt.timedelta(days=1))
    # when the sweeper runs outside working hours (or on a day off)
    report = sweep_at(moment)
    # then the in-app notification is there but no e-mail is sent, nor marked as sent
    assert report.breached == 1 and report.emailed == 0
    assert mailoutbox == []
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_held_emails_go_out_next_working_morning(staff, make_case, mailoutbox):
    # given a clock due on Friday 13 March
    make_case("SW-D-4", dt.date(2026, 3, 13))
    # when the sweeper runs on Friday evening, over the weekend (breach found) and on Monday morning
    held = [sweep_at(moment).emailed for moment in (at(13, 20), at(14, 10), at(15, 10))]
    monday = sweep_at(at(16, 9)).emailed
    # then the e-mail waits for Monday and goes out once, to the handler
    assert (held, monday) == ([0, 0, 0], 1)
    assert [m.to for m in mailoutbox] == [[staff.handler.email]]
    assert "SW-D-4" in mailoutbox[0].body


@pytest.mark.django_db
def test_working_hours_come_from_settings(settings, staff, make_case, mailoutbox):
    # given working hours 8–20
    settings.SLA_WORKING_HOURS = (8, 20)
    make_case("SW-D-5", dt.date(2026, 3, 9))
    # when the sweeper runs at 19:00
    report = sweep_at(at(10, 19))
    # then the digest goes out
    assert report.emailed == 1


@pytest.mark.django_db
def test_people_without_email_are_marked_but_not_mailed(staff, make_case, mailoutbox):
    # given a handler with no e-mail address
    _with_email(staff.handler, "")
    make_case("SW-D-6", dt.date(2026, 3, 9))
    # when the sweeper runs
    report = sweep_at(at(10))
    # then nothing is sent and the row is not retried
    assert report.emailed == 0 and mailoutbox == []
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_failed_send_is_retried(staff, make_case, mailoutbox, monkeypatch):
    # given a breach, and a mail server that fails once
    make_case("SW-D-7", dt.date(2026, 3, 9))
    sweep_at(at(10, 7))

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("xiaobao.complaints.notifications.send_mail", broken)
    # when the digest fails, then runs again with the server back
    failed = email_digest(at(10))
    monkeypatch.undo()
    retried = email_digest(at(10, 11))
    # then the e-mail goes out on the retry
    assert (failed, retried, len(mailoutbox)) == (0, 1, 1)


# --- no personal data ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notifications_name_the_reference_but_no_personal_data(staff, make_case, mailoutbox):
    # given complaints of a consumer with a name, ID number and phone on record
    _scenario(make_case)
    # when the sweeper runs
    sweep_at(at(10))
    # then every message and e-mail names a reference and carries none of the personal data
    texts = list(Notification.objects.values_list("message", flat=True))
    texts += [m.subject + m.body for m in mailoutbox]
    assert texts
    for text in texts:
        assert "SW-I-" in text
        for secret in (NAME, ID_NUMBER, PHONE):
            assert secret not in text


# --- notify, unread, mark read ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notify_is_idempotent_per_user_and_key(staff, make_case):
    # given a complaint
    complaint = make_case("SW-N-1", dt.date(2026, 3, 20)).complaint
    args = {"complaint": complaint, "kind": "test", "message": "SW-N-1 test", "key": "test:1"}
    # when the same event is told twice, the second time to one more person
    first = notify(users=[staff.handler], **args)
    second = notify(users=[staff.handler, staff.approver.pk], **args)
    # then each person has it once
    assert (first, second) == (1, 1)
    assert Notification.objects.filter(dedupe_key__startswith="test:1:").count() == 2
    assert notify(users=[], **args) == 0


@pytest.mark.django_db
def test_unread_and_mark_read_are_per_user(staff, make_case):
    # given a notification for the handler and one for the approver
    complaint = make_case("SW-N-2", dt.date(2026, 3, 20)).complaint
    notify(users=[staff.handler, staff.approver], complaint=complaint, kind="t", message="m", key="k")
    mine = unread_for(staff.handler).get()
    theirs = unread_for(staff.approver).get()
    # when the handler marks both ids read
    changed = mark_read(staff.handler, [mine.pk, theirs.pk])
    # then only their own changed
    assert changed == 1
    assert not unread_for(staff.handler).exists()
    assert unread_for(staff.approver).count() == 1


# --- the command --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_runs_once_and_prints_the_report(staff, make_case):
    # given a clock due yesterday
    make_case("SW-C-1", dt.date(2026, 3, 9))
    out = StringIO()
    # when the command runs
    with time_machine.travel(at(10), tick=False):
        call_command("sla_sweep", stdout=out)
    # then it prints the counts
    assert "breached=1" in out.getvalue()


@pytest.mark.django_db
def test_command_loops_the_given_number_of_times(staff, make_case):
    # given a clock due yesterday
    make_case("SW-C-2", dt.date(2026, 3, 9))
    out = StringIO()
    # when the command loops twice
    with time_machine.travel(at(10), tick=False):
        call_command("sla_sweep", "--loop", "--interval", "0", "--max-loops", "2", stdout=out)
    # then it swept twice, and breached once
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert "breached=1" in lines[0] and "breached=0" in lines[1]
