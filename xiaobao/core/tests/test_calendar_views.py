"""The calendar page, its override / year forms and the deadline calculator."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xiaobao.core import workdays
from xiaobao.core.models import AuditEvent, CalendarOverride, CalendarYear

pytestmark = pytest.mark.django_db

PAGE = reverse("core:calendar")
CREATE = reverse("core:calendar_override_create")
MARK = reverse("core:calendar_year_mark")


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.calendar_invalidate()
    yield
    workdays.calendar_invalidate()


# --- the page --------------------------------------------------------------------------------------


def test_anonymous_is_redirected_to_login():
    # given / when
    response = Client().get(PAGE)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_branch_officer_sees_the_grid_without_the_forms(client_for, branch_officer):
    # given a user without core.manage_calendar
    # when
    response = client_for(branch_officer).get(PAGE, {"year": 2026})
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="year-grid"' in html
    assert 'class="holiday" data-date="2026-10-01" title="国庆节"' in html
    assert 'class="makeup" data-date="2026-02-14"' in html
    assert 'data-testid="override-form"' not in html
    assert 'data-testid="year-form"' not in html
    assert 'data-testid="provisional-warning"' not in html


def test_year_without_data_shows_the_provisional_warning(client_for, hq_officer):
    # given / when
    response = client_for(hq_officer).get(PAGE, {"year": 2027})
    # then
    html = response.content.decode()
    assert 'data-testid="provisional-warning"' in html
    assert 'data-testid="override-form"' in html
    assert 'data-testid="year-form"' in html


@pytest.mark.parametrize("raw", ["abc", "99999", "-1", ""])
def test_unusable_year_parameter_falls_back_to_this_year(client_for, branch_officer, raw):
    # given the clock in Shanghai on 2026-03-01
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        # when
        response = client_for(branch_officer).get(PAGE, {"year": raw})
    # then
    assert response.status_code == 200
    assert response.context["year"] == 2026


def test_override_is_marked_on_the_grid_and_listed(client_for, branch_officer):
    # given
    CalendarOverride.objects.create(date=dt.date(2026, 6, 22), is_workday=False, name="特别假日")
    # when
    html = client_for(branch_officer).get(PAGE, {"year": 2026}).content.decode()
    # then
    assert 'class="holiday override" data-date="2026-06-22" title="特别假日"' in html
    assert "<td>特别假日</td>" in html


# --- deadline calculator ---------------------------------------------------------------------------


def test_calculator_without_js_renders_the_page_with_the_result(client_for, branch_officer):
    # given / when
    response = client_for(branch_officer).get(
        PAGE, {"calc": "1", "start": "2025-09-16", "days": "15", "unit": "calendar", "roll_forward": "on"}
    )
    # then
    assert response.status_code == 200
    assert response.context["result"].due_date == dt.date(2025, 10, 9)
    assert "2025-10-09" in response.content.decode()


def test_calculator_htmx_renders_the_partial_only(client_for, branch_officer):
    # given an HTMX request for a working-day deadline
    # when
    response = client_for(branch_officer).get(
        PAGE, {"calc": "1", "start": "2025-09-26", "days": "7", "unit": "working"}, HTTP_HX_REQUEST="true"
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="calculator">' in html
    assert "2025-10-13" in html
    assert "year-grid" not in html


def test_calculator_unchecked_roll_forward_keeps_the_holiday(client_for, branch_officer):
    response = client_for(branch_officer).get(
        PAGE, {"calc": "1", "start": "2025-09-16", "days": "15", "unit": "calendar"}
    )
    assert response.context["result"].due_date == dt.date(2025, 10, 1)


def test_calculator_provisional_and_invalid_input(client_for, branch_officer):
    # given
    client = client_for(branch_officer)
    # when
    provisional = client.get(PAGE, {"calc": "1", "start": "2026-12-20", "days": "30", "unit": "calendar"})
    invalid = client.get(PAGE, {"calc": "1", "start": "nope", "days": "-3", "unit": "weeks"})
    # then
    assert provisional.context["result"].provisional is True
    assert invalid.status_code == 200
    assert invalid.context["result"] is None
    assert set(invalid.context["calc_form"].errors) == {"start", "days", "unit"}


# --- overrides -------------------------------------------------------------------------------------


def test_hq_officer_adds_an_override(client_for, hq_officer):
    # given
    data = {"date": "2026-06-22", "is_workday": "0", "name": "特别假日", "source_document": "行发〔2026〕1号"}
    # when
    response = client_for(hq_officer).post(CREATE, data)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?year=2026"
    row = CalendarOverride.objects.get()
    assert (row.date, row.is_workday, row.name) == (dt.date(2026, 6, 22), False, "特别假日")
    assert AuditEvent.objects.filter(object_type="core.calendaroverride", object_id=str(row.pk)).exists()
    assert not workdays.get_calendar().is_workday(dt.date(2026, 6, 22))


def test_override_success_message_is_shown(client_for, hq_officer):
    client = client_for(hq_officer)
    response = client.post(CREATE, {"date": "2027-01-01", "is_workday": "0", "name": "元旦"}, follow=True)
    assert response.status_code == 200
    assert "msg-success" in response.content.decode()


@pytest.mark.parametrize("persona", ["branch_officer", "auditor", "no_role_user"])
def test_override_without_permission_is_403(client_for, request, persona):
    # given a user without core.manage_calendar
    user = request.getfixturevalue(persona)
    # when
    response = client_for(user).post(CREATE, {"date": "2026-06-22", "is_workday": "0", "name": "X"})
    # then
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()


def test_anonymous_post_is_redirected_to_login():
    response = Client().post(CREATE, {"date": "2026-06-22", "is_workday": "0", "name": "X"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date": "2026-02-30", "is_workday": "0", "name": "X"},
        {"date": "2026-06-22", "is_workday": "maybe", "name": "X"},
        {"date": "2026-06-22", "is_workday": "0", "name": ""},
        {"date": "1800-06-22", "is_workday": "0", "name": "X"},
        {"date": "2026-06-22", "is_workday": "0", "name": "X" * 61},
    ],
)
def test_invalid_override_is_400_with_errors_and_nothing_written(client_for, hq_officer, data):
    # given / when
    response = client_for(hq_officer).post(CREATE, data)
    # then
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not CalendarOverride.objects.exists()
    assert not AuditEvent.objects.filter(object_type="core.calendaroverride").exists()


def test_get_on_post_only_views_is_405(client_for, hq_officer):
    client = client_for(hq_officer)
    assert client.get(CREATE).status_code == 405
    assert client.get(MARK).status_code == 405


def test_hq_officer_deletes_an_override(client_for, hq_officer):
    # given
    row = CalendarOverride.objects.create(date=dt.date(2026, 6, 22), is_workday=False, name="A")
    # when
    response = client_for(hq_officer).post(reverse("core:calendar_override_delete", args=[row.pk]))
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?year=2026"
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(object_type="core.calendaroverride", action="delete").exists()


def test_delete_without_permission_is_403_and_missing_is_404(client_for, branch_officer, hq_officer):
    # given
    row = CalendarOverride.objects.create(date=dt.date(2026, 6, 22), is_workday=False, name="A")
    # when
    forbidden = client_for(branch_officer).post(reverse("core:calendar_override_delete", args=[row.pk]))
    missing = client_for(hq_officer).post(reverse("core:calendar_override_delete", args=[999999]))
    # then
    assert forbidden.status_code == 403
    assert missing.status_code == 404
    assert CalendarOverride.objects.exists()


# --- marking a year as entered ---------------------------------------------------------------------


def test_sysadmin_marks_2027_and_it_stops_being_provisional(client_for, sysadmin):
    # given
    client = client_for(sysadmin)
    # when
    response = client.post(MARK, {"year": "2027", "source_document": "国办发明电〔2026〕X号", "note": ""})
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?year=2027"
    assert CalendarYear.objects.get().year == 2027
    assert AuditEvent.objects.filter(object_type="core.calendaryear").exists()
    page = client.get(PAGE, {"year": 2027})
    assert page.context["provisional"] is False
    assert page.context["source"] == "manual"


def test_mark_year_invalid_is_400(client_for, hq_officer):
    response = client_for(hq_officer).post(MARK, {"year": "2027", "source_document": ""})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_mark_year_without_permission_is_403(client_for, branch_officer):
    response = client_for(branch_officer).post(MARK, {"year": "2027", "source_document": "X"})
    assert response.status_code == 403
    assert not CalendarYear.objects.exists()
