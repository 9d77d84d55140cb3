"""The import pages: upload → mapping → validate → import → summary, presets, scoping."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaobao.complaints.models import Complaint
from xiaobao.imports.forms import TABLE_DIMENSIONS
from xiaobao.imports.models import ImportJob, ImportPreset
from xiaobao.imports.selectors import job_value_tables
from xiaobao.imports.tests.conftest import cfpb_row, make_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def upload(client, org, data: bytes, unit=None, **extra):
    form = {
        "file": SimpleUploadedFile("history.csv", data),
        "preset": "cfpb",
        "org_unit": (unit or org.b1s).pk,
        **extra,
    }
    return client.post(reverse("imports:create"), form)


def mapping_post(job: ImportJob, **over) -> dict:
    """What the mapping screen posts back unchanged (columns, defaults, every value table)."""
    data: dict = {f"col_{f}": h for f, h in job.columns.items()}
    data |= {k: v for k, v in job.defaults.items() if v not in (None,)}
    for table in job_value_tables(job, TABLE_DIMENSIONS):
        if table.rows:
            data[f"src-{table.dimension}"] = [r.value for r in table.rows]
            data[f"dst-{table.dimension}"] = [r.target for r in table.rows]
            if table.dimension == "status":
                data["dst-liability"] = [r.liability for r in table.rows]
    data.update(over)
    return data


def test_upload_map_validate_import(client_for, org, importer, cfpb_preset):
    client = client_for(importer)
    data = make_csv([cfpb_row(1), cfpb_row(2, Product="Crypto wallet"), cfpb_row(3, Issue="Late fee")])
    # when a branch officer uploads a CFPB export into a sub-branch
    response = upload(client, org, data)
    job = ImportJob.objects.get()
    # then the mapping screen shows the file and the preset's mapping matched to its headers
    assert response.status_code == 302 and response["Location"] == reverse("imports:mapping", args=[job.pk])
    page = client.get(reverse("imports:mapping", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="preview"' in html and "EXAMPLE BANK" in html
    assert '<option value="Date received" selected>' in html  # col_received_on
    assert 'data-testid="values-business_type"' in html and "Crypto wallet" in html
    # when the user maps the unknown product and saves and validates
    post = mapping_post(job, validate="1")
    i = post["src-business_type"].index("Crypto wallet")
    post["dst-business_type"][i] = "B05"
    response = client.post(reverse("imports:mapping", args=[job.pk]), post)
    # then the validation ran (in place in tests) and the job page offers the import
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.stage, job.state, job.valid_rows, job.unmapped) == ("validate", "done", 3, {})
    assert job.value_maps["business_type"]["Crypto wallet"] == "B05"
    assert cfpb_preset.value_maps["business_type"].get("Crypto wallet") is None  # the preset is untouched
    detail = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-testid="summary"' in detail and 'data-testid="run"' in detail
    assert Complaint.objects.count() == 0  # validation writes nothing
    # when the user imports
    response = client.post(reverse("imports:run", args=[job.pk]))
    # then
    job.refresh_from_db()
    assert response.status_code == 302
    assert (job.stage, job.state, job.created) == ("import", "done", 3)
    assert Complaint.objects.get(external_reference="cfpb:9000002").business_type.code == "B05"
    detail = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-testid="complaints-link"' in detail and f"q=IM{job.pk:06d}" in detail
    # and the complaint list finds the imported complaints by that search
    listed = client.get(reverse("complaints:list"), {"q": f"IM{job.pk:06d}", "unit": org.b1s.code})
    assert listed.content.decode().count('data-testid="complaint-row"') == 3
    # and the import list shows the job with its counts
    rows = client.get(reverse("imports:list")).content.decode()
    assert "history.csv" in rows and 'data-testid="import-row"' in rows


def test_imported_complaints_open_on_the_complaint_page(client_for, org, importer, run_import):
    # given an imported closed complaint and an open one
    data = make_csv(
        [
            cfpb_row(1),
            cfpb_row(2, **{"Company response to consumer": "In progress", "Date received": "2026-02-27"}),
        ]
    )
    run_import(importer, data, org.b1s)
    client = client_for(importer)
    for complaint in Complaint.objects.all():
        # when / then
        response = client.get(reverse("complaints:detail", args=[complaint.pk]))
        assert response.status_code == 200, complaint.status
        assert complaint.reference in response.content.decode()
    # and in the list the closed one's clock reads "stopped", not years overdue
    listed = client.get(reverse("complaints:list")).content.decode()
    assert listed.count('data-testid="complaint-row"') == 2 and 'class="due bad"' not in listed


def test_upload_into_another_branch_is_a_field_error(client_for, org, importer, cfpb_preset):
    # when a branch-1 officer picks a branch-2 unit
    response = upload(client_for(importer), org, make_csv([cfpb_row(1)]), unit=org.b2)
    # then the form answers on the unit field and no job exists
    assert response.status_code == 400
    assert "org_unit" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_bad_file_is_a_field_error(client_for, org, importer, cfpb_preset):
    response = upload(client_for(importer), org, b"MZ\x90\x00\x03\x00\x00\x00\x00")
    assert response.status_code == 400 and "file" in response.context["form"].errors


def test_other_branch_cannot_see_the_job(client_for, org, importer, other_branch_officer, run_import):
    job = run_import(importer, make_csv([cfpb_row(1)]), org.b1s, stage="validate")
    client = client_for(other_branch_officer)
    for name in ("imports:detail", "imports:mapping", "imports:progress", "imports:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:run", args=[job.pk])).status_code == 404
    assert "file.csv" not in client.get(reverse("imports:list")).content.decode()


def test_invalid_file_cannot_be_run_and_shows_the_errors(client_for, org, importer, run_import):
    # given a validated file with an invalid row
    job = run_import(
        importer, make_csv([cfpb_row(1), cfpb_row(2, **{"Date received": "soon"})]), org.b1s, stage="validate"
    )
    client = client_for(importer)
    # then the job page shows the error report and no import button
    html = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-testid="error-table"' in html and 'data-testid="run"' not in html
    # when run anyway
    client.post(reverse("imports:run", args=[job.pk]))
    # then it is refused
    job.refresh_from_db()
    assert job.stage == "validate" and Complaint.objects.count() == 0
    # and the error report downloads as Excel
    from openpyxl import load_workbook

    response = client.get(reverse("imports:errors", args=[job.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [list(r) for r in ws.iter_rows(values_only=True)][1][:2] == [3, "Date received"]


def test_progress_partial_reloads_the_page_when_finished(client_for, org, importer, run_import):
    job = run_import(importer, make_csv([cfpb_row(1)]), org.b1s, stage="validate")
    response = client_for(importer).get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert 'data-state="done"' in response.content.decode()


def test_save_mapping_as_preset_needs_the_permission(client_for, org, importer, hq_officer, cfpb_preset):
    # given a job of each
    for user in (importer, hq_officer):
        upload(client_for(user), org, make_csv([cfpb_row(1)]), unit=org.b1)
    mine, hqs = ImportJob.objects.order_by("pk")
    # a branch officer may not save presets
    post = mapping_post(mine, save_preset="1", preset_name="mine")
    assert client_for(importer).post(reverse("imports:mapping", args=[mine.pk]), post).status_code == 403
    # HQ may
    post = mapping_post(hqs, save_preset="1", preset_name="总行旧系统")
    response = client_for(hq_officer).post(reverse("imports:mapping", args=[hqs.pk]), post)
    assert response.status_code == 302
    assert ImportPreset.objects.get(name="总行旧系统").columns["received_on"][0] == "Date received"


def test_preset_editor(client_for, hq_officer, importer, cfpb_preset):
    client = client_for(hq_officer)
    url = reverse("imports:preset_edit", args=[cfpb_preset.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Consumer complaint narrative" in page.content.decode()
    # when HQ adds a product, changes an alias list and a default
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["col_received_on"] = "Date received\n受理日期"
    data["complainant_name"] = "匿名客户"
    for table in page.context["tables"]:
        rows = [r for r in table.rows if r.value]
        data[f"src-{table.dimension}"] = [r.value for r in rows] + (
            ["Crypto wallet"] if table.dimension == "business_type" else []
        )
        data[f"dst-{table.dimension}"] = [r.target for r in rows] + (
            ["B05"] if table.dimension == "business_type" else []
        )
        if table.dimension == "status":
            data["dst-liability"] = [r.liability for r in rows]
    response = client.post(url, data)
    # then
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    cfpb_preset.refresh_from_db()
    assert cfpb_preset.value_maps["business_type"]["Crypto wallet"] == "B05"
    assert cfpb_preset.value_maps["business_type"]["Mortgage"] == "B0201"
    assert cfpb_preset.columns["received_on"] == ["Date received", "受理日期"]
    assert cfpb_preset.defaults["complainant_name"] == "匿名客户"
    assert cfpb_preset.value_maps["liability"]["Closed with monetary relief"] == "at_fault"
    # a branch officer sees the presets but cannot edit them
    assert client_for(importer).get(reverse("imports:presets")).status_code == 200
    assert client_for(importer).get(url).status_code == 403
