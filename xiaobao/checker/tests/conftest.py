"""Checker personas and helpers: head office edits rules, a branch officer uses the bench, the auditor reads.
Rule data is built with `rule_data(**over)`; every test pins its day (the suite also runs a year ahead)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

DAY = "2026-03-02 10:00 +0800"  # a Monday


def at(day: str) -> Any:
    """Travel to 10:00 local time of `day` (YYYY-MM-DD)."""
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def rule_data(**over: Any) -> dict[str, Any]:
    return {
        "code": "test-absolute",
        "title": "绝对化用语（测试）",
        "label": "absolute",
        "severity": "high",
        "kind": "terms",
        "terms": ["最高", "第一"],
        "source": "《广告法》第九条",
        "suggestion": "删除绝对化用语",
        "status": "active",
        **over,
    }


def grant(user: Any, *perms: str) -> Any:
    """The user with these permissions added directly (fresh from the database: no permission cache)."""
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


def zh(msgid: str) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def no_presets(db):
    """Only the rules a test makes (the preset sync may have loaded the engine's presets at migrate)."""
    from xiaobao.checker.models import CheckRule
    from xiaobao.checker.services import rules_invalidate

    CheckRule.objects.all().delete()
    rules_invalidate()


@pytest.fixture
def make_rule(hq_officer, no_presets):
    """`make_rule(**over)`: a rule saved by the head-office officer on 2026-03-02."""
    from xiaobao.checker.services import rule_save

    def make(**over: Any) -> Any:
        with time_machine.travel(DAY, tick=False):
            return rule_save(rule=None, data=rule_data(**over), by=hq_officer, note="新建")

    return make


@pytest.fixture
def b1_complaint(org):
    """A complaint of branch 1 as a finding's subject (anything with `objects.visible_to`)."""
    from conftest import make_user
    from xiaobao.complaints.services import complaint_register

    clerk = make_user("ck_clerk", org.b1s, ["complaint_handler"])
    complaint, _ = complaint_register(
        actor=clerk,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b1s.code,
            "complainant": {"name": "王小明"},
            "request": "请求",
            "description": "描述",
        },
    )
    return complaint
