"""The staff register in a real Chromium: head office imports the register from Excel through the import
pages (upload → mapping by the shipped preset → validate → import), then the register, a person's record and
a learner's own record at 360 px. Screenshots go to var/screenshots/staff-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.training.tests.test_staff_fixtures import ensure_layers, exam_attempt, plan, session, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}


def _shot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"staff-{name}.png"
    page.add_style_tag(content=".topbar, .submit-bar { position: static !important; }")
    page.screenshot(path=str(path), full_page=True)
    return path


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width


def test_import_the_register_then_read_it_on_a_phone(page, login, org, tmp_path, new_context):
    from xiaobao.training.importing import load_preset_now
    from xiaobao.training.models import StaffMember

    ensure_layers()  # a transactional test starts from an emptied database
    load_preset_now()
    hq = make_user("hq_training", org.cpd, ["hq_cp_officer"])
    rows = [
        ["100001", "王芳", "B1-S1-O1", "一线员工", "柜员", "2020-07-01", "在职"],
        ["100002", "李强", "海淀支行", "中层", "支行副行长", "2015-03-09", "在职"],
        ["100003", "赵敏", "B1", "新员工", "客户经理", "2026-02-01", "在职"],
        ["100004", "钱进", "B1", "一线", "客户经理", "2019-01-02", "离职"],
        ["200001", "孙丽", "浦东支行", "高管", "行长", "2010-05-01", "在职"],
        ["200002", "周杰", "B2", "大堂经理", "大堂经理", "2022-09-15", "在职"],
    ]
    path = tmp_path / "员工名册.xlsx"
    path.write_bytes(xlsx(rows))
    first = tmp_path / "员工名册-初稿.xlsx"
    first.write_bytes(xlsx([*rows, ["300001", "吴用", "B9", "一线员工", "", "2031-01-01", "在职"]]))
    with time_machine.travel("2026-03-02 10:00 +0800", tick=True):
        # head office: the import entry, the framework's upload form for the kind
        login(page, "hq_training")
        page.goto("/training/staff/import/")
        _shot(page, "01-import-entry")
        # a first draft with bad rows: the validation lists the problems by row and column, nothing is written
        page.get_by_test_id("upload").click()
        page.locator("input[name=file]").set_input_files(str(first))
        page.locator("select[name=org_unit]").select_option(str(org.ho.pk))
        page.get_by_test_id("upload-form").locator("button[type=submit]").click()
        page.get_by_test_id("save-validate").click()
        errors = page.get_by_test_id("error-table")
        # row 7: a layer in no value table yet; row 8: an unknown unit and a hire date in the future
        expect(errors.locator("tbody tr")).to_have_count(3)
        expect(errors.locator("tbody tr").nth(0)).to_contain_text("大堂经理")
        expect(errors.locator("tbody tr").nth(1)).to_contain_text("B9")
        expect(errors.locator("tbody tr").nth(2).locator("td").first).to_have_text("8")
        _shot(page, "02-errors")
        assert not StaffMember.objects.exists()
        # the corrected file
        page.goto("/training/staff/import/")
        page.get_by_test_id("upload").click()
        page.locator("input[name=file]").set_input_files(str(path))
        page.locator("select[name=org_unit]").select_option(str(org.ho.pk))
        page.get_by_test_id("upload-form").locator("button[type=submit]").click()
        # the mapping screen matched the columns by the preset; 大堂经理 is in no value table yet: map it
        expect(page.locator("select[name=col_employee_no]")).to_have_value("工号")
        expect(page.locator("select[name=col_layer]")).to_have_value("岗位层级")
        values = page.get_by_test_id("values-layer")
        expect(values).to_contain_text("大堂经理")
        _shot(page, "03-mapping")
        values.locator("tr", has_text="大堂经理").locator("select").select_option("front_line")
        page.get_by_test_id("save-validate").click()
        page.get_by_test_id("run").click()
        expect(page.get_by_test_id("created")).to_have_text("6")
        _shot(page, "04-imported")
        page.get_by_test_id("results-link").click()
        expect(page.get_by_test_id("staff-row")).to_have_count(6)
        _shot(page, "05-register-desktop")
        assert StaffMember.objects.get(employee_no="200002").layer.code == "front_line"

        # a plan, two sessions and an exam for 王芳, whose account is then created (linked by number)
        wang = StaffMember.objects.get(employee_no="100001")
        plan(org.ho, 2026, hq, front_line="8", middle_management="12", new_hire="16")
        session(org.b1, hq, "2026-01-15", "3", "投诉处理实务与典型案例", [wang], topic="投诉处理")
        session(
            org.cpd,
            hq,
            "2026-02-20",
            "2.5",
            "《金融消费者权益保护实施办法》解读",
            [wang, StaffMember.objects.get(employee_no="100002")],
            trainer_kind="external",
            trainer_name="王教授（某高校）",
            mode="online",
        )
        learner = make_user("100001", org.b1o, ["learner"])
        exam_attempt(learner, org.cpd, hq, "一季度消保知识考试", 86, "2026-02-25 10:00")
        exam_attempt(learner, org.cpd, hq, "消保知识练习", None, "2026-03-01 09:00", kind="practice")
        make_user("b1_training", org.b1, ["branch_cp_officer"])

        # Beijing's officer on a phone: the register, then 王芳's record
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        login(phone, "b1_training")
        phone.goto("/training/staff/")
        cards = phone.get_by_test_id("staff-cards").locator("li")
        expect(cards).to_have_count(4)
        expect(phone.get_by_test_id("staff-counts")).to_contain_text("3")
        expect(phone.get_by_test_id("staff-list")).to_be_hidden()
        _no_sideways_scroll(phone)
        _shot(phone, "06-register-360")
        cards.filter(has_text="王芳").locator("a").first.click()
        expect(phone.get_by_test_id("hours-done")).to_have_text("5.5")
        expect(phone.get_by_test_id("target-state")).to_contain_text("2.5")
        expect(phone.get_by_test_id("record-session-cards").locator("li")).to_have_count(2)
        _no_sideways_scroll(phone)
        _shot(phone, "07-record-360")

        # the learner on a phone: the own record, and nothing of the register
        mine = new_context().new_page()
        mine.set_viewport_size(PHONE)
        login(mine, "100001")
        mine.goto("/training/me/")
        expect(mine.get_by_test_id("hours-done")).to_have_text("5.5")
        expect(mine.get_by_test_id("record-exams")).to_contain_text("一季度消保知识考试")
        expect(mine.get_by_test_id("record-exams")).to_contain_text("86")
        expect(mine.locator("nav.subnav")).to_have_count(0)
        _no_sideways_scroll(mine)
        _shot(mine, "08-my-record-360")
        response = mine.goto("/training/staff/")
        assert response is not None and response.status == 403
