"""The imports API: upload and follow a job, presets and their value tables."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaobao.complaints.models import Complaint
from xiaobao.imports.models import ImportJob
from xiaobao.imports.tests.conftest import cfpb_row, make_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-03-02 11:00 +0800", tick=False):
        yield


def post_file(api, data: bytes, **form):
    return api.post("/api/v1/imports", {"file": SimpleUploadedFile("history.csv", data), **form})


def test_upload_imports_in_the_background(api_for, org, importer, cfpb_preset):
    api = api_for(importer)
    # when a file is uploaded for a sub-branch
    response = post_file(
        api, make_csv([cfpb_row(1), cfpb_row(2, Product="Crypto wallet")]), org_unit=org.b1s.code
    )
    # then the job is created (201) and, with the immediate task backend of the tests, has already run
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "done" and body["stage"] == "import" and body["percent"] == 100
    assert (body["rows"], body["created"], body["invalid"], body["org_unit"]) == (2, 2, 0, org.b1s.code)
    assert body["unmapped"] == {"business_type": {"Crypto wallet": 1}}
    assert body["complaints_search"] == f"IM{body['id']:06d}"
    # and the complaints are found with that search
    found = api.get("/api/v1/complaints", {"q": body["complaints_search"]}).json()
    assert found["count"] == 2
    # and the job reads back, and is listed
    assert api.get(f"/api/v1/imports/{body['id']}").json()["created"] == 2
    listed = api.get("/api/v1/imports").json()
    assert listed["count"] == 1 and listed["items"][0]["file_name"] == "history.csv"


def test_invalid_rows_fail_the_job_with_the_errors(api_for, org, importer, cfpb_preset, settings):
    settings.LANGUAGE_CODE = "en"  # the messages asserted below are the English msgids
    # when a file with a bad date is uploaded (defaults: preset cfpb, the user's own unit)
    response = post_file(
        api_for(importer), make_csv([cfpb_row(1), cfpb_row(2, **{"Date received": "99/99/2020"})])
    )
    # then the job exists and failed, with the row-level report, and nothing was written
    body = response.json()
    assert response.status_code == 201
    assert body["state"] == "failed" and body["org_unit"] == org.b1.code
    assert body["errors"] == [{"row": 3, "column": "Date received", "message": "Not a date: 99/99/2020"}]
    assert Complaint.objects.count() == 0
    # when skipping invalid rows
    body = post_file(
        api_for(importer),
        make_csv([cfpb_row(1), cfpb_row(2, **{"Date received": "99/99/2020"})]),
        skip_invalid="true",
    ).json()
    # then
    assert (body["state"], body["created"], body["invalid"]) == ("done", 1, 1)


@pytest.mark.parametrize(
    ("form", "field"),
    [({"preset": "nope"}, "preset"), ({"org_unit": "B2"}, "org_unit"), ({"org_unit": "XX"}, "org_unit")],
)
def test_bad_upload_parameters_are_field_errors(api_for, org, importer, cfpb_preset, form, field):
    response = post_file(api_for(importer), make_csv([cfpb_row(1)]), **form)
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert not ImportJob.objects.exists()


def test_bad_file_is_a_field_error(api_for, org, importer, cfpb_preset):
    response = post_file(api_for(importer), b"\x00\x01\x02binary")
    assert response.status_code == 422 and "file" in response.json()["fields"]


def test_other_branch_gets_404(api_for, org, importer, other_branch_officer, cfpb_preset):
    job_id = post_file(api_for(importer), make_csv([cfpb_row(1)])).json()["id"]
    response = api_for(other_branch_officer).get(f"/api/v1/imports/{job_id}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_for(other_branch_officer).get("/api/v1/imports").json()["count"] == 0


def test_presets_and_value_tables(api_for, hq_officer, importer, cfpb_preset):
    # the presets are listed with their tables
    presets = api_for(importer).get("/api/v1/imports/presets").json()
    cfpb = next(p for p in presets if p["name"] == "cfpb")
    assert cfpb["is_builtin"] and cfpb["value_maps"]["business_type"]["Mortgage"] == "B0201"
    assert "Company response" in cfpb["columns"]["status"]
    url = "/api/v1/imports/presets/cfpb/value-maps/business_type"
    body = json.dumps({"values": {"Mortgage": "B0202", "Crypto wallet": "B05"}})
    # a branch officer may not change a table
    assert api_for(importer).put(url, body, content_type="application/json").status_code == 403
    # HQ replaces it
    response = api_for(hq_officer).put(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["value_maps"]["business_type"] == {"Mortgage": "B0202", "Crypto wallet": "B05"}
    # unknown codes, tables and presets are refused
    bad = json.dumps({"values": {"Mortgage": "B77"}})
    assert api_for(hq_officer).put(url, bad, content_type="application/json").status_code == 422
    other = "/api/v1/imports/presets/cfpb/value-maps/colour"
    assert api_for(hq_officer).put(other, body, content_type="application/json").status_code == 422
    missing = "/api/v1/imports/presets/nope/value-maps/cause"
    assert api_for(hq_officer).put(missing, body, content_type="application/json").status_code == 404


def test_openapi_documents_the_upload(client):
    from xiaobao.api import api

    schema = api.get_openapi_schema()
    upload = schema["paths"]["/api/v1/imports"]["post"]
    assert "skip_invalid" in json.dumps(upload) and "multipart/form-data" in upload["requestBody"]["content"]
    assert "unless `skip_invalid`" in upload["description"]
    table = schema["paths"]["/api/v1/imports/presets/{name}/value-maps/{dimension}"]["put"]
    assert "B0201" in table["description"]
