"""The webhook pages and API: create (URL checked at save, field errors in Chinese), the secret shown once,
the test button, redeliver, rotate, deactivate; the API's shapes and validation; who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from xiaobao.webhooks.models import Delivery, Subscription
from xiaobao.webhooks.services import subscription_create

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def sub(admin, receiver):
    s, _ = subscription_create(
        actor=admin, data={"name": "ESB 同步", "url": receiver.url, "event_types": ["complaints.*"]}
    )
    return s


# --- pages ------------------------------------------------------------------------------------------------


def test_create_refuses_the_metadata_address_with_a_field_error_and_writes_nothing(client_for, admin):
    page = client_for(admin)
    data = {"name": "元数据", "url": "http://169.254.169.254/latest/meta-data/", "event_types": ["*"]}
    response = page.post(reverse("webhooks:create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="error-url"' in html and "一律不允许" in html
    assert not Subscription.objects.exists()


def test_create_shows_the_secret_once_then_only_its_hint(client_for, admin, receiver):
    page = client_for(admin)
    data = {"name": "ESB", "url": receiver.url, "event_types": ["complaints.complaint.register", "review.*"]}
    response = page.post(reverse("webhooks:create"), data)
    assert response.status_code == 302
    sub = Subscription.objects.get()
    assert sub.event_types == ["complaints.complaint.register", "review.*"] and sub.created_by == admin
    secret = sub.secret.reveal()
    first = page.get(response["Location"]).content.decode()
    assert secret in first and 'data-testid="new-secret"' in first
    again = page.get(response["Location"]).content.decode()
    assert secret not in again and sub.masked_secret in again


def test_the_form_groups_event_types_by_module(client_for, admin):
    html = client_for(admin).get(reverse("webhooks:create")).content.decode()
    assert 'value="*"' in html and 'value="complaints.*"' in html
    assert 'value="complaints.complaint.notify"' in html and "作出决定并告知" in html
    assert 'value="complaints.complaint.breach"' in html


def test_the_test_button_delivers_and_the_log_shows_it(client_for, admin, sub, receiver):
    page = client_for(admin)
    response = page.post(reverse("webhooks:test", args=[sub.pk]), follow=True)
    html = response.content.decode()
    assert "已送达" in html and "HTTP 200" in html
    assert 'data-testid="delivery-row" data-status="succeeded"' in html
    assert receiver.received[0].headers["X-Xiaobao-Event"] == "ping"
    # and the list shows the last delivery's status
    listing = page.get(reverse("webhooks:list")).content.decode()
    assert "ESB 同步" in listing and "已送达" in listing


def test_a_failing_test_event_is_reported_on_the_page(client_for, admin, sub, receiver):
    receiver.answers = [500]
    html = client_for(admin).post(reverse("webhooks:test", args=[sub.pk]), follow=True).content.decode()
    assert "未送达" in html and "HTTP 500" in html


def test_redeliver_rotate_and_deactivate_from_the_page(client_for, admin, sub, receiver):
    page = client_for(admin)
    failed = Delivery.objects.create(
        subscription=sub, event_type="complaints.complaint.assign", payload={"id": "e1"}, status="failed"
    )
    page.post(reverse("webhooks:redeliver", args=[sub.pk, failed.pk]))
    assert Delivery.objects.filter(redelivery_of=failed, status="succeeded").exists()
    old = Subscription.objects.get(pk=sub.pk).secret.reveal()
    html = page.post(reverse("webhooks:rotate", args=[sub.pk]), follow=True).content.decode()
    sub.refresh_from_db()
    assert sub.secret.reveal() != old and sub.secret.reveal() in html
    page.post(reverse("webhooks:toggle", args=[sub.pk]))
    sub.refresh_from_db()
    assert not sub.is_active
    html = page.post(reverse("webhooks:test", args=[sub.pk]), follow=True).content.decode()
    assert "请先启用" in html


def test_people_without_the_permission_are_refused(client_for, branch_officer, hq_officer, auditor, sub):
    for user in (branch_officer, hq_officer, auditor):
        page = client_for(user)
        assert page.get(reverse("webhooks:list")).status_code == 403
        assert page.get(reverse("webhooks:detail", args=[sub.pk])).status_code == 403
        assert page.post(reverse("webhooks:test", args=[sub.pk])).status_code == 403


def test_the_menu_shows_webhooks_to_the_administrator_only(client_for, admin, branch_officer):
    assert reverse("webhooks:list") in client_for(admin).get(reverse("core:home")).content.decode()
    assert (
        reverse("webhooks:list") not in client_for(branch_officer).get(reverse("core:home")).content.decode()
    )


def test_the_list_takes_a_fixed_number_of_queries(client_for, admin, receiver, django_assert_max_num_queries):
    for i in range(5):
        s, _ = subscription_create(
            actor=admin, data={"name": f"s{i}", "url": receiver.url, "event_types": ["*"]}
        )
        Delivery.objects.create(subscription=s, event_type="ping", payload={}, status="succeeded")
    page = client_for(admin)
    with django_assert_max_num_queries(12):
        assert page.get(reverse("webhooks:list")).status_code == 200


# --- API --------------------------------------------------------------------------------------------------


def test_api_create_returns_the_secret_once(api_for, admin, receiver):
    client = api_for(admin)
    body = {"name": "ESB", "url": receiver.url, "event_types": ["complaints.complaint.register"]}
    response = client.post("/api/v1/webhooks", body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["secret_hint"] == created["secret"][-4:]
    fetched = client.get(f"/api/v1/webhooks/{created['id']}").json()
    assert "secret" not in fetched and fetched["org_unit"] is None and fetched["is_active"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "url": "http://169.254.169.254/", "event_types": ["*"]}, "url"),
        ({"name": "x", "url": "gopher://example.com/", "event_types": ["*"]}, "url"),
        (
            {"name": "x", "url": "https://93.184.215.14/", "event_types": ["complaints.complaint.fly"]},
            "event_types",
        ),
        ({"name": "x", "url": "https://93.184.215.14/", "event_types": []}, "event_types"),
        ({"name": " ", "url": "https://93.184.215.14/", "event_types": ["*"]}, "name"),
        (
            {"name": "x", "url": "https://93.184.215.14/", "event_types": ["*"], "org_unit": "NOPE"},
            "org_unit",
        ),
        ({"name": "x" * 101, "url": "https://93.184.215.14/", "event_types": ["*"]}, "name"),
        ({"name": "x", "event_types": ["*"]}, "url"),
    ],
)
def test_api_validation_names_the_field(api_for, admin, body, field):
    response = api_for(admin).post("/api/v1/webhooks", body, content_type="application/json")
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["code"] and error["message"] and field in error["fields"]
    assert not Subscription.objects.exists()


def test_api_patch_test_deliveries_redeliver_rotate_delete(api_for, admin, sub, receiver):
    client = api_for(admin)
    base = f"/api/v1/webhooks/{sub.pk}"
    patched = client.patch(base, {"event_types": ["*"], "name": "全部"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["event_types"] == ["*"]
    bad = client.patch(base, {"url": "http://10.0.0.8/hook"}, content_type="application/json")
    assert bad.status_code == 422 and "url" in bad.json()["fields"]
    receiver.answers = [404]
    tested = client.post(f"{base}/test").json()
    assert (tested["status"], tested["last_status_code"], tested["attempts"]) == ("failed", 404, 1)
    log = client.get(f"{base}/deliveries").json()
    assert [d["uuid"] for d in log] == [tested["uuid"]] and log[0]["payload"]["type"] == "ping"
    again = client.post(f"{base}/deliveries/{tested['id']}/redeliver").json()
    assert again["status"] == "succeeded" and again["redelivery_of"] == tested["id"]
    rotated = client.post(f"{base}/rotate-secret").json()
    sub.refresh_from_db()
    assert rotated["secret"] == sub.secret.reveal()
    assert client.get("/api/v1/webhooks").json()[0]["last_delivery_status"] == "succeeded"
    assert client.delete(base).status_code == 204
    assert client.get(base).status_code == 404
    assert not Delivery.objects.exists()


def test_api_event_types_are_labelled_in_the_readers_language(api_for, admin):
    client = api_for(admin)
    zh = {t["code"]: t for t in client.get("/api/v1/webhooks/event-types").json()}
    en = {
        t["code"]: t
        for t in client.get("/api/v1/webhooks/event-types", headers={"accept-language": "en"}).json()
    }
    assert zh["complaints.complaint.notify"]["label"] == "投诉：作出决定并告知"
    assert en["complaints.complaint.notify"]["label"] == "Complaint: Decide and notify"
    assert zh["complaints.complaint.register"]["module"] == "complaints" and "*" in zh


def test_api_a_branch_manager_sees_only_the_subtree_and_must_name_a_unit(
    api_for, power_b1, power_b2, admin, org, receiver
):
    whole, _ = subscription_create(
        actor=admin, data={"name": "全行", "url": receiver.url, "event_types": ["*"]}
    )
    client = api_for(power_b1)
    assert client.get("/api/v1/webhooks").json() == []
    assert client.get(f"/api/v1/webhooks/{whole.pk}").status_code == 404
    body = {"name": "B1", "url": "https://93.184.215.14/h", "event_types": ["*"]}
    refused = client.post("/api/v1/webhooks", body, content_type="application/json")
    assert refused.status_code == 422 and "org_unit" in refused.json()["fields"]
    other = client.post(
        "/api/v1/webhooks", {**body, "org_unit": org.b2.code}, content_type="application/json"
    )
    assert other.status_code == 422 and "org_unit" in other.json()["fields"]
    made = client.post(
        "/api/v1/webhooks", {**body, "org_unit": org.b1s.code}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["org_unit"] == org.b1s.code
    assert api_for(power_b2).get(f"/api/v1/webhooks/{made.json()['id']}").status_code == 404
