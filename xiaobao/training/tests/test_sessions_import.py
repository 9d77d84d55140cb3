"""A session's sign-in list imported from Excel or CSV: every row checked, problems reported row by row, all
or nothing (training/attendance_import.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xiaobao.core.models import AuditEvent
from xiaobao.training.attendance_import import import_signin_list, template_workbook
from xiaobao.training.models import Attendance
from xiaobao.training.tests.test_sessions_fixtures import attend, person, pinned, session, signin_list

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_pinned")]


@pytest.fixture
def _pinned():
    with pinned():
        yield


@pytest.fixture
def room(org, branch_officer):
    """A 2 h session of the sub-branch; four people of its register, one of the branch above, one who left."""
    s = session(org.b1s, branch_officer, "2026-03-02", "2.0")
    people = {n: person(n, org.b1s) for n in ("S1", "S2", "S3")}
    people["O1"] = person("O1", org.b1o)
    people["UP"] = person("UP", org.b1)
    people["GONE"] = person("GONE", org.b1s, active=False)
    return s, people


def test_a_clean_list_is_recorded(room, branch_officer):
    s, _ = room
    attend(s, _["S3"])  # signed on the QR page already
    file = signin_list(
        [["S1", "员工S1", ""], ["O1", "员工 O1", "1.5"], ["S3", "员工S3", ""], ["S1", "员工S1", ""]]
    )
    result = import_signin_list(actor=branch_officer, session=s, file=file)
    assert (result.ok, result.rows, result.added, result.already) == (True, 4, 2, 2)
    rows = dict(Attendance.objects.filter(method="import").values_list("staff__employee_no", "hours"))
    assert rows == {"S1": Decimal("2.0"), "O1": Decimal("1.5")}
    assert AuditEvent.objects.filter(action="import", object_type="training.trainingsession").exists()


def test_every_problem_is_reported_by_row_and_nothing_is_recorded(room, branch_officer):
    s, _ = room
    file = signin_list(
        [
            ["S1", "员工S1", ""],  # fine
            ["", "无工号", ""],
            ["NOBODY", "查无此人", ""],
            ["GONE", "员工GONE", ""],
            ["UP", "员工UP", ""],  # works above the session's unit
            ["S2", "张冠李戴", ""],
            ["S3", "员工S3", "3"],  # more than the session's 2 h
            ["S3", "", ""],
        ]
    )
    result = import_signin_list(actor=branch_officer, session=s, file=file)
    assert not result.ok and result.added == 0
    got = [(e.line, e.column, e.message) for e in result.errors]
    assert got == [
        (3, "工号", "请填写工号。"),
        (4, "工号", "员工名册中无此工号。"),
        (5, "工号", "员工名册中已标记为离职。"),
        (6, "工号", "该员工属于北京分行，不属于海淀支行。"),
        (7, "姓名", "员工名册中该工号对应的姓名不同。"),
        (8, "学时", "须在 0.1 至 2.0 之间。"),
        (9, "姓名", "请填写姓名。"),
    ]
    assert not Attendance.objects.exists()


def test_english_headers_csv_and_gb18030(room, branch_officer):
    s, _ = room
    csv = "Employee number,Name,Hours\nS1,员工S1,1\nS2,员工S2,\n".encode("gb18030")
    result = import_signin_list(actor=branch_officer, session=s, file=SimpleUploadedFile("list.csv", csv))
    assert result.ok and result.added == 2
    assert Attendance.objects.get(staff__employee_no="S1").hours == Decimal("1.0")


def test_a_file_without_the_columns_or_not_a_table_is_refused(room, branch_officer):
    s, _ = room
    with pytest.raises(ValidationError) as exc:
        import_signin_list(actor=branch_officer, session=s, file=signin_list([["S1"]], headers=("工号",)))
    assert "缺少：姓名" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        import_signin_list(
            actor=branch_officer, session=s, file=SimpleUploadedFile("x.xlsx", b"\x00\x01binary")
        )


def test_the_import_page_shows_the_report(client_for, room, branch_officer, other_branch_officer):
    s, _ = room
    client = client_for(branch_officer)
    bad = client.post(
        f"/training/sessions/{s.pk}/attendance/import/", {"file": signin_list([["NOBODY", "某人", ""]])}
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and "NOBODY" in body and "员工名册中无此工号" in body
    ok = client.post(
        f"/training/sessions/{s.pk}/attendance/import/", {"file": signin_list([["S1", "员工S1", ""]])}
    )
    assert ok.status_code == 302 and Attendance.objects.count() == 1
    other = client_for(other_branch_officer).post(
        f"/training/sessions/{s.pk}/attendance/import/", {"file": signin_list([["S2", "员工S2", ""]])}
    )
    assert other.status_code == 404 and Attendance.objects.count() == 1


def test_the_template_reads_back(client_for, org, branch_officer):
    from xiaobao.imports.readers import read_table, sniff

    content = client_for(branch_officer).get("/training/sessions/sign-in-list.xlsx").content
    assert content == template_workbook()
    table = read_table(content, *sniff(content))
    assert table.headers == ["工号", "姓名", "学时"]
