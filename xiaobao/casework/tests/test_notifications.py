"""Notifications about any subject: the upgrade that moves complaints' rows, telling once, links to the
subject's page, the subject locks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import make_user
from xiaobao.casework.models import Notification
from xiaobao.casework.notifications import Notice, Subject, deliver, mark_read, notify, unread_for
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.complaints.models import Notification as ComplaintNotification
from xiaobao.core.services.consumers import consumer_create
from xiaobao.early_warning.models import EarlyWarning

BEFORE = [("complaints", "0014_deadline_rule_to_casework")]


def _complaint(org, user, ref: str) -> Complaint:
    codes = {
        d: ComplaintCode.objects.filter(dimension=d).first() for d in ("channel", "business_type", "cause")
    }
    for d, code in codes.items():
        codes[d] = code or ComplaintCode.objects.create(dimension=d, code=f"T-{d}", name=d)
    consumer = consumer_create(actor=None, org_unit=org.b1s, name="王五", id_number="", phone="")
    return Complaint.objects.create(
        reference=ref, status="in_progress", channel=codes["channel"], business_type=codes["business_type"],
        cause=codes["cause"], received_at=dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC),
        receipt_date=dt.date(2026, 3, 2), registered_by=user, registering_unit=org.b1s, org_unit=org.b1s,
        handler=user, complainant=consumer, request="退还年费", description="年费争议", created_by=user,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_upgrade_moves_every_notification_with_its_id_key_and_times(org):
    # given notifications as complaints kept them: two about a complaint (one read, e-mailed), one about none
    user = make_user("nt_handler", org.b1s, ["complaint_handler"])
    c = _complaint(org, user, "NT-1")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    rows = [
        (
            41,
            c.pk,
            "sla_breach",
            "breach:1:20260317:1",
            "2026-03-18 02:00:00+00:00",
            "2026-03-18 03:00:00+00:00",
        ),
        (42, c.pk, "assigned", "assign:9:1:1", "2026-03-19 02:00:00+00:00", None),
        (57, None, "early_warning", "ew:3:1", "2026-03-20 02:00:00+00:00", None),
    ]
    with connection.cursor() as cur:
        for pk, complaint_id, kind, key, created, read in rows:
            cur.execute(
                "INSERT INTO complaints_notification (id, user_id, complaint_id, kind, message, created_at, "
                "read_at, emailed_at, dedupe_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [pk, user.pk, complaint_id, kind, f"msg {pk}", created, read, read, key],
            )
    # when the upgrade runs
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then every row is there with its id, key and times, its complaint now its subject
    moved = {n.pk: n for n in Notification.objects.all()}
    assert sorted(moved) == [41, 42, 57]
    assert moved[41].subject == c and moved[42].subject == c and moved[57].subject is None
    assert moved[41].dedupe_key == "breach:1:20260317:1" and moved[57].kind == "early_warning"
    assert moved[41].read_at == moved[41].emailed_at == dt.datetime(2026, 3, 18, 3, tzinfo=dt.UTC)
    assert moved[42].read_at is None and moved[42].created_at == dt.datetime(2026, 3, 19, 2, tzinfo=dt.UTC)
    # and the old queries still find them; the next notification gets a new id (the sequence moved on)
    assert set(ComplaintNotification.objects.filter(complaint=c).values_list("pk", flat=True)) == {41, 42}
    assert ComplaintNotification.objects.get(pk=41).complaint_id == c.pk
    assert notify(users=[user], subject=c, kind="test", message="新", key="after") == 1
    assert Notification.objects.get(dedupe_key=f"after:{user.pk}").pk > 57


@pytest.mark.django_db
def test_a_notification_opens_its_subject_page(org):
    # given a warning (not a complaint) and a notification about it and one about nothing
    user = make_user("nt_cp", org.b1, ["branch_cp_officer"])
    warning = EarlyWarning.objects.create(
        kind="spike", dedupe_key="nt", org_unit=org.b1, period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 2), count=9,
    )  # fmt: skip
    notify(users=[user], subject=warning, kind="early_warning", message="预警", key="ew:nt")
    notify(users=[user.pk], subject=None, kind="note", message="无主题", key="none")
    # when the user's unread notifications are read
    rows = {n.kind: n for n in unread_for(user)}
    # then the link opens the warning's page; without a subject there is no link
    assert rows["early_warning"].subject_url() == warning.get_absolute_url()
    assert rows["note"].subject_url() == "" and rows["note"].subject_label() == ""
    assert mark_read(user, [rows["note"].pk]) == 1 and unread_for(user).count() == 1


@pytest.mark.django_db
def test_telling_twice_stores_once_per_person_across_subjects_of_two_models(org):
    user = make_user("nt_two", org.b1s, ["complaint_handler"])
    c = _complaint(org, user, "NT-2")
    notices = [
        Notice((user.pk,), Subject.of(c), "a", "甲", "k1"),
        Notice((user.pk,), Subject("core.orgunit", org.b1s.pk), "b", "乙", "k2"),
    ]
    assert deliver(notices) == [1, 1]
    assert deliver(notices) == [0, 0]
    assert Notification.objects.count() == 2
