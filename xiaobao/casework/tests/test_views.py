"""The notifications page and home panel of every user: own rows only, whatever the subject, with or without
complaint permissions."""

from __future__ import annotations

import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from conftest import make_user
from xiaobao.casework.models import Notification
from xiaobao.casework.notifications import notify
from xiaobao.core.models import User

OPENED = "2026-03-02 10:00 +0800"  # a Monday
RECTIFICATION = ("view_rectification", "work_rectification")


def _grant(user, *codenames, app="rectification"):
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


def _item(org, officer, owner):
    from xiaobao.rectification.services import rectification_open

    data = {
        "org_unit": org.b1o.code, "title": "叫号机故障未及时报修", "description": "叫号机故障三天未报修。",
        "source": "inspection", "opened_on": "2026-03-02", "owner": owner.username,
    }  # fmt: skip
    with time_machine.travel(OPENED, tick=False):
        return rectification_open(actor=officer, data=data)


def _people(org, branch_officer):
    officer = _grant(branch_officer, "view_rectification", "open_rectification", *RECTIFICATION[1:])
    owner = _grant(make_user("rect_owner", org.b1o, []), *RECTIFICATION)  # no complaint permission at all
    stranger = _grant(make_user("rect_other", org.b1o, []), *RECTIFICATION)
    return officer, owner, stranger


def test_rectification_owner_sees_and_marks_his_notification(client_for, org, branch_officer):
    # given an owner with rectification permissions only, told about his item, and another user's notification
    officer, owner, stranger = _people(org, branch_officer)
    assert not owner.has_perm("complaints.view_complaint")
    item = _item(org, officer, owner)
    Notification.objects.filter(user=owner).delete()  # only the notification this test sends
    notify(users=[owner], subject=item, kind="sla_breach", message="整改逾期提醒", key="t:own")
    notify(users=[stranger], subject=item, kind="sla_breach", message="他人的提醒", key="t:other")
    mine = Notification.objects.get(user=owner)
    theirs = Notification.objects.get(user=stranger)
    client = client_for(owner)
    # when he opens the home page
    home = client.get("/").content.decode()
    # then the to-do card counts his unread notification and links the notifications page
    assert 'data-testid="todo-unread"' in home and reverse("casework:notifications") in home
    assert "<strong>1</strong>" in home and "整改逾期提醒" in home and "他人的提醒" not in home
    # when he opens the notifications page
    html = client.get(reverse("casework:notifications")).content.decode()
    # then the row names the subject's kind and links its reference; the column header is generic
    assert (
        'data-testid="notification-kind">整改事项<' in html
        and f'<a href="{item.get_absolute_url()}">{item.reference}</a>' in html
    )
    assert "<th>编号</th>" in html and "投诉编号" not in html
    assert "整改逾期提醒" in html and "他人的提醒" not in html
    # when he marks his own and the other user's notification read
    response = client.post(reverse("casework:notifications"), {"ids": [mine.pk, theirs.pk]})
    # then only his is read
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    # and the page lists it only under "all", the home page no longer counts it
    assert "整改逾期提醒" not in client.get(reverse("casework:notifications")).content.decode()
    assert "整改逾期提醒" in client.get(reverse("casework:notifications") + "?show=all").content.decode()
    assert 'data-testid="todo-unread"' not in client.get("/").content.decode()


def test_mark_all_read_touches_only_own_rows(client_for, org, no_role_user):
    # given two unread notifications without subject for the user and one for somebody else
    other = make_user("someone", org.b1, [])
    notify(users=[no_role_user], subject=None, kind="info", message="一", key="t:1")
    notify(users=[no_role_user, other], subject=None, kind="info", message="二", key="t:2")
    # when the user marks all read
    response = client_for(no_role_user).post(reverse("casework:notifications"), {"all": "1"})
    # then his are read and the other person's is not
    assert response.status_code == 302
    assert not Notification.objects.filter(user=no_role_user, read_at__isnull=True).exists()
    assert Notification.objects.get(user=other).read_at is None


def test_an_inspection_names_its_page():
    from xiaobao.inspections.models import Inspection

    # given an inspection (an unsaved row suffices) / then notifications about it link its page
    assert Inspection(pk=42).get_absolute_url() == reverse("inspections:detail", args=[42])


def test_invalid_posts_are_form_errors(client_for, no_role_user):
    # given the page of a user with one notification
    notify(users=[no_role_user], subject=None, kind="info", message="一", key="t:1")
    client = client_for(no_role_user)
    url = reverse("casework:notifications")
    # when nothing, a non-number, a negative or a too large id, or too many ids are posted
    bad = [
        {},
        {"ids": ["x"]},
        {"ids": ["-1"]},
        {"ids": [str(2**70)]},
        {"ids": [str(i) for i in range(1, 502)]},
    ]
    for data in bad:
        response = client.post(url, data)
        # then the page answers 400 with a message, nothing is marked
        assert response.status_code == 400, data
        assert 'role="alert"' in response.content.decode()
    assert Notification.objects.get(user=no_role_user).read_at is None


def test_the_page_needs_a_session_and_csrf(client, no_role_user):
    from django.test import Client

    # given no session: sent to the login page
    assert client.get(reverse("casework:notifications")).status_code == 302
    # given a session but no CSRF token: refused
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(no_role_user)
    assert strict.post(reverse("casework:notifications"), {"all": "1"}).status_code == 403
