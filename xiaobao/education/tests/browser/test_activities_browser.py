"""In the browser at 360 px: an outlet clerk reports three activities with photos on the phone form (the
live audience sum, a draft kept in the browser across a reload), one with a photo dated another day; the
branch officer sees them awaiting approval, sees the date warning, returns one with a reason and approves
the others; the clerk corrects and resubmits the returned one, which the officer then approves. Time pinned
(ticking) to 2026-03-20 10:00 in Shanghai. Screenshots: var/screenshots/ and /tmp/shots/edu-activities/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.education.models import Activity
from xiaobao.education.tests.routes_activities import edition, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
OUT = Path("/tmp/shots/edu-activities")


@pytest.fixture
def snap(shot):
    OUT.mkdir(parents=True, exist_ok=True)

    def _snap(page, name):
        path = shot(page, name)
        shutil.copy(path, OUT / f"{name}.png")

    return _snap


def _phone(new_context):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    return page


def _no_horizontal_scroll(page) -> None:
    wide = page.evaluate(
        "[...document.querySelectorAll('main, main *')]"
        ".filter(e => e.getBoundingClientRect().right > 361 && !e.closest('table'))"
        ".slice(0, 5).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"
    )
    assert wide == [], wide


def _report(page, tmp_path, n, *, venue, elderly, students, photo_day, reload_midway=False):
    page.goto("/education/activities/new/")
    expect(page.get_by_test_id("activity-form")).to_be_visible()
    page.locator("#id_held_on").fill("2026-03-12")
    page.locator("#id_campaign").select_option("consumer_rights_week")
    page.locator(f"input[name=venue][value={venue}]").check()
    page.locator("#id_place").fill(f"中关村第{n}社区")
    page.locator("input[name=topics][value=telecom_fraud]").check()
    page.locator("#id_audience_elderly").fill(str(elderly))
    page.locator("#id_audience_students").fill(str(students))
    # the live sum fills the people reached
    expect(page.locator("[data-sum]")).to_have_text(str(elderly + students))
    expect(page.locator("#id_people_reached")).to_have_value(str(elderly + students))
    if reload_midway:
        # a dropped page loses nothing: the draft comes back from this phone's storage
        page.reload()
        expect(page.get_by_test_id("draft-bar")).to_be_visible()
        expect(page.locator("#id_place")).to_have_value(f"中关村第{n}社区")
        expect(page.locator("#id_audience_elderly")).to_have_value(str(elderly))
    page.locator("#id_leaflets").fill("80")
    photo = tmp_path / f"site{n}.jpg"
    photo.write_bytes(jpeg(photo_day, size=(320, 240), color=["#2563eb", "#16a34a", "#f59e0b"][n % 3]))
    page.locator("#id_photos").set_input_files(str(photo))
    return page


def test_outlet_reports_three_with_photos_branch_approves(new_context, login, snap, org, tmp_path):
    hq = make_user("edu_hq", org.cpd, ["hq_cp_officer"])
    edition(org, hq)
    clerk = make_user("edu_clerk", org.b1o, ["complaint_handler"])
    officer = make_user("edu_b1_officer", org.b1, ["branch_cp_officer"])
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, 0, tzinfo=SH), tick=True):
        phone = _phone(new_context)
        login(phone, clerk.username)
        # 1: with a reload in the middle (the draft), a photo of the day
        _report(
            phone,
            tmp_path,
            1,
            venue="community",
            elderly=40,
            students=10,
            photo_day=dt.date(2026, 3, 12),
            reload_midway=True,
        )
        snap(phone, "01-form-filled")
        _no_horizontal_scroll(phone)
        phone.get_by_test_id("activity-submit").click()
        expect(phone.get_by_test_id("activity-detail")).to_be_visible()
        snap(phone, "02-detail-after-report")
        _no_horizontal_scroll(phone)
        # the draft was forgotten once the server stored the activity
        assert phone.evaluate("localStorage.getItem('xb-edu-activity-new')") is None
        # 2: a wrong sum is refused with the message in the audience box, then fixed
        _report(phone, tmp_path, 2, venue="campus", elderly=0, students=120, photo_day=dt.date(2026, 3, 11))
        phone.locator("#id_people_reached").fill("130")
        expect(phone.get_by_test_id("audience-sum")).to_have_class("edu-sum bad")
        phone.get_by_test_id("activity-submit").click()
        expect(phone.get_by_test_id("audience-errors")).to_be_visible()
        snap(phone, "03-sum-refused")
        assert Activity.objects.count() == 1
        phone.locator("#id_people_reached").fill("120")
        phone.locator("#id_photos").set_input_files(str(tmp_path / "site2.jpg"))
        phone.get_by_test_id("activity-submit").click()
        expect(phone.get_by_test_id("activity-detail")).to_be_visible()
        # 3: the photo is from last month → the approver will see the warning
        _report(phone, tmp_path, 3, venue="community", elderly=25, students=0, photo_day=dt.date(2026, 2, 1))
        phone.get_by_test_id("activity-submit").click()
        expect(phone.get_by_test_id("mismatch-badge")).to_be_visible()
        snap(phone, "04-detail-date-mismatch")
        assert Activity.objects.filter(status="submitted").count() == 3

        # the branch officer, also on a phone: three await approval
        desk = _phone(new_context)
        login(desk, officer.username)
        desk.goto("/education/activities/?awaiting=true")
        expect(desk.get_by_test_id("activity-cards").locator("li")).to_have_count(3)
        snap(desk, "05-awaiting-my-approval")
        _no_horizontal_scroll(desk)
        first, second, third = Activity.objects.order_by("pk")
        # the third (photo from February) is returned with a reason
        desk.goto(f"/education/activities/{third.pk}/")
        expect(desk.get_by_test_id("photo-mismatch")).to_be_visible()
        desk.get_by_test_id("action-return").click()
        desk.locator("#id_reason").fill("照片拍摄日期与活动日期不符，请补充当天照片")
        snap(desk, "06-return-form")
        desk.get_by_test_id("action-submit").click()
        expect(desk.get_by_test_id("status")).to_have_text("已退回")
        for item in (first, second):
            desk.goto(f"/education/activities/{item.pk}/")
            desk.get_by_test_id("action-approve").click()
            desk.get_by_test_id("action-submit").click()
            expect(desk.get_by_test_id("status")).to_have_text("已通过")
        snap(desk, "07-approved")

        # the clerk adds a photo of the day and resubmits the returned one
        phone.goto(f"/education/activities/{third.pk}/")
        expect(phone.get_by_test_id("returned-reason")).to_be_visible()
        (tmp_path / "day.jpg").write_bytes(jpeg(dt.date(2026, 3, 12), size=(320, 240)))
        phone.locator("[data-testid=photo-form] input[type=file]").set_input_files(str(tmp_path / "day.jpg"))
        phone.get_by_test_id("photo-submit").click()
        expect(phone.get_by_test_id("photo")).to_have_count(2)
        phone.get_by_test_id("action-resubmit").click()
        phone.get_by_test_id("activity-submit").click()
        expect(phone.get_by_test_id("status")).to_have_text("待审核")
        snap(phone, "08-resubmitted")
        desk.goto(f"/education/activities/{third.pk}/")
        desk.get_by_test_id("action-approve").click()
        desk.get_by_test_id("action-submit").click()
        expect(desk.get_by_test_id("status")).to_have_text("已通过")
        snap(desk, "09-third-approved")
    assert Activity.objects.filter(status="approved").count() == 3
