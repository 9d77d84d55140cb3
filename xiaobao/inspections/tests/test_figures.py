"""The inspection figures: definitions, scoping (a branch sees its subtree only), drill-down lists that show
what a figure counts, the statistics-page section and the Excel export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from openpyxl import load_workbook

from xiaobao.analytics.periods import Period
from xiaobao.inspections import figures as F
from xiaobao.inspections.models import Finding
from xiaobao.inspections.tests.factories import make_inspection, small_template

pytestmark = pytest.mark.django_db
Q1 = Period.quarter(2026, 1)


def sections(lobby: float, teller: float) -> list[dict]:
    return [
        {"code": "lobby", "name": "大堂", "score": "0", "max_score": "5", "percent": f"{lobby:.2f}"},
        {"code": "teller", "name": "柜员", "score": "0", "max_score": "2", "percent": f"{teller:.2f}"},
    ]


def submitted(unit, handler, template, percent: float, due: str, findings: int = 0, **kw):
    i = make_inspection(
        unit,
        handler,
        template,
        status="submitted",
        due_date=dt.date.fromisoformat(due),
        percent=Decimal(str(percent)),
        score=Decimal(1),
        max_score=Decimal(7),
        section_scores=sections(kw.pop("lobby", percent), kw.pop("teller", percent)),
        submitted_at=dt.datetime.fromisoformat(f"{due}T10:00:00+08:00"),
        **kw,
    )
    for n in range(findings):
        Finding.objects.create(
            inspection=i, org_unit=unit, item_code=f"T{n}", description="未唱收唱付", severity="major"
        )
    return i


def grant(user, *perms: str) -> None:
    """Give the user the permissions directly (the roles grant them once the registry's grants apply)."""
    from django.contrib.auth.models import Permission

    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


@pytest.fixture
def data(org, hq_officer, branch_officer, other_branch_officer):
    """Q1 2026: branch 1 — 3 due (2 submitted: 80 % with 2 findings, 60 % with 1), 1 cancelled;
    branch 2 — 1 submitted 90 % (no finding), 1 planned; Q2: one more in branch 1 (not counted)."""
    for user in (hq_officer, branch_officer, other_branch_officer):
        grant(user, F.VIEW_PERM)
    t = small_template()
    submitted(org.b1o, hq_officer, t, 80, "2026-02-10", findings=2, lobby=100, teller=50)
    submitted(org.b1o, hq_officer, t, 60, "2026-03-20", findings=1, lobby=40, teller=100)
    make_inspection(org.b1o, hq_officer, t, status="planned", due_date=dt.date(2026, 3, 31))
    make_inspection(org.b1s, hq_officer, t, status="cancelled", due_date=dt.date(2026, 3, 1))
    submitted(org.b2s, hq_officer, t, 90, "2026-01-15")
    make_inspection(org.b2s, hq_officer, t, status="planned", due_date=dt.date(2026, 2, 1))
    submitted(org.b1o, hq_officer, t, 10, "2026-04-02", findings=3)
    return t


def test_headline_figures_over_the_whole_institution(data, org, hq_officer):
    # when head office computes Q1 2026
    result = F.compute(user=hq_officer, unit=org.ho, period=Q1, today=dt.date(2026, 4, 10))
    values = {f.key: f.value for f in result.figures}
    # then 5 planned (the cancelled one excepted), 3 done, mean of 80/60/90, 3 findings over 3 inspections
    assert values["planned"] == 5
    assert values["done"] == 3
    assert values["completion"] == pytest.approx(3 / 5)
    assert values["average"] == pytest.approx((80 + 60 + 90) / 3)
    assert values["findings_per_inspection"] == pytest.approx(1.0)


def test_by_unit_rolls_up_to_the_direct_children(data, org, hq_officer):
    result = F.compute(user=hq_officer, unit=org.ho, period=Q1, today=dt.date(2026, 4, 10))
    rows = {r.code: r for r in result.by_unit}
    assert set(rows) == {"B1", "B2"}
    assert (rows["B1"].planned, rows["B1"].done, rows["B1"].findings) == (3, 2, 3)
    assert rows["B1"].average == pytest.approx(70.0)
    assert (rows["B2"].planned, rows["B2"].done, rows["B2"].average) == (2, 1, pytest.approx(90.0))
    assert result.total.planned == 5


def test_by_aspect_is_the_mean_of_each_section(data, org, hq_officer):
    result = F.compute(user=hq_officer, unit=org.ho, period=Q1, today=dt.date(2026, 4, 10))
    aspects = {a.code: a for a in result.by_aspect}
    assert [a.code for a in result.by_aspect] == ["lobby", "teller"]  # checklist order
    assert aspects["lobby"].name == "大堂"
    assert aspects["lobby"].average == pytest.approx((100 + 40 + 90) / 3)
    assert aspects["teller"].average == pytest.approx((50 + 100 + 90) / 3)
    assert aspects["teller"].inspections == 3


def test_a_branch_sees_its_own_subtree_only(data, org, branch_officer, other_branch_officer):
    # when branch 1 analyses its own branch
    mine = F.compute(user=branch_officer, unit=org.b1, period=Q1)
    assert mine.figure("planned").value == 3 and mine.figure("done").value == 2
    # and asks about head office or branch 2 (not in its scope): nothing
    assert F.compute(user=branch_officer, unit=org.ho, period=Q1).figure("planned").value == 0
    assert F.compute(user=branch_officer, unit=org.b2, period=Q1).figure("done").value == 0
    assert F.compute(user=other_branch_officer, unit=org.b2, period=Q1).figure("done").value == 1


def test_without_the_permission_everything_is_empty(data, org, no_role_user):
    result = F.compute(user=no_role_user, unit=org.ho, period=Q1)
    assert result.figure("planned").value == 0 and result.by_unit == [] and result.by_aspect == []
    assert F.stats_section(user=no_role_user, unit=org.ho, period=Q1) is None


def test_the_drill_down_list_shows_exactly_the_rows_counted(data, org, hq_officer, client_for):
    # given the figures of branch 1 and their links
    result = F.compute(user=hq_officer, unit=org.b1, period=Q1)
    client = client_for(hq_officer)
    for key in ("planned", "done"):
        url = result.figure(key).url
        params = parse_qs(urlparse(url).query)
        assert params["unit"] == ["B1"] and params["date_from"] == ["2026-01-01"]
        # when the list behind the figure is opened
        response = client.get(url)
        # then it shows as many inspections as the figure counts (cancelled ones appear under "planned"
        # only when they are counted: the planned list is every status, so compare with status filter)
        rows = response.content.decode().count('data-testid="inspection-row"')
        expected = result.figure(key).value + (1 if key == "planned" else 0)  # + the cancelled one
        assert response.status_code == 200 and rows == expected


def test_queries_do_not_grow_with_units(data, org, hq_officer, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        F.compute(user=hq_officer, unit=org.ho, period=Q1)


def test_the_registry_figures_take_the_users_scope(data, org, branch_officer):
    got = {f.key: f.value for f in F.figures(branch_officer, Q1.start, Q1.end)}
    assert got["planned"] == 3 and got["done"] == 2


@time_machine.travel("2026-04-10 10:00 +0800", tick=False)
def test_the_statistics_page_shows_the_inspection_section(data, org, hq_officer, client_for):
    response = client_for(hq_officer).get("/statistics/", {"period": "2026-Q1", "unit": "HO"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="inspection-figures"' in html and 'data-testid="insp-done"' in html
    assert 'data-value="3"' in html
    assert "inspection-charts" in html and "/inspections/?" in html


@time_machine.travel("2026-04-10 10:00 +0800", tick=False)
def test_the_statistics_page_has_no_section_without_the_permission(data, org, client_for):
    from conftest import make_user

    user = make_user("complaints_only", org.ho, ["complaint_handler"])
    response = client_for(user).get("/statistics/", {"period": "2026-Q1"})
    assert response.status_code in (200, 403)
    assert 'data-testid="inspection-figures"' not in response.content.decode()


def test_excel_export_of_the_figures(data, org, hq_officer, client_for):
    response = client_for(hq_officer).get("/inspections/figures/export/", {"period": "2026-Q1", "unit": "B1"})
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert len(wb.sheetnames) == 3
    head = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(values_only=True)}
    assert head[str(F.HEADLINE[1][1])] == 2  # done in branch 1
    units = list(wb.worksheets[1].iter_rows(values_only=True))
    assert units[1][0] == "B1-S1" and units[-1][2] == 3  # the sub-branch, then the total planned


def test_excel_export_refuses_a_bad_period_and_an_unknown_unit(data, org, branch_officer, client_for):
    client = client_for(branch_officer)
    bad = client.get("/inspections/figures/export/", {"period": "2026-Q9"})
    assert bad.status_code == 400 and "period" in bad.content.decode()
    assert client.get("/inspections/figures/export/", {"unit": "B2", "period": "2026-Q1"}).status_code == 404
