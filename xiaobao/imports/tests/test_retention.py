"""Retention of uploaded import files: past the rule's period the file (and what was taken from it that may
hold personal data) is deleted, the job's summary stays; a file whose complaints include one on legal hold is
kept; statistics do not change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xiaobao.analytics import stats
from xiaobao.analytics.periods import Period
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.retention import complaint_set_legal_hold
from xiaobao.core.errors import Conflict
from xiaobao.core.models import AuditEvent
from xiaobao.imports.models import ImportJob
from xiaobao.imports.services import import_job_start
from xiaobao.imports.tests.conftest import cfpb_row, make_csv
from xiaobao.imports.writer import reference_prefix
from xiaobao.retention import retention_purge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _figures(user, unit):
    return [(f.key, f.value) for f in stats.headline(user=user, unit=unit, period=Period.parse("2020-03"))]


def test_import_files_past_their_period_are_deleted_and_the_summary_kept(
    org, importer, hq_officer, run_import, client_for, django_capture_on_commit_callbacks
):
    storage = ImportJob._meta.get_field("file").storage
    # given an import with one invalid row skipped (an error report), and a second import, one of whose
    # complaints is on legal hold
    rows = [cfpb_row(i) for i in range(1, 5)]
    rows[0]["Date received"] = "N/A"
    job = run_import(importer, make_csv(rows), org.b1s, skip_invalid=True)
    held_job = run_import(importer, make_csv([cfpb_row(i) for i in range(10, 12)]), org.b1s, name="two.csv")
    held = Complaint.objects.filter(reference__startswith=reference_prefix(held_job.pk)).first()
    complaint_set_legal_hold(actor=hq_officer, complaint=held, hold=True, reason="（2026）京0108民初1号")
    name, summary = (
        job.file.name,
        (job.rows, job.created, job.invalid, job.error_count, job.sha256, job.message),
    )
    assert storage.exists(name) and job.profile["preview"] and job.errors
    figures = _figures(hq_officer, org.ho)
    later = job.created_at + dt.timedelta(days=31)  # the default rule: 30 days from the upload
    # a dry run counts and changes nothing
    dry = retention_purge(now=later, dry_run=True)
    assert (dry.import_files, dry.import_files_held) == (1, 1)
    assert storage.exists(name) and ImportJob.objects.get(pk=job.pk).file.name == name
    # when the purge runs (files go once the rows are committed)
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_purge(now=later)
    assert (report.import_files, report.import_files_held) == (1, 1)
    # then the file, the preview rows, the distinct values and the error rows are gone; the summary stays
    job.refresh_from_db()
    assert not storage.exists(name) and job.file.name == "" and job.file_purged_at == later
    assert job.profile == {"headers": job.profile["headers"], "rows": 4} and job.errors == []
    assert (job.rows, job.created, job.invalid, job.error_count, job.sha256, job.message) == summary
    # the file of the import with a complaint on legal hold is kept
    held_job.refresh_from_db()
    assert held_job.file.name and storage.exists(held_job.file.name) and held_job.file_purged_at is None
    # the complaints and the statistics are untouched
    assert Complaint.objects.filter(reference__startswith=reference_prefix(job.pk)).count() == 3
    assert _figures(hq_officer, org.ho) == figures
    # the job cannot be run again without its file, and the page says why
    with pytest.raises(Conflict) as refused:
        import_job_start(actor=importer, job=job, stage="validate")
    assert refused.value.code == "file_purged"
    page = client_for(importer).get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-testid="file-purged"' in page and reverse("imports:mapping", args=[job.pk]) not in page
    # a second run finds nothing more; each run wrote one audit record with the counts
    assert retention_purge(now=later).import_files == 0
    runs = AuditEvent.objects.filter(object_type="core.retentionrule", action="delete").order_by("pk")
    assert [r.changes["import_file"] for r in runs] == [
        {"files_deleted": 1, "on_hold": 1},
        {"files_deleted": 0, "on_hold": 1},
    ]


def test_a_running_import_keeps_its_file(org, importer, run_import):
    job = run_import(importer, make_csv([cfpb_row(1)]), org.b1s, stage="validate")
    ImportJob.objects.filter(pk=job.pk).update(stage="import", state="running")
    assert retention_purge(now=job.created_at + dt.timedelta(days=400)).import_files == 0
    assert ImportJob.objects.get(pk=job.pk).file.name == job.file.name
