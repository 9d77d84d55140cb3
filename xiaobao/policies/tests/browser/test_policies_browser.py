"""In the browser: head office revises a policy in force (changes a clause, gives the reason), approves the
draft — it is frozen — and the yearly 废改立 list shows the revision. Screenshots in /tmp/shots/policies/
(looked at)."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.policies.models import PolicyVersion
from xiaobao.policies.tests.routes import make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
SHOTS = "/tmp/shots/policies"


@pytest.fixture(autouse=True)
def _regulations(_presets):
    """A transactional test flushes the data migration's rows: put the regulations back."""
    from django.apps import apps

    importlib.import_module("xiaobao.policies.migrations.0002_regulations_and_review_rules").load(apps, None)


def test_a_policy_is_revised_and_the_yearly_list_shows_it(page, login, org, shot):
    with time_machine.travel(dt.datetime(2026, 6, 17, 9, 30, tzinfo=SH), tick=True):
        # given head office's complaint policy in force since 2025
        officer = make_user("hq_policy", org.cpd, ["hq_cp_officer"])
        policy = make_policy(officer, "HO", "XB-CP-002", "消费投诉处理管理办法")
        login(page, "hq_policy")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"/policies/{policy.pk}/")
        expect(page.get_by_test_id("policy-title")).to_contain_text("消费投诉处理管理办法")
        page.screenshot(path=f"{SHOTS}/01-policy.png", full_page=True)
        # when the officer revises clause 2 with a reason
        page.get_by_test_id("revise").click()
        page.locator("textarea[name=clauses]").fill(
            "第一条 为规范消费投诉处理工作，制定本办法。\n"
            "第二条 投诉自受理之日起10日内处理完毕，复杂情况可延长至30日。"
        )
        page.locator("textarea[name=reason]").fill("根据监管检查意见缩短投诉处理时限")
        page.locator("input[name=effective_on]").fill("2026-07-01")
        page.screenshot(path=f"{SHOTS}/02-revise-form.png", full_page=True)
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("draft")).to_be_visible()
        expect(page.get_by_test_id("clause-diff")).to_contain_text("10日内")
        page.screenshot(path=f"{SHOTS}/03-draft-with-diff.png", full_page=True)
        # and approves it
        page.get_by_test_id("approve").click()
        expect(page.get_by_test_id("version-history")).to_contain_text("根据监管检查意见缩短投诉处理时限")
        page.screenshot(path=f"{SHOTS}/04-approved.png", full_page=True)
        v2 = PolicyVersion.objects.get(policy=policy, number=2)
        assert v2.frozen and v2.kind == "revise"
        # then the yearly list shows the revision
        page.get_by_test_id("changes-link").click()
        rows = page.get_by_test_id("change-row")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("消费投诉处理管理办法")
        expect(rows.first).to_contain_text("根据监管检查意见缩短投诉处理时限")
        page.screenshot(path=f"{SHOTS}/05-yearly-list.png", full_page=True)
        # and the approved version offers no edit any more
        page.goto(f"/policies/versions/{v2.pk}/edit/")
        expect(page.get_by_test_id("blocked")).to_be_visible()
        assert page.locator("form[data-testid=policy-form]").count() == 0
        shot(page, "06-frozen-edit")
