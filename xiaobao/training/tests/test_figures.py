"""Training and exam figures (`training.figures`, `exams.figures`) on the fixed set of
test_figures_fixtures.py: head office, a branch, scope, the registry's figures, the Excel export."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from openpyxl import load_workbook

from conftest import make_user
from xiaobao.analytics.periods import Period
from xiaobao.casework import registry
from xiaobao.core.models import AuditEvent
from xiaobao.exams import figures as exam_figures
from xiaobao.training.figures import compute, figures
from xiaobao.training.tests.test_figures_fixtures import NOW, build_training_set
from xiaobao.training.views_figures import figures_export

MARCH = Period.month(2026, 3)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False), translation.override("zh-hans"):
        yield


@pytest.fixture
def tset(org):
    return build_training_set(org)


def _row(rows, key):
    return next(r for r in rows if r.key == key)


def test_head_office_march_headline_and_sentence(tset, hq_officer):
    # given / when
    data = compute(user=hq_officer, unit=tset.org.ho, period=MARCH)
    # then the banks' sentence and the totals
    assert data.sentence == "开展培训 3 场、覆盖 9 人次、考试 2 场、通过率 75%"
    t = data.total
    assert (t.sessions, float(t.session_hours), t.external_sessions, t.online_sessions) == (3, 7.0, 1, 1)
    assert (t.person_times, t.trained, float(t.attended_hours), t.headcount) == (9, 7, 22.0, 7)
    assert (t.coverage_people, t.covered) == (5, 3) and t.coverage == pytest.approx(0.6)
    e = t.exam
    assert (e.exams, e.contests, e.practice, e.candidates, e.examined, e.attempts, e.passed) == (
        2,
        1,
        1,
        6,
        4,
        5,
        3,
    )
    assert e.pass_rate == pytest.approx(0.75)
    assert e.average_score == pytest.approx((80 + 40 + 90 + 70) / 4)
    assert data.figure("pass_rate").value == pytest.approx(0.75)
    assert data.figure("coverage").value == pytest.approx(0.6)


def test_head_office_by_unit_layer_and_kind(tset, hq_officer):
    # given / when
    data = compute(user=hq_officer, unit=tset.org.ho, period=MARCH)
    # then by the head office's direct children
    assert [r.key for r in data.by_unit] == ["B1", "B2", "HO-CPD"]
    b1, b2, cpd = (_row(data.by_unit, k).tally for k in ("B1", "B2", "HO-CPD"))
    assert (b1.sessions, b1.headcount, b1.trained, b1.person_times, float(b1.attended_hours)) == (
        1,
        4,
        4,
        5,
        11.0,
    )
    assert (b1.coverage_people, b1.covered) == (3, 2)
    assert (b1.exam.exams, b1.exam.candidates, b1.exam.examined, b1.exam.passed) == (1, 5, 3, 3)
    assert (b2.sessions, b2.person_times, b2.coverage_people, b2.covered) == (1, 3, 2, 1)
    assert (b2.exam.examined, b2.exam.passed, b2.exam.pass_rate) == (1, 0, 0.0)
    assert (cpd.sessions, cpd.person_times, cpd.exam.exams, cpd.exam.practice) == (1, 1, 1, 1)
    # the drill-down opens the statistics page for the child unit
    assert "/statistics/?unit=B1&period=2026-03#training-figures" in _row(data.by_unit, "B1").urls["drill"]
    # by position layer (code table order), the examined candidate without a staff entry on a row of its own
    assert [r.key for r in data.by_layer] == [
        "senior_management",
        "middle_management",
        "front_line",
        "new_hire",
        "",
    ]
    front = _row(data.by_layer, "front_line").tally
    assert (front.headcount, front.trained, front.person_times, front.coverage_people, front.covered) == (
        3,
        3,
        5,
        3,
        3,
    )
    assert (front.exam.examined, front.exam.passed, front.exam.candidates) == (2, 1, 3)
    middle = _row(data.by_layer, "middle_management").tally
    assert (middle.coverage_people, middle.covered, middle.exam.examined, middle.exam.passed) == (2, 0, 1, 1)
    assert _row(data.by_layer, "").tally.exam.examined == 1
    # sessions by kind with the attendance at them
    kinds = {k.key: (k.sessions, float(k.hours), k.external, k.online, k.person_times) for k in data.by_kind}
    assert kinds == {"lecture": (2, 5.0, 1, 0, 5), "case_study": (1, 2.0, 0, 1, 4)}


def test_branch_officer_counts_the_own_subtree_only(tset, branch_officer):
    # given the Beijing officer; when
    data = compute(user=branch_officer, unit=tset.org.b1, period=MARCH)
    # then only Beijing's session and exam; its people's attendance and results at head-office sessions and
    # exams count for it
    assert data.sentence == "开展培训 1 场、覆盖 5 人次、考试 1 场、通过率 100%"
    assert [r.key for r in data.by_unit] == ["B1-S1", "B1"]  # the sub-branch, then the branch's own people
    own = _row(data.by_unit, "B1").tally
    assert (own.headcount, own.person_times, own.exam.examined) == (2, 2, 2)
    assert "（本级）" in _row(data.by_unit, "B1").name


def test_no_figures_without_permission_or_outside_the_scope(tset, branch_officer, org):
    # given a member of staff without training permissions, a learner, and Beijing's officer asking for B2
    nobody = make_user("fig_nobody", org.b1, [])
    # when / then everything is empty
    for user, unit in ((nobody, org.b1), (tset.learner, org.b1s), (branch_officer, org.b2)):
        data = compute(user=user, unit=unit, period=MARCH)
        assert data.total.sessions == data.total.person_times == data.total.exam.examined == 0
        assert data.by_unit == [] and not data.exams_shown


def test_exam_figures_need_the_exams_permission(tset, org):
    # given a user who sees training but not exams
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    user = make_user("fig_training_only", org.cpd, [])
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="training", codename="view_training"),
        Permission.objects.get(content_type__app_label="core", codename="view_all_units"),
    )
    user = User.objects.get(pk=user.pk)
    # when
    data = compute(user=user, unit=org.ho, period=MARCH)
    # then the training part only, and the sentence says nothing about exams
    assert data.total.sessions == 3 and data.total.exam.examined == 0 and not data.exams_shown
    assert data.sentence == "开展培训 3 场、覆盖 9 人次"
    assert "pass_rate" not in {f.key for f in data.figures}


def test_queries_do_not_grow_with_the_data(tset, hq_officer, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiaobao.training.tests.test_figures_fixtures import attempt, exam, invite, session, staff

    # given the queries for March
    hq_officer.has_perm("training.view_training")  # permissions loaded once
    with CaptureQueriesContext(connection) as before:
        compute(user=hq_officer, unit=org.ho, period=MARCH)
    # when more people, sessions, attendance, exams and attempts are added in more units
    people = [
        staff(f"X{i:03d}", unit, "front_line") for i, unit in enumerate([org.b1o, org.b2s, org.cpd] * 4)
    ]
    for day in ("2026-03-03", "2026-03-17", "2026-03-24"):
        session(org.b2, tset.actor, day, "1.5", f"加开 {day}", people)
    e = exam(org.b2, tset.actor, "加考", "2026-03-27 09:00", "2026-03-28 18:00")
    invite(e, tset.u_f3, tset.u_x)
    attempt(e, tset.u_f3, 1, 95, start="2026-03-27 10:00")
    with CaptureQueriesContext(connection) as after:
        data = compute(user=hq_officer, unit=org.ho, period=MARCH)
    # then the same number of (grouped) queries, not one more
    assert data.total.person_times == 9 + 3 * 12 and data.total.exam.examined == 5
    # (PostgreSQL: coverage's statement runs in a savepoint with SET LOCAL work_mem and jit: 4 more per call)
    assert len(after) == len(before) <= (32 if connection.vendor == "postgresql" else 24)


def test_registry_figures_of_each_module(tset, hq_officer):
    # given the declarations
    training = next(r.module for r in registry.modules() if r.label == "training")
    exams = next(r.module for r in registry.modules() if r.label == "exams")
    # when the registry's callables run for March
    t = {f.key: f.value for f in registry.resolve(training.figures)(hq_officer, MARCH.start, MARCH.end)}
    e = {f.key: f.value for f in registry.resolve(exams.figures)(hq_officer, MARCH.start, MARCH.end)}
    # then training's are training's, exams' are exams'
    assert registry.resolve(training.figures) is figures
    assert registry.resolve(exams.figures) is exam_figures.figures
    assert t["sessions"] == 3 and t["person_times"] == 9 and "pass_rate" not in t
    assert e["exams"] == 2 and e["pass_rate"] == pytest.approx(0.75) and e["candidates"] == 6


def _export(user, **params):
    request = RequestFactory().get("/training/figures/export.xlsx", params)
    request.user = user
    return figures_export(request)


def test_export_workbook_has_the_figures_units_layers_and_kinds(tset, hq_officer):
    # given / when
    response = _export(hq_officer, unit="HO", period="2026-03")
    # then a workbook of four sheets with the figures, audited
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="training-HO-2026-03.xlsx"'
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["培训与考试数据", "按机构", "按岗位层级", "按培训形式"]
    head = {row[0]: row[1] for row in wb["培训与考试数据"].iter_rows(min_row=2, values_only=True)}
    assert head["开展培训场次"] == 3 and head["考试通过率"] == 0.75
    assert head["文字表述"] == "开展培训 3 场、覆盖 9 人次、考试 2 场、通过率 75%"
    units = list(wb["按机构"].iter_rows(values_only=True))
    assert [r[0] for r in units[1:]] == ["B1", "B2", "HO-CPD", None]  # and the total row
    assert units[-1][1] == "合计" and units[-1][7] == 9  # person-times
    assert AuditEvent.objects.filter(object_type="training.figures").count() == 1


def test_export_refuses_a_unit_outside_the_scope_and_a_bad_period(tset, branch_officer, org):
    # given the Beijing officer
    # when / then Shanghai is not found; a bad period names the field
    with pytest.raises(Http404):
        _export(branch_officer, unit="B2", period="2026-03")
    response = _export(branch_officer, unit="B1", period="March")
    assert response.status_code == 400 and b"period" in response.content


def test_export_needs_the_training_permission(tset, org):
    # given a learner
    # when / then
    with pytest.raises(PermissionDenied):
        _export(tset.learner, unit="B1", period="2026-03")


def test_drill_down_links_open_the_lists_filtered_to_what_is_counted(tset, hq_officer):
    from xiaobao.training.figures import links

    # given March, the year 2026 and its first quarter
    # when
    march = compute(user=hq_officer, unit=tset.org.ho, period=MARCH)
    b1 = _row(march.by_unit, "B1").urls
    year = links("B1", Period.year(2026))
    quarter = links("B1", Period.quarter(2026, 1))
    # then the sessions list by unit, year and month; the coverage page by unit and year; the register with
    # each person's hours only for a whole year; no sessions link where no list filter says "a quarter"
    assert b1["sessions"] == "/training/sessions/?unit=B1&year=2026&month=3"
    assert b1["coverage"] == "/training/coverage/?unit=B1&year=2026"
    assert "attendance" not in b1
    assert march.figure("sessions").url == "/training/sessions/?unit=HO&year=2026&month=3"
    assert year["sessions"] == "/training/sessions/?unit=B1&year=2026"
    assert year["attendance"] == "/training/staff/?unit=B1&active=1&year=2026"
    assert "sessions" not in quarter and quarter["coverage"] == "/training/coverage/?unit=B1&year=2026"
    front = _row(march.by_layer, "front_line").urls
    assert front["staff"] == "/training/staff/?unit=HO&layer=front_line&active=1&year=2026"
