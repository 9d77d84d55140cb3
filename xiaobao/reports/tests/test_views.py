"""Reports pages and API: ask, follow, download again (audited), scoped; templates page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from xiaobao.core.models import AuditEvent
from xiaobao.reports.models import ReportJob, ReportTemplate
from xiaobao.reports.tests.test_templates import xlsx

pytestmark = pytest.mark.django_db


def test_ask_for_a_report_in_the_browser(client_for, complaints, org, branch_officer):
    client = client_for(branch_officer)
    # the page offers the form with a month picker and only units in the branch
    page = client.get(reverse("reports:list")).content.decode()
    assert 'type="month"' in page and "B1-S1" in page and "B2-S1" not in page
    # when the officer submits October for branch 1
    response = client.post(
        reverse("reports:create"), {"kind": "monthly", "period": "2026-10", "org_unit": "B1"}
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[job.pk])
    # then the detail page shows the finished job and the download link
    detail = client.get(response["Location"]).content.decode()
    assert 'data-state="done"' in detail and reverse("reports:download", args=[job.pk]) in detail
    # and the list shows it with its requester
    listing = client.get(reverse("reports:list")).content.decode()
    assert job.filename in listing or reverse("reports:detail", args=[job.pk]) in listing
    assert "branch1_cp" in listing


def test_kind_switch_renders_the_period_field(client_for, org, branch_officer):
    response = client_for(branch_officer).get(
        reverse("reports:list"), {"kind": "quarterly"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="kind-fields"' in body and "<html" not in body
    assert 'value="2026-Q3"' in body and 'name="template"' not in body


def test_bad_request_in_the_browser_is_a_400_with_the_field(client_for, org, branch_officer):
    client = client_for(branch_officer)
    response = client.post(
        reverse("reports:create"), {"kind": "monthly", "period": "2026-99", "org_unit": "B1"}
    )
    assert response.status_code == 400 and "2026-99" in response.content.decode()
    response = client.post(
        reverse("reports:create"), {"kind": "monthly", "period": "2026-10", "org_unit": "B2"}
    )
    assert response.status_code == 400
    assert not ReportJob.objects.exists()


def test_status_partial_polls_then_brings_the_download_link(client_for, complaints, org, branch_officer):
    from xiaobao.reports.services import report_request, report_run

    job = report_request(
        actor=branch_officer, kind="monthly", period="2026-10", unit_code="B1", enqueue=False
    )
    client = client_for(branch_officer)
    polling = client.get(reverse("reports:status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in polling and "report-download" not in polling
    report_run(job)
    done = client.get(reverse("reports:status", args=[job.pk])).content.decode()
    assert "every 1s" not in done and 'hx-swap-oob="true"' in done and "report-download" in done


def test_download_again_is_audited_and_scoped(
    client_for, complaints, org, branch_officer, other_branch_officer
):
    client_for(branch_officer).post(
        reverse("reports:create"), {"kind": "monthly", "period": "2026-10", "org_unit": "B1"}
    )
    job = ReportJob.objects.get()
    url = reverse("reports:download", args=[job.pk])
    for _i in range(2):
        response = client_for(branch_officer).get(url)
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content)[:2] == b"PK"
    assert (
        AuditEvent.objects.filter(
            object_id=str(job.pk), object_type="reports.reportjob", action="export"
        ).count()
        == 2
    )
    # another branch's officer: not found, nothing audited
    assert client_for(other_branch_officer).get(url).status_code == 404
    assert client_for(other_branch_officer).get(reverse("reports:detail", args=[job.pk])).status_code == 404


def test_auditor_and_approver_see_but_cannot_run(client_for, org, auditor):
    from conftest import make_user

    approver = make_user("approver1", org.b1, ["approver"])
    for user in (auditor, approver):
        client = client_for(user)
        assert client.get(reverse("reports:list")).status_code == 200
        assert 'data-testid="report-form"' not in client.get(reverse("reports:list")).content.decode()
        response = client.post(
            reverse("reports:create"), {"kind": "monthly", "period": "2026-10", "org_unit": "B1"}
        )
        assert response.status_code == 403


def test_sysadmin_uploads_a_template_and_bad_ones_are_refused(client_for, org, sysadmin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(sysadmin)
    bad = SimpleUploadedFile("form.xlsx", xlsx([["{{colour}}"]]))
    response = client.post(reverse("reports:templates"), {"name": "A", "kind": "monthly", "file": bad})
    assert response.status_code == 400 and "colour" in response.content.decode()
    good = SimpleUploadedFile("form.xlsx", xlsx([["{{total}}"]]))
    response = client.post(reverse("reports:templates"), {"name": "A", "kind": "monthly", "file": good})
    assert response.status_code == 302
    assert ReportTemplate.objects.get().placeholders == ["{{total}}"]
    page = client.get(reverse("reports:templates")).content.decode()
    assert "placeholder-grammar" in page and "{{count" in page


def test_branch_officer_cannot_upload_templates(client_for, org, branch_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(branch_officer)
    assert client.get(reverse("reports:templates")).status_code == 200
    upload = SimpleUploadedFile("form.xlsx", xlsx([["{{total}}"]]))
    response = client.post(reverse("reports:templates"), {"name": "A", "kind": "monthly", "file": upload})
    assert response.status_code == 403


# --- API ----------------------------------------------------------------------------------------------------


def test_api_create_poll_and_download(api_for, complaints, org, branch_officer, other_branch_officer):
    api = api_for(branch_officer)
    body = {"kind": "monthly", "period": "2026-10", "org_unit": "B1"}
    response = api.post("/api/v1/reports", json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "done" and data["org_unit"] == "B1" and data["requested_by"] == "branch1_cp"
    assert data["file_url"] == f"/api/v1/reports/{data['id']}/file"
    assert api.get(f"/api/v1/reports/{data['id']}").json()["sha256"] == data["sha256"]
    listing = api.get("/api/v1/reports").json()
    assert [r["id"] for r in listing["items"]] == [data["id"]]
    file = api.get(data["file_url"])
    assert file.status_code == 200 and b"".join(file.streaming_content)[:2] == b"PK"
    other = api_for(other_branch_officer)
    assert other.get(data["file_url"]).status_code == 404
    assert other.get("/api/v1/reports").json()["items"] == []


def test_api_create_with_only_the_run_permission_answers_201(api_for, complaints, org):
    """A client allowed to run reports but not to list them still gets its job back (it was a 500)."""
    from django.contrib.auth.models import Permission

    from conftest import make_user

    runner = make_user("report_runner", org.b1, [])
    runner.user_permissions.add(Permission.objects.get(codename="run_report"))
    body = {"kind": "monthly", "period": "2026-10", "org_unit": "B1"}
    response = api_for(runner).post("/api/v1/reports", json.dumps(body), content_type="application/json")
    assert response.status_code == 201 and response.json()["org_unit"] == "B1"


def test_api_bad_input_is_422_with_fields(api_for, org, branch_officer):
    api = api_for(branch_officer)
    body = {"kind": "monthly", "period": "2026-Q3", "org_unit": "B2"}
    response = api.post("/api/v1/reports", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"period", "org_unit"}


def test_api_file_of_an_unfinished_report_is_409(api_for, org, branch_officer):
    job = ReportJob.objects.create(
        kind="monthly", period="2026-10", org_unit=org.b1, requested_by=branch_officer
    )
    response = api_for(branch_officer).get(f"/api/v1/reports/{job.pk}/file")
    assert response.status_code == 409 and response.json()["code"] == "not_ready"
