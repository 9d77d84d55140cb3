"""Uploads are parsed in the worker, every row read counts against the limit, and the unzipped size of a
workbook is bounded before it is opened (issue 12 item 7: a 411 KB .xlsx holding three million empty rows
kept a web request busy for 72 s)."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from xiaobao.core.models import JobState
from xiaobao.core.validators import check_zip_bounds
from xiaobao.imports.models import ImportJob, ImportStage
from xiaobao.imports.services import import_job_create, import_job_run

pytestmark = pytest.mark.django_db


def _workbook(rows: list[list[str]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rewrite_sheet(base: bytes, write_rows) -> bytes:
    """The workbook `base` with `write_rows(fh)` streamed into its sheet after the existing rows."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            head = re.sub(rb"<dimension [^>]*/>", b"", head)  # as the attack did: no declared extent
            with dst.open(info.filename, "w") as fh:
                fh.write(head)
                write_rows(fh)
                fh.write(b"</sheetData>" + tail)
    return out.getvalue()


HEADER = ["Date received", "Product", "Complaint ID"]
ONE_ROW = _workbook([HEADER, ["2020/3/18", "Mortgage", "9000001"]])
# Three million empty rows in a file of a few KB: one row element far down the sheet makes the reader yield
# every row before it.
SPARSE_3M = _rewrite_sheet(ONE_ROW, lambda fh: fh.write(b'<row r="3000000"/>'))


def _dense_empty_rows(n: int) -> bytes:
    def write(fh):
        for start in range(3, n + 3, 10_000):
            fh.write("".join(f'<row r="{i}"/>' for i in range(start, min(start + 10_000, n + 3))).encode())

    return _rewrite_sheet(ONE_ROW, write)


def _bomb(member_bytes: int) -> bytes:
    """A valid workbook plus one member of zeros: tiny on disk, `member_bytes` unzipped."""
    out = io.BytesIO(ONE_ROW)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/media/pad.bin", "w") as fh:
        chunk = b"\0" * 2**20
        for _ in range(member_bytes // 2**20):
            fh.write(chunk)
    return out.getvalue()


def _create(importer, org, cfpb_preset, data: bytes):
    return import_job_create(
        actor=importer, fileobj=io.BytesIO(data), name="f.xlsx", preset=cfpb_preset, org_unit=org.b1
    )


def test_the_malicious_files_are_small_on_disk():
    assert len(SPARSE_3M) < 20_000
    assert len(_bomb(200 * 2**20)) < 1_000_000


def test_a_zip_bomb_is_refused_before_it_is_opened(settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 100
    with pytest.raises(ValidationError) as exc:
        check_zip_bounds(_bomb(200 * 2**20))
    assert "file" in exc.value.message_dict
    assert "compressed" in exc.value.messages[0]


def test_the_unzipped_size_is_bounded(settings):
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 5 * 2**20
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 10**6
    with pytest.raises(ValidationError) as exc:
        check_zip_bounds(_bomb(8 * 2**20))
    assert "5 MB" in exc.value.messages[0]
    check_zip_bounds(ONE_ROW)  # an ordinary workbook passes


def test_the_upload_refuses_a_zip_bomb_at_once(org, importer, cfpb_preset):
    bomb = _bomb(300 * 2**20)
    started = time.monotonic()
    with pytest.raises(ValidationError) as exc:
        _create(importer, org, cfpb_preset, bomb)
    assert time.monotonic() - started < 2
    assert "file" in exc.value.message_dict
    assert not ImportJob.objects.exists()


def test_three_million_empty_rows_fail_fast_with_a_clear_message(org, importer, cfpb_preset):
    job = _create(importer, org, cfpb_preset, SPARSE_3M)
    started = time.monotonic()
    job = import_job_run(job=job)
    assert time.monotonic() - started < 10
    assert job.state == JobState.FAILED
    assert "more than 200000 rows" in job.error
    assert "{" not in job.error  # the message, not a dict's text


def test_empty_rows_count_against_the_limit(org, importer, cfpb_preset, settings):
    settings.IMPORT_MAX_ROWS = 1000
    job = import_job_run(job=_create(importer, org, cfpb_preset, _dense_empty_rows(1500)))
    assert job.state == JobState.FAILED and "more than 1000 rows" in job.error
    job = import_job_run(job=_create(importer, org, cfpb_preset, _dense_empty_rows(900)))
    assert job.state == JobState.DONE and job.rows == 1
    csv_blank_lines = ("Date received,Product\n" + "\n" * 1500 + "2020/3/18,Mortgage\n").encode()
    job = import_job_create(
        actor=importer, fileobj=io.BytesIO(csv_blank_lines), name="f.csv", preset=cfpb_preset, org_unit=org.b1
    )
    job = import_job_run(job=job)
    assert job.state == JobState.FAILED and "more than 1000 rows" in job.error


def test_the_web_request_only_stores_the_file_and_queues_the_read(
    client_for, org, importer, cfpb_preset, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    started = time.monotonic()
    response = client_for(importer).post(
        reverse("imports:create"),
        {
            "file": SimpleUploadedFile("big.xlsx", SPARSE_3M),
            "preset": cfpb_preset.name,
            "org_unit": org.b1.pk,
        },
    )
    assert time.monotonic() - started < 2
    assert response.status_code == 302, response.content[:500]
    job = ImportJob.objects.get()
    assert job.stage == ImportStage.READ and job.state == JobState.QUEUED and not job.profile
    assert [r.args for r in default_task_backend.results] == [[job.pk]]
    # the mapping screen waits for the read: it sends the user to the job's progress
    page = client_for(importer).get(reverse("imports:mapping", args=[job.pk]))
    assert page.status_code == 302 and page["Location"] == reverse("imports:detail", args=[job.pk])
    # then the worker reads it and the job waits for its mapping
    job = import_job_run(job=job)
    assert job.state == JobState.FAILED and "200000" in job.error


def test_the_read_in_the_worker_fills_the_mapping(org, importer, cfpb_preset):
    job = _create(importer, org, cfpb_preset, ONE_ROW)
    assert job.stage == ImportStage.READ and not job.profile
    job = import_job_run(job=job)
    assert job.stage == ImportStage.MAPPING and job.state == JobState.DONE
    assert job.rows == 1 and job.profile["headers"] == HEADER
    assert job.columns["received_on"] == "Date received"  # the preset's mapping, matched to the headers


def test_the_api_upload_queues_the_import_without_parsing(api_for, org, importer, cfpb_preset, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = api_for(importer).post(
        "/api/v1/imports", {"file": SimpleUploadedFile("big.xlsx", SPARSE_3M), "org_unit": org.b1.code}
    )
    assert response.status_code == 201, response.content
    job = ImportJob.objects.get()
    assert job.stage == ImportStage.IMPORT and job.state == JobState.QUEUED
    job = import_job_run(job=job)
    assert job.state == JobState.FAILED and "200000" in job.error
    bomb = api_for(importer).post(
        "/api/v1/imports", {"file": SimpleUploadedFile("b.xlsx", _bomb(300 * 2**20)), "org_unit": org.b1.code}
    )
    assert bomb.status_code == 422 and "file" in bomb.json()["fields"]


def test_org_unit_import_is_bounded_too(api_for, hq_officer, settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 100
    response = api_for(hq_officer).post(
        "/api/v1/org-units/import", {"file": SimpleUploadedFile("u.xlsx", _bomb(300 * 2**20))}
    )
    assert response.status_code == 422 and "file" in response.json()["fields"]
    started = time.monotonic()
    sparse = _rewrite_sheet(
        _workbook([["code", "name", "kind", "parent_code"]]), lambda fh: fh.write(b'<row r="3000000"/>')
    )
    response = api_for(hq_officer).post(
        "/api/v1/org-units/import", {"file": SimpleUploadedFile("u.xlsx", sparse)}
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 422 and "file" in response.json()["fields"], response.content


def test_report_template_upload_is_bounded(hq_officer):
    from xiaobao.reports.services import template_check

    with pytest.raises(ValidationError) as exc:
        template_check(_bomb(300 * 2**20))
    assert "file" in exc.value.message_dict
    assert "compressed" in exc.value.message_dict["file"][0]  # refused by the bound, before openpyxl
