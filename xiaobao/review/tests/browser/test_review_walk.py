"""The issue's walk in the browser: a product department submits a wealth-management leaflet (docx); the
checker marks its problems in the text; the head-office reviewer takes it, writes opinions (one made from a
finding), sends them; the submitter uploads version 2 and answers; the reviewer reads the diff, closes the
opinions and passes it. Time pinned (ticking) in Shanghai. Screenshots: var/screenshots/review_walk--NN-*.png.
"""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.review.tests.conftest import CONDUCT, LEAFLET, LEAFLET_V2, SUBMIT, VIEW, docx, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _review_presets(_presets):
    """The transactional test flushed the data migrations' rows: product kinds, deadline rules, checker
    rules."""
    from django.apps import apps

    importlib.import_module("xiaobao.review.migrations.0002_product_kinds_deadline_rules").add_presets(
        apps, None
    )
    from xiaobao.checker.services import presets_sync

    presets_sync()


def _write(tmp_path, paragraphs, name):
    path = tmp_path / name
    path.write_bytes(docx(paragraphs).getvalue())
    return str(path)


def _at(day: int, hour: int = 10):
    return time_machine.travel(dt.datetime(2026, 3, day, hour, 0, tzinfo=SH), tick=True)


def test_review_walk(browser, live_server, new_context, login, shot, org, tmp_path):
    product = grant(make_user("b1_product", org.b1s, ["business_responder"]), VIEW, SUBMIT)
    product.full_name = "李产品"
    product.save(update_fields=["full_name"])
    reviewer = grant(make_user("hq_reviewer", org.cpd, ["hq_cp_officer"]), VIEW, SUBMIT, CONDUCT)
    reviewer.full_name = "王审查"
    reviewer.save(update_fields=["full_name"])
    sub = new_context().new_page()
    rev = new_context().new_page()

    # 1. the product department submits the leaflet
    with _at(2):
        login(sub, product.username)
        sub.goto("/reviews/new/")
        sub.locator("#id_title").fill("“稳盈”理财产品宣传单")
        sub.locator("#id_kind").select_option("marketing")
        sub.locator("#id_product_kind").select_option("wealth")
        sub.locator("#id_product_name").fill("稳盈1号")
        sub.locator("#id_planned_launch").fill("2026-04-01")
        sub.locator("#id_files").set_input_files(_write(tmp_path, LEAFLET, "稳盈宣传单.docx"))
        shot(sub, "01-submit-form")
        sub.get_by_test_id("submit").click()
        expect(sub.get_by_test_id("review-detail")).to_be_visible()
        expect(sub.get_by_test_id("status")).to_contain_text("已提交")
        reference = sub.locator("h1").first.inner_text().split()[0]
        url = sub.url

    # 2. the reviewer finds it in the register, takes it, sees the findings marked in the text
    with _at(3):
        login(rev, reviewer.username)
        rev.goto("/reviews/?status=submitted")
        expect(rev.get_by_test_id("review-list")).to_contain_text(reference)
        shot(rev, "02-register")
        rev.get_by_role("link", name=reference).click()
        rev.get_by_test_id("action-claim").click()
        rev.get_by_test_id("action-submit").click()
        expect(rev.get_by_test_id("status")).to_contain_text("审查中")
        marks = rev.get_by_test_id("finding-mark")
        expect(marks.first).to_be_visible()
        assert marks.count() >= 3
        # confirm the promise of returns and make an opinion of it
        guarantee = rev.get_by_test_id("finding").filter(has_text="保本保收益").first
        guarantee.get_by_test_id("finding-confirm").click()
        guarantee = rev.get_by_test_id("finding").filter(has_text="保本保收益").first
        expect(guarantee.get_by_test_id("finding-decision")).to_be_visible()
        guarantee.get_by_test_id("finding-to-opinion").click()
        expect(rev.locator("#op_quote")).to_have_value("保本保收益")
        rev.locator("#op_body").fill(
            "删除“保本保收益”等承诺性表述，改为业绩比较基准并说明测算依据。"
            + rev.locator("#op_body").input_value()
        )
        rev.get_by_test_id("opinion-submit").click()
        rev.locator("#op_category").select_option("disclosure")
        rev.locator("#op_severity").select_option("suggestion")
        rev.locator("#op_body").fill("补充“理财非存款、产品有风险、投资须谨慎”风险揭示，置于显著位置。")
        rev.get_by_test_id("opinion-submit").click()
        expect(rev.get_by_test_id("opinion")).to_have_count(2)
        shot(rev, "03-detail-findings-opinions")
        rev.get_by_test_id("action-issue_opinions").click()
        rev.get_by_test_id("action-submit").click()
        expect(rev.get_by_test_id("status")).to_contain_text("待答复")

    # 3. the submitter uploads version 2 and answers both opinions
    with _at(5):  # signed in again: days later the session has timed out
        login(sub, product.username)
        sub.goto(url)
        sub.locator("#up_document").select_option(label="稳盈宣传单")
        sub.locator("#up_file").set_input_files(_write(tmp_path, LEAFLET_V2, "稳盈宣传单-v2.docx"))
        sub.locator("#up_note").fill("按意见删除承诺收益，补充风险揭示")
        sub.get_by_test_id("upload-submit").click()
        expect(sub.get_by_test_id("versions").first).to_contain_text("v2")
        rows = sub.get_by_test_id("answer-row")
        expect(rows).to_have_count(2)
        rows.nth(0).locator("select").select_option("adopted")
        rows.nth(1).locator("select").select_option("partly_adopted")
        shot(sub, "04-answer-form")
        sub.get_by_test_id("answer-submit").click()
        expect(sub.get_by_test_id("answer-form").locator(".errorlist")).to_be_visible()  # a reason is needed
        rows = sub.get_by_test_id("answer-row")
        rows.nth(1).locator("textarea").fill("已补充风险揭示，版面所限字号与正文一致")
        sub.get_by_test_id("answer-submit").click()
        expect(sub.get_by_test_id("status")).to_contain_text("审查中")

    # 4. the reviewer reads the diff, closes both opinions and passes
    with _at(6):
        login(rev, reviewer.username)
        rev.goto(url)
        rev.get_by_test_id("diff-link").first.click()
        expect(rev.get_by_test_id("diff").locator("del").first).to_be_visible()
        expect(rev.get_by_test_id("diff").locator("ins").first).to_be_visible()
        shot(rev, "05-diff")
        rev.go_back()
        rev.get_by_test_id("opinion-close_opinion").first.click()
        rev.get_by_test_id("action-submit").click()
        rev.get_by_test_id("opinion-close_opinion").first.click()
        rev.get_by_test_id("action-submit").click()
        states = rev.get_by_test_id("opinion-state")
        expect(states.nth(0)).to_contain_text("已关闭")
        expect(states.nth(1)).to_contain_text("已关闭")
        rev.get_by_test_id("action-pass_with_changes").click()
        rev.get_by_test_id("action-submit").click()
        expect(rev.get_by_test_id("status")).to_contain_text("修改后通过")
        expect(rev.get_by_test_id("approvals")).to_be_visible()
        shot(rev, "06-passed")
