"""The question bank in the browser: head office downloads the template, uploads a file with mistakes (the
row-by-row report, nothing imported), then 200 questions; writes a question of each kind in the form that
adapts to the kind; edits a used question (version 2) and reads the versions; marks a regulation revised.
Screenshots: var/screenshots/question_bank_walk--NN-*.png."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.exams.models import Question
from xiaobao.exams.tests.test_question_io import bank, row, xlsx
from xiaobao.exams.tests.test_questions import _used

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")


def test_question_bank_walk(page, login, shot, org, tmp_path):
    officer = make_user("hq_bank", org.cpd, ["hq_cp_officer"])
    officer.full_name = "赵题库"
    officer.save(update_fields=["full_name"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=True):
        login(page, "hq_bank")

        # 1. the import page links the template; a file with mistakes is refused row by row
        page.goto("/exams/questions/import/")
        expect(page.get_by_test_id("template-link")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_test_id("template-link").click()
        assert download.value.suggested_filename == "question-bank-template.xlsx"
        bad = tmp_path / "题库-有错.xlsx"
        bad.write_bytes(
            xlsx(
                [
                    *bank(6),
                    row("单选", "只有一个选项的题", ["甲"], "A"),
                    row("多选", "答案写成数字", ["甲", "乙", "丙"], "1,3"),
                    row("判断", "判断题答案不清", answer="也许"),
                    row("问答", "题型不认识", answer="略"),
                ]
            )
        )
        page.locator("input[name=file]").set_input_files(str(bad))
        page.get_by_test_id("import").click()
        errors = page.get_by_test_id("import-errors")
        expect(errors).to_be_visible()
        expect(errors.locator("tbody tr")).to_have_count(4)
        expect(errors).to_contain_text("答案")
        shot(page, "01-import-errors")
        assert Question.objects.count() == 0

        # 2. 200 questions from a good file
        good = tmp_path / "题库.xlsx"
        good.write_bytes(xlsx(bank(200)))
        page.locator("input[name=file]").set_input_files(str(good))
        page.get_by_test_id("import").click()
        expect(page.locator(".messages")).to_contain_text("200")
        expect(page.get_by_test_id("question-total")).to_have_text("200")
        shot(page, "02-list-after-import")
        assert Question.objects.filter(org_unit=org.ho).count() == 200

        # 3. the form adapts to the kind: single, multiple, true or false, blank
        page.get_by_test_id("new-question").click()
        form = page.get_by_test_id("question-form")
        expect(page.get_by_test_id("choice-block")).to_be_visible()
        expect(page.get_by_test_id("true-false-block")).to_be_hidden()
        expect(page.get_by_test_id("blank-block")).to_be_hidden()
        form.locator("textarea[name=stem]").fill("银行保险机构收到投诉后，原则上应在多少日内作出处理决定？")
        for i, text in enumerate(["7日", "15日", "30日", "60日"]):
            form.locator(f"input[name=option_{i}]").fill(text)
        form.locator("input[name=correct_1]").check()
        form.locator("textarea[name=explanation]").fill("情况复杂的可以延长至30日。")
        form.locator("input[name=new_tags]").fill("投诉处理、时限")
        shot(page, "03-form-single")
        # a mistake first: two ticks on a single-choice question
        form.locator("input[name=correct_2]").check()
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("answer-errors")).to_be_visible()
        shot(page, "04-form-single-error")
        page.get_by_test_id("question-form").locator("input[name=correct_2]").uncheck()
        page.get_by_test_id("save-another").click()
        expect(page.locator(".messages")).to_contain_text("已保存")

        form = page.get_by_test_id("question-form")
        form.locator("input[name=kind][value=multiple]").check()
        form.locator("textarea[name=stem]").fill("下列哪些属于金融消费者的基本权利？")
        for i, text in enumerate(["财产安全权", "知情权", "自主选择权", "无条件退款权"]):
            form.locator(f"input[name=option_{i}]").fill(text)
        for i in (0, 1, 2):
            form.locator(f"input[name=correct_{i}]").check()
        shot(page, "05-form-multiple")
        page.get_by_test_id("save-another").click()
        expect(page.locator(".messages")).to_contain_text("已保存")

        form = page.get_by_test_id("question-form")
        form.locator("input[name=kind][value=true_false]").check()
        expect(page.get_by_test_id("choice-block")).to_be_hidden()
        expect(page.get_by_test_id("true-false-block")).to_be_visible()
        form.locator("textarea[name=stem]").fill("银行可以因消费者拒绝购买理财产品而拒绝为其办理存款业务。")
        form.locator("input[name=true_false][value='1']").check()
        shot(page, "06-form-true-false")
        page.get_by_test_id("save-another").click()
        expect(page.locator(".messages")).to_contain_text("已保存")

        form = page.get_by_test_id("question-form")
        form.locator("input[name=kind][value=blank]").check()
        expect(page.get_by_test_id("blank-block")).to_be_visible()
        expect(page.get_by_test_id("choice-block")).to_be_hidden()
        form.locator("textarea[name=stem]").fill("金融消费者的基本权利共有____项。")
        form.locator("input[name=blank_answer]").fill("8|八")
        shot(page, "07-form-blank")
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("question-detail")).to_be_visible()
        expect(page.get_by_test_id("key")).to_have_text("8|八")

        single = Question.objects.get(stem__startswith="银行保险机构收到投诉后")
        assert (single.answer, sorted(t.name for t in single.tags.all())) == ([1], ["投诉处理", "时限"])
        assert Question.objects.get(stem__startswith="下列哪些属于").answer == [0, 1, 2]
        assert Question.objects.get(kind="true_false", stem__startswith="银行可以").answer == [1]

        # 4. an exam used the single-choice question; its key changes: version 2, version 1 kept
        _used(single, officer)
        page.goto(f"/exams/questions/{single.pk}/edit/")
        expect(page.get_by_test_id("used-warning")).to_be_visible()
        form = page.get_by_test_id("question-form")
        form.locator("input[name=correct_1]").uncheck()
        form.locator("input[name=correct_2]").check()
        page.get_by_test_id("submit").click()
        versions = page.get_by_test_id("versions")
        expect(versions.locator("tbody tr")).to_have_count(2)
        shot(page, "08-detail-versions")

        # 5. a regulation tag, marked revised: its questions are flagged
        page.goto("/exams/questions/tags/")
        regulation_rows = page.get_by_test_id("regulation-row")
        expect(regulation_rows).to_have_count(1)
        regulation_rows.first.locator("input[name=on]").fill("2026-03-03")
        regulation_rows.first.get_by_role("button").click()
        expect(page.locator(".messages")).to_contain_text("50")
        expect(page.get_by_test_id("question-total")).to_have_text("50")
        shot(page, "09-needs-review")
        page.goto("/exams/questions/tags/")
        shot(page, "10-tags")

        # 6. the list on a phone
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto("/exams/questions/")
        shot(page, "11-list-360")
