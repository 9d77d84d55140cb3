"""The e-mail digest speaks of notifications of any subject, not of complaints only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from conftest import make_user
from xiaobao.casework.notifications import email_digest, notify

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_the_digest_names_notifications_and_the_page_for_any_subject(org, mailoutbox):
    # given a user with an e-mail address and a notification about no complaint (a rectification step, say)
    user = make_user("digest_user", org.b1, [])
    user.email = "digest@example.invalid"
    user.save(update_fields=["email"])
    notify(
        users=[user],
        subject=None,
        kind="rect_assigned",
        message="整改事项 RE2026000001 已分派给您",
        key="t:1",
    )
    # when the digest goes out in working hours, in Chinese
    with translation.override("zh-hans"):
        sent = email_digest(dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH))
    # then its subject and body speak of notifications and point at the notifications page
    assert sent == 1 and len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert "投诉" not in mail.subject and "通知" in mail.subject
    assert "RE2026000001" in mail.body and "/notifications/" in mail.body and "投诉" not in mail.body
