"""Staff register pages: the list (unit picker, layer, status, search, counts, hours against targets), the
form with field errors, marking as left, the export, the import page; the learner sees the own record only."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user
from xiaobao.core.models import AuditEvent
from xiaobao.training.models import StaffMember
from xiaobao.training.tests.test_staff_fixtures import NOW, learner, person, plan, session

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def register(org, hq_officer):
    # given people in both branches, a 4-hour front-line target from head office and one session in Beijing
    plan(org.ho, 2026, hq_officer, front_line="4", middle_management="6")
    people = {
        "a": person("100001", org.b1o, name="王芳"),
        "b": person("100002", org.b1s, "middle_management", name="李强"),
        "c": person("100003", org.b1, name="赵敏", active=False),
        "d": person("900001", org.b2s, name="上海张三"),
    }
    session(org.b1, hq_officer, "2026-02-10", "4", "消保培训", [people["a"], people["b"]])
    return people


def test_the_list_shows_the_branch_with_counts_and_hours(client_for, branch_officer, register):
    # when Beijing's officer opens the register
    response = client_for(branch_officer).get(reverse("training:staff_list"))
    # then Beijing's people only, with counts per layer and each person's hours against their target
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("王芳", "李强", "赵敏"):
        assert name in page
    assert "上海张三" not in page
    assert [r.pk for r in response.context["page"].object_list] == [
        register["c"].pk,
        register["b"].pk,
        register["a"].pk,
    ]
    counts = {c["code"]: (c["n"], c["active"]) for c in response.context["counts"]}
    assert counts == {"middle_management": (1, 1), "front_line": (2, 1)}
    assert (response.context["total"], response.context["active_total"]) == (3, 2)
    rows = {p.employee_no: p for p in response.context["page"].object_list}
    assert (rows["100001"].hours, rows["100001"].target, rows["100001"].met) == (4, 4, True)
    assert (rows["100002"].hours, rows["100002"].target, rows["100002"].met) == (4, 6, False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"unit": "B1-S1"}, {"100001", "100002"}),
        ({"layer": "middle_management"}, {"100002"}),
        ({"active": "0"}, {"100003"}),
        ({"q": "王"}, {"100001"}),
        ({"q": "10000"}, {"100001", "100002", "100003"}),
        ({"unit": "B2"}, set()),  # outside the officer's units: nothing, not Shanghai's people
    ],
)
def test_filters(client_for, branch_officer, register, query, expected):
    response = client_for(branch_officer).get(reverse("training:staff_list"), query)
    assert {p.employee_no for p in response.context["page"].object_list} == expected


def test_an_htmx_filter_gets_the_results_only(client_for, branch_officer, register):
    response = client_for(branch_officer).get(
        reverse("training:staff_list"), {"q": "王"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "王芳" in body and "<html" not in body


def test_a_bad_filter_is_a_400_with_the_reason(client_for, branch_officer, register):
    response = client_for(branch_officer).get(
        reverse("training:staff_list"), {"unit": "NOPE", "year": "1800"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"unit", "year"}


def test_the_list_reads_a_constant_number_of_queries(client_for, branch_officer, register, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(branch_officer)
    c.get(reverse("training:staff_list"))  # warm the session and the caches

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("training:staff_list")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    # when the page fills with 30 more people, each with attendance
    more = [person(f"2{i:05d}", org.b1o) for i in range(30)]
    session(org.b1, branch_officer, "2026-02-20", "2", "补训", more)
    # then the page costs the same queries
    assert count() == few <= 18


def test_adding_a_person_with_field_errors_then_valid(client_for, branch_officer, register, org):
    c = client_for(branch_officer)
    # when the form is sent with a taken number, no name and a unit of another branch
    response = c.post(
        reverse("training:staff_new"),
        {"employee_no": "100001", "name": "", "org_unit": org.b2s.pk, "layer": "front_line"},
    )
    # then the form comes back with the reasons, nothing saved
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"name", "org_unit"} <= set(errors)
    # when corrected (the number is checked by the service)
    response = c.post(
        reverse("training:staff_new"),
        {"employee_no": "100001", "name": "重号", "org_unit": org.b1o.pk, "layer": "front_line"},
    )
    assert response.status_code == 400 and "employee_no" in response.context["form"].errors
    response = c.post(
        reverse("training:staff_new"),
        {
            "employee_no": "100010",
            "name": "新同事",
            "org_unit": org.b1o.pk,
            "layer": "new_hire",
            "hire_date": "2026-02-01",
        },
    )
    staff = StaffMember.objects.get(employee_no="100010")
    assert response.status_code == 302 and response["Location"] == reverse(
        "training:staff_record", args=[staff.pk]
    )
    assert (staff.org_unit, staff.layer.code, str(staff.hire_date)) == (org.b1o, "new_hire", "2026-02-01")


def test_editing_and_marking_as_left(client_for, branch_officer, register, org):
    c = client_for(branch_officer)
    a = register["a"]
    page = c.get(reverse("training:staff_edit", args=[a.pk]))
    assert page.context["form"].initial["layer"] == "front_line"
    response = c.post(
        reverse("training:staff_edit", args=[a.pk]),
        {"employee_no": "100001", "name": "王芳", "org_unit": org.b1s.pk, "layer": "middle_management"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.org_unit, a.layer.code) == (org.b1s, "middle_management")
    # when marked as left, and back
    assert c.get(reverse("training:staff_deactivate", args=[a.pk])).status_code == 200
    c.post(reverse("training:staff_deactivate", args=[a.pk]), {"active": "0"})
    a.refresh_from_db()
    assert not a.active
    c.post(reverse("training:staff_deactivate", args=[a.pk]), {"active": "1"})
    a.refresh_from_db()
    assert a.active


def test_another_branch_cannot_reach_a_person(client_for, other_branch_officer, register):
    c = client_for(other_branch_officer)
    pk = register["a"].pk
    for name in ("training:staff_record", "training:staff_edit", "training:staff_deactivate"):
        assert c.get(reverse(name, args=[pk])).status_code == 404


def test_the_auditor_reads_but_does_not_edit(client_for, auditor, register):
    c = client_for(auditor)
    pk = register["a"].pk
    assert c.get(reverse("training:staff_record", args=[pk])).status_code == 200
    assert c.get(reverse("training:staff_edit", args=[pk])).status_code == 403
    assert c.get(reverse("training:staff_new")).status_code == 403
    assert c.get(reverse("training:staff_import")).status_code == 403
    page = c.get(reverse("training:staff_list")).content.decode()
    assert reverse("training:staff_new") not in page


def test_the_export_is_the_filtered_register_with_hours_and_is_audited(client_for, branch_officer, register):
    response = client_for(branch_officer).get(reverse("training:staff_export"), {"layer": "front_line"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 3  # header + 王芳 + 赵敏
    by_no = {r[0]: r for r in rows[1:]}
    assert set(by_no) == {"100001", "100003"}
    assert by_no["100001"][1] == "王芳" and by_no["100001"][9] == 4 and by_no["100001"][10] == 4
    assert AuditEvent.objects.filter(action="export", object_type="training.staffmember").exists()


def test_the_import_page_and_template(client_for, branch_officer, register):
    c = client_for(branch_officer)
    page = c.get(reverse("training:staff_import"))
    assert page.status_code == 200 and "kind=staff" in page.content.decode()
    template = c.get(reverse("training:staff_import_template"))
    wb = load_workbook(io.BytesIO(template.content))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers == ["工号", "姓名", "机构代码", "岗位层级", "岗位", "入职日期", "在职状态"]
    assert wb.worksheets[1].max_row == 8  # one line per column, explained
    # and the upload form offers the staff preset for the kind
    upload = c.get(reverse("imports:create") + "?kind=staff")
    assert upload.status_code == 200 and "员工名册" in upload.content.decode()


def test_the_learner_sees_the_own_record_and_nothing_of_the_register(client_for, org, register):
    # given a learner linked to 王芳 (employee number = username)
    user = learner("100001", org.b1o)
    c = client_for(user)
    # when / then
    response = c.get(reverse("training:my_record"))
    assert response.status_code == 200
    assert response.context["record"].staff == register["a"]
    assert "消保培训" in response.content.decode()
    assert c.get(reverse("training:my_record_export")).status_code == 200
    for name, args in [
        ("training:staff_list", []),
        ("training:staff_new", []),
        ("training:staff_export", []),
        ("training:staff_import", []),
        ("training:staff_import_template", []),
        ("training:staff_record", [register["a"].pk]),
        ("training:staff_record_export", [register["a"].pk]),
        ("training:staff_edit", [register["a"].pk]),
        ("training:staff_deactivate", [register["a"].pk]),
    ]:
        assert c.get(reverse(name, args=args)).status_code == 403, name
    assert c.post(reverse("training:staff_deactivate", args=[register["a"].pk])).status_code == 403
    # the own record page links to no page of the register
    assert reverse("training:staff_list") not in response.content.decode()


def test_a_user_without_an_entry_is_told_why(client_for, org):
    user = learner("nobody_here", org.b1)
    response = client_for(user).get(reverse("training:my_record"))
    assert response.status_code == 200
    assert response.templates[0].name == "training/record_missing.html"
    assert "nobody_here" in response.content.decode()
    assert client_for(user).get(reverse("training:my_record_export")).status_code == 404


def test_a_user_without_any_role_may_not_open_the_own_record(client_for, org):
    user = make_user("plain", org.b1, [])
    assert client_for(user).get(reverse("training:my_record")).status_code == 403
