"""Events to a real local receiver: registration, assignment, the decision and a breach arrive signed,
without personal data; retries with backoff; failure after the last attempt; the outbound policy at save
and at send."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
import time_machine
from django.test import override_settings

from conftest import make_user
from xiaobao.casework.models import Notification
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.webhooks import catalogue
from xiaobao.webhooks.delivery import BACKOFF, MAX_ATTEMPTS, retry_due
from xiaobao.webhooks.models import Delivery, Subscription
from xiaobao.webhooks.services import (
    delivery_redeliver,
    subscription_create,
    subscription_ping,
    subscription_rotate_secret,
    subscription_update,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DECISION_PATH = [
    "complaints.complaint.register",
    "complaints.complaint.assign",
    "complaints.complaint.notify",
]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def subscribe(admin, receiver):
    def make(types=None, **over):
        data = {"name": "ESB", "url": receiver.url, "event_types": types or ["complaints.*"], **over}
        return subscription_create(actor=admin, data=data)

    return make


@pytest.fixture
def register(branch_officer, payload, django_capture_on_commit_callbacks):
    def make(**over):
        with django_capture_on_commit_callbacks(execute=True):
            c, _ = complaint_register(actor=branch_officer, data=payload(**over))
        return c

    return make


@pytest.fixture
def step(django_capture_on_commit_callbacks):
    def run(actor, complaint, action, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return complaint_transition(actor=actor, complaint=complaint, action=action, data=data)

    return run


def test_registration_assignment_and_decision_reach_the_receiver_signed_without_personal_data(
    org, subscribe, register, step, receiver, branch_officer
):
    # given a subscription to the three steps (and breaches), not to the steps in between
    sub, secret = subscribe([*DECISION_PATH, "complaints.complaint.breach"])
    handler = make_user("b1_handler", org.b1s, ["complaint_handler"])
    # when a complaint is registered, assigned, worked on and decided
    c = register()
    c = step(branch_officer, c, "assign", handler="b1_handler")
    c = step(handler, c, "accept")
    c = step(handler, c, "draft", verification="调取扣费记录", basis="按合同第5条", result="退还年费200元")
    c = step(handler, c, "notify", method="sms", proof="短信平台回执 123")
    # then the receiver got exactly the subscribed steps, in order, each signed with the secret
    assert [r.headers["X-Xiaobao-Event"] for r in receiver.received] == DECISION_PATH
    assert all(r.signed_with(secret) for r in receiver.received)
    assert not any(r.signed_with(secret + "x") for r in receiver.received)
    first = receiver.received[0]
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["User-Agent"].startswith("Xiaobao")
    assert first.headers["X-Xiaobao-Timestamp"] == str(int(T0.timestamp()))
    body = first.json
    assert body["type"] == "complaints.complaint.register" and body["action"] == "register"
    assert body["item"] == {
        "kind": "complaints.complaint",
        "id": c.pk,
        "reference": c.reference,
        "status": "registered",
        "unit": {"code": "B1-S1", "name": "海淀支行"},
    }
    assert body["actor"] == "branch1_cp"
    assert dt.datetime.fromisoformat(body["occurred_at"]) == T0
    decided = receiver.received[2].json
    assert decided["item"]["status"] == "decided"
    assert decided["data"] == {"from_status": "drafted", "to_status": "decided"}
    # the delivery ids are the rows' ids; every delivery succeeded once
    rows = {str(d.uuid): d for d in Delivery.objects.filter(subscription=sub)}
    assert {r.headers["X-Xiaobao-Delivery"] for r in receiver.received} == set(rows)
    assert {(d.status, d.attempts, d.last_status_code) for d in rows.values()} == {("succeeded", 1, 200)}
    # and no personal data anywhere in what was sent (nor in the stored payloads)
    sent = b"".join(r.body for r in receiver.received).decode()
    stored = json.dumps([d.payload for d in rows.values()], ensure_ascii=False)
    for personal in (
        "张伟",
        "13812345678",
        "110108199003070016",
        "zhangwei@example.com",
        "年费",
        "短信平台回执",
    ):
        assert personal not in sent and personal not in stored


def test_a_breach_from_the_sweeper_reaches_the_receiver(
    subscribe, register, receiver, django_capture_on_commit_callbacks
):
    from xiaobao.casework.sweeper import sweep_clocks

    # given a subscription to breaches and a complaint whose first contact was due on 3-03
    _sub, secret = subscribe(["complaints.complaint.breach"])
    c = register()
    assert receiver.received == []  # registration is not subscribed
    # when the sweeper runs on 3-04
    later = T0 + dt.timedelta(days=2)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(later)
    # then the breach arrived, signed, naming the clock and its due date; no actor
    [got] = receiver.of_type("complaints.complaint.breach")
    assert got.signed_with(secret)
    body = got.json
    assert body["item"]["reference"] == c.reference
    assert body["actor"] is None
    assert body["data"] == {"clock": "first_contact", "due_date": "2026-03-03"}


def test_retries_with_backoff_when_the_receiver_answers_500_then_200(subscribe, register, receiver):
    # given a receiver that fails once
    _sub, secret = subscribe()
    receiver.answers = [500]
    # when a complaint is registered
    register()
    d = Delivery.objects.get()
    # then the first attempt is recorded and the next one is a minute away
    assert (d.status, d.attempts, d.last_status_code) == ("retrying", 1, 500)
    assert d.next_attempt_at == T0 + dt.timedelta(minutes=1)
    assert "500" in d.last_error
    # nothing is due 30 seconds later
    assert retry_due(now=T0 + dt.timedelta(seconds=30)).sent == 0
    # the sweeper's periodic job (`xiaobao sweep`) sends it once due
    from xiaobao.casework.sweeper import periodic_jobs

    later = T0 + dt.timedelta(minutes=1, seconds=5)
    with time_machine.travel(later, tick=False):
        done = dict(periodic_jobs(later))
    d.refresh_from_db()
    assert done["periodic_retry"] == "sent=1 delivered=1 failed=0"
    assert (d.status, d.attempts, d.last_status_code, d.next_attempt_at) == ("succeeded", 2, 200, None)
    assert d.delivered_at is not None and d.duration_ms is not None
    # the same delivery id twice, each attempt signed with its own timestamp
    first, second = receiver.received
    assert first.headers["X-Xiaobao-Delivery"] == second.headers["X-Xiaobao-Delivery"] == str(d.uuid)
    assert first.headers["X-Xiaobao-Timestamp"] != second.headers["X-Xiaobao-Timestamp"]
    assert first.signed_with(secret) and second.signed_with(secret)
    assert first.body == second.body


def test_failed_after_the_last_attempt_and_the_creator_is_told(admin, subscribe, register, receiver):
    # given a receiver that always answers 503
    subscribe()
    receiver.answers = [503] * 10
    register()
    d = Delivery.objects.get()
    gaps = []
    # when every retry comes due in turn
    while d.status == "retrying":
        gaps.append(d.next_attempt_at - d.last_attempt_at)
        with time_machine.travel(d.next_attempt_at, tick=False):
            retry_due()
        d.refresh_from_db()
    # then it failed after six attempts, the pauses were the schedule's, and nothing is due any more
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert gaps == list(BACKOFF)
    assert len(receiver.received) == MAX_ATTEMPTS
    told = Notification.objects.get(user=admin, kind="webhook_failed")
    assert "ESB" in told.message and "complaints.complaint.register" in told.message
    assert retry_due(now=T0 + dt.timedelta(days=30)).sent == 0


@pytest.mark.parametrize(
    ("status", "outcome"), [(404, "failed"), (302, "failed"), (429, "retrying"), (408, "retrying")]
)
def test_a_4xx_or_a_redirect_stops_at_once_except_408_and_429(subscribe, register, receiver, status, outcome):
    subscribe()
    receiver.answers = [status]
    register()
    d = Delivery.objects.get()
    assert (d.status, d.attempts, d.last_status_code) == (outcome, 1, status)


def test_the_metadata_address_and_loopback_are_refused_at_save(admin, org):
    for url, field_message in [
        ("http://169.254.169.254/latest/meta-data/", "一律不允许"),
        ("http://127.0.0.1:8000/hook", "内部地址"),
        ("ftp://files.example.com/", "http://"),
        ("http://user:pw@93.184.215.14/", "用户名"),
    ]:
        with pytest.raises(DomainError) as info:
            subscription_create(actor=admin, data={"name": "x", "url": url, "event_types": ["*"]})
        assert field_message in info.value.fields["url"][0]
    assert not Subscription.objects.exists()


def test_a_refused_address_at_send_fails_at_once_and_the_complaint_stands(subscribe, register, receiver):
    # given a subscription whose address became the metadata service (written past the service's check)
    sub, _ = subscribe()
    Subscription.objects.filter(pk=sub.pk).update(url="http://169.254.169.254/latest/meta-data/")
    # when a complaint is registered
    c = register()
    # then the complaint stands and the delivery failed with the refusal recorded, nothing sent
    assert Complaint.objects.filter(pk=c.pk).exists()
    d = Delivery.objects.get()
    assert (d.status, d.attempts) == ("failed", 1)
    assert d.last_error == "地址 169.254.169.254 属于链路本地、组播或保留地址：一律不允许。"
    assert receiver.received == []


def test_a_receiver_that_is_down_never_breaks_the_business_step(subscribe, register):
    # given a subscription to a port nobody listens on
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sub, _ = subscribe()
    Subscription.objects.filter(pk=sub.pk).update(url=f"http://127.0.0.1:{port}/hook")
    # when a complaint is registered: it is, and the delivery waits for its retry
    c = register()
    assert Complaint.objects.filter(pk=c.pk, status="registered").exists()
    d = Delivery.objects.get()
    assert (d.status, d.last_error) == ("retrying", "无法连接：连接被拒绝")


def test_a_unit_limited_subscription_gets_only_its_subtree(org, admin, receiver, register):
    # given one subscription for branch 1 and one for branch 2
    b1, _ = subscription_create(
        actor=admin, data={"name": "b1", "url": receiver.url, "event_types": ["*"], "org_unit": org.b1}
    )
    subscription_create(
        actor=admin, data={"name": "b2", "url": receiver.url, "event_types": ["*"], "org_unit": org.b2}
    )
    # when a complaint of branch 1's sub-branch is registered
    register()
    # then only branch 1's subscription delivers
    assert list(Delivery.objects.values_list("subscription_id", flat=True)) == [b1.pk]
    assert len(receiver.received) == 1


def test_an_inactive_subscription_gets_nothing_and_deactivating_stops_waiting_deliveries(
    admin, subscribe, register, receiver
):
    sub, _ = subscribe()
    receiver.answers = [500]
    register()
    assert Delivery.objects.get().status == "retrying"
    subscription_update(actor=admin, subscription=sub, data={"is_active": False})
    assert Delivery.objects.get().status == "failed"
    register(request="第二次")
    assert Delivery.objects.count() == 1
    with pytest.raises(Conflict):
        subscription_ping(actor=admin, subscription=sub)


def test_the_test_event_is_sent_at_once_and_recorded(admin, subscribe, receiver):
    sub, secret = subscribe()
    # when the test button is pressed
    d = subscription_ping(actor=admin, subscription=sub)
    # then the receiver got a signed ping and the log shows the answer
    [got] = receiver.received
    assert got.headers["X-Xiaobao-Event"] == "ping" and got.signed_with(secret)
    assert got.json["type"] == "ping" and got.json["actor"] == "wh_admin"
    assert (d.status, d.attempts, d.last_status_code) == ("succeeded", 1, 200)
    assert '"ok": true' in d.last_response_excerpt
    # a failing ping is attempted once, not retried, and nobody is told
    receiver.answers = [500]
    d = subscription_ping(actor=admin, subscription=sub)
    assert (d.status, d.attempts, d.next_attempt_at) == ("failed", 1, None)
    assert not Notification.objects.filter(kind="webhook_failed").exists()


def test_redeliver_sends_the_same_event_as_a_new_delivery(admin, subscribe, register, receiver):
    subscribe()
    receiver.answers = [404]
    register()
    failed = Delivery.objects.get()
    assert failed.status == "failed"
    again = delivery_redeliver(actor=admin, delivery=failed)
    assert again.status == "succeeded" and again.redelivery_of == failed
    first, second = receiver.received
    assert first.json["id"] == second.json["id"]  # the same event
    assert first.headers["X-Xiaobao-Delivery"] != second.headers["X-Xiaobao-Delivery"]
    with pytest.raises(Conflict):  # an open delivery is not redelivered
        receiver.answers = [500]
        register(request="再次")
        delivery_redeliver(actor=admin, delivery=Delivery.objects.get(status="retrying"))


def test_rotating_the_secret_signs_with_the_new_one(admin, subscribe, receiver):
    sub, old = subscribe()
    sub, new = subscription_rotate_secret(actor=admin, subscription=sub)
    assert new != old and sub.secret_hint == new[-4:]
    subscription_ping(actor=admin, subscription=sub)
    [got] = receiver.received
    assert got.signed_with(new) and not got.signed_with(old)


def test_the_secret_is_sealed_in_the_database(subscribe):
    from django.db import connection

    sub, secret = subscribe()
    with connection.cursor() as cur:
        cur.execute("SELECT secret FROM webhooks_subscription WHERE id = %s", [sub.pk])
        stored = cur.fetchone()[0]
    assert secret not in stored and stored
    assert Subscription.objects.get(pk=sub.pk).secret.reveal() == secret


def test_the_catalogue_names_every_module_and_the_decision(settings):
    from django.utils import translation

    known = catalogue.known()
    for code in [*DECISION_PATH, "complaints.complaint.breach", "complaints.complaint.decide_review"]:
        assert code in known
    assert {"complaints.*", "*"} <= catalogue.valid_choices()
    assert len(catalogue.groups()) > 1  # other modules' tables too
    with translation.override("zh-hans"):
        assert catalogue.label_of("complaints.complaint.notify") == "投诉：作出决定并告知"
    assert catalogue.matches(["complaints.*"], "complaints.complaint.assign")
    assert not catalogue.matches(["review.*"], "complaints.complaint.assign")
    assert not catalogue.matches(["*"], "ping")


@override_settings(OUTBOUND_ALLOWED_HOSTS=[])
def test_a_branch_scoped_manager_must_choose_a_unit_in_scope(org):
    from django.contrib.auth.models import Permission

    user = make_user("b1_wh", org.b1, [])
    user.user_permissions.add(Permission.objects.get(codename="manage_subscription"))
    from xiaobao.core.models import User

    user = User.objects.get(pk=user.pk)
    data = {"name": "x", "url": "https://93.184.215.14/hook", "event_types": ["*"]}
    with pytest.raises(DomainError) as info:
        subscription_create(actor=user, data=data)
    assert "org_unit" in info.value.fields
    with pytest.raises(DomainError) as info:
        subscription_create(actor=user, data={**data, "org_unit": org.b2})
    assert "org_unit" in info.value.fields
    sub, _ = subscription_create(actor=user, data={**data, "org_unit": org.b1s})
    assert sub.org_unit == org.b1s
