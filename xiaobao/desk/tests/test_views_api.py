"""Saved views (pages and API), the bulk pages and API shapes, the queue's filters, the home-page counts."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from conftest import make_user
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_transition
from xiaobao.desk.models import BulkRun, SavedView
from xiaobao.desk.services import view_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(org):
    return make_user("b1_colleague", org.b1, ["branch_cp_officer"])


# --- saved views ------------------------------------------------------------------------------------------


def test_a_view_saved_from_the_list_page_shows_in_the_bar_and_on_the_home_page(
    client_for, org, branch_officer, register
):
    # given three open complaints, one of them major
    register(branch_officer, org.b1s, is_major=True, major_reason="媒体关注")
    register(branch_officer, org.b1s)
    register(branch_officer, org.b1s)
    client = client_for(branch_officer)
    # when the officer saves the list filtered to major complaints (with a page number and an empty value)
    response = client.post(
        reverse("desk:view_create"),
        {"name": "重大投诉", "scope": "list", "query": "major=true&page=2&q=&ordering=due", "shared": "1"},
    )
    # then the view keeps the filter and the order, and opens the list with them
    view = SavedView.objects.get()
    assert view.query == "major=true&ordering=due" and view.shared and view.org_unit == org.b1
    assert (
        response.status_code == 302
        and response["Location"] == reverse("complaints:list") + "?major=true&ordering=due"
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="saved-view"' in page and "重大投诉" in page and 'aria-current="true"' in page
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="home-saved-views"' in home
    assert "<strong>1</strong>" in home


def test_a_shared_view_is_seen_by_the_unit_and_changed_only_by_its_owner(
    client_for, org, branch_officer, colleague, other_branch_officer
):
    view = view_save(actor=branch_officer, name="待分派", query="status=registered", shared=True)
    private = view_save(actor=branch_officer, name="私人未结视图", query="open=true")
    # the colleague in the same unit sees the shared one only, and cannot change or delete it
    page = client_for(colleague).get(reverse("desk:views")).content.decode()
    assert "待分派" in page and "私人未结视图" not in page
    assert (
        client_for(colleague).post(reverse("desk:view_edit", args=[view.pk]), {"name": "改"}).status_code
        == 404
    )
    assert client_for(colleague).post(reverse("desk:view_delete", args=[view.pk])).status_code == 404
    # another branch sees neither
    assert "待分派" not in client_for(other_branch_officer).get(reverse("desk:views")).content.decode()
    # the owner renames, unshares and deletes
    owner = client_for(branch_officer)
    assert owner.post(reverse("desk:view_edit", args=[view.pk]), {"name": "待分派投诉"}).status_code == 302
    view.refresh_from_db()
    assert view.name == "待分派投诉" and not view.shared
    assert owner.post(reverse("desk:view_delete", args=[private.pk])).status_code == 302
    assert not SavedView.objects.filter(pk=private.pk).exists()


@pytest.mark.parametrize("name", ["", "   ", "\x00视图", "长" * 500])
def test_a_bad_rename_changes_nothing(client_for, branch_officer, name):
    view = view_save(actor=branch_officer, name="待分派", query="status=registered")
    response = client_for(branch_officer).post(
        reverse("desk:view_edit", args=[view.pk]), {"name": name, "shared": "1"}, follow=True
    )
    view.refresh_from_db()
    assert response.status_code == 200 and view.name == "待分派" and not view.shared
    assert "msg-error" in response.content.decode()


def test_a_bad_view_is_refused_with_a_message(client_for, branch_officer):
    client = client_for(branch_officer)
    response = client.post(
        reverse("desk:view_create"),
        {"name": "x", "scope": "list", "query": "received_from=2026-13-40"},
        follow=True,
    )
    assert SavedView.objects.count() == 0
    assert "输入一个有效的日期" in response.content.decode() or "有效" in response.content.decode()
    client.post(reverse("desk:view_create"), {"name": "", "scope": "list", "query": ""})
    assert SavedView.objects.count() == 0


def test_home_counts_each_view_within_the_viewers_own_scope(
    client_for, org, branch_officer, register, django_assert_max_num_queries
):
    sub = make_user("b1s_officer", org.b1s, ["branch_cp_officer"])
    register(branch_officer, org.b1s)
    register(branch_officer, org.b1o)
    for i in range(12):
        view_save(actor=branch_officer, name=f"视图{i:02d}", query="open=true")
    from xiaobao.desk.selectors import home_panel

    with django_assert_max_num_queries(14):  # the views, then one COUNT for each of at most ten
        panel = home_panel(user=branch_officer)
    assert len(panel["views"]) == 10 and panel["more"] and panel["views"][0]["count"] == 2
    assert home_panel(user=sub) is None  # nothing of his own, nothing shared


def test_the_queue_takes_the_lists_filters_for_its_views(
    client_for, org, branch_officer, b1_handler, register
):
    major = register(branch_officer, org.b1s, is_major=True, major_reason="媒体关注")
    plain = register(branch_officer, org.b1s)
    for c in (major, plain):
        complaint_transition(
            actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"}
        )
    page = client_for(b1_handler).get(reverse("complaints:queue"), {"major": "true"}).content.decode()
    queue = page.split('data-testid="unit-inbox"')[0]
    assert major.reference in queue and plain.reference not in queue


# --- bulk pages -------------------------------------------------------------------------------------------


def test_the_list_offers_row_selection_and_a_bulk_run_page_shows_the_summary(
    client_for, org, branch_officer, b1_handler, register
):
    a, b = register(branch_officer, org.b1s), register(branch_officer, org.b1s)
    Complaint.objects.filter(pk=b.pk).update(status="closed")
    client = client_for(branch_officer)
    page = client.get(reverse("complaints:list")).content.decode()
    assert (
        f'value="{a.pk}:{a.version}"' in page and 'id="bulk-form"' in page and 'data-picker="person"' in page
    )
    response = client.post(
        reverse("desk:bulk_create"),
        {"action": "assign", "ids": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"], "handler": "b1_handler",
         "scope": "list", "query": ""},
    )  # fmt: skip
    run = BulkRun.objects.get()
    assert response["Location"] == reverse("desk:bulk_detail", args=[run.pk])
    detail = client.get(response["Location"]).content.decode()
    assert 'data-state="done"' in detail and b.reference in detail and "不能分派" in detail
    status = client.get(reverse("desk:bulk_status", args=[run.pk]), headers={"HX-Request": "true"})
    assert 'hx-swap-oob="true"' in status.content.decode()
    # someone else's run is not found
    assert client_for(b1_handler).get(reverse("desk:bulk_detail", args=[run.pk])).status_code == 404


def test_select_all_matching_from_the_page_uses_the_filter(client_for, org, branch_officer, register):
    major = register(branch_officer, org.b1s, is_major=True, major_reason="媒体关注")
    register(branch_officer, org.b1s)
    client = client_for(branch_officer)
    client.post(
        reverse("desk:bulk_create"),
        {"action": "export", "all": "1", "scope": "list", "query": "major=true"},
    )
    run = BulkRun.objects.get()
    assert [pk for pk, _v in run.items] == [major.pk]


def test_a_refused_bulk_request_returns_to_the_list_with_the_reason(
    client_for, branch_officer, register, org
):
    a = register(branch_officer, org.b1s)
    data = {"action": "assign", "ids": [str(a.pk)], "scope": "list", "query": "major=true"}
    response = client_for(branch_officer).post(reverse("desk:bulk_create"), data, follow=True)
    assert response.redirect_chain[0][0] == reverse("complaints:list") + "?major=true"
    assert "请选择要分派的经办人" in response.content.decode()
    assert BulkRun.objects.count() == 0


# --- API --------------------------------------------------------------------------------------------------


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_bulk_shapes(api_for, org, branch_officer, b1_handler, register):
    a, b = register(branch_officer, org.b1s), register(branch_officer, org.b1s)
    Complaint.objects.filter(pk=b.pk).update(status="closed")
    client = api_for(branch_officer)
    response = _post(
        client,
        "/api/v1/complaints/bulk",
        {"action": "assign", "ids": [a.pk, b.pk], "params": {"handler": "b1_handler"}},
    )
    assert response.status_code == 202
    started = response.json()
    assert set(started) == {"id", "status", "total"} and started["total"] == 2
    got = client.get(f"/api/v1/complaints/bulk/{started['id']}").json()
    assert {k: got[k] for k in ("id", "status", "total", "done", "succeeded")} == {
        "id": started["id"], "status": "done", "total": 2, "done": 2, "succeeded": 1,
    }  # fmt: skip
    assert got["failed"] == [{"id": b.pk, "reference": b.reference, "reason": "已办结，不能分派"}]
    # by filter
    response = _post(client, "/api/v1/complaints/bulk", {"action": "export", "filter": {"open": True}})
    assert response.status_code == 202 and response.json()["total"] == 1
    # someone else's run → 404
    other = api_for(b1_handler).get(f"/api/v1/complaints/bulk/{started['id']}")
    assert other.status_code == 404 and other.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "assign", "ids": [1], "params": {}}, "params.handler"),
        ({"action": "nope", "ids": [1]}, "action"),
        ({"action": "mark_major", "params": {"reason": "r"}}, "ids"),
        (
            {"action": "mark_major", "filter": {"received_to": "x"}, "params": {"reason": "r"}},
            "filter.received_to",
        ),
        ({"action": "mark_major", "filter": {"colour": "red"}, "params": {"reason": "r"}}, "filter.colour"),
        (
            {"action": "mark_major", "filter": {"status": [{"a": 1}]}, "params": {"reason": "r"}},
            "filter.status",
        ),
        ({"action": "mark_major", "ids": [-1], "params": {"reason": "r"}}, "ids"),
        ({"action": "mark_major", "ids": [1], "params": {"reason": 5}}, "params.reason"),
        ({"action": "mark_major", "ids": [1], "filter": {}, "params": {"reason": "r"}}, "ids"),
    ],
)
def test_api_bulk_refusals_are_field_errors(api_for, branch_officer, body, field):
    response = _post(api_for(branch_officer), "/api/v1/complaints/bulk", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"], response.json()


def test_api_bulk_without_the_actions_permission_is_403(api_for, org):
    handler = make_user("h", org.b1s, ["complaint_handler"])
    response = _post(
        api_for(handler),
        "/api/v1/complaints/bulk",
        {"action": "assign", "ids": [1], "params": {"handler": "h"}},
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_api_views_crud_with_counts(api_for, org, branch_officer, colleague, register):
    register(branch_officer, org.b1s)
    client = api_for(branch_officer)
    created = _post(
        client,
        "/api/v1/complaints/views",
        {"name": "未结", "scope": "list", "query": "open=true", "shared": True},
    )
    assert created.status_code == 201
    view = created.json()
    assert {k: view[k] for k in ("name", "scope", "query", "shared", "count", "own")} == {
        "name": "未结", "scope": "list", "query": "open=true", "shared": True, "count": 1, "own": True,
    }  # fmt: skip
    assert _post(client, "/api/v1/complaints/views", {"name": "未结", "query": ""}).json()["fields"]["name"]
    bad = _post(client, "/api/v1/complaints/views", {"name": "坏", "query": "ordering=sideways"})
    assert bad.status_code == 422 and "ordering" in bad.json()["fields"]
    # the colleague lists it (with his own count) but may not change or delete it
    theirs = api_for(colleague)
    assert [v["name"] for v in theirs.get("/api/v1/complaints/views").json()] == ["未结"]
    patch = theirs.patch(
        f"/api/v1/complaints/views/{view['id']}", json.dumps({"name": "改"}), content_type="application/json"
    )
    assert patch.status_code == 404
    assert theirs.delete(f"/api/v1/complaints/views/{view['id']}").status_code == 404
    # the owner changes and deletes it
    patched = client.patch(
        f"/api/v1/complaints/views/{view['id']}",
        json.dumps({"shared": False, "scope": "queue"}),
        content_type="application/json",
    )
    assert (
        patched.status_code == 200
        and patched.json()["shared"] is False
        and patched.json()["scope"] == "queue"
    )
    assert client.delete(f"/api/v1/complaints/views/{view['id']}").status_code == 204
    assert client.get("/api/v1/complaints/views").json() == []


def test_the_read_only_auditor_keeps_no_views(client_for, api_for, auditor):
    page = client_for(auditor).get(reverse("complaints:list")).content.decode()
    assert 'data-testid="save-view"' not in page
    response = _post(api_for(auditor), "/api/v1/complaints/views", {"name": "审计", "query": ""})
    assert response.status_code == 403 and SavedView.objects.count() == 0
