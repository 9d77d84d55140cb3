"""The education catalogue and editions: presets, editions with targets, silent outlets, the reminder, pages
and the API (scoping, bad input refused with field errors and nothing stored)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from xiaobao.casework.models import Notification
from xiaobao.core.models import AuditEvent
from xiaobao.core.services.org import org_unit_create
from xiaobao.education import campaigns as svc
from xiaobao.education.models import Activity, Campaign, CampaignEdition, EditionTarget, Topic, Venue

pytestmark = pytest.mark.django_db

DAY = "2026-09-20 10:00 +0800"


@pytest.fixture
def _pinned():
    with time_machine.travel(DAY, tick=False):
        yield


@pytest.fixture
def codes():
    """The presets (a transactional test's flush may have taken them)."""
    month, _c = Campaign.objects.get_or_create(
        code="financial_literacy_month", defaults={"name": "金融知识普及月", "sort_order": 20}
    )
    venue, _v = Venue.objects.get_or_create(code="community", defaults={"name": "进社区", "sort_order": 10})
    return type("Codes", (), {"month": month, "venue": venue})


@pytest.fixture
def outlets(org):
    """Two more outlets in branch 1 (one under the branch directly), one in branch 2."""
    b1o2 = org_unit_create(actor=None, code="B1-S1-O2", name="五道口网点", kind="outlet", parent=org.b1s)
    b1o3 = org_unit_create(actor=None, code="B1-O3", name="西单网点", kind="outlet", parent=org.b1)
    b2o = org_unit_create(actor=None, code="B2-S1-O1", name="陆家嘴网点", kind="outlet", parent=org.b2s)
    return type("Outlets", (), {"b1o2": b1o2, "b1o3": b1o3, "b2o": b2o})


def _edition(org: Any, hq: Any, codes: Any, **over: Any) -> CampaignEdition:
    data = {
        "campaign": codes.month.code,
        "year": 2026,
        "theme": "金融为民 普惠万家",
        "starts_on": dt.date(2026, 9, 1),
        "ends_on": dt.date(2026, 9, 30),
        "report_by": dt.date(2026, 10, 10),
        "org_unit": org.ho.code,
        "targets": [
            {"org_unit": org.b1.code, "activities": 30, "people_reached": 3000, "leaflets": 5000},
            {"org_unit": org.b2.code, "activities": 20, "people_reached": "", "leaflets": 2000},
        ],
        **over,
    }
    return svc.edition_create(actor=hq, data=data)


def _activity(
    unit: Any, edition: Any, user: Any, n: int, status: str = "submitted", venue: Any = None
) -> Activity:
    return Activity.objects.create(
        reference=f"EDC{n:05d}",
        status=status,
        org_unit=unit,
        edition=edition,
        title=f"活动{n}",
        held_on=dt.date(2026, 9, 5),
        venue=venue or Venue.objects.get(code="community"),
        reported_by=user,
        people_reached=10,
        audience_elderly=10,
    )


# --- presets ------------------------------------------------------------------------------------------------


def test_the_catalogue_is_preloaded_in_the_issue_order():
    # given the data migration / when the catalogue is read
    names = list(Campaign.objects.order_by("sort_order").values_list("name", flat=True))
    # then the eight campaigns, the seven venue types (线上 online only) and twelve topics are there
    assert names == [
        "3·15 消费者权益保护教育宣传周",
        "金融知识普及月",
        "金融知识万里行",
        "金融知识进万家",
        "防范非法集资宣传月",
        "金融科技宣传周",
        "金融知识下乡",
        "信用关爱日",
    ]
    assert Venue.objects.count() == 7
    assert list(Venue.objects.filter(online=True).values_list("name", flat=True)) == ["线上"]
    assert Topic.objects.count() == 12
    fraud = set(Topic.objects.filter(fraud=True).values_list("code", flat=True))
    assert {"illegal_fundraising", "telecom_fraud", "pension_fraud", "impersonated_loans"} <= fraud
    assert "deposit_insurance" not in fraud and "credit" not in fraud


# --- catalogue ----------------------------------------------------------------------------------------------


def test_head_office_adds_renames_and_retires_a_topic(hq_officer):
    # when head office adds a topic, renames it and retires it
    t = svc.catalogue_save(
        actor=hq_officer, kind="topic", data={"code": "crypto", "name": "虚拟货币", "fraud": True}
    )
    svc.catalogue_save(actor=hq_officer, kind="topic", obj=t, data={"name": "虚拟货币炒作", "active": False})
    # then the entry keeps its code, has its new name, is retired, and each change is audited
    t.refresh_from_db()
    assert (t.code, t.name, t.fraud, t.active) == ("crypto", "虚拟货币炒作", True, False)
    assert AuditEvent.objects.filter(object_type="education.topic", object_id=str(t.pk)).count() == 2


def test_the_catalogue_refuses_bad_codes_and_branches(hq_officer, power_b1):
    # given a code in use / when it is added again or an odd code is given, or a branch tries
    with pytest.raises(ValidationError) as taken:
        svc.catalogue_save(actor=hq_officer, kind="venue", data={"code": "online", "name": "网上"})
    with pytest.raises(ValidationError) as odd:
        svc.catalogue_save(actor=hq_officer, kind="venue", data={"code": "进 社区", "name": ""})
    with pytest.raises(PermissionDenied):
        svc.catalogue_save(actor=power_b1, kind="venue", data={"code": "street", "name": "街头"})
    # then field errors, and nothing stored
    assert "code" in taken.value.message_dict
    assert set(odd.value.message_dict) == {"code", "name"}
    assert not Venue.objects.filter(code__in=["street", "进 社区"]).exists()


def test_catalogue_pages(client_for, hq_officer, power_b1):
    # when head office adds a campaign through the page
    hq = client_for(hq_officer)
    added = hq.post(
        reverse("education:catalogue_new", args=["campaign"]),
        {"code": "gambling_week", "name": "防范跨境赌博宣传周", "sort_order": "90", "active": "on"},
    )
    bad = hq.post(reverse("education:catalogue_new", args=["campaign"]), {"code": "", "name": ""})
    # then it is listed; a bad form answers 422 with the field errors; a branch may read, not change
    assert added.status_code == 302
    assert "防范跨境赌博宣传周" in hq.get(reverse("education:catalogue")).content.decode()
    assert bad.status_code == 422 and "errorlist" in bad.content.decode()
    branch = client_for(power_b1)
    assert branch.get(reverse("education:catalogue")).status_code == 200
    assert branch.get(reverse("education:catalogue_new", args=["topic"])).status_code == 403
    assert hq.get(reverse("education:catalogue_new", args=["nonsense"])).status_code == 404


# --- editions -----------------------------------------------------------------------------------------------


def test_head_office_opens_an_edition_with_targets(org, hq_officer, codes):
    # when head office opens the 2026 普及月 with targets for the two branches
    e = _edition(org, hq_officer, codes)
    # then the edition and its targets are stored (an empty number is 0) and audited
    rows = {t.org_unit.code: (t.activities, t.people_reached, t.leaflets) for t in e.targets.all()}
    assert rows == {"B1": (30, 3000, 5000), "B2": (20, 0, 2000)}
    assert AuditEvent.objects.filter(object_type="education.campaignedition", action="create").exists()
    assert AuditEvent.objects.filter(object_type="education.campaignedition", action="update").exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"ends_on": dt.date(2026, 8, 1)}, "ends_on"),
        ({"report_by": dt.date(2026, 8, 1)}, "report_by"),
        ({"starts_on": dt.date(2025, 9, 1), "ends_on": dt.date(2025, 9, 30)}, "starts_on"),
        ({"campaign": "nope"}, "campaign"),
        ({"org_unit": "B1-S1"}, "org_unit"),
        ({"targets": [{"org_unit": "B1", "activities": -1}]}, "targets.0.activities"),
        ({"targets": [{"org_unit": "NOPE", "activities": 1}]}, "targets.0.org_unit"),
        ({"year": 1999}, "year"),
        ({"remind_days": 61}, "remind_days"),
        ({"remind_days": "soon"}, "remind_days"),
    ],
)
def test_bad_editions_are_refused_with_field_errors(org, hq_officer, codes, over, field):
    # when an edition with a bad field is opened
    with pytest.raises(ValidationError) as exc:
        _edition(org, hq_officer, codes, **over)
    # then the field is named and nothing is stored
    assert field in exc.value.message_dict
    assert not CampaignEdition.objects.exists() and not EditionTarget.objects.exists()


def test_one_edition_per_campaign_and_year(org, hq_officer, codes):
    _edition(org, hq_officer, codes)
    with pytest.raises(ValidationError) as exc:
        _edition(org, hq_officer, codes)
    assert "year" in exc.value.message_dict
    assert CampaignEdition.objects.count() == 1


def test_a_branch_reads_head_offices_edition_but_cannot_change_it(org, hq_officer, branch_officer, codes):
    # given head office's edition
    e = _edition(org, hq_officer, codes)
    branch = make_user("b1_edu_manager", org.b1, ["branch_cp_officer"])
    # then the branch sees it, with its own branch's target only
    assert svc.edition_detail(branch_officer, e.pk) == e
    assert list(svc.targets_by_unit(branch_officer, e)) == [org.b1.pk]
    # and may not change it (no manage permission; and the organiser is above them)
    with pytest.raises(PermissionDenied):
        svc.edition_update(actor=branch, edition=e, data={"theme": "x"})


def test_targets_are_updated_and_removed(org, hq_officer, codes):
    e = _edition(org, hq_officer, codes)
    # when B1's target changes and B2's row is emptied
    svc.edition_update(
        actor=hq_officer,
        edition=e,
        data={"targets": [{"org_unit": "B1", "activities": 40}, {"org_unit": "B2", "activities": ""}]},
    )
    # then B1 has only the new numbers and B2 has none
    rows = {t.org_unit.code: (t.activities, t.people_reached) for t in e.targets.all()}
    assert rows == {"B1": (40, 0)}


def test_the_year_of_an_edition_with_activities_cannot_change(org, hq_officer, codes):
    e = _edition(org, hq_officer, codes)
    _activity(org.b1o, e, hq_officer, 1)
    with pytest.raises(ValidationError) as exc:
        svc.edition_update(actor=hq_officer, edition=e, data={"year": 2027, "starts_on": dt.date(2027, 9, 1)})
    assert "year" in exc.value.message_dict


# --- silent outlets and the reminder ---------------------------------------------------------------------


def test_silent_outlets_per_viewer_and_deadline(
    org, hq_officer, branch_officer, other_branch_officer, codes, outlets
):
    # given the edition and one activity (of any status) at 中关村 and one at branch 2's outlet
    e = _edition(org, hq_officer, codes)
    _activity(org.b1o, e, hq_officer, 1, status="returned")
    _activity(outlets.b2o, e, hq_officer, 2, status="approved")
    # when head office, branch 1 and branch 2 look on 2026-09-20 (20 days before the deadline)
    hq = svc.silent_outlets(hq_officer, e, dt.date(2026, 9, 20))
    b1 = svc.silent_outlets(branch_officer, e, dt.date(2026, 10, 5))
    b2 = svc.silent_outlets(other_branch_officer, e, dt.date(2026, 10, 11))
    # then each sees the outlets of their subtree with no activity, and how close the deadline is
    assert {o.code for o in hq.outlets} == {"B1-S1-O2", "B1-O3"}
    assert (hq.total, hq.reported, hq.state) == (4, 2, "open")
    assert {o.code for o in b1.outlets} == {"B1-S1-O2", "B1-O3"} and (b1.total, b1.state, b1.days_left) == (
        3,
        "due_soon",
        5,
    )
    assert (b2.outlets, b2.total, b2.state) == ([], 1, "overdue")


def test_the_reminder_tells_branch_officers_once_a_day(
    org, hq_officer, branch_officer, other_branch_officer, codes, outlets
):
    # given the edition due 2026-10-10; branch 2's only outlet has reported, branch 1's have not
    e = _edition(org, hq_officer, codes)
    _activity(outlets.b2o, e, hq_officer, 1)
    tz = dt.timezone(dt.timedelta(hours=8))
    # when the sweep runs too early, then twice within the window, then the next day
    early = svc.periodic_reminder(now=dt.datetime(2026, 9, 20, 9, tzinfo=tz))
    first = svc.periodic_reminder(now=dt.datetime(2026, 10, 5, 9, tzinfo=tz))
    again = svc.periodic_reminder(now=dt.datetime(2026, 10, 5, 15, tzinfo=tz))
    next_day = svc.periodic_reminder(now=dt.datetime(2026, 10, 6, 9, tzinfo=tz))
    # then nothing before the window; branch 1's officer is told once a day; branch 2's never
    assert early.told == 0 and first.told == 1 and again.told == 0 and next_day.told == 1
    notes = Notification.objects.filter(user=branch_officer)
    assert notes.count() == 2 and "3" in notes.first().message
    assert not Notification.objects.filter(user=other_branch_officer).exists()


def test_an_edition_sets_its_own_reminder_window(
    org, hq_officer, branch_officer, codes, outlets, client_for, _pinned
):
    # given the month-long 普及月 reminding 20 days ahead, due 2026-10-10
    e = _edition(org, hq_officer, codes, remind_days=20)
    tz = dt.timezone(dt.timedelta(hours=8))
    # when the sweep runs 21 and 15 days before (outside the default 7-day window), and state is read
    before = svc.periodic_reminder(now=dt.datetime(2026, 9, 19, 9, tzinfo=tz))
    inside = svc.periodic_reminder(now=dt.datetime(2026, 9, 25, 9, tzinfo=tz))
    # then the branch is told from the edition's own window, and the page says "due soon" then
    assert (before.told, inside.told) == (0, 1)
    assert svc.deadline_state(e, dt.date(2026, 9, 25)) == ("due_soon", 15)
    # and emptying the field in the form goes back to the default window
    c = client_for(hq_officer)
    form = c.get(reverse("education:edition_edit", args=[e.pk])).content.decode()
    assert 'name="remind_days"' in form and 'value="20"' in form
    svc.edition_update(actor=hq_officer, edition=e, data={"remind_days": ""})
    e.refresh_from_db()
    assert e.remind_days is None and svc.deadline_state(e, dt.date(2026, 9, 25)) == ("open", 15)


# --- pages ----------------------------------------------------------------------------------------------


def test_edition_page_shows_targets_and_silent_outlets(
    client_for, org, hq_officer, branch_officer, codes, outlets, _pinned
):
    e = _edition(org, hq_officer, codes, report_by=dt.date(2026, 9, 25))
    # when branch 1's officer opens the edition page five days before the deadline
    page = client_for(branch_officer).get(reverse("education:edition", args=[e.pk]))
    html = page.content.decode()
    # then the page lists branch 1's silent outlets, highlighted, and not branch 2's
    assert page.status_code == 200
    assert "五道口网点" in html and "西单网点" in html and "陆家嘴网点" not in html
    assert "edu-silent due_soon" in html


def test_the_targets_grid_saves_and_refuses_bad_cells(client_for, org, hq_officer, codes, _pinned):
    e = _edition(org, hq_officer, codes)
    c = client_for(hq_officer)
    url = reverse("education:edition_edit", args=[e.pk])
    form = {
        "campaign": codes.month.code,
        "year": "2026",
        "theme": "金融为民",
        "starts_on": "2026-09-01",
        "ends_on": "2026-09-30",
        "report_by": "2026-10-10",
        "org_unit": org.ho.code,
    }
    # when a cell is negative
    bad = c.post(url, {**form, f"t-{org.b1.pk}-activities": "-3", f"t-{org.b2.pk}-leaflets": "9"})
    # then 422, the error is shown and nothing changed
    assert bad.status_code == 422 and "errorlist" in bad.content.decode()
    assert e.targets.get(org_unit=org.b2).leaflets == 2000
    # when the grid is right
    ok = c.post(url, {**form, f"t-{org.b1.pk}-activities": "35", f"t-{org.b2.pk}-leaflets": "9"})
    assert ok.status_code == 302
    rows = {t.org_unit.code: (t.activities, t.leaflets) for t in e.targets.all()}
    assert rows == {"B1": (35, 0), "B2": (0, 9)}


def test_home_and_edition_list_pages(client_for, org, hq_officer, branch_officer, codes, _pinned):
    e = _edition(org, hq_officer, codes)
    for n in range(3):
        _activity(org.b1o, e, hq_officer, n)
    c = client_for(branch_officer)
    home = c.get(reverse("education:home"))
    assert home.status_code == 200 and "金融知识普及月" in home.content.decode()
    # the list's queries do not grow with editions
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("education:editions"))
    for year in (2024, 2025):
        _edition(
            org,
            hq_officer,
            codes,
            year=year,
            starts_on=dt.date(year, 9, 1),
            ends_on=dt.date(year, 9, 30),
            report_by=dt.date(year, 10, 10),
        )
    with CaptureQueriesContext(connection) as more:
        listed = c.get(reverse("education:editions"))
    assert len(more.captured_queries) == len(few.captured_queries)
    assert listed.content.decode().count('data-testid="edition-row"') == 3


def test_home_panel(org, hq_officer, branch_officer, codes, outlets, _pinned):
    e = _edition(org, hq_officer, codes)
    _activity(org.b1o, e, hq_officer, 1)
    panel = svc.home_panel(branch_officer)
    assert panel is not None and [s.edition for s in panel["silent"]] == [e]
    assert panel["silent_count"] == 2 and panel["awaiting"] == 1


def test_the_awaiting_links_open_the_awaiting_view(
    client_for, org, hq_officer, branch_officer, codes, _pinned
):
    # given one activity awaiting branch 1's approval
    e = _edition(org, hq_officer, codes)
    _activity(org.b1o, e, hq_officer, 1)
    c = client_for(branch_officer)
    # when the officer follows the landing page's "awaiting my approval" card
    home = c.get(reverse("education:home")).content.decode()
    href = home.split('data-testid="edu-awaiting" href="')[1].split('"')[0]
    listed = c.get(href)
    # then the list opens in its awaiting view (the filter the list understands)
    assert href.endswith("?awaiting=true")
    assert listed.status_code == 200 and listed.context["awaiting_view"] is True


# --- API ----------------------------------------------------------------------------------------------------


def test_api_editions(
    api_for, org, hq_officer, branch_officer, other_branch_officer, codes, outlets, _pinned
):
    hq = api_for(hq_officer)
    body = {
        "campaign": codes.month.code,
        "year": 2026,
        "theme": "金融为民",
        "starts_on": "2026-09-01",
        "ends_on": "2026-09-30",
        "report_by": "2026-10-10",
        "org_unit": "HO",
        "targets": [
            {"org_unit": "B1", "activities": 30, "people_reached": 3000},
            {"org_unit": "B2", "leaflets": 10},
        ],
    }
    # when head office opens the edition, and again with a bad body
    made = hq.post("/api/v1/education/editions", json.dumps(body), content_type="application/json")
    bad = hq.post(
        "/api/v1/education/editions",
        json.dumps(
            {**body, "year": 2027, "ends_on": "2026-08-01", "targets": [{"org_unit": "ZZ", "activities": 1}]}
        ),
        content_type="application/json",
    )
    # then 201 with the targets; the bad one is 422 with Chinese field messages and stores nothing
    assert made.status_code == 201, made.content
    eid = made.json()["id"]
    assert [t["org_unit"] for t in made.json()["targets"]] == ["B1", "B2"]
    assert bad.status_code == 422
    assert {"starts_on", "ends_on", "targets.0.org_unit"} <= set(bad.json()["fields"])
    assert all("\u4e00" <= m[0][0] <= "\u9fff" for m in bad.json()["fields"].values())
    assert CampaignEdition.objects.count() == 1
    # a branch reads it with its own target only, filters work, and it cannot change it
    b1 = api_for(branch_officer)
    got = b1.get(f"/api/v1/education/editions/{eid}").json()
    assert [t["org_unit"] for t in got["targets"]] == ["B1"]
    assert b1.get("/api/v1/education/editions?year=2026").json()["count"] == 1
    assert b1.get("/api/v1/education/editions?year=2025").json()["count"] == 0
    assert b1.get("/api/v1/education/editions?campaign=nope").json()["count"] == 0
    assert (
        b1.patch(f"/api/v1/education/editions/{eid}", "{}", content_type="application/json").status_code
        == 403
    )
    # head office patches; silent outlets per viewer
    patched = hq.patch(
        f"/api/v1/education/editions/{eid}",
        json.dumps(
            {"report_by": "2026-10-12", "remind_days": 14, "targets": [{"org_unit": "B2", "leaflets": 0}]}
        ),
        content_type="application/json",
    )
    assert patched.status_code == 200 and [t["org_unit"] for t in patched.json()["targets"]] == ["B1"]
    assert made.json()["remind_days"] == 7 and patched.json()["remind_days"] == 14
    too_long = hq.patch(
        f"/api/v1/education/editions/{eid}", json.dumps({"remind_days": 90}), content_type="application/json"
    )
    assert too_long.status_code == 422 and "remind_days" in json.dumps(too_long.json())
    silent = api_for(other_branch_officer).get(f"/api/v1/education/editions/{eid}/silent-outlets").json()
    assert silent["outlets"] == [{"code": "B2-S1-O1", "name": "陆家嘴网点", "parent": "B2-S1"}]
    assert silent["outlets_total"] == 1 and silent["state"] == "open"
    assert hq.get("/api/v1/education/editions/99999999").status_code == 404


def test_api_catalogue(api_for, hq_officer, power_b1):
    hq = api_for(hq_officer)
    assert len(hq.get("/api/v1/education/campaigns").json()) == 8
    assert [v["code"] for v in hq.get("/api/v1/education/venues").json() if v["online"]] == ["online"]
    assert sum(t["fraud"] for t in hq.get("/api/v1/education/topics").json()) >= 4
    dup = hq.post(
        "/api/v1/education/campaigns",
        json.dumps({"code": "fintech_week", "name": "重复"}),
        content_type="application/json",
    )
    assert dup.status_code == 422 and "code" in dup.json()["fields"]
    refused = api_for(power_b1).post(
        "/api/v1/education/campaigns",
        json.dumps({"code": "x1", "name": "x"}),
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert Campaign.objects.count() == 8
