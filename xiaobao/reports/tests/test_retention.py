"""Retention of report files: past the rule's period the file is deleted, the job stays with its checksum;
files no job records are swept; statistics do not change."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.core.models import AuditEvent, RetentionRule
from xiaobao.core.stored_files import walk
from xiaobao.reports.models import ReportJob
from xiaobao.reports.services import report_request
from xiaobao.retention import ORPHAN_GRACE, retention_purge

pytestmark = pytest.mark.django_db
YEAR_LATER = dt.datetime(2027, 11, 11, 10, tzinfo=dt.UTC)  # 365 days after the reports (2026-11-10)


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _storage():
    return ReportJob._meta.get_field("file").storage


def _figures(user, unit):
    return [(f.key, f.value) for f in stats.headline(user=user, unit=unit, period=Period.parse("2026-10"))]


def test_report_files_past_their_period_are_deleted_and_the_jobs_kept(
    complaints, org, branch_officer, client_for, api_for, django_capture_on_commit_callbacks
):
    # given a generated report, its file in storage
    job = report_request(actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1")
    name, sha256, size, filename = job.file.name, job.sha256, job.size, job.filename
    assert list(walk(_storage(), "reports")) == [name]
    figures = _figures(branch_officer, org.b1)
    # when the purge runs within the period, nothing happens; a dry run past it counts and changes nothing
    assert retention_purge(now=YEAR_LATER - dt.timedelta(days=2)).report_files == 0
    assert retention_purge(now=YEAR_LATER, dry_run=True).report_files == 1
    assert _storage().exists(name) and ReportJob.objects.get(pk=job.pk).file.name == name
    # when it runs past the period (files go once the rows are committed: this test's transaction never is)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_purge(now=YEAR_LATER).report_files == 1
    # then the file is gone and the job keeps what identifies the report
    job.refresh_from_db()
    assert not _storage().exists(name) and list(walk(_storage(), "reports")) == []
    assert (job.file.name, job.sha256, job.size, job.filename, job.state) == (
        "",
        sha256,
        size,
        filename,
        "done",
    )
    assert job.file_purged_at == YEAR_LATER and not job.has_file
    # statistics are unchanged; a second run finds nothing; each run wrote one audit record with its counts
    assert _figures(branch_officer, org.b1) == figures
    assert retention_purge(now=YEAR_LATER).report_files == 0
    runs = AuditEvent.objects.filter(object_type="core.retentionrule", action="delete").order_by("pk")
    assert [r.changes["report_file"]["files_deleted"] for r in runs] == [0, 1, 0]
    assert runs.last().changes["rules"]["report_file"] == "365d"
    # the page and the API say the file was deleted (409 with a reason), the checksum is still shown
    page = client_for(branch_officer).get(reverse("reports:detail", args=[job.pk])).content.decode()
    assert 'data-testid="report-file-purged"' in page and sha256 in page
    api = api_for(branch_officer)
    assert api.get(f"/api/v1/reports/{job.pk}").json()["file_purged_at"] is not None
    response = api.get(f"/api/v1/reports/{job.pk}/file")
    assert response.status_code == 409 and response.json()["code"] == "file_purged"


def test_the_period_is_data(complaints, org, branch_officer):
    # given a report, and the rule changed to 30 days from the command line (audited)
    job = report_request(actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1")
    call_command("retention_rules", "--set", "report_file=30d")
    assert RetentionRule.objects.get(record_type="report_file").days == 30
    assert AuditEvent.objects.filter(object_type="core.retentionrule", action="update").exists()
    # then a purge 31 days later deletes the file
    assert retention_purge(now=job.finished_at + dt.timedelta(days=31)).report_files == 1
    # and a rule switched off keeps files
    job2 = report_request(actor=branch_officer, kind="monthly", period="2026-09", unit_code="B1")
    call_command("retention_rules", "--off", "report_file")
    assert retention_purge(now=job2.finished_at + dt.timedelta(days=400)).report_files == 0
    assert ReportJob.objects.get(pk=job2.pk).has_file


def test_files_no_job_records_are_swept_after_a_grace_period(complaints, org, branch_officer):
    storage = _storage()
    job = report_request(actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1")
    # given two stored files no job records (a worker killed after storing, before recording): an old one
    # and one just written (its job may be about to record it)
    old = storage.save("reports/2026/11/job999_月度投诉统计表_2026-10_B1.xlsx", ContentFile(b"PK old"))
    fresh = storage.save("reports/2026/11/job998_月度投诉统计表_2026-10_B1.xlsx", ContentFile(b"PK new"))
    long_ago = (timezone.now() - ORPHAN_GRACE - dt.timedelta(minutes=5)).timestamp()
    os.utime(storage.path(old), (long_ago, long_ago))
    os.utime(storage.path(job.file.name), (long_ago, long_ago))  # recorded: kept however old
    recent = timezone.now().timestamp()
    os.utime(storage.path(fresh), (recent, recent))
    # a dry run counts and leaves them
    assert retention_purge(dry_run=True).orphan_files == 1
    assert storage.exists(old)
    # when the purge runs
    report = retention_purge()
    # then only the old unrecorded file is gone
    assert report.orphan_files == 1
    assert sorted(walk(storage, "reports")) == sorted([job.file.name, fresh])
    with job.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == job.sha256
    last = AuditEvent.objects.filter(object_type="core.retentionrule").latest("pk")
    assert last.changes["unrecorded_files_deleted"] == 1
