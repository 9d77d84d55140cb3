"""Rectification personas: the branch officer opens and verifies, an outlet member owns the item, an approver
of the branch decides extensions. Permissions are also granted directly, so the tests do not depend on how
roles pick up module grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from conftest import make_user

VIEW = "rectification.view_rectification"
OPEN = "rectification.open_rectification"
WORK = "rectification.work_rectification"
VERIFY = "rectification.verify_rectification"
OPENED = "2026-03-02 10:00 +0800"  # a Monday


def grant(user: Any, *perms: str) -> Any:
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def officer(branch_officer):
    return grant(branch_officer, VIEW, OPEN, WORK, VERIFY)


@pytest.fixture
def owner(org):
    return grant(make_user("outlet_owner", org.b1o, ["complaint_handler"]), VIEW, WORK)


@pytest.fixture
def verifier(org):
    return grant(make_user("b1_verifier", org.b1, ["approver"]), VIEW, VERIFY)


@pytest.fixture
def other_officer(other_branch_officer):
    return grant(other_branch_officer, VIEW, OPEN, WORK, VERIFY)


def open_data(org: Any, **over: Any) -> dict[str, Any]:
    return {
        "org_unit": org.b1o.code,
        "title": "叫号机故障未及时报修",
        "description": "检查发现网点叫号机故障三天未报修，客户等候无序。",
        "source": "inspection",
        "opened_on": "2026-03-02",
        "owner": "outlet_owner",
        **over,
    }


@pytest.fixture
def open_item(org, officer, owner):
    """`open_item(**over)`: an item opened by the officer on 2026-03-02 (pinned), owned by the outlet."""
    from xiaobao.rectification.services import rectification_open

    def make(**over: Any) -> Any:
        with time_machine.travel(OPENED, tick=False):
            return rectification_open(actor=officer, data=open_data(org, **over))

    return make


def at(day: str) -> Any:
    """Travel to 10:00 local time of `day` (YYYY-MM-DD)."""
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def zh(msgid: str, **values: Any) -> str:
    """A message as the (zh-Hans) services and pages say it."""
    from django.utils import translation

    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
        return text % {k: translation.gettext(v) for k, v in values.items()} if values else text


NOT_OWN = "The owner may not %(what)s their own rectification item: somebody else must."
OWNER_ONLY = "Only the owner of this rectification item may take this step."


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)
