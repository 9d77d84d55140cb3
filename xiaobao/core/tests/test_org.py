"""Institution tree: paths, subtree queries, moves, closing, figures, Excel import."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from xiaobao.core.models import AuditEvent, OrgUnit
from xiaobao.core.services import org as svc

pytestmark = pytest.mark.django_db


def test_path_is_parent_path_plus_own_segment(org):
    # then
    assert org.b1o.path == org.b1s.path + str(org.b1o.pk).zfill(8)
    assert org.b1o.depth == 4
    assert [u.code for u in org.b1o.ancestors()] == ["HO", "B1", "B1-S1"]


def test_subtree_is_one_range_query(org):
    # when
    with CaptureQueriesContext(connection) as q:
        codes = list(OrgUnit.objects.subtree(org.b1).values_list("code", flat=True))
    # then
    assert codes == ["B1", "B1-S1", "B1-S1-O1"]
    assert len(q.captured_queries) == 1
    assert "LIKE" not in q.captured_queries[0]["sql"].upper()


def test_kind_rules_refuse_outlet_under_head_office(org):
    with pytest.raises(ValidationError) as exc:
        svc.org_unit_create(actor=None, code="X", name="x", kind="outlet", parent=org.ho)
    assert "parent" in exc.value.message_dict


def test_duplicate_code_is_refused(org):
    with pytest.raises(ValidationError) as exc:
        svc.org_unit_create(actor=None, code="B1", name="dup", kind="branch", parent=org.ho)
    assert "code" in exc.value.message_dict


def test_move_rewrites_the_whole_subtree(org, hq_officer):
    # given a sub-branch with an outlet in branch 1
    # when it moves to branch 2
    svc.org_unit_move(actor=hq_officer, unit=org.b1s, new_parent=org.b2)
    # then it and its outlet are in branch 2's subtree, with depths kept
    moved = OrgUnit.objects.get(pk=org.b1o.pk)
    assert moved.path.startswith(org.b2.path)
    assert moved.depth == 4
    assert set(OrgUnit.objects.subtree(org.b2).values_list("code", flat=True)) == {
        "B2",
        "B2-S1",
        "B1-S1",
        "B1-S1-O1",
    }
    assert list(OrgUnit.objects.subtree(org.b1).values_list("code", flat=True)) == ["B1"]
    event = AuditEvent.objects.filter(object_type="core.orgunit", object_id=str(org.b1s.pk)).first()
    assert event.changes["parent"] == [f"{org.b1} #{org.b1.pk}", f"{org.b2} #{org.b2.pk}"]


def test_move_into_own_subtree_is_refused(org, hq_officer):
    with pytest.raises(ValidationError):
        svc.org_unit_move(actor=hq_officer, unit=org.b1, new_parent=org.b1s)


def test_close_needs_no_open_children_and_no_active_users(org, hq_officer, branch_officer):
    with pytest.raises(ValidationError):
        svc.org_unit_close(actor=hq_officer, unit=org.b1s)  # has an open outlet
    with pytest.raises(ValidationError):
        svc.org_unit_close(actor=hq_officer, unit=org.b1o.parent.parent)  # branch 1 has a user
    svc.org_unit_close(actor=hq_officer, unit=org.b1o)
    org.b1o.refresh_from_db()
    assert not org.b1o.is_active and org.b1o.closed_on is not None


def test_figures_are_upserted_per_year(org, hq_officer):
    svc.org_figures_set(actor=hq_officer, unit=org.b1, year=2026, retail_customers=100, outlets=3)
    svc.org_figures_set(actor=hq_officer, unit=org.b1, year=2026, retail_customers=120, outlets=3)
    assert list(org.b1.year_figures.values_list("year", "retail_customers")) == [(2026, 120)]


def _sheet(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["机构编码", "机构名称", "类型", "上级机构编码", "地区代码"])
    for r in rows:
        ws.append(r)
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_import_creates_and_updates_in_order(org, hq_officer):
    # given a sheet creating a sub-branch with an outlet under it, and renaming branch 2
    sheet = _sheet(
        [
            ["B1-S2", "五道口支行", "支行", "B1", "110108"],
            ["B1-S2-O1", "清华园网点", "网点", "B1-S2", ""],
            ["B2", "上海分行（新）", "分行", "HO", "310000"],
        ]
    )
    # when
    report = svc.org_units_import(actor=hq_officer, fileobj=sheet, scope_root=None)
    # then
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 1)
    assert OrgUnit.objects.get(code="B1-S2-O1").parent.code == "B1-S2"
    assert OrgUnit.objects.get(code="B2").name == "上海分行（新）"


def test_import_with_one_bad_row_writes_nothing(org, hq_officer):
    before = OrgUnit.objects.count()
    sheet = _sheet([["B1-S2", "五道口支行", "支行", "B1", ""], ["B1-S3", "坏行", "火星", "NOPE", ""]])
    report = svc.org_units_import(actor=hq_officer, fileobj=sheet, scope_root=None)
    assert not report.ok
    assert report.errors[0]["row"] == 3
    assert set(report.errors[0]["fields"]) == {"kind", "parent_code"}
    assert OrgUnit.objects.count() == before


def test_import_row_failing_model_rules_rolls_back_everything(org, hq_officer):
    # given a valid first row and a second row that breaks the kind rules (outlet under head office)
    before = OrgUnit.objects.count()
    sheet = _sheet([["B1-S2", "五道口支行", "支行", "B1", ""], ["O-BAD", "坏网点", "网点", "HO", ""]])
    report = svc.org_units_import(actor=hq_officer, fileobj=sheet, scope_root=None)
    assert not report.ok and report.errors[0]["row"] == 3
    assert OrgUnit.objects.count() == before


def test_import_page_shows_row_errors(client_for, hq_officer, org):
    sheet = _sheet([["B1-S3", "坏行", "火星", "NOPE", ""]])
    sheet.name = "units.xlsx"
    response = client_for(hq_officer).post("/org/import/", {"file": sheet})
    assert response.status_code == 400
    assert "NOPE" in response.content.decode()


def test_import_api_accepts_a_sheet(api_for, hq_officer, org):
    sheet = _sheet([["B1-S2", "五道口支行", "支行", "B1", ""]])
    sheet.name = "units.xlsx"
    response = api_for(hq_officer).post("/api/v1/org-units/import", {"file": sheet})
    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_org_unit_api_create_move_close(api_for, hq_officer, org):
    c = api_for(hq_officer)
    r = c.post(
        "/api/v1/org-units",
        {"code": "B2-S1-O1", "name": "陆家嘴网点", "kind": "outlet", "parent_code": "B2-S1"},
        content_type="application/json",
    )
    assert r.status_code == 201
    uid = r.json()["id"]
    r = c.post(f"/api/v1/org-units/{uid}/move", {"parent_code": "B1-S1"}, content_type="application/json")
    assert r.json()["parent_code"] == "B1-S1"
    r = c.post(f"/api/v1/org-units/{uid}/close", {}, content_type="application/json")
    assert r.json()["is_active"] is False
    r = c.get("/api/v1/org-units?include_closed=true&q=陆家嘴")
    assert r.json()["count"] == 1


def test_org_unit_api_invalid_input_is_422_with_fields(api_for, hq_officer, org):
    c = api_for(hq_officer)
    r = c.post(
        "/api/v1/org-units", {"code": "", "name": "x", "kind": "planet"}, content_type="application/json"
    )
    assert r.status_code == 422
    assert {"code", "kind"} <= set(r.json()["fields"])
    r = c.post("/api/v1/org-units", "{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    r = c.post(
        "/api/v1/org-units",
        {"code": "Z", "name": "z", "kind": "outlet", "parent_code": "HO"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "parent" in r.json()["fields"]


def test_branch_officer_tree_page_shows_only_own_subtree(client_for, branch_officer, org):
    html = client_for(branch_officer).get("/org/").content.decode()
    assert "海淀支行" in html and "浦东支行" not in html and "总行" not in html.split("<main")[1]


def test_create_unit_form_errors_are_field_level(client_for, hq_officer, org):
    response = client_for(hq_officer).post(
        "/org/new/", {"code": "B1", "name": "", "kind": "branch", "parent": org.ho.pk}
    )
    assert response.status_code == 400
    assert OrgUnit.objects.filter(code="B1").count() == 1
