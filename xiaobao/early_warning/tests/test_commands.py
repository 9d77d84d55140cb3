"""`warning_scan` and `warning_calibrate` commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xiaobao.early_warning.calibration import calibrate
from xiaobao.early_warning.models import EarlyWarning, WarningScanRun
from xiaobao.early_warning.rules import SpikeRule

from .conftest import DAY, NOW, travel

pytestmark = pytest.mark.django_db


def test_scan_command_once_and_in_a_loop(register, b1_handler):
    with travel(NOW):
        register(b1_handler, DAY, description="要找记者")
        out = StringIO()
        call_command("warning_scan", stdout=out)
        assert "watch_word=1" in out.getvalue()
        out = StringIO()
        call_command("warning_scan", "--loop", "--interval", "0", "--max-loops", "2", stdout=out)
    assert out.getvalue().count("warning_scan:") == 2
    assert EarlyWarning.objects.filter(kind="watch_word").count() == 1
    assert WarningScanRun.objects.count() == 3
    with pytest.raises(CommandError):
        call_command("warning_scan", "--day", "2026-13-01")


def test_calibration_on_flat_history_and_injected_spikes(flat_history):
    # given four weeks of one complaint a day (no spike) / when replayed
    report = calibrate(rule=SpikeRule(), ks=(2, 8), trials=50)
    # then no false alarm over the unit-days examined (sub-branch, branch and head office series)
    assert report.alarms == [] and report.examined > 0
    assert set(report.by_level) == {"head_office", "branch", "sub_branch"}
    # and 8 extra complaints on one day are always caught, 2 never (below the minimum count)
    for level in ("head_office", "branch", "sub_branch"):
        hit8, n8 = report.detection[level, 8]
        hit2, _n2 = report.detection[level, 2]
        assert n8 > 0 and hit8 == n8 and hit2 == 0


def test_calibrate_command_prints_the_rates(flat_history, register, b1_handler):
    with travel(NOW):
        register(b1_handler, DAY, n=9, complainant={"name": "某"})
    out = StringIO()
    call_command("warning_calibrate", "--k", "5,10", "--trials", "20", stdout=out)
    text = out.getvalue()
    assert "False alarms: 1 alarms / " in text and "unit-days examined" in text
    assert "B1-S1 B03: 10" in text
    assert "sub_branch" in text and "k=5" in text
    with pytest.raises(CommandError):
        call_command("warning_calibrate", "--alpha", "2")


def test_calibrate_without_history(db):
    out = StringIO()
    call_command("warning_calibrate", stdout=out)
    assert "Not enough history" in out.getvalue()
    assert calibrate(days=10).examined == 0
    assert not EarlyWarning.objects.exists()
