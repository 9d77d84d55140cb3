"""A long complaint-list export runs as a background job: same filters, scope and masking as the export in
the request, progress on its page, and the workbook for its requester only."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user
from xiaobao.complaints.models import ExportJob
from xiaobao.complaints.services import complaint_register
from xiaobao.complaints.tasks import complaint_export_task
from xiaobao.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_time():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


@pytest.fixture
def queued(settings, tmp_path):
    """Tasks are queued, not run in place (the test runs them); every non-empty export is "long"."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.COMPLAINT_EXPORT_SYNC_ROWS = 0
    settings.DATA_DIR = tmp_path  # no worker heartbeat from other test runs
    from django_tasks import task_backends

    backend = task_backends["default"]
    yield backend
    backend.clear()


@pytest.fixture
def three(org, branch_officer, other_branch_officer, payload):
    """Two complaints in branch 1 (one closed-looking by business type), one in branch 2."""
    made = [
        complaint_register(actor=branch_officer, data=payload())[0],
        complaint_register(actor=branch_officer, data=payload(business_type="B01", cause="C01"))[0],
        complaint_register(actor=other_branch_officer, data=payload(org_unit=org.b2s.code))[0],
    ]
    return made


def _cells(content: bytes) -> list[str]:
    sheet = load_workbook(BytesIO(content)).active
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def test_a_long_export_becomes_a_job_with_the_right_rows(queued, client_for, branch_officer, three):
    client = client_for(branch_officer)
    # when branch 1's officer exports their list filtered to one business type, and the list is long
    response = client.get(reverse("complaints:export"), {"business_type": "B0303"})
    # then a job is queued and the page of the job says so
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "complaints:export_job", args=[job.pk]
    )
    assert job.state == "queued" and job.requested_by == branch_officer
    assert set(job.query) == {"sealed"} and "B0303" not in str(job.query)  # sealed: free text may name people
    assert AuditEvent.objects.filter(object_type="complaints.exportjob", action="create").exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="queued"' in page and 'data-testid="job-no-worker"' in page
    # when the worker runs the task
    (result,) = queued.results
    result.task.call(*result.args, **result.kwargs)
    job.refresh_from_db()
    assert job.state == "done", job.error
    assert job.rows == 1 and job.progress_done == job.progress_total and job.query == {}
    # then the workbook holds the filtered rows in the officer's scope, masked
    download = client.get(reverse("complaints:export_download", args=[job.pk]))
    assert download.status_code == 200
    cells = _cells(b"".join(download.streaming_content))
    own, other_type, other_branch = three
    assert own.reference in cells
    assert other_type.reference not in cells and other_branch.reference not in cells
    assert own.complainant.masked_name in cells and "张伟" not in cells
    assert not any("13812345678" in v or "110108199003070016" in v for v in cells)
    # and the download is audited
    event = AuditEvent.objects.get(object_type="complaints.exportjob", action="export")
    assert event.changes["rows"] == 1 and event.actor == branch_officer


def test_the_job_runs_in_the_requesters_scope(queued, client_for, branch_officer, three):
    client_for(branch_officer).get(reverse("complaints:export"))
    job = ExportJob.objects.get()
    complaint_export_task.call(job.pk)
    job.refresh_from_db()
    refs = _cells(job.file.read())
    assert job.rows == 2 and three[0].reference in refs and three[1].reference in refs
    assert three[2].reference not in refs  # branch 2's complaint


def test_another_user_gets_404(queued, client_for, branch_officer, org, three):
    client_for(branch_officer).get(reverse("complaints:export"))
    job = ExportJob.objects.get()
    complaint_export_task.call(job.pk)
    # a colleague in the same branch with the same role may not see or download it
    colleague = make_user("branch1_cp2", org.b1, ["branch_cp_officer"])
    client = client_for(colleague)
    for name in ("complaints:export_job", "complaints:export_status", "complaints:export_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert not AuditEvent.objects.filter(object_type="complaints.exportjob", action="export").exists()


def test_a_short_export_stays_in_the_request(client_for, branch_officer, three):
    response = client_for(branch_officer).get(reverse("complaints:export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not ExportJob.objects.exists()


def test_export_files_are_deleted_after_a_week(
    queued, client_for, branch_officer, three, django_capture_on_commit_callbacks
):
    import datetime as dt

    from xiaobao.retention import retention_purge

    client = client_for(branch_officer)
    client.get(reverse("complaints:export"))
    job = ExportJob.objects.get()
    complaint_export_task.call(job.pk)
    job.refresh_from_db()
    name = job.file.name
    storage = job.file.storage
    assert storage.exists(name)
    # six days later the workbook is still there; eight days later the purge deletes it, the job stays
    report = retention_purge(now=job.finished_at + dt.timedelta(days=6))
    assert report.export_files == 0 and storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows are committed
        report = retention_purge(now=job.finished_at + dt.timedelta(days=8))
    assert report.export_files == 1 and not storage.exists(name)
    job.refresh_from_db()
    assert job.state == "done" and not job.file and job.rows == 2
    page = client.get(reverse("complaints:export_job", args=[job.pk])).content.decode()
    assert 'data-testid="export-file-deleted"' in page
    assert client.get(reverse("complaints:export_download", args=[job.pk])).status_code == 409
