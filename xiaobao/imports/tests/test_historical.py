"""Imported history stays history: no queue, inbox, home count, sweep, escalation or early warning; a CFPB
complaint is an "other referral", which the statistics do not count as regulator-forwarded (issue 12, 17)."""

from __future__ import annotations

import pytest
import time_machine

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.complaints.choices import ClockState, Source, Status
from xiaobao.complaints.models import Clock, Complaint, ComplaintEvent, Notification
from xiaobao.complaints.selectors import my_queue, unit_inbox
from xiaobao.complaints.sweeper import sla_sweep
from xiaobao.early_warning.models import EarlyWarning
from xiaobao.early_warning.scan import warning_scan
from xiaobao.imports.tests.conftest import cfpb_row, make_csv

pytestmark = pytest.mark.django_db

NOW = "2026-03-02 11:00 +0800"
IN_PROGRESS = {"Company response to consumer": "In progress"}
# a watch word of the default list (媒体, 曝光) in every narrative: a live complaint would raise a warning
NARRATIVE = {"Consumer complaint narrative": "客户称如不解决将向媒体曝光。"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def history(org, importer, run_import):
    """A CFPB-like file: in progress since 2015, five in progress since last week, one closed (2020)."""
    rows = [
        cfpb_row(1, **IN_PROGRESS, **NARRATIVE, **{"Date received": "2015/3/19"}),
        *(cfpb_row(10 + i, **IN_PROGRESS, **NARRATIVE, **{"Date received": "2026-02-24"}) for i in range(5)),
        cfpb_row(2, **NARRATIVE),
    ]
    job = run_import(importer, make_csv(rows), org.b1s)
    assert (job.state, job.created) == ("done", 7)
    return Complaint.objects.filter(external_reference__startswith="cfpb:")


def test_in_progress_rows_are_archived_with_what_the_file_said(history):
    old = history.get(external_reference="cfpb:9000001")
    assert old.status == Status.ARCHIVED and old.closed_at is not None
    event = ComplaintEvent.objects.get(complaint=old, action="imported")
    assert event.data["status_in_file"] == Status.REGISTERED
    assert not history.filter(status__in=Status.open_statuses()).exists()
    # history is not counted as overdue: no clock of theirs is running or breached
    assert not Clock.objects.filter(
        complaint__in=history, state__in=[ClockState.RUNNING, ClockState.BREACHED]
    ).exists()


def test_history_is_in_no_queue_inbox_or_home_count(history, org, importer, hq_officer, client_for):
    for user in (importer, hq_officer):
        assert not my_queue(user=user).exists()
        assert not unit_inbox(user=user).exists()
        page = client_for(user).get("/")
        assert page.status_code == 200
        assert page.context["desk"]["inbox_count"] == 0
        assert 'data-testid="todo-inbox"' not in page.content.decode()


def test_the_sweeper_sends_nothing_and_escalates_nothing_for_history(history):
    sla_sweep()
    assert not Notification.objects.filter(complaint__in=history).exists()
    assert set(Clock.objects.filter(complaint__in=history).values_list("escalation_level", flat=True)) == {0}


def test_early_warning_scans_ignore_history(history):
    warning_scan()
    assert not EarlyWarning.objects.exists()


def test_a_preset_may_take_over_live_cases(org, importer, run_import, cfpb_preset):
    # given a preset that imports live cases from another system (not history)
    cfpb_preset.defaults = {**cfpb_preset.defaults, "historical": False}
    cfpb_preset.save()
    run_import(importer, make_csv([cfpb_row(1, **IN_PROGRESS, **{"Date received": "2026-02-24"})]), org.b1s)
    # then the open row waits for acceptance like any new complaint
    live = Complaint.objects.get(external_reference="cfpb:9000001")
    assert live.status == Status.REGISTERED
    assert list(unit_inbox(user=importer)) == [live]


def test_the_shipped_preset_is_historical_and_not_from_a_regulator(cfpb_preset):
    assert cfpb_preset.defaults["historical"] is True
    assert cfpb_preset.defaults["source"] == Source.OTHER_REFERRAL


def test_other_referrals_are_not_forwarded_by_regulators(history, org, hq_officer):
    # given 7 imported complaints ("other referral"), none from NFRA or the PBoC
    assert set(history.values_list("source", flat=True)) == {Source.OTHER_REFERRAL}
    Complaint.objects.filter(external_reference="cfpb:9000002").update(source=Source.NFRA_TRANSFER)
    # when
    feb = Period.parse("2026-02")
    figures = {f.key: f for f in stats.headline(user=hq_officer, unit=org.ho, period=feb)}
    # then only the NFRA one is regulator-forwarded, and the drill-down lists just that one
    assert figures["received"].value == 5
    assert figures["regulator_forwarded"].value == 0
    march_2020 = Period.parse("2020-03")
    figures = {f.key: f for f in stats.headline(user=hq_officer, unit=org.ho, period=march_2020)}
    assert (figures["received"].value, figures["regulator_forwarded"].value) == (1, 1)
