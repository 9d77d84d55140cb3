"""Fixtures of the desk's tests: complaint staff of branch 1, a pinned clock, and complaints made fast."""

from __future__ import annotations

import copy

import pytest
import time_machine

from conftest import make_user


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-03 11:00 +0800", tick=True):
        yield


@pytest.fixture
def b1_handler(org):
    return make_user("b1_handler", org.b1s, ["complaint_handler"])


@pytest.fixture
def queued(settings, tmp_path):
    """Tasks are queued, not run in place (the test runs them)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.DATA_DIR = tmp_path
    from django_tasks import task_backends

    backend = task_backends["default"]
    yield backend
    backend.clear()


def payload(unit_code: str, **over):
    data = {
        "received_at": "2026-03-02T10:30:00+08:00",
        "channel": "A0302",
        "business_type": "B0303",
        "cause": "C07",
        "source": "direct",
        "org_unit": unit_code,
        "complainant": {"name": "张伟", "phone": "13812345678"},
        "request": "退还多收的年费 200 元",
        "description": "客户称信用卡年费未经同意扣收，要求退还。",
    }
    data.update(over)
    return data


@pytest.fixture
def register():
    from xiaobao.complaints.services import complaint_register

    def make(actor, unit, **over):
        return complaint_register(actor=actor, data=payload(unit.code, **over))[0]

    return make


def clone_complaints(original, n: int) -> list[int]:
    """`n` copies of a registered complaint (row and registration event) written in bulk: what the
    registration service would have written, without its 14 statements each (the transitions then recompute
    their clocks from the copied event)."""
    from xiaobao.complaints.models import Complaint, ComplaintEvent

    base = Complaint.objects.get(pk=original.pk)
    events = list(ComplaintEvent.objects.filter(complaint=base))
    rows = []
    for i in range(n):
        c = copy.copy(base)
        c.pk = c.id = None
        c._state = copy.copy(base._state)
        c._state.adding = True
        c.reference = f"{base.reference}-{i:04d}"
        c.idempotency_key = None
        rows.append(c)
    made = Complaint.objects.bulk_create(rows, batch_size=500)
    ids = [c.pk for c in made]
    if None in ids:  # a database that does not return ids from bulk inserts
        ids = list(
            Complaint.objects.filter(reference__startswith=f"{base.reference}-").values_list("pk", flat=True)
        )
    copies = []
    for pk in ids:
        for e in events:
            ev = copy.copy(e)
            ev.pk = ev.id = None
            ev._state = copy.copy(e._state)
            ev._state.adding = True
            ev.complaint_id = pk
            copies.append(ev)
    ComplaintEvent.objects.bulk_create(copies, batch_size=500)
    return ids
