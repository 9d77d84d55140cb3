"""In the browser: head office plans the year and a session, opens the QR sign-in and shows the room display;
learners sign in from their phones (360 px) — one with an account in one tap, one without an account with
employee number and name — and the room's count follows; a sign-in list with a wrong row is refused row by
row, the corrected one imported; coverage by layer and unit. Time pinned (ticking) to 2026-03-02 09:30 in
Shanghai. Screenshots: var/screenshots/<test>--NN-<step>.png (looked at)."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.core.exports import xlsx_bytes
from xiaobao.training.models import Attendance, TrainingPlan, TrainingSession
from xiaobao.training.tests.test_sessions_fixtures import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def _layers(_presets):
    """A transactional test flushes the data migration's position layers: put them back."""
    from django.apps import apps

    importlib.import_module("xiaobao.training.migrations.0002_position_layers").load(apps, None)


@pytest.fixture(autouse=True)
def _no_throttle_left():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _pinned():
    return time_machine.travel(dt.datetime(2026, 3, 2, 9, 30, tzinfo=SH), tick=True)


@pytest.fixture
def world(org):
    hq = make_user("hq_trainer", org.cpd, ["hq_cp_officer"])
    learner = make_user("B1S0001", org.b1s, ["learner"])
    people = {
        "learner": person("B1S0001", org.b1s, user=learner),
        "walkin": person("B1S0002", org.b1s),
        "listed": person("B1S0003", org.b1o),
        "manager": person("B1M0001", org.b1, "middle_management"),
    }
    people["walkin"].name = "李明"
    people["walkin"].save()
    return hq, learner, people


def _phone(new_context):
    ctx = new_context()
    page = ctx.new_page()
    page.set_viewport_size(PHONE)
    return page


def _no_horizontal_scroll(page) -> None:
    """Nothing of the page's content reaches past the phone's width (the top bar's module menus are the
    platform's and checked by its own tests)."""
    wide = page.evaluate(
        "[...document.querySelectorAll('main, main *')]"
        ".filter(e => e.getBoundingClientRect().right > 361 && !e.closest('table'))"
        ".slice(0, 5).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"
    )
    assert wide == [], wide


def test_plan_session_qr_signin_room_import_and_coverage(new_context, login, shot, world, org, tmp_path):
    hq, learner, people = world
    with _pinned():
        desk = new_context().new_page()
        login(desk, hq.username)

        # head office plans 2026: 4 h for the front line, 6 h for middle management
        desk.goto("/training/plans/new/")
        desk.locator("#id_year").fill("2026")
        desk.locator("#id_org_unit").select_option(org.ho.code)
        desk.locator("#id_title").fill("2026年消费者权益保护培训计划")
        desk.locator("#id_target_front_line").fill("4")
        desk.locator("#id_target_middle_management").fill("6")
        shot(desk, "01-plan-form")
        desk.get_by_role("button", name="保存").click()
        expect(desk.get_by_test_id("plan-detail")).to_be_visible()
        plan = TrainingPlan.objects.get(year=2026, org_unit=org.ho)
        desk.locator("form[data-testid=course-add] #id_title").fill("金融消费者权益保护实施办法解读")
        desk.locator("form[data-testid=course-add] #id_layer").select_option("front_line")
        desk.locator("form[data-testid=course-add] #id_planned_month").select_option("3")
        desk.locator("form[data-testid=course-add] button[type=submit]").click()
        expect(desk.get_by_test_id("course-row")).to_have_count(1)
        shot(desk, "02-plan-detail")

        # a session of the plan today at the Beijing branch, 2 h
        desk.goto(f"/training/sessions/new/?plan={plan.pk}")
        desk.locator("#id_title").fill("消保知识专题培训")
        desk.locator("#id_org_unit").select_option(org.b1.code)
        desk.locator("#id_start_time").fill("10:00")
        desk.locator("#id_end_time").fill("12:00")
        desk.locator("#id_trainer_kind").select_option("external")
        desk.locator("#id_trainer_name").fill("王教授")
        desk.locator("#id_venue").fill("分行三楼会议室")
        desk.locator("#id_course").select_option(label="金融消费者权益保护实施办法解读")
        shot(desk, "03-session-form")
        desk.get_by_role("button", name="保存").click()
        expect(desk.get_by_test_id("session-detail")).to_be_visible()
        session = TrainingSession.objects.get(title="消保知识专题培训")
        assert session.date == dt.date(2026, 3, 2) and session.plan_id == plan.pk

        # the QR is drawn on the page (inline SVG, no outside service); sign-in opened
        expect(desk.locator("[data-testid=signin-qr] svg")).to_be_visible()
        desk.get_by_test_id("signin-open").click()
        expect(desk.get_by_test_id("signin-state")).to_have_text("签到中")
        shot(desk, "04-session-detail-qr")

        # the room display shows the QR codes and the count
        room = new_context().new_page()
        login(room, hq.username)
        room.goto(f"/training/sessions/{session.pk}/room/")
        expect(room.get_by_test_id("room-count")).to_contain_text("0")
        shot(room, "05-room-display")

        # a learner with an account opens the QR address on the phone, logs in, signs in with one tap
        phone = _phone(new_context)
        phone.goto(f"/training/sign-in/{session.signin_token}/")
        phone.locator("input[name=username]").fill(learner.username)
        from conftest import PASSWORD

        phone.locator("input[name=password]").fill(PASSWORD)
        phone.locator("form:has(input[name=password]) button[type=submit]").click()
        expect(phone.get_by_test_id("signin-button")).to_be_visible()
        _no_horizontal_scroll(phone)
        shot(phone, "06-phone-signin")
        phone.get_by_test_id("signin-button").click()
        expect(phone.get_by_test_id("signin-done")).to_be_visible()
        _no_horizontal_scroll(phone)
        shot(phone, "07-phone-signed")

        # somebody without an account: a wrong name first, then the right one
        walkin = _phone(new_context)
        walkin.goto(f"/public/training/sign-in/{session.signin_token}/")
        walkin.locator("#id_employee_no").fill("B1S0002")
        walkin.locator("#id_name").fill("李鸣")
        walkin.get_by_test_id("signin-button").click()
        expect(walkin.locator(".errorlist")).to_contain_text("工号与姓名与本场次所属机构的员工名册不符")
        shot(walkin, "08-public-wrong-name")
        walkin.locator("#id_name").fill("李明")
        walkin.get_by_test_id("signin-button").click()
        expect(walkin.locator(".messages")).to_contain_text("签到成功：李明")
        _no_horizontal_scroll(walkin)
        shot(walkin, "09-public-signed")

        # the room's count follows by itself (HTMX polling)
        expect(room.get_by_test_id("room-count")).to_contain_text("2", timeout=15_000)
        shot(room, "10-room-count")

        # a sign-in list with a wrong row is refused row by row, nothing recorded
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(
            xlsx_bytes(
                "签到表",
                ["工号", "姓名", "学时"],
                [
                    ["B1S0003", people["listed"].name, ""],
                    ["B9X9999", "查无此人", ""],
                    ["B1M0001", "错名", "3"],
                ],
            )
        )
        desk.goto(f"/training/sessions/{session.pk}/")
        desk.locator("form[data-testid=attendance-import] input[type=file]").set_input_files(str(bad))
        desk.locator("form[data-testid=attendance-import] button[type=submit]").click()
        expect(desk.get_by_test_id("import-error")).to_have_count(2)
        assert Attendance.objects.filter(session=session).count() == 2
        shot(desk, "11-import-errors")
        good = tmp_path / "good.xlsx"
        good.write_bytes(
            xlsx_bytes(
                "签到表",
                ["工号", "姓名", "学时"],
                [
                    ["B1S0003", people["listed"].name, "1.5"],
                    ["B1M0001", people["manager"].name, ""],
                    ["B1S0001", people["learner"].name, ""],
                ],
            )
        )
        desk.locator("form[data-testid=import-again] input[type=file]").set_input_files(str(good))
        desk.locator("form[data-testid=import-again] button[type=submit]").click()
        expect(desk.locator(".messages")).to_contain_text("新增 2 人，1 人此前已登记")
        expect(desk.get_by_test_id("attendance-row")).to_have_count(4)
        shot(desk, "12-attendance")

        # coverage: front line 4 h target — the two 2 h people and the 1.5 h one are below it
        desk.goto("/training/coverage/")
        expect(desk.get_by_test_id("coverage-by-layer")).to_be_visible()
        front = desk.locator("[data-testid=coverage-by-layer] tr[data-key=front_line]")
        expect(front).to_contain_text("0")
        desk.locator("[data-testid=coverage-by-unit] a[data-testid=drill]", has_text=org.b1.name).click()
        expect(desk).to_have_url(re.compile(r"unit=B1"))
        shot(desk, "13-coverage-drill")
        desk.goto("/training/")
        expect(desk.get_by_test_id("training-figures")).to_be_visible()
        shot(desk, "14-home")
        desk.goto("/training/plans/")
        expect(desk.get_by_test_id("plan-row")).to_have_count(1)
        shot(desk, "15-plans")
        desk.goto("/training/sessions/?when=upcoming")
        expect(desk.get_by_test_id("session-row")).to_have_count(1)
        shot(desk, "16-sessions")

        # the organiser's pages work on a phone too (the tables scroll inside the page)
        organiser_phone = _phone(new_context)
        login(organiser_phone, hq.username)
        organiser_phone.goto(f"/training/sessions/{session.pk}/")
        expect(organiser_phone.get_by_test_id("attendance-row")).to_have_count(4)
        _no_horizontal_scroll(organiser_phone)
        shot(organiser_phone, "17-phone-session-detail")


def test_signin_pages_refuse_outside_the_day_and_when_closed(new_context, login, shot, world, org):
    hq, _learner, _people = world
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SH), tick=False):
        session = TrainingSession.objects.create(
            title="明天的培训",
            org_unit=org.b1,
            date=dt.date(2026, 3, 2),
            hours=2,
            created_by=hq,
            signin_open=True,
        )
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SH), tick=True):
        phone = _phone(new_context)
        phone.goto(f"/public/training/sign-in/{session.signin_token}/")
        expect(phone.get_by_test_id("signin-closed")).to_contain_text("只能在培训当天（2026-03-02）签到")
        assert phone.locator("form[data-testid=public-signin-form]").count() == 0
        _no_horizontal_scroll(phone)
        shot(phone, "01-public-not-today")
        # a learner whose account is not in the staff register is told what to do
        stranger = make_user("nostaff", org.b1s, ["learner"])
        login(phone, stranger.username)
        phone.goto(f"/training/sign-in/{session.signin_token}/")
        expect(phone.get_by_test_id("signin-no-staff")).to_be_visible()
        _no_horizontal_scroll(phone)
        shot(phone, "02-no-staff-record")
