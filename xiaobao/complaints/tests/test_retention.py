"""Retention: ended complaints past their period are anonymised, statistics stay the same, legal hold wins."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.retention import ANONYMISED, complaint_set_legal_hold, retention_purge
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.models import AuditEvent, Consumer
from xiaobao.core.services.audit import audit_verify

pytestmark = pytest.mark.django_db
LATER = dt.datetime(2029, 12, 1, 10, tzinfo=dt.UTC)  # more than 3 years after March 2026


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
    report = retention_purge(now=LATER)
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
    purge = AuditEvent.objects.filter(object_type="complaints.complaint", action="delete").get()
    assert gone.reference in purge.changes["references"]
    assert audit_verify().broken_id is None


def test_purge_is_idempotent_and_respects_the_period(hq_officer, org, payload):
    c = _complaint(hq_officer, payload, "110108199003070016")
    _withdraw(hq_officer, c)
    assert retention_purge(now=dt.datetime(2027, 3, 1, tzinfo=dt.UTC)).anonymised == 0  # within 3 years
    assert retention_purge(now=LATER).anonymised == 1
    assert retention_purge(now=LATER).anonymised == 0


def test_dry_run_counts_without_changing(hq_officer, org, payload):
    c = _complaint(hq_officer, payload, "110108199003070016")
    _withdraw(hq_officer, c)
    assert retention_purge(now=LATER, dry_run=True).due == 1
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
