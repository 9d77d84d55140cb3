"""Report jobs: queued → running → done with progress and a stored file; failures keep a reason."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from xiaobao.core.models import AuditEvent
from xiaobao.reports.models import ReportJob, ReportTemplate
from xiaobao.reports.services import report_file, report_request, report_run

pytestmark = pytest.mark.django_db


def test_request_runs_the_job_and_stores_the_file(complaints, org, branch_officer):
    # when branch 1's officer asks for October's table (the test task backend runs it at once)
    job = report_request(actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1")
    # then the job is done, with its progress, file name, size and checksum recorded
    assert job.state == "done", job.error
    assert job.filename == "月度投诉统计表_2026-10_B1.xlsx"
    assert job.progress_total == 5 and job.progress_done == 5 and job.percent == 100
    content = job.file.read()
    assert job.size == len(content) and job.sha256 == hashlib.sha256(content).hexdigest()
    assert job.requested_by == branch_officer and job.started_at and job.finished_at
    # and the request is in the audit trail
    assert AuditEvent.objects.filter(
        object_type="reports.reportjob", object_id=str(job.pk), action="create"
    ).exists()


def test_progress_is_recorded_step_by_step(complaints, org, hq_officer):
    # given a queued job
    job = report_request(actor=hq_officer, kind="quarterly", period="2026-Q4", unit_code="HO", enqueue=False)
    assert job.state == "queued"
    seen = []

    def watch(done, total, message):
        # each step is already in the database when the callback runs (a polling page sees it)
        row = ReportJob.objects.get(pk=job.pk)
        seen.append((row.state, row.progress_done, row.progress_total, row.message))

    # when it runs
    report_run(job, on_progress=watch)
    # then every step was written as it happened, then the job finished
    assert [s[1] for s in seen][:5] == [0, 1, 2, 3, 4]
    assert all(s[0] == "running" and s[2] == 6 and s[3] for s in seen[:-1])
    job.refresh_from_db()
    assert job.state == "done" and job.filename.endswith("_2026-Q4_HO.docx")


def test_bad_requests_are_field_errors(org, branch_officer):
    with pytest.raises(ValidationError) as err:
        report_request(actor=branch_officer, kind="monthly", period="2026-13", unit_code="B2")
    assert set(err.value.message_dict) == {"period", "org_unit"}
    with pytest.raises(ValidationError) as err:
        report_request(actor=branch_officer, kind="quarterly", period="2026-10", unit_code="B1")
    assert "period" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        report_request(actor=branch_officer, kind="monthly", period="2027-01", unit_code="B1")
    assert "period" in err.value.message_dict  # not begun yet
    with pytest.raises(ValidationError) as err:
        report_request(actor=branch_officer, kind="weekly", period="2026-10", unit_code="B1")
    assert "kind" in err.value.message_dict
    assert not ReportJob.objects.exists()


def test_a_broken_template_fails_the_job_with_a_reason(complaints, org, hq_officer):
    # given a template whose file was damaged after upload
    template = ReportTemplate(name="坏模板", kind="monthly", original_name="x.xlsx", uploaded_by=hq_officer)
    template.file.save("x.xlsx", ContentFile(b"PK\x03\x04 broken"), save=False)
    template.save()
    # when a report uses it
    job = report_request(
        actor=hq_officer, kind="monthly", period="2026-10", unit_code="HO", template_id=template.pk
    )
    # then the job failed and says why; no file
    assert job.state == "failed"
    assert "坏模板" in job.error and not job.file


def test_a_template_naming_a_unit_outside_the_scope_fails(complaints, org, branch_officer, hq_officer):
    from xiaobao.reports.tests.test_templates import upload

    template = upload(hq_officer, [["{{count unit=B2}}"]])
    job = report_request(
        actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1", template_id=template.pk
    )
    assert job.state == "failed"
    assert "B2" in job.error


def test_requester_who_lost_the_permission_fails_with_a_reason(complaints, org, branch_officer):
    job = report_request(
        actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1", enqueue=False
    )
    branch_officer.groups.clear()
    from xiaobao.core.models import User

    job = ReportJob.objects.select_related("requested_by").get(pk=job.pk)
    job.requested_by = User.objects.get(pk=branch_officer.pk)
    report_run(job)
    assert job.state == "failed" and job.error


def test_download_is_audited_every_time(complaints, org, branch_officer):
    job = report_request(actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1")
    for _i in range(2):
        with report_file(actor=branch_officer, job=job) as fh:
            assert fh.read()[:2] == b"PK"
    events = AuditEvent.objects.filter(
        object_type="reports.reportjob", object_id=str(job.pk), action="export"
    )
    assert events.count() == 2
    assert events.first().changes["sha256"] == job.sha256


def test_an_unexpected_error_fails_the_job_without_its_text(complaints, org, hq_officer, monkeypatch):
    # given a builder that breaks with data in its message
    from xiaobao.reports.builders import quarterly

    def broken(ctx):
        raise KeyError("13900000001 张三")

    monkeypatch.setattr(quarterly, "build", broken)
    # when the report runs
    job = report_request(actor=hq_officer, kind="quarterly", period="2026-Q4", unit_code="HO")
    # then the job failed with a stable reason naming only the error's type
    assert job.state == "failed"
    assert "KeyError" in job.error and "1390" not in job.error and "张三" not in job.error


def test_a_job_whose_worker_died_is_marked_failed_on_the_next_request(complaints, org, hq_officer):
    import datetime as dt

    from django.utils import timezone

    stuck = report_request(actor=hq_officer, kind="monthly", period="2026-10", unit_code="HO", enqueue=False)
    ReportJob.objects.filter(pk=stuck.pk).update(
        state="running", heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )
    report_request(actor=hq_officer, kind="monthly", period="2026-09", unit_code="HO")
    stuck.refresh_from_db()
    assert stuck.state == "failed" and stuck.error
