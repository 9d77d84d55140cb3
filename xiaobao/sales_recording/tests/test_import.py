"""Importing the register through the import framework: mapping by the shipped preset, idempotency, row
errors, the kind's permission and scoping."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied

from xiaobao.core.errors import Conflict
from xiaobao.imports.models import ImportJob, ImportPreset
from xiaobao.imports.services import import_job_create, import_job_start
from xiaobao.sales_recording.importing import PRESET_NAME, parse_duration
from xiaobao.sales_recording.models import RecordedSale
from xiaobao.sales_recording.tests.conftest import make_csv, sale_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_rows_become_sales_of_their_outlets(org, sr_officer, run_sales_import):
    # given two sales at the outlet, one insurance sale to a 66-year-old without a recording
    data = make_csv(
        [
            sale_row(1),
            sale_row(
                2,
                **{"产品类型": "银保", "录像编号": "", "录像时长": "", "客户年龄": "66", "网点代码": "B1-S1"},
            ),
        ]
    )
    # when
    job = run_sales_import(sr_officer, data, org.b1)
    # then
    assert (job.kind, job.state, job.created, job.invalid) == ("recorded_sales", "done", 2, 0)
    first, second = RecordedSale.objects.order_by("external_id")
    assert (first.org_unit, first.product_kind, first.duration_seconds, first.applicant_age) == (
        org.b1o,
        "wealth",
        320,
        45,
    )
    assert first.is_recorded and first.batch_id == job.pk and first.source == "sales-system"
    assert (second.org_unit, second.product_kind, second.is_recorded, second.applicant_age) == (
        org.b1s,
        "insurance",
        False,
        66,
    )


def test_importing_the_same_file_again_adds_nothing(org, sr_officer, run_sales_import):
    # given a file imported once
    data = make_csv([sale_row(1), sale_row(2)])
    run_sales_import(sr_officer, data, org.b1)
    # when it is imported again, with one new row
    again = run_sales_import(sr_officer, make_csv([sale_row(1), sale_row(2), sale_row(3)]), org.b1)
    # then only the new row is added
    assert (again.created, again.skipped_existing) == (1, 2)
    assert RecordedSale.objects.count() == 3


def test_invalid_rows_stop_the_import_with_row_errors(org, sr_officer, run_sales_import):
    # given an outlet of another branch, an empty seller, a bad age, a bad length and a future sale
    data = make_csv(
        [
            sale_row(1, **{"网点代码": "B2-S1"}),
            sale_row(2, **{"销售人员": ""}),
            sale_row(3, **{"客户年龄": "二十"}),
            sale_row(4, **{"录像时长": "-5"}),
            sale_row(5, **{"销售时间": "2026-05-01"}),
            sale_row(6),
        ]
    )
    # when
    job = run_sales_import(sr_officer, data, org.b1, stage="validate")
    # then each row says why, and the import is refused: nothing is written
    assert (job.state, job.invalid, job.valid_rows) == ("done", 5, 1)
    with pytest.raises(Conflict):
        import_job_start(actor=sr_officer, job=job, stage="import")
    assert RecordedSale.objects.count() == 0
    assert sorted({e["row"] for e in job.errors}) == [2, 3, 4, 5, 6]
    assert {e["column"] for e in job.errors} >= {"网点代码", "销售人员", "客户年龄", "录像时长", "销售时间"}


def test_skip_invalid_imports_the_valid_rows(org, sr_officer, run_sales_import):
    data = make_csv([sale_row(1, **{"产品名称": ""}), sale_row(2)])
    job = run_sales_import(sr_officer, data, org.b1, skip_invalid=True)
    assert (job.state, job.created, job.invalid) == ("done", 1, 1)


def test_unknown_product_types_get_the_default_and_are_counted(org, sr_officer, run_sales_import):
    job = run_sales_import(sr_officer, make_csv([sale_row(1, **{"产品类型": "外汇"})]), org.b1)
    assert job.unmapped == {"product_kind": {"外汇": 1}}
    assert RecordedSale.objects.get().product_kind == "other"


def test_a_complaints_importer_may_not_import_sales_nor_see_sales_imports(
    org, sr_officer, run_sales_import, client_for
):
    # given a sales import in branch 1, and an officer there who may import complaints only
    from conftest import make_user
    from xiaobao.sales_recording.tests.conftest import grant

    complaints_only = grant(make_user("c_only", org.b1, []), ["imports.import_complaints"])
    job = run_sales_import(sr_officer, make_csv([sale_row(1)]), org.b1)
    # when / then a complaints-only importer of the same branch is refused and does not see the job
    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=complaints_only,
            fileobj=io.BytesIO(make_csv([sale_row(2)])),
            name="x.csv",
            preset=ImportPreset.objects.get(name=PRESET_NAME),
            org_unit=org.b1,
        )
    assert not ImportJob.objects.visible_to(complaints_only).filter(pk=job.pk).exists()
    assert client_for(complaints_only).get(f"/imports/{job.pk}/").status_code == 404
    assert ImportJob.objects.visible_to(sr_officer).filter(pk=job.pk).exists()


def test_the_mapping_screen_and_job_page_show_the_sales_kind(org, sr_officer, client_for, run_sales_import):
    job = run_sales_import(sr_officer, make_csv([sale_row(1)]), org.b1, stage="validate")
    c = client_for(sr_officer)
    mapping = c.get(f"/imports/{job.pk}/mapping/")
    assert mapping.status_code == 200
    assert "col_seller" in mapping.content.decode() and "values-product_kind" in mapping.content.decode()
    # saving the mapping with a bad source name is a field error
    post = {f"col_{k}": v for k, v in job.columns.items()}
    post.update({"source": "bad name!", "product_kind": "other", "date_order": "auto"})
    assert c.post(f"/imports/{job.pk}/mapping/", post).status_code == 400
    post["source"] = "core-bank"
    assert c.post(f"/imports/{job.pk}/mapping/", post).status_code == 302
    job.refresh_from_db()
    assert job.defaults["source"] == "core-bank"
    assert c.get("/imports/new/?kind=recorded_sales").status_code == 200
    assert c.get("/imports/new/?kind=nope").status_code == 404


def test_durations():
    assert [parse_duration(v) for v in ("95", "95.0", "1:35", "00:01:35")] == [95, 95, 95, 95]
    for bad in ("-1", "abc", "1:xx", "1:2:3:4"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_the_sales_preset_is_edited_with_its_own_fields(org, sr_hq, client_for):
    # given an officer who maintains presets
    from xiaobao.sales_recording.tests.conftest import grant

    editor = grant(sr_hq, ["imports.manage_importpreset"])
    preset = ImportPreset.objects.get(name=PRESET_NAME)
    c = client_for(editor)
    page = c.get(f"/imports/presets/{preset.pk}/")
    assert page.status_code == 200 and "col_applicant_age" in page.content.decode()
    # when a product type is added to its table
    post = {"name": preset.name, "description": preset.description, "source": "crm", "product_kind": "other"}
    post.update({"date_order": "auto", "col_seller": "销售人员\n理财经理", "col_product": "产品名称"})
    post.update({"src-product_kind": ["外汇理财"], "dst-product_kind": ["wealth"]})
    response = c.post(f"/imports/presets/{preset.pk}/", post)
    # then
    assert response.status_code == 302
    preset.refresh_from_db()
    assert preset.value_maps["product_kind"]["外汇理财"] == "wealth" and preset.defaults["source"] == "crm"
    # and an unknown product kind is a field error
    post.update({"dst-product_kind": ["nonsense"]})
    assert c.post(f"/imports/presets/{preset.pk}/", post).status_code == 400


def test_the_imports_api_imports_sales_with_the_sales_preset(org, sr_officer, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_for(sr_officer)
    upload = SimpleUploadedFile("sales.csv", make_csv([sale_row(1), sale_row(2)]))
    response = client.post("/api/v1/imports", {"file": upload, "preset": PRESET_NAME, "org_unit": "B1"})
    assert response.status_code == 201, response.content
    body = client.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert (body["kind"], body["state"], body["created"]) == ("recorded_sales", "done", 2)
    presets = {p["name"]: p["kind"] for p in client.get("/api/v1/imports/presets").json()}
    assert presets[PRESET_NAME] == "recorded_sales"
