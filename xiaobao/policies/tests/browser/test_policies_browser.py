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


def _shoot(page, name: str) -> None:
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_policy_is_revised_and_the_yearly_list_shows_it(page, login, org, shot):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    with time_machine.travel(dt.datetime(2026, 6, 17, 9, 30, tzinfo=SH), tick=True):
        # given head office's complaint policy in force since 2025, an officer and an approver
        officer = make_user("hq_policy", org.cpd, ["hq_cp_officer"])
        make_user("hq_policy_approver", org.ho, ["approver"])
        policy = make_policy(officer, "HO", "XB-CP-002", "消费投诉处理管理办法")
        login(page, "hq_policy")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/policies/")
        expect(page.get_by_test_id("policy-row")).to_have_count(1)
        _shoot(page, "00-catalogue")
        page.goto(f"/policies/{policy.pk}/")
        expect(page.get_by_test_id("policy-title")).to_contain_text("消费投诉处理管理办法")
        _shoot(page, "01-policy")
        # when the officer revises clause 2 with a reason
        page.get_by_test_id("revise").click()
        page.locator("textarea[name=clauses]").fill(
            "第一条 为规范消费投诉处理工作，制定本办法。\n"
            "第二条 投诉自受理之日起10日内处理完毕，复杂情况可延长至30日。"
        )
        page.locator("textarea[name=reason]").fill("根据监管检查意见缩短投诉处理时限")
        page.locator("input[name=effective_on]").fill("2026-07-01")
        _shoot(page, "02-revise-form")
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("draft")).to_be_visible()
        expect(page.get_by_test_id("clause-diff")).to_contain_text("10日内")
        # then the drafter is not offered the approval (four eyes) and is told why
        expect(page.get_by_test_id("four-eyes")).to_be_visible()
        assert page.get_by_test_id("approve").count() == 0
        _shoot(page, "03-draft-with-diff")
        draft_url = page.url
        page.get_by_test_id("edit-draft").click()
        _shoot(page, "03b-edit-draft")
        # when another approver approves it
        page.context.clear_cookies()
        login(page, "hq_policy_approver")
        page.goto(draft_url)
        _shoot(page, "03c-draft-for-the-approver")
        page.get_by_test_id("approve").click()
        expect(page.get_by_test_id("version-history")).to_contain_text("根据监管检查意见缩短投诉处理时限")
        _shoot(page, "04-approved")
        v2 = PolicyVersion.objects.get(policy=policy, number=2)
        assert v2.frozen and v2.kind == "revise" and v2.approved_by.username == "hq_policy_approver"
        # then the yearly list shows the revision
        page.get_by_test_id("changes-link").click()
        rows = page.get_by_test_id("change-row")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("消费投诉处理管理办法")
        expect(rows.first).to_contain_text("根据监管检查意见缩短投诉处理时限")
        _shoot(page, "05-yearly-list")
        # and the approved version offers no edit any more
        page.context.clear_cookies()
        login(page, "hq_policy")
        page.goto(f"/policies/versions/{v2.pk}/edit/")
        expect(page.get_by_test_id("blocked")).to_be_visible()
        assert page.locator("form[data-testid=policy-form]").count() == 0
        _shoot(page, "06-frozen-edit")
        page.goto(f"/policies/versions/{v2.pk}/")
        _shoot(page, "07-version-approved")
        # and the other pages render (looked at in zh-Hans)
        for name, url in [
            ("08-new-policy", "/policies/new/"),
            ("09-repeal-form", f"/policies/{policy.pk}/repeal/"),
            ("10-coverage", "/policies/coverage/"),
            ("11-regulations", "/policies/regulations/"),
            ("13-catalogue-filtered", "/policies/?status=revised&kind=revise&changed_from=2026-01-01"),
            ("14-statistics", "/statistics/?period=2026"),
        ]:
            page.goto(url)
            _shoot(page, name)
        page.goto("/policies/regulations/")
        page.locator("[data-testid=regulation-list] a").first.click()
        _shoot(page, "12-regulation")
        shot(page, "12-regulation")
