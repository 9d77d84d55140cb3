"""/api/v1/calendar/: deadlines, a year's special days, overrides, hand-entered years."""

from __future__ import annotations

import pytest
from django.test import Client

from xiaobao.core import workdays
from xiaobao.core.models import AuditEvent, CalendarOverride, CalendarYear

pytestmark = pytest.mark.django_db

BASE = "/api/v1/calendar"


@pytest.fixture(autouse=True)
def _fresh_cache():
    workdays.calendar_invalidate()
    yield
    workdays.calendar_invalidate()


# --- GET /deadline ---------------------------------------------------------------------------------


def test_deadline_anonymous_is_401():
    # given no credentials
    # when
    response = Client().get(f"{BASE}/deadline", {"start": "2025-09-16", "days": 15})
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_deadline_calendar_days_rolls_past_national_day(api_for, branch_officer):
    # given any authenticated user
    api = api_for(branch_officer)
    # when
    response = api.get(f"{BASE}/deadline", {"start": "2025-09-16", "days": 15, "unit": "calendar"})
    # then
    assert response.status_code == 200
    assert response.json() == {"due_date": "2025-10-09", "provisional": False}


def test_deadline_without_roll_forward(api_for, branch_officer):
    # given / when
    response = api_for(branch_officer).get(
        f"{BASE}/deadline", {"start": "2025-09-16", "days": 15, "roll_forward": "false"}
    )
    # then
    assert response.json() == {"due_date": "2025-10-01", "provisional": False}


def test_deadline_working_days_across_tiaoxiu(api_for, auditor):
    # given / when
    response = api_for(auditor).get(f"{BASE}/deadline", {"start": "2025-09-26", "days": 7, "unit": "working"})
    # then
    assert response.json() == {"due_date": "2025-10-13", "provisional": False}


def test_deadline_into_2027_is_provisional(api_for, auditor):
    # given / when
    response = api_for(auditor).get(f"{BASE}/deadline", {"start": "2026-12-20", "days": 30})
    # then
    assert response.json() == {"due_date": "2027-01-19", "provisional": True}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2025-09-16", "days": 15, "unit": "weeks"}, "unit"),
        ({"start": "2025-13-40", "days": 15}, "start"),
        ({"start": "2025-09-16", "days": -1}, "days"),
        ({"start": "2025-09-16", "days": 3651}, "days"),
        ({"days": 5}, "start"),
        ({"start": "1900-01-02", "days": 5, "unit": "working"}, "start"),
    ],
)
def test_deadline_invalid_input_is_422_with_fields(api_for, branch_officer, params, field):
    # given / when
    response = api_for(branch_officer).get(f"{BASE}/deadline", params)
    # then
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


# --- GET /years/{year} -----------------------------------------------------------------------------


def test_year_2026_lists_holidays_and_makeup_days(api_for, branch_officer):
    # given / when
    response = api_for(branch_officer).get(f"{BASE}/years/2026")
    # then
    body = response.json()
    assert response.status_code == 200
    assert (body["year"], body["source"], body["provisional"]) == (2026, "package", False)
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-02-14"]["kind"] == "makeup"
    assert days["2026-10-01"] == {
        "date": "2026-10-01",
        "kind": "holiday",
        "name": "国庆节",
        "is_override": False,
    }
    assert "2026-06-22" not in days


def test_year_2027_is_provisional_until_marked(api_for, hq_officer):
    # given an hq officer
    api = api_for(hq_officer)
    assert api.get(f"{BASE}/years/2027").json()["provisional"] is True
    # when the New Year holiday is entered and the year marked
    api.post(
        f"{BASE}/overrides",
        {"date": "2027-01-01", "is_workday": False, "name": "元旦"},
        content_type="application/json",
    )
    response = api.post(
        f"{BASE}/years",
        {"year": 2027, "source_document": "国办发明电〔2026〕X号"},
        content_type="application/json",
    )
    # then
    assert response.status_code == 201
    body = api.get(f"{BASE}/years/2027").json()
    assert (body["source"], body["provisional"]) == ("manual", False)
    assert body["days"] == [{"date": "2027-01-01", "kind": "holiday", "name": "元旦", "is_override": True}]
    deadline = api.get(f"{BASE}/deadline", {"start": "2026-12-17", "days": 15}).json()
    assert deadline == {"due_date": "2027-01-04", "provisional": False}


def test_year_out_of_range_is_422(api_for, branch_officer):
    assert api_for(branch_officer).get(f"{BASE}/years/3000").status_code == 422


# --- overrides -------------------------------------------------------------------------------------


def test_override_list_filters_by_year(api_for, branch_officer):
    # given two overrides in different years
    CalendarOverride.objects.create(date="2026-06-22", is_workday=False, name="A")
    CalendarOverride.objects.create(date="2027-01-01", is_workday=False, name="B")
    api = api_for(branch_officer)
    # when
    all_rows = api.get(f"{BASE}/overrides").json()
    rows_2027 = api.get(f"{BASE}/overrides", {"year": 2027}).json()
    # then
    assert [r["name"] for r in all_rows] == ["A", "B"]
    assert [r["date"] for r in rows_2027] == ["2027-01-01"]


def test_override_create_anonymous_is_401():
    response = Client().post(
        f"{BASE}/overrides",
        {"date": "2026-06-22", "is_workday": False, "name": "X"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_override_create_without_permission_is_403(api_for, branch_officer):
    # given a branch officer (no core.manage_calendar)
    # when
    response = api_for(branch_officer).post(
        f"{BASE}/overrides",
        {"date": "2026-06-22", "is_workday": False, "name": "X"},
        content_type="application/json",
    )
    # then
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()


def test_override_create_by_hq_officer_takes_effect_and_is_audited(api_for, hq_officer):
    # given
    api = api_for(hq_officer)
    # when
    response = api.post(
        f"{BASE}/overrides",
        {"date": "2026-06-22", "is_workday": False, "name": "特别假日", "source_document": "行发〔2026〕1号"},
        content_type="application/json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["date"], body["is_workday"], body["name"]) == ("2026-06-22", False, "特别假日")
    assert AuditEvent.objects.filter(object_type="core.calendaroverride", action="create").count() == 1
    deadline = api.get(f"{BASE}/deadline", {"start": "2026-06-07", "days": 15}).json()
    assert deadline["due_date"] == "2026-06-23"


def test_override_post_again_replaces_the_same_date(api_for, hq_officer):
    # given an existing override
    api = api_for(hq_officer)
    payload = {"date": "2026-06-22", "is_workday": False, "name": "特别假日"}
    api.post(f"{BASE}/overrides", payload, content_type="application/json")
    # when the same date is posted as a working day
    response = api.post(f"{BASE}/overrides", {**payload, "is_workday": True}, content_type="application/json")
    # then one row, updated, audited as an update
    assert response.status_code == 201
    assert CalendarOverride.objects.get().is_workday is True
    assert AuditEvent.objects.filter(object_type="core.calendaroverride", action="update").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"date": "2026-02-30", "is_workday": False, "name": "X"}, "date"),
        ({"date": "2026-06-22", "is_workday": False, "name": ""}, "name"),
        ({"date": "2026-06-22", "name": "X"}, "is_workday"),
        ({"date": "1800-06-22", "is_workday": False, "name": "X"}, "date"),
    ],
)
def test_override_create_invalid_is_422(api_for, hq_officer, payload, field):
    # given / when
    response = api_for(hq_officer).post(f"{BASE}/overrides", payload, content_type="application/json")
    # then
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert not CalendarOverride.objects.exists()


def test_override_delete(api_for, hq_officer):
    # given
    row = CalendarOverride.objects.create(date="2026-06-22", is_workday=False, name="A")
    # when
    response = api_for(hq_officer).delete(f"{BASE}/overrides/{row.pk}")
    # then
    assert response.status_code == 204
    assert not CalendarOverride.objects.exists()
    assert AuditEvent.objects.filter(
        object_type="core.calendaroverride", action="delete", object_id=str(row.pk)
    ).exists()


def test_override_delete_missing_is_404(api_for, hq_officer):
    response = api_for(hq_officer).delete(f"{BASE}/overrides/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_override_delete_without_permission_is_403(api_for, auditor):
    # given
    row = CalendarOverride.objects.create(date="2026-06-22", is_workday=False, name="A")
    # when
    response = api_for(auditor).delete(f"{BASE}/overrides/{row.pk}")
    # then
    assert response.status_code == 403
    assert CalendarOverride.objects.exists()


# --- POST /years -----------------------------------------------------------------------------------


def test_year_mark_without_permission_is_403(api_for, branch_officer):
    response = api_for(branch_officer).post(
        f"{BASE}/years", {"year": 2027, "source_document": "X"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not CalendarYear.objects.exists()


def test_year_mark_invalid_is_422(api_for, sysadmin):
    response = api_for(sysadmin).post(
        f"{BASE}/years", {"year": 2027, "source_document": ""}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "source_document" in response.json()["fields"]
