"""Governance personas: the branch officer keeps the registers and verifies, an outlet member owns an action
item, an approver of the branch is the unit head on the escalation ladder. Permissions are granted directly
too, so the tests do not depend on how roles pick up module grants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from conftest import make_user

VIEW = "governance.view_governance"
MANAGE = "governance.manage_governance"
WORK = "governance.work_actionitem"
VERIFY = "governance.verify_actionitem"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def grant(user: Any, *perms: str) -> Any:
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


def at(day: str) -> Any:
    """Travel to 10:00 local time of `day` (YYYY-MM-DD)."""
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


@pytest.fixture
def officer(branch_officer):
    return grant(branch_officer, VIEW, MANAGE, WORK, VERIFY)


@pytest.fixture
def owner(org):
    return grant(make_user("outlet_owner", org.b1o, ["complaint_handler"]), VIEW, WORK)


@pytest.fixture
def verifier(org):
    return grant(make_user("b1_head", org.b1, ["approver"]), VIEW, VERIFY)


@pytest.fixture
def other_officer(other_branch_officer):
    return grant(other_branch_officer, VIEW, MANAGE, WORK, VERIFY)


@pytest.fixture
def group(org, officer):
    """Branch 1's leadership group with a leader (the officer) and an outside member, from 2026-01-01."""
    from xiaobao.governance import services as svc

    with at("2026-01-05"):
        body = svc.body_create(
            actor=officer,
            data={"kind": "leadership_group", "org_unit": org.b1.code, "name": "北京分行消保工作领导小组"},
        )
        svc.member_add(
            actor=officer,
            body=body,
            data={"user": officer.username, "role": "leader", "term_start": "2026-01-01"},
        )
        svc.member_add(
            actor=officer, body=body, data={"name": "刘顾问", "role": "member", "term_start": "2026-01-01"}
        )
    return body


@pytest.fixture
def meeting(group, officer):
    from xiaobao.governance import services as svc

    with at("2026-03-02"):
        return svc.meeting_create(
            actor=officer,
            body=group,
            data={
                "held_on": "2026-03-02",
                "kind": "regular",
                "title": "2026年第一季度领导小组会议",
                "topics": "一季度投诉情况分析\n适老化服务改造",
                "resolutions": "网点叫号系统三月内完成改造",
            },
        )


@pytest.fixture
def open_item(meeting, officer, owner):
    """`open_item(**over)`: an action item of the 2026-03-02 meeting owned by the outlet, due 2026-03-16."""
    from xiaobao.governance import services as svc

    def make(**over: Any) -> Any:
        with at("2026-03-02"):
            data = {"title": "完成网点叫号系统改造", "owner": owner.username, "due_on": "2026-03-16", **over}
            return svc.action_item_open(actor=officer, meeting=meeting, data=data)

    return make
