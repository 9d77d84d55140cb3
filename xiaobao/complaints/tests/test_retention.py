"""Retention: ended complaints past their period are anonymised, statistics stay the same, legal hold wins;
read notifications and consumers no complaint names have their own rules."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import make_user
from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.complaints.models import Assistance, Complaint, ComplaintEvent, Extension, Notification
from xiaobao.complaints.retention import ANONYMISED, complaint_set_legal_hold
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.models import AuditEvent, Consumer
from xiaobao.core.services.audit import audit_verify
from xiaobao.retention import retention_purge

pytestmark = pytest.mark.django_db
LATER = dt.datetime(2029, 12, 1, 10, tzinfo=dt.UTC)  # more than 3 years after March 2026


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """The purge also sweeps the file directories: give it this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _complaint(actor, payload, id_number: str, **over):
    with time_machine.travel("2026-03-02 10:30 +0800", tick=False):
        c, _ = complaint_register(
            actor=actor,
            data=payload(
                complainant={"name": "张伟", "id_number": id_number, "phone": "13812345678"}, **over
            ),
        )
    return c


def _withdraw(actor, c):
    with time_machine.travel("2026-03-03 10:00 +0800", tick=False):
        complaint_transition(
            actor=actor,
            complaint=Complaint.objects.get(pk=c.pk),
            action="withdraw",
            data={"reason": "客户撤诉"},
        )


def _figures(user, unit):
    return {f.key: f.value for f in stats.headline(user=user, unit=unit, period=Period.parse("2026-03"))}


def test_purge_anonymises_old_ended_complaints_and_keeps_statistics(hq_officer, org, payload):
    # given: two withdrawn complaints from March 2026 (one on legal hold) and one still open
    gone = _complaint(hq_officer, payload, "110108199003070016")
    held = _complaint(hq_officer, payload, "11010519491231002X")
    still_open = _complaint(hq_officer, payload, "110101199001011237")
    _withdraw(hq_officer, gone)
    _withdraw(hq_officer, held)
    complaint_set_legal_hold(actor=hq_officer, complaint=held, hold=True, reason="（2026）京0108民初123号")
    before = _figures(hq_officer, org.ho)
    breakdown_before = stats.breakdown(
        user=hq_officer, unit=org.ho, period=Period.parse("2026-03"), dimension="cause"
    )
    # when: the purge runs more than three years later
    report = retention_purge(now=LATER).complaint
    # then: only the ended, unheld complaint is anonymised
    assert (report.anonymised, report.held) == (1, 1)
    gone.refresh_from_db()
    assert gone.anonymised_at is not None and gone.description == ANONYMISED and gone.product == ""
    assert not gone.events.exclude(note="").exists()
    person = Consumer.objects.get(pk=gone.complainant_id)
    assert person.name == "匿名" and person.id_number_bidx == "" and person.phone_bidx == ""
    held.refresh_from_db()
    still_open.refresh_from_db()
    assert held.anonymised_at is None and held.description != ANONYMISED
    assert still_open.anonymised_at is None
    # statistics are exactly what they were
    assert _figures(hq_officer, org.ho) == before
    after = stats.breakdown(user=hq_officer, unit=org.ho, period=Period.parse("2026-03"), dimension="cause")
    assert [(s.code, s.count) for s in after] == [(s.code, s.count) for s in breakdown_before]
    # one audit record names what was anonymised, and the chain still verifies
    purge = AuditEvent.objects.filter(object_type="core.retentionrule", action="delete").get()
    assert gone.reference in purge.changes["complaint"]["references"]
    assert purge.changes["complaint"]["anonymised"] == 1 and purge.changes["complaint"]["on_hold"] == 1
    assert audit_verify().broken_id is None


def test_purge_is_idempotent_and_respects_the_period(hq_officer, org, payload):
    c = _complaint(hq_officer, payload, "110108199003070016")
    _withdraw(hq_officer, c)
    assert retention_purge(now=dt.datetime(2027, 3, 1, tzinfo=dt.UTC)).complaint.anonymised == 0  # 3 years
    assert retention_purge(now=LATER).complaint.anonymised == 1
    assert retention_purge(now=LATER).complaint.anonymised == 0


def test_dry_run_counts_without_changing(hq_officer, org, payload):
    c = _complaint(hq_officer, payload, "110108199003070016")
    _withdraw(hq_officer, c)
    assert retention_purge(now=LATER, dry_run=True).complaint.due == 1
    c.refresh_from_db()
    assert c.anonymised_at is None


def test_a_consumer_with_a_kept_complaint_keeps_their_data(hq_officer, org, payload):
    old = _complaint(hq_officer, payload, "110108199003070016")
    _complaint(hq_officer, payload, "110108199003070016")  # the same person again, still open
    _withdraw(hq_officer, old)
    retention_purge(now=LATER)
    person = Consumer.objects.get(pk=old.complainant_id)
    assert person.id_number_bidx != ""


def test_legal_hold_needs_a_reason(hq_officer, org, payload):
    from xiaobao.core.errors import DomainError

    c = _complaint(hq_officer, payload, "110108199003070016")
    with pytest.raises(DomainError):
        complaint_set_legal_hold(actor=hq_officer, complaint=c, hold=True, reason=" ")


def test_legal_hold_through_the_api_and_the_page(
    api_for, client_for, hq_officer, branch_officer, org, payload
):
    import json

    c = _complaint(hq_officer, payload, "110108199003070016")
    url = f"/api/v1/complaints/{c.pk}/legal-hold"
    # a reason is required (field message), a branch officer without the permission is refused
    bad = api_for(hq_officer).post(url, json.dumps({"hold": True}), content_type="application/json")
    assert bad.status_code == 422 and "reason" in bad.json()["fields"]
    denied = api_for(branch_officer).post(
        url, json.dumps({"hold": True, "reason": "诉讼"}), content_type="application/json"
    )
    assert denied.status_code == 403
    ok = api_for(hq_officer).post(
        url, json.dumps({"hold": True, "reason": "诉讼"}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["legal_hold"] is True
    # the page releases it and shows the state
    page = client_for(hq_officer)
    assert page.post(f"/complaints/{c.pk}/legal-hold/", {"hold": "0"}).status_code == 302
    c.refresh_from_db()
    assert c.legal_hold is False
    assert 'data-testid="retention"' in page.get(f"/complaints/{c.pk}/").content.decode()


def test_anonymising_also_clears_the_texts_of_events_extensions_and_assistance(hq_officer, org, payload):
    from xiaobao.complaints.services import rules_for

    # given a complaint with a contact summary, an assistance request and answer, and an extension, withdrawn
    c = _complaint(hq_officer, payload, "110108199003070016")
    with time_machine.travel("2026-03-02 15:00 +0800", tick=False):
        act = lambda action, **data: complaint_transition(  # noqa: E731
            actor=hq_officer, complaint=Complaint.objects.get(pk=c.pk), action=action, data=data
        )
        act("contact", method="phone", summary="与张伟通话，其手机 13812345678")
        act("accept")
        act("assist", unit=org.b1.code, question="请核实张伟的年费扣收记录")
        task = Assistance.objects.get(complaint=c)
        complaint_transition(
            actor=make_user("b1_responder", org.b1, ["business_responder"]),
            complaint=Complaint.objects.get(pk=c.pk),
            action="answer_assist",
            data={"assistance": task.pk, "answer": "张伟账户已扣收 200 元"},
        )
        to_days = rules_for(c)["decision"].extensions[0]["to_days"]
        act("extend", to_days=to_days, reason="张伟要求提供更多材料")
    _withdraw(hq_officer, c)
    # when the purge runs past the period
    retention_purge(now=LATER)
    # then none of those texts is left, and what statistics need (the actions, the extension's days) stays
    contact = ComplaintEvent.objects.get(complaint=c, action="contact")
    assert contact.data == {"method": "phone", "summary": ""}
    task.refresh_from_db()
    assert (task.question, task.answer) == (ANONYMISED, "")
    extension = Extension.objects.get(complaint=c)
    assert extension.reason == ANONYMISED and extension.to_days == to_days
    leftovers = [
        *ComplaintEvent.objects.filter(complaint=c).values_list("data", flat=True),
        *Assistance.objects.filter(complaint=c).values_list("question", "answer"),
        *Extension.objects.filter(complaint=c).values_list("reason", flat=True),
    ]
    assert "张伟" not in str(leftovers) and "1381234" not in str(leftovers)


def _notification(user, complaint, key, *, read: bool, at: str):
    with time_machine.travel(at, tick=False):
        n = Notification.objects.create(
            user=user,
            complaint=complaint,
            kind="test",
            message=f"Complaint {complaint.reference}",
            dedupe_key=key,
        )
    if read:
        Notification.objects.filter(pk=n.pk).update(read_at=n.created_at)
    return n


def test_read_notifications_past_their_period_are_deleted(hq_officer, org, payload):
    # given read and unread notifications from March 2026 (one about a complaint on legal hold), a recent one
    c = _complaint(hq_officer, payload, "110108199003070016")
    held = _complaint(hq_officer, payload, "11010519491231002X")
    complaint_set_legal_hold(actor=hq_officer, complaint=held, hold=True, reason="诉讼")
    old_read = _notification(hq_officer, c, "a", read=True, at="2026-03-03 10:00 +0800")
    old_unread = _notification(hq_officer, c, "b", read=False, at="2026-03-03 10:00 +0800")
    old_held = _notification(hq_officer, held, "c", read=True, at="2026-03-03 10:00 +0800")
    recent = _notification(hq_officer, c, "d", read=True, at="2026-08-25 10:00 +0800")
    before = _figures(hq_officer, org.ho)
    when = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)  # 180 days after March, not after August
    # a dry run counts without deleting
    assert retention_purge(now=when, dry_run=True).notifications == 1
    assert Notification.objects.count() == 4
    # when the purge runs
    assert retention_purge(now=when).notifications == 1
    # then only the old read one is gone; unread, held and recent ones stay; statistics unchanged
    left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {old_unread.pk, old_held.pk, recent.pk} and old_read.pk not in left
    assert _figures(hq_officer, org.ho) == before
    # and again: nothing more to do, one audit record per run with the count
    assert retention_purge(now=when).notifications == 0
    runs = AuditEvent.objects.filter(object_type="core.retentionrule", action="delete").order_by("pk")
    assert [r.changes["notification"]["deleted"] for r in runs] == [1, 0]


def test_consumers_no_complaint_names_are_wiped_after_their_period(hq_officer, org, payload):
    from xiaobao.core.services.consumers import consumer_create

    # given a consumer registered in March 2026 and never named by a complaint, and a complainant
    with time_machine.travel("2026-03-02 09:00 +0800", tick=False):
        lonely = consumer_create(
            actor=hq_officer,
            org_unit=org.b1,
            name="李娜",
            id_number="11010519491231002X",
            phone="13912345678",
        )
    c = _complaint(hq_officer, payload, "110108199003070016")
    before = _figures(hq_officer, org.ho)
    # when the purge runs within the period, nothing; past it, the lonely consumer's data is wiped
    assert retention_purge(now=dt.datetime(2028, 3, 1, tzinfo=dt.UTC)).consumers == 0
    assert retention_purge(now=LATER, dry_run=True).consumers == 1
    assert retention_purge(now=LATER).consumers == 1
    lonely.refresh_from_db()
    assert (lonely.name, lonely.id_number, lonely.phone, lonely.id_number_bidx, lonely.phone_bidx) == (
        "匿名",
        "",
        "",
        "",
        "",
    )
    # the complainant of a complaint still open keeps their data, statistics are unchanged, and a second run
    # finds nothing
    complainant = Consumer.objects.get(pk=c.complainant_id)
    assert complainant.name == "张伟" and complainant.id_number_bidx
    assert _figures(hq_officer, org.ho) == before
    assert retention_purge(now=LATER).consumers == 0
    last = AuditEvent.objects.filter(object_type="core.retentionrule").latest("pk")
    assert last.changes["consumer"] == {"wiped": 0}


def test_the_commands(hq_officer, org, payload):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    c = _complaint(hq_officer, payload, "110108199003070016")
    _withdraw(hq_officer, c)
    # the rules are listed with their periods, sources and state
    out = io.StringIO()
    call_command("retention_rules", stdout=out)
    listed = out.getvalue()
    assert all(t in listed for t in ("complaint", "report_file", "import_file", "notification", "consumer"))
    # a period that is not years or days is refused, nothing changes
    with pytest.raises(CommandError, match="period"):
        call_command("retention_rules", "--set", "complaint=3 weeks")
    with pytest.raises(CommandError, match="record_type"):
        call_command("retention_rules", "--set", "audit=1y")
    # a dry run prints what is due (today: nothing) and writes nothing
    out = io.StringIO()
    call_command("retention_purge", "--dry-run", stdout=out)
    assert "(dry run)" in out.getvalue() and "report_file: due=0" in out.getvalue()
    assert not AuditEvent.objects.filter(object_type="core.retentionrule").exists()
    # a period of one day makes the withdrawn complaint due; the run anonymises it and writes one record
    call_command("retention_rules", "--set", "complaint=1d")
    call_command("retention_purge", stdout=io.StringIO())
    c.refresh_from_db()
    assert c.anonymised_at is not None
    run = AuditEvent.objects.get(object_type="core.retentionrule", action="delete")
    assert run.changes["complaint"]["anonymised"] == 1 and run.changes["rules"]["complaint"] == "1d"


def test_retention_runs_from_the_day_the_complaint_ended_not_its_last_touch(hq_officer, org, payload):
    # given: a complaint withdrawn on 2026-03-03, on legal hold from 2027-06 to 2029-11 (its row changes then)
    c = _complaint(hq_officer, payload, "110108199003070016")
    _withdraw(hq_officer, c)
    with time_machine.travel("2027-06-01 09:00 +0800", tick=False):
        complaint_set_legal_hold(actor=hq_officer, complaint=c, hold=True, reason="（2027）京0108民初1号")
    with time_machine.travel("2029-11-20 09:00 +0800", tick=False):
        complaint_set_legal_hold(actor=hq_officer, complaint=c, hold=False, reason="")
    # when: the purge runs on 2029-12-01, three years and nine months after the withdrawal
    report = retention_purge(now=LATER).complaint
    # then: the period ran from the withdrawal, not from the hold's release nine days before
    assert report.anonymised == 1
    c.refresh_from_db()
    assert c.anonymised_at is not None
