"""The demo loader: templates of head office and branch 1, notes with mentions on branch 1's complaints."""

from __future__ import annotations

import io

import pytest
import time_machine

from conftest import make_user
from xiaobao.notes.models import Note, ReplyTemplate

pytestmark = pytest.mark.django_db


class _Command:
    def __init__(self) -> None:
        from django.core.management.base import OutputWrapper
        from django.core.management.color import no_style

        self.stdout = OutputWrapper(io.StringIO())
        self.style = no_style()


def test_the_demo_loads_templates_and_notes_once(org):
    from xiaobao.complaints.services import complaint_transition
    from xiaobao.core.models import User
    from xiaobao.notes.demo import load
    from xiaobao.notes.tests.conftest import register

    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        make_user("hq_cp", org.cpd, ["hq_cp_officer"])
        cp = make_user("branch1_cp", org.b1, ["branch_cp_officer"])
        User.objects.filter(pk=cp.pk).update(full_name="赵敏")
        handler = make_user("branch1_handler", org.b1, ["complaint_handler"])
        c = register(handler, org.b1s)
        complaint_transition(actor=handler, complaint=c, action="accept", data={})
        command = _Command()
        load(command)
        load(command)  # once
    assert ReplyTemplate.objects.count() == 5
    assert ReplyTemplate.objects.filter(org_unit=org.b1).count() == 1
    notes = Note.objects.filter(complaint=c)
    assert notes.count() == 3
    assert {u.username for n in notes for u in n.mentions.all()} == {"branch1_cp", "branch1_handler"}
