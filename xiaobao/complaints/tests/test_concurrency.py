"""Two people (or a retrying client) acting at once: one wins, the other gets a conflict, nothing is lost.

Real threads on real database connections (SQLite serialises writers; PostgreSQL row locks). Run in CI on
both databases.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import close_old_connections, connection

from xiaobao.complaints.models import Complaint, ComplaintEvent
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)


def _race(n: int, fn) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_handlers_accept_at_once(branch_officer, b1_handler, b1_handler2, payload):
    # given an unassigned complaint in the handlers' unit
    c, _ = complaint_register(actor=branch_officer, data=payload())
    people = [b1_handler, b1_handler2]
    # when both accept it at the same moment
    results = _race(2, lambda i: complaint_transition(actor=people[i], complaint=c, action="accept", data={}))
    # then exactly one wins and the other gets a clear conflict
    winners = [r for r in results if isinstance(r, Complaint)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(conflicts) == 1, results
    c.refresh_from_db()
    assert c.status == "in_progress" and c.handler == winners[0].handler and c.version == 2
    assert ComplaintEvent.objects.filter(complaint=c, action="accept").count() == 1


def test_same_version_edits_one_wins(branch_officer, b1_handler, payload):
    c, _ = complaint_register(actor=branch_officer, data=payload())
    complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
    c.refresh_from_db()
    version = c.version
    results = _race(
        4,
        lambda i: complaint_transition(
            actor=b1_handler,
            complaint=c,
            action="contact",
            data={"method": "phone", "summary": f"第{i}次"},
            expected_version=version,
        ),
    )
    assert sum(isinstance(r, Complaint) for r in results) == 1
    assert sum(isinstance(r, Conflict) and r.code == "conflict" for r in results) == 3
    assert ComplaintEvent.objects.filter(complaint=c, action="contact").count() == 1


def test_retried_create_with_the_same_key_makes_one_complaint(branch_officer, payload):
    results = _race(
        6,
        lambda i: complaint_register(
            actor=branch_officer, data=payload(), idempotency_key="hotline-call-778"
        ),
    )
    assert all(isinstance(r, tuple) for r in results), results
    assert len({r[0].pk for r in results}) == 1
    assert sum(r[1] for r in results) == 1
    assert Complaint.objects.count() == 1


def test_many_clients_on_many_complaints_keep_events_and_clocks_consistent(
    branch_officer, b1_handler, payload
):
    from django.utils import timezone

    now = timezone.now().isoformat()
    complaints = [
        complaint_register(actor=branch_officer, data=payload(request=f"诉求{i}", received_at=now))[0]
        for i in range(4)
    ]

    def work(i: int):
        c = complaints[i % 4]
        with contextlib.suppress(Conflict):
            complaint_transition(actor=b1_handler, complaint=c, action="accept", data={})
        return complaint_transition(actor=b1_handler, complaint=c, action="contact", data={"method": "sms"})

    results = _race(8, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    for c in complaints:
        c.refresh_from_db()
        events = list(c.events.values_list("action", flat=True))
        assert events.count("accept") == 1 and events.count("contact") == 2
        assert c.version == 1 + len(events) - 1  # every transition bumped the version exactly once
        assert c.clocks.get(name="first_contact").state == "met"
