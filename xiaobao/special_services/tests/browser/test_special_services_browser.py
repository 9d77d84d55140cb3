"""In the browser: a branch officer keeps the Zhongguancun outlet's facilities on a phone (360 px) — each
tick saved as it goes, a reload shows them — records a home service on the phone, reveals the person's phone
with a reason; head office reads the figures and drills down to the branch. Screenshots in
/tmp/shots/special-services/ (looked at)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.special_services.models import FacilityCheck, FacilityItem, HomeService, OutletFacility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
SHOTS = Path("/tmp/shots/special-services")


@pytest.fixture(autouse=True)
def _code_tables():
    """A transactional test flushes the data migration's code tables: put them back."""
    from django.apps import apps

    from xiaobao.special_services.presets import load

    load(apps)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_horizontal_scroll(page) -> None:
    wide = page.evaluate(
        "[...document.querySelectorAll('main, main *')]"
        ".filter(e => e.getBoundingClientRect().right > 361 && !e.closest('table'))"
        ".slice(0, 5).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"
    )
    assert wide == [], wide


def test_facilities_and_a_home_service_on_a_phone(org, new_context, login):
    officer = make_user("b1_ss", org.b1, ["branch_cp_officer"])
    hq = make_user("hq_ss", org.cpd, ["hq_cp_officer"])
    with time_machine.travel(dt.datetime(2026, 6, 17, 9, 30, tzinfo=SH), tick=True):
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        login(phone, officer.username)
        # the outlet's checklist: tick as you go
        phone.goto(f"/special-services/facilities/{org.b1o.pk}/")
        expect(phone.get_by_test_id("item-wheelchair")).to_be_visible()
        _no_horizontal_scroll(phone)
        phone.get_by_test_id("yes-wheelchair").check()
        expect(phone.get_by_test_id("saved-wheelchair")).to_be_visible()
        phone.get_by_test_id("no-reading_glasses").check()
        expect(phone.get_by_test_id("saved-reading_glasses")).to_be_visible()
        phone.get_by_test_id("note-reading_glasses").fill("已申请采购")
        phone.get_by_test_id("note-reading_glasses").blur()
        expect(phone.locator("#item-reading_glasses .ss-state")).to_contain_text("✓")
        phone.get_by_test_id("yes-priority_window").check()
        expect(phone.get_by_test_id("saved-priority_window")).to_be_visible()
        _shot(phone, "01-outlet-ticks-360")
        # saved on the server, kept after a reload, with the history
        assert OutletFacility.objects.get(org_unit=org.b1o, item__code="reading_glasses").note == "已申请采购"
        assert FacilityCheck.objects.filter(org_unit=org.b1o).count() == 4
        phone.reload()
        expect(phone.get_by_test_id("yes-wheelchair")).to_be_checked()
        expect(phone.get_by_test_id("no-reading_glasses")).to_be_checked()
        expect(phone.get_by_test_id("progress")).to_contain_text("2")
        _shot(phone, "02-outlet-after-reload-360")
        # a home service recorded on the phone
        phone.goto("/special-services/home-services/new/")
        form = phone.get_by_test_id("home-service-form")
        form.locator("select[name=org_unit]").select_option(org.b1o.code)
        form.locator("input[name=served_on]").fill("2026-06-16")
        form.locator("input[name=name]").fill("王秀英")
        form.locator("input[name=phone]").fill("13911112222")
        form.locator("select[name=reason]").select_option("limited_mobility")
        form.locator("select[name=service]").select_option("password_reset")
        form.locator("textarea[name=notes]").fill("客户卧床，两名员工上门办理")
        _no_horizontal_scroll(phone)
        _shot(phone, "03-home-service-form-360")
        phone.get_by_test_id("save").click()
        expect(phone.get_by_test_id("home-service")).to_be_visible()
        expect(phone.get_by_test_id("person")).not_to_contain_text("王秀英")
        expect(phone.get_by_test_id("masked-phone")).not_to_contain_text("13911112222")
        phone.locator("[data-toggle='reveal-phone']").click()
        phone.get_by_test_id("reason-phone").fill("回访客户核实")
        phone.locator("#reveal-phone button").click()
        expect(phone.get_by_test_id("revealed-phone")).to_have_text("13911112222")
        _shot(phone, "04-home-service-revealed-360")
        assert HomeService.objects.count() == 1
        # head office: the figures, drilled down to branch 1
        desk = new_context().new_page()
        login(desk, hq.username)
        desk.goto("/special-services/figures/?unit=HO&period=2026")
        expect(desk.get_by_test_id("fig-home_services")).to_contain_text("1")
        _shot(desk, "05-figures-head-office")
        desk.get_by_test_id("drill-B1").click()
        expect(desk.get_by_test_id("services-B1-S1")).to_contain_text("1")
        _shot(desk, "06-figures-branch-1")
        assert FacilityItem.objects.filter(active=True).count() >= 12
