"""A job waits for a task worker: the worker beats, and a queued job's page says when none is beating."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from xiaobao.core.jobs import WORKER_SILENT_AFTER, worker_alive, worker_beat
from xiaobao.reports.services import report_request

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
NO_WORKER = 'data-testid="job-no-worker"'


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # heartbeats of other test runs sharing var/test are not this test's


@pytest.fixture
def queued_report(hq_officer):
    return report_request(actor=hq_officer, kind="monthly", period="2026-10", unit_code="HO", enqueue=False)


def _page(client, user, job, status=False):
    client.force_login(user)
    return client.get(
        reverse("reports:status" if status else "reports:detail", args=[job.pk])
    ).content.decode()


@time_machine.travel(T0, tick=False)
def test_queued_job_without_a_worker_says_so(client, hq_officer, queued_report):
    assert not worker_alive()
    html = _page(client, hq_officer, queued_report)
    assert NO_WORKER in html and "xiaobao db_worker" in html
    assert NO_WORKER in _page(client, hq_officer, queued_report, status=True)  # the polled fragment too


def test_queued_job_with_a_fresh_heartbeat_does_not_warn(client, hq_officer, queued_report):
    with time_machine.travel(T0, tick=False) as clock:
        worker_beat()
        clock.shift(WORKER_SILENT_AFTER - dt.timedelta(seconds=1))
        assert worker_alive()
        assert NO_WORKER not in _page(client, hq_officer, queued_report)
        # a worker that stopped beating is taken for gone
        clock.shift(dt.timedelta(seconds=2))
        assert not worker_alive()
        assert NO_WORKER in _page(client, hq_officer, queued_report)


@time_machine.travel(T0, tick=False)
def test_a_finished_job_never_warns(client, hq_officer):
    job = report_request(actor=hq_officer, kind="monthly", period="2026-10", unit_code="HO")  # runs at once
    assert job.state in ("done", "failed") and not worker_alive()
    assert NO_WORKER not in _page(client, hq_officer, job)
