"""Importing the staff register through the import framework (kind `staff`, preset 员工名册): new and known
people, row-by-row errors and all-or-nothing, units by code or name under the unit imported into, layers by
name, code or value table, idempotency, marking the missing as left, linking accounts, the permission."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from conftest import make_user
from xiaobao.core.errors import Conflict
from xiaobao.imports.kinds import kind_of, kinds_for
from xiaobao.imports.models import ImportJob
from xiaobao.training.importing import parse_active
from xiaobao.training.models import StaffMember
from xiaobao.training.tests.test_staff_fixtures import NOW, person, run_staff_import, xlsx

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


def test_rows_become_people_of_their_units(org, branch_officer):
    # given an HR export: codes and names of units, layers by our names and by the preset's value table,
    # Excel dates, a number typed as a number, one person who left
    data = xlsx(
        [
            ["100001", "王芳", "B1-S1-O1", "一线员工", "柜员", dt.datetime(2020, 7, 1), "在职"],
            [100002, "李强", "海淀支行", "中层", "支行副行长", "2015/3/9", "是"],
            ["100003", "赵敏", "", "新员工", "", "", ""],
            ["100004", "钱进", "B1", "front_line", "客户经理", "2019-01-02", "离职"],
        ]
    )
    # when
    job = run_staff_import(branch_officer, data, org.b1)
    # then
    assert (job.kind, job.state, job.created, job.invalid, job.skipped_existing) == ("staff", "done", 4, 0, 0)
    people = {s.employee_no: s for s in StaffMember.objects.select_related("layer", "org_unit")}
    assert set(people) == {"100001", "100002", "100003", "100004"}
    a, b, c, d = (people[n] for n in ("100001", "100002", "100003", "100004"))
    assert (a.org_unit, a.layer.code, a.position, a.hire_date, a.active) == (
        org.b1o,
        "front_line",
        "柜员",
        dt.date(2020, 7, 1),
        True,
    )
    assert (b.org_unit, b.layer.code, b.hire_date) == (org.b1s, "middle_management", dt.date(2015, 3, 9))
    assert (c.org_unit, c.layer.code, c.hire_date, c.active) == (org.b1, "new_hire", None, True)
    assert (d.org_unit, d.active) == (org.b1, False)


def test_importing_again_updates_the_known_and_changes_nothing_else(org, branch_officer):
    rows = [
        ["100001", "王芳", "B1-S1-O1", "一线员工", "柜员", "2020-07-01", "在职"],
        ["100002", "李强", "B1-S1", "中层", "", "", ""],
    ]
    run_staff_import(branch_officer, xlsx(rows), org.b1)
    # when the same file comes again
    again = run_staff_import(branch_officer, xlsx(rows), org.b1)
    # then nothing changes
    assert (again.created, again.skipped_existing) == (0, 2)
    # when a file moves one person and adds another
    rows[0][2], rows[0][3] = "B1", "中层管理人员"
    third = run_staff_import(
        branch_officer, xlsx([*rows, ["100005", "孙丽", "", "一线", "", "", ""]]), org.b1
    )
    # then one is changed, one added, one unchanged
    assert (third.created, third.skipped_existing) == (2, 1)
    moved = StaffMember.objects.get(employee_no="100001")
    assert (moved.org_unit, moved.layer.code) == (org.b1, "middle_management")
    assert StaffMember.objects.count() == 3


def test_invalid_rows_are_reported_one_by_one_and_nothing_is_written(org, branch_officer):
    # given a person of Shanghai already registered
    person("900001", org.b2s)
    data = xlsx(
        [
            ["", "无工号", "", "一线员工", "", "", ""],
            ["100002", "", "", "一线员工", "", "", ""],
            ["100003", "外分行", "B2-S1", "一线员工", "", "", ""],
            ["100004", "层级未知", "", "宇航员", "", "", ""],
            ["100005", "日期错", "", "一线员工", "", "2026-13-45", ""],
            ["100006", "未来入职", "", "一线员工", "", "2027-01-01", ""],
            ["100007", "状态错", "", "一线员工", "", "", "也许"],
            ["900001", "抢人", "", "一线员工", "", "", ""],
            ["100009", "重复甲", "", "一线员工", "", "", ""],
            ["100009", "重复乙", "", "中层", "", "", ""],
            ["100010", "正常", "", "一线员工", "", "", ""],
            ["100010", "正常", "", "一线员工", "", "", ""],
        ]
    )
    # when validated
    job = run_staff_import(branch_officer, data, org.b1, stage="validate")
    # then every bad row says why, by row number and column
    by_row = {}
    for e in job.errors:
        by_row.setdefault(e["row"], []).append((e["column"], e["message"]))
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    assert by_row[2][0][0] == "工号" and by_row[3][0][0] == "姓名"
    assert "B2-S1" in by_row[4][0][1]
    assert by_row[5][0][0] == "岗位层级" and "宇航员" in by_row[5][0][1]
    assert by_row[6][0][0] == "入职日期" and by_row[7][0][0] == "入职日期"
    assert by_row[8][0][0] == "在职状态"
    assert "outside" in by_row[9][0][1] or "以外" in by_row[9][0][1]
    assert re.search(r"(?<!\d)10(?!\d)", by_row[11][0][1])  # "also on row 10 with other details"
    assert (job.invalid, job.valid_rows, job.duplicates) == (9, 2, 1)
    # an unknown layer is an error to fix in the value table, never a silent default
    assert job.unmapped == {}
    # and the import is refused: nothing written
    with pytest.raises(Conflict):
        from xiaobao.imports.services import import_job_start

        import_job_start(actor=branch_officer, job=job, stage="import")
    assert StaffMember.objects.count() == 1


def test_a_value_table_and_a_default_layer_fix_the_layers(org, branch_officer):
    data = xlsx([["100001", "王芳", "", "大堂经理", "", "", ""], ["100002", "李强", "", "", "", "", ""]])
    # when the mapping maps 大堂经理 to front line and sets new hire as the default layer
    job = run_staff_import(
        branch_officer,
        data,
        org.b1,
        value_maps={"layer": {"大堂经理": "front_line"}},
        layer="new_hire",
    )
    # then
    assert (job.state, job.created) == ("done", 2)
    layers = dict(StaffMember.objects.values_list("employee_no", "layer__code"))
    assert layers == {"100001": "front_line", "100002": "new_hire"}


def test_marking_the_missing_as_left(org, branch_officer):
    # given three people of the branch and one of Shanghai
    person("100001", org.b1o)
    person("100002", org.b1)
    person("100003", org.b1s)
    shanghai = person("900001", org.b2)
    # when a complete register of the branch comes without 100002 and 100003, with the option set
    data = xlsx([["100001", "员工100001", "B1-S1-O1", "一线员工", "", "", ""]])
    job = run_staff_import(branch_officer, data, org.b1, deactivate_missing="1")
    # then they are marked as left; Shanghai's people are not touched
    assert job.state == "done"
    active = dict(StaffMember.objects.values_list("employee_no", "active"))
    assert active == {"100001": True, "100002": False, "100003": False, "900001": True}
    shanghai.refresh_from_db()
    assert shanghai.active


def test_imported_people_are_linked_to_their_accounts(org, branch_officer):
    account = make_user("100001", org.b1o, ["learner"])
    run_staff_import(branch_officer, xlsx([["100001", "王芳", "B1-S1-O1", "一线员工", "", "", ""]]), org.b1)
    assert StaffMember.objects.get(employee_no="100001").user == account


def test_the_kind_needs_the_manage_staff_permission(org, auditor, branch_officer):
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.services import import_job_create
    from xiaobao.training.importing import PRESET_NAME

    kind = kind_of("staff")
    assert kind.permission == "training.manage_staff"
    assert kind in kinds_for(branch_officer) and kind not in kinds_for(auditor)
    with pytest.raises(PermissionDenied):
        import_job_create(
            actor=auditor,
            fileobj=__import__("io").BytesIO(xlsx([])),
            name="x.xlsx",
            preset=ImportPreset.objects.get(name=PRESET_NAME),
            org_unit=org.b1,
        )
    # and another branch's jobs are not visible
    run_staff_import(branch_officer, xlsx([["100001", "王芳", "", "一线员工", "", "", ""]]), org.b1)
    other = make_user("b2_officer", org.b2, ["branch_cp_officer"])
    assert not ImportJob.objects.visible_to(other).exists()
    assert ImportJob.objects.visible_to(branch_officer).count() == 1


def test_a_csv_file_works_too(org, branch_officer):
    data = "工号,姓名,岗位层级\n100001,王芳,一线员工\n".encode("utf-8-sig")
    job = run_staff_import(branch_officer, data, org.b1, name="staff.csv")
    assert (job.state, job.created) == ("done", 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("在职", True),
        ("", True),
        ("1", True),
        (1.0, True),
        ("YES", True),
        ("离职", False),
        ("否", False),
        (0, False),
    ],
)
def test_parse_active(value, expected):
    assert parse_active(value) is expected


def test_parse_active_refuses_other_text():
    with pytest.raises(ValueError):
        parse_active("也许")
