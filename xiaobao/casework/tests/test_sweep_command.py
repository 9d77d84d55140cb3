"""`xiaobao sweep`: every registered clock model, each module's periodic job, then the digest, in one pass."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from xiaobao.casework import registry
from xiaobao.casework.sweeper import ClockSweep, sweep_of
from xiaobao.complaints.models import Clock
from xiaobao.early_warning.models import WarningScanRun

pytestmark = pytest.mark.django_db


def test_one_pass_runs_the_clocks_the_scan_and_the_digest(org):
    # when one sweep runs on a working morning
    out = StringIO()
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        call_command("sweep", stdout=out)
    # then each part reports, in order, and the early-warning scan has run once
    lines = [line.split(":")[0] for line in out.getvalue().splitlines()]
    assert lines[0] == "sweep" and lines[-1] == "email_digest"
    assert lines[1:-1] == [p.rsplit(".", 1)[-1] for reg in registry.modules() for p in reg.module.periodic]
    assert "periodic_scan" in lines
    assert WarningScanRun.objects.count() == 1


def test_the_loop_runs_the_given_number_of_passes(org):
    out = StringIO()
    call_command("sweep", "--loop", "--interval", "0", "--max-loops", "2", stdout=out)
    assert out.getvalue().count("email_digest:") == 2


def test_complaint_clocks_are_registered_with_their_declaration():
    assert Clock in registry.clock_models()
    spec = sweep_of(Clock)
    assert spec.item_field == "complaint" and spec.key_prefix == ""
    assert isinstance(sweep_of(object), ClockSweep) and sweep_of(object).item_field == "item"
