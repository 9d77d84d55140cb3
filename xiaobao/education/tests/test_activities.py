"""Education activities: reporting (rules, field errors, nothing stored on bad input), the approval workflow
through the transition service (403 / 409 / field errors), notifications, the API's shapes, the pages
(list with its query bound, export, phone form, detail, steps)."""

import datetime as dt
import json
from io import BytesIO

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from xiaobao.casework.models import Notification
from xiaobao.core.errors import Conflict
from xiaobao.education.models import Activity, ActivityEvent, ActivityPhoto
from xiaobao.education.services import activity_report, activity_transition, activity_update
from xiaobao.education.tests.routes_activities import edition, jpeg, payload

NOW = "2026-03-20 10:00 +0800"


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ed(org, hq_officer):
    return edition(org, hq_officer)


@pytest.fixture
def clerk(org):
    return make_user("outlet_clerk", org.b1o, ["complaint_handler"])


@pytest.fixture
def reported(clerk, org, ed):
    return activity_report(actor=clerk, data=payload(org.b1o.code))


def counts():
    return (Activity.objects.count(), ActivityEvent.objects.count(), ActivityPhoto.objects.count())


# --- reporting ------------------------------------------------------------------------------------------


def test_report_stores_the_activity_in_its_edition_with_topics_and_an_event(clerk, org, ed):
    # given an outlet clerk and the 2026 edition of the 3·15 week
    # when the clerk reports an activity held in March 2026
    item = activity_report(actor=clerk, data=payload(org.b1o.code, title=""))
    # then it awaits approval, in the edition of the day's year, with the default title and its topics
    item.refresh_from_db()
    assert item.status == "submitted" and item.edition == ed
    assert item.reference == f"ED2026{item.pk:06d}"
    assert item.title == "3·15 消费者权益保护教育宣传周 · 进社区"
    assert sorted(t.code for t in item.topics.all()) == ["pension_fraud", "telecom_fraud"]
    assert item.audience()["elderly"] == 40 and item.people_reached == 50
    assert list(item.events.values_list("action", "to_status")) == [("report", "submitted")]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"people_reached": 51}, "audience"),
        ({"audience": {"elderly": -1}}, "audience"),
        ({"audience": {"pets": 3}}, "audience"),
        ({"campaign": "financial_literacy_month"}, "campaign"),  # no 2026 edition of it
        ({"campaign": "no_such"}, "campaign"),
        ({"held_on": "2026-03-21"}, "held_on"),  # tomorrow
        ({"held_on": "12/03/2026"}, "held_on"),
        ({"venue": "moon"}, "venue"),
        ({"topics": []}, "topics"),
        ({"topics": ["telecom_fraud", "astrology"]}, "topics"),
        ({"org_unit": "B2-S1"}, "org_unit"),  # another branch
        ({"leaflets": "many"}, "leaflets"),
        ({"title": "长" * 201}, "title"),
    ],
)
def test_bad_input_is_a_field_error_and_stores_nothing(clerk, org, ed, change, field):
    from django.core.exceptions import ValidationError

    # given a valid report with one thing wrong
    before = counts()
    # when it is reported
    with pytest.raises(ValidationError) as exc:
        activity_report(actor=clerk, data=payload(org.b1o.code, **change))
    # then the field says why and nothing is stored
    assert field in exc.value.message_dict
    assert counts() == before


def test_all_field_errors_come_at_once(clerk, org, ed):
    from django.core.exceptions import ValidationError

    # given several mistakes / when reported / then each field has its message
    with pytest.raises(ValidationError) as exc:
        activity_report(actor=clerk, data=payload(org.b1o.code, venue="", topics=[], people_reached=7))
    assert {"venue", "topics", "audience"} <= set(exc.value.message_dict)


def test_a_bad_photo_stores_neither_the_activity_nor_the_photos(clerk, org, ed):
    from django.core.exceptions import ValidationError

    # given one good photo and one that is not an image
    before = counts()
    photos = [("a.jpg", jpeg(dt.date(2026, 3, 12))), ("b.jpg", b"\xff\xd8\xff" + b"x" * 50)]
    # when the activity is reported with them
    with pytest.raises(ValidationError) as exc:
        activity_report(actor=clerk, data=payload(org.b1o.code), photos=photos)
    # then the photo field names the bad file and nothing is stored
    assert "b.jpg" in exc.value.message_dict["photos"][0]
    assert counts() == before


def test_without_report_permission_is_refused(auditor, org, ed):
    from django.core.exceptions import PermissionDenied

    # given the read-only auditor / when reporting / then refused, nothing stored
    with pytest.raises(PermissionDenied):
        activity_report(actor=auditor, data=payload(org.b1o.code))
    assert Activity.objects.count() == 0


# --- the workflow through the transition service -----------------------------------------------------


def test_branch_officer_approves_and_the_activity_is_frozen(reported, branch_officer, clerk):
    # given a submitted activity of an outlet of branch 1
    # when the branch officer approves it
    item = activity_transition(actor=branch_officer, item=reported, action="approve", data={"note": "好"})
    # then it is approved by them, and no longer changes
    assert item.status == "approved" and item.approved_by == branch_officer
    with pytest.raises(Conflict):
        activity_update(actor=clerk, item=item, data={"place": "别处"})
    with pytest.raises(Conflict):
        activity_transition(actor=branch_officer, item=item, action="return", data={"reason": "x"})


def test_the_reporter_may_not_approve_their_own(org, ed, branch_officer):
    from django.core.exceptions import PermissionDenied

    # given an activity the branch officer reported for their branch
    item = activity_report(actor=branch_officer, data=payload(org.b1.code))
    # when they approve it / then 403 with the reason, and it still awaits approval
    with pytest.raises(PermissionDenied) as exc:
        activity_transition(actor=branch_officer, item=item, action="approve")
    assert str(exc.value)  # the reason, in the user's language
    item.refresh_from_db()
    assert item.status == "submitted"


def test_another_branch_cannot_reach_it(reported, other_branch_officer):
    from django.core.exceptions import PermissionDenied

    # given an activity of branch 1 / when branch 2's officer approves it / then refused (not in scope)
    with pytest.raises(PermissionDenied):
        activity_transition(actor=other_branch_officer, item=reported, action="approve")


def test_a_clerk_cannot_approve(reported, org, ed):
    from django.core.exceptions import PermissionDenied

    # given another clerk of the outlet (report permission only) / when approving / then 403
    other = make_user("outlet_clerk2", org.b1o, ["complaint_handler"])
    with pytest.raises(PermissionDenied):
        activity_transition(actor=other, item=reported, action="approve")


def test_stale_version_is_a_conflict(reported, branch_officer):
    # given the version the approver saw has moved on / when approving / then 409
    with pytest.raises(Conflict) as exc:
        activity_transition(actor=branch_officer, item=reported, action="approve", expected_version=99)
    assert exc.value.code == "conflict"


def test_return_needs_a_reason(reported, branch_officer):
    from django.core.exceptions import ValidationError

    # given a submitted activity / when returned without a reason / then a field error, nothing changes
    with pytest.raises(ValidationError) as exc:
        activity_transition(actor=branch_officer, item=reported, action="return", data={"reason": " "})
    assert "reason" in exc.value.message_dict
    reported.refresh_from_db()
    assert reported.status == "submitted" and reported.events.count() == 1


def test_return_then_resubmit_with_corrections(
    reported, branch_officer, clerk, django_capture_on_commit_callbacks
):
    # given the approver returns the activity
    with django_capture_on_commit_callbacks(execute=True):
        item = activity_transition(
            actor=branch_officer, item=reported, action="return", data={"reason": "人数与照片不符"}
        )
    assert item.status == "returned"
    # then the reporter is told why
    told = Notification.objects.get(user=clerk, kind="edu_activity_returned")
    assert "人数与照片不符" in told.message
    # when the reporter corrects the audience and resubmits
    fixed = {"audience": {"elderly": 30, "other": 5}, "people_reached": 35}
    with django_capture_on_commit_callbacks(execute=True):
        item = activity_transition(actor=clerk, item=item, action="resubmit", data=fixed)
    # then it awaits approval again with the corrected figures and the approver is told again
    item.refresh_from_db()
    assert item.status == "submitted" and item.people_reached == 35 and item.audience_young == 0
    # (the fixture's first report ran outside the captured commit: this is the resubmission's notice)
    assert Notification.objects.filter(user=branch_officer, kind="edu_activity_submitted").count() == 1
    assert [e.action for e in item.events.all()] == ["report", "return", "resubmit"]


def test_resubmit_with_bad_corrections_changes_nothing(reported, branch_officer, clerk):
    from django.core.exceptions import ValidationError

    # given a returned activity
    item = activity_transition(actor=branch_officer, item=reported, action="return", data={"reason": "改"})
    # when resubmitted with a sum that does not match
    with pytest.raises(ValidationError) as exc:
        activity_transition(actor=clerk, item=item, action="resubmit", data={"people_reached": 999})
    # then a field error on the audience and the activity is as it was
    assert "audience" in exc.value.message_dict
    item.refresh_from_db()
    assert item.status == "returned" and item.people_reached == 50


def test_approvers_are_told_once_and_the_reporter_is_not_among_them(
    clerk, org, ed, branch_officer, hq_officer, django_capture_on_commit_callbacks
):
    # given an outlet clerk, the branch officer and head office
    # when the clerk reports an activity
    with django_capture_on_commit_callbacks(execute=True):
        item = activity_report(actor=clerk, data=payload(org.b1o.code))
    # then the branch officer (the nearest approvers) is told, not head office, not the reporter
    told = Notification.objects.filter(kind="edu_activity_submitted")
    assert list(told.values_list("user__username", flat=True)) == [branch_officer.username]
    assert item.reference in told.get().message


def test_patch_while_submitted_keeps_photo_dates_in_step(reported, clerk):
    from xiaobao.education.photos import photo_add

    # given a photo taken on the activity's day
    photo = photo_add(actor=clerk, item=reported, name="p.jpg", data=jpeg(dt.date(2026, 3, 12)))
    assert not photo.date_mismatch
    # when the activity's day is corrected by three days
    activity_update(actor=clerk, item=reported, data={"held_on": "2026-03-15"}, expected_version=1)
    # then the photo is flagged as taken another day
    photo.refresh_from_db()
    assert photo.date_mismatch


# --- API ------------------------------------------------------------------------------------------------


def test_api_report_and_approve_shapes(api_for, clerk, branch_officer, org, ed):
    # given the clerk's API client
    # when the spec's body is posted
    r = api_for(clerk).post(
        "/api/v1/education/activities", json.dumps(payload(org.b1o.code)), content_type="application/json"
    )
    # then 201 with exactly id and status
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"id", "status"} and body["status"] == "submitted"
    # when the branch officer approves it (optional version and note)
    r = api_for(branch_officer).post(
        f"/api/v1/education/activities/{body['id']}/actions/approve",
        json.dumps({"version": 1, "note": "同意"}),
        content_type="application/json",
    )
    # then 200 with the activity
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["status"] == "approved" and out["approved_by"] == branch_officer.username
    assert out["campaign"] == "consumer_rights_week" and out["audience"]["elderly"] == 40
    assert out["allowed_actions"] == []


def test_api_field_errors_and_nothing_stored(api_for, clerk, org, ed):
    # given a body whose segments do not add up / when posted / then 422 with the field, nothing stored
    r = api_for(clerk).post(
        "/api/v1/education/activities",
        json.dumps(payload(org.b1o.code, people_reached=49)),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "audience" in r.json()["fields"]
    assert Activity.objects.count() == 0
    # and a body missing required fields is refused in the same shape
    r = api_for(clerk).post("/api/v1/education/activities", "{}", content_type="application/json")
    assert r.status_code == 422 and Activity.objects.count() == 0


def test_api_403_409_and_reason(api_for, reported, clerk, branch_officer):
    url = f"/api/v1/education/activities/{reported.pk}/actions"
    # the reporter may not approve: 403
    r = api_for(clerk).post(f"{url}/approve", "{}", content_type="application/json")
    assert r.status_code == 403
    # a stale version: 409
    r = api_for(branch_officer).post(
        f"{url}/approve", json.dumps({"version": 7}), content_type="application/json"
    )
    assert r.status_code == 409
    # a return without a reason: 422 on reason
    r = api_for(branch_officer).post(f"{url}/return", "{}", content_type="application/json")
    assert r.status_code == 422 and "reason" in r.json()["fields"]
    # resubmit from submitted: 409
    r = api_for(clerk).post(f"{url}/resubmit", "{}", content_type="application/json")
    assert r.status_code == 409


def test_api_patch_list_filters_and_photos(api_for, reported, clerk, branch_officer, org):
    api = api_for(clerk)
    # PATCH while submitted
    r = api.patch(
        f"/api/v1/education/activities/{reported.pk}",
        json.dumps({"place": "社区服务站", "leaflets": 130}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["leaflets"] == 130 and r.json()["version"] == 2
    # PATCH with a stale If-Match: 409
    r = api.patch(
        f"/api/v1/education/activities/{reported.pk}",
        json.dumps({"place": "x"}),
        content_type="application/json",
        headers={"If-Match": "1"},
    )
    assert r.status_code == 409
    # a photo (multipart) and the list of photos
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = api.post(
        f"/api/v1/education/activities/{reported.pk}/photos",
        {"file": SimpleUploadedFile("x.jpg", jpeg(dt.date(2026, 3, 1)))},
    )
    assert r.status_code == 201 and r.json()["date_mismatch"] is True and r.json()["taken_on"] == "2026-03-01"
    r = api.post(
        f"/api/v1/education/activities/{reported.pk}/photos",
        {"file": SimpleUploadedFile("x.jpg", b"GIF89a not a jpeg")},
    )
    assert r.status_code == 422 and "photos" in r.json()["fields"]
    assert len(api.get(f"/api/v1/education/activities/{reported.pk}/photos").json()) == 1
    # the list with filters and the awaiting-my-approval view
    r = api_for(branch_officer).get(
        "/api/v1/education/activities", {"awaiting": "true", "from": "2026-03-01"}
    )
    assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [reported.pk]
    r = api_for(branch_officer).get("/api/v1/education/activities", {"status": "approved"})
    assert r.json()["count"] == 0
    r = api_for(branch_officer).get(
        "/api/v1/education/activities", {"from": "2026-03-20", "to": "2026-03-01"}
    )
    assert r.status_code == 422


# --- pages ----------------------------------------------------------------------------------------------


def _form_data(org, **over):
    p = payload(org.b1o.code)
    data = {
        "org_unit": p["org_unit"],
        "held_on": p["held_on"],
        "campaign": p["campaign"],
        "venue": p["venue"],
        "topics": p["topics"],
        **{f"audience_{k}": v for k, v in p["audience"].items()},
        "people_reached": 50,
        "staff_involved": 3,
        "leaflets": 120,
        "online_articles": 0,
        "online_reads": 0,
        "videos": 0,
        "media_reports": 0,
    }
    data.update(over)
    return data


def test_phone_form_reports_with_photos(client_for, clerk, org, ed):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(clerk)
    # given the form, in Chinese, defaulting to the clerk's outlet
    page = client.get(reverse("education:activity_new")).content.decode()
    assert "data-edu-activity" in page and 'value="B1-S1-O1" selected' in page
    # when posted with two photos
    photos = [
        SimpleUploadedFile("a.jpg", jpeg(dt.date(2026, 3, 12)), "image/jpeg"),
        SimpleUploadedFile("b.jpg", jpeg(None), "image/jpeg"),
    ]
    r = client.post(reverse("education:activity_new"), {**_form_data(org), "photos": photos})
    # then the activity is stored with both photos and the browser's draft is forgotten on the next page
    assert r.status_code == 302, r.content.decode()[:2000]
    item = Activity.objects.get()
    assert item.photos.count() == 2
    page = client.get(r["Location"]).content.decode()
    assert 'data-draft-clear="xb-edu-activity-new"' in page and "no date" not in page  # translated
    assert "无日期" in page or 'data-testid="photo-nodate"' in page


@pytest.mark.parametrize(
    "query",
    [
        # the suggestion panel's link (suggestions.py) and the short form the edition page may use
        "?org_unit=B1-S1-O1&topics=impersonated_loans&topics=telecom_fraud&campaign=consumer_rights_week",
        "?unit=B1-S1-O1&topic=impersonated_loans&topic=telecom_fraud&campaign=consumer_rights_week",
    ],
)
def test_phone_form_is_preset_from_the_link(client_for, branch_officer, org, ed, query):
    # given a branch officer following a targeted-campaign link
    # when the form opens
    page = client_for(branch_officer).get(reverse("education:activity_new") + query).content.decode()
    # then the branch, both fraud topics and the campaign are chosen
    assert 'value="B1-S1-O1" selected' in page
    for code in ("impersonated_loans", "telecom_fraud"):
        i = page.index(f'value="{code}"')
        assert "checked" in page[i : i + 120], page[i - 200 : i + 200]
    i = page.index('value="consumer_rights_week"')
    assert "selected" in page[i : i + 40]


def test_phone_form_bad_sum_is_400_and_stores_nothing(client_for, clerk, org, ed):
    # given a sum that differs / when posted / then 400 with the audience message, nothing stored
    r = client_for(clerk).post(reverse("education:activity_new"), _form_data(org, people_reached=60))
    assert r.status_code == 400
    assert 'data-testid="audience-errors"' in r.content.decode()
    assert Activity.objects.count() == 0


def test_detail_shows_mismatch_badge_and_approver_steps(client_for, reported, clerk, branch_officer):
    from xiaobao.education.photos import photo_add

    photo_add(actor=clerk, item=reported, name="old.jpg", data=jpeg(dt.date(2025, 12, 1)))
    page = client_for(branch_officer).get(reverse("education:activity", args=[reported.pk])).content.decode()
    assert 'data-testid="mismatch-badge"' in page and 'data-testid="action-approve"' in page
    assert 'data-testid="action-return"' in page
    # the reporter sees no approval step on their own activity
    page = client_for(clerk).get(reverse("education:activity", args=[reported.pk])).content.decode()
    assert 'data-testid="action-approve"' not in page and 'data-testid="edit"' in page
    # the timeline names the reported topics, never their codes
    assert "电信网络诈骗" in page.split('data-testid="timeline"')[1] and "telecom_fraud" not in page


def test_page_steps_403_409_400(client_for, reported, clerk, branch_officer):
    url = reverse("education:activity_action", args=[reported.pk, "approve"])
    assert client_for(clerk).post(url, {"version": 1}).status_code == 403
    assert client_for(branch_officer).post(url, {"version": 5}).status_code == 409
    ret = reverse("education:activity_action", args=[reported.pk, "return"])
    assert client_for(branch_officer).post(ret, {"version": 1, "reason": ""}).status_code == 400
    r = client_for(branch_officer).post(ret, {"version": 1, "reason": "照片不清"})
    assert r.status_code == 302
    reported.refresh_from_db()
    assert reported.status == "returned"
    # the returned activity is corrected and resubmitted from its edit page
    r = client_for(clerk).post(
        reverse("education:activity_edit", args=[reported.pk]),
        {**_form_data(reported.org_unit and type("O", (), {"b1o": reported.org_unit})), "version": 2},
    )
    assert r.status_code == 302
    reported.refresh_from_db()
    assert reported.status == "submitted"


def test_list_scoped_filtered_and_query_bound(
    client_for, clerk, org, ed, branch_officer, other_branch_officer, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        activity_report(actor=clerk, data=payload(org.b1o.code))
    client = client_for(branch_officer)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("education:activities")).status_code == 200
    for _ in range(8):
        activity_report(actor=clerk, data=payload(org.b1o.code))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("education:activities"), {"awaiting": "true"}).content.decode()
    assert page.count('data-testid="activity-row"') == 10
    # another branch sees none of them
    page = client_for(other_branch_officer).get(reverse("education:activities")).content.decode()
    assert 'data-testid="activity-row"' not in page
    # a bad date range is 400
    r = client.get(reverse("education:activities"), {"from": "2026-03-20", "to": "2026-03-01"})
    assert r.status_code == 400


def test_export_has_names_and_only_visible_rows(client_for, reported, other_branch_officer, branch_officer):
    from openpyxl import load_workbook

    r = client_for(branch_officer).get(reverse("education:activities_export"))
    assert r.status_code == 200
    ws = load_workbook(BytesIO(r.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert reported.reference in values and "中关村网点" in values and "进社区" in values
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    r = client_for(other_branch_officer).get(reverse("education:activities_export"))
    ws = load_workbook(BytesIO(r.content)).active
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert reported.reference not in values
