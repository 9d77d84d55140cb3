"""Fixtures for inspection tests: inspectors with permissions granted directly, dates pinned."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)


def grant(user, *codes):
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="inspections", codename__in=codes)
    )
    return User.objects.get(pk=user.pk)


ALL = ("view_inspection", "plan_inspection", "conduct_inspection", "manage_checklist")


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def inspector(org):
    """A branch-1 inspector (view + conduct)."""
    return grant(make_user("insp_b1", org.b1, []), "view_inspection", "conduct_inspection")


@pytest.fixture
def inspector2(org):
    return grant(make_user("insp2_b1", org.b1, []), "view_inspection", "conduct_inspection")


@pytest.fixture
def planner(org):
    """A branch-1 officer who plans (view + plan + conduct)."""
    return grant(make_user("plan_b1", org.b1, ["branch_cp_officer"]), *ALL[:3])


@pytest.fixture
def planner_b2(org):
    return grant(make_user("plan_b2", org.b2, ["branch_cp_officer"]), *ALL[:3])


@pytest.fixture
def hq(org):
    return grant(make_user("insp_hq", org.cpd, ["hq_cp_officer"]), *ALL)


@pytest.fixture
def template(db):
    from xiaobao.inspections.tests.factories import small_template

    return small_template()


@pytest.fixture
def inspection(org, inspector, template):
    from xiaobao.inspections.tests.factories import make_inspection

    return make_inspection(org.b1o, inspector, template)


def fill(actor, inspection, answers):
    from xiaobao.inspections.services import answer_save

    for code, value in answers.items():
        answer_save(actor=actor, inspection=inspection, item_code=code, value=value)


GOOD = {"L1": "yes", "L2": 4, "T1": "yes", "T2": "yes"}
