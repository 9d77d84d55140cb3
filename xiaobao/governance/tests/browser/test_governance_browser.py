"""In the browser: the branch officer records the leadership group's meeting (attendance, topics, minutes)
and gives it an action item for an outlet; the item's due date passes, the shared sweeper breaches and
escalates it; the officer's overdue view lists it and its page shows the escalation; the outlet owner sees it
on a 360 px phone. Time pinned (ticking). Screenshots: var/screenshots/ and /tmp/shots/governance/
(looked at)."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from xiaobao.casework.sweeper import sweep_clocks
from xiaobao.governance.models import ActionClock, ActionItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}
OUT = Path("/tmp/shots/governance")


@pytest.fixture(autouse=True)
def _rules(_presets):
    """The transactional test flushed the data migration's deadline rules: put them back."""
    from django.apps import apps

    importlib.import_module("xiaobao.governance.migrations.0002_deadline_rules").add_rules(apps, None)


def _keep(path: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, OUT / path.name)


def test_meeting_action_item_goes_overdue_and_is_escalated(
    new_context, login, shot, org, group, officer, owner, verifier
):
    owner.full_name = "孙网点"
    owner.save(update_fields=["full_name"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=True):
        desk = new_context().new_page()
        login(desk, officer.username)
        desk.goto(f"/governance/bodies/{group.pk}/")
        _keep(shot(desk, "01-body"))
        desk.get_by_test_id("new-meeting").click()
        desk.fill("#id_held_on", "2026-03-02")
        desk.select_option("#id_kind", "regular")
        desk.fill("#id_title", "2026年第一季度领导小组会议")
        desk.fill("#id_topics", "一季度投诉情况分析\n网点适老化改造")
        desk.fill("#id_resolutions", "三月中旬前完成网点叫号系统改造")
        member = group.members.get(name="刘顾问")
        desk.uncheck(f"#present_{member.pk}")
        desk.fill(f"input[name=reason_{member.pk}]", "出差")
        desk.set_input_files(
            "#id_minutes",
            files=[{"name": "纪要.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
        )
        _keep(shot(desk, "02-meeting-form"))
        desk.get_by_test_id("meeting-submit").click()
        expect(desk.get_by_test_id("meeting-detail")).to_be_visible()
        expect(desk.get_by_test_id("attendance")).to_contain_text("出差")
        desk.fill("#id_title", "完成网点叫号系统改造")
        desk.select_option("#id_owner", owner.username)
        desk.fill("#id_due_on", "2026-03-16")
        desk.get_by_test_id("item-submit").click()
        expect(desk.get_by_test_id("items-table")).to_contain_text("完成网点叫号系统改造")
        _keep(shot(desk, "03-meeting-with-item"))
    item = ActionItem.objects.get()
    assert (item.org_unit, item.handler, item.due_on) == (org.b1o, owner, dt.date(2026, 3, 16))

    # the due date passes: the shared sweeper on Thursday 03-19 breaches and escalates
    report = sweep_clocks(now=dt.datetime(2026, 3, 19, 9, 0, tzinfo=SH), models=[ActionClock])
    assert report.breached == 1 and ActionClock.objects.get().escalation_level == 2

    with time_machine.travel(dt.datetime(2026, 3, 19, 10, 0, tzinfo=SH), tick=True):
        login(desk, officer.username)  # 17 days on: the session has expired
        desk.goto("/governance/")
        _keep(shot(desk, "04-overview"))
        desk.get_by_test_id("overdue-link").click()
        expect(desk.get_by_test_id("items-table")).to_contain_text(item.reference)
        _keep(shot(desk, "05-overdue"))
        desk.get_by_role("link", name=item.reference).click()
        expect(desk.get_by_test_id("escalated")).to_be_visible()
        _keep(shot(desk, "06-item-escalated"))

        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        login(phone, owner.username)
        phone.goto("/governance/items/?view=mine")
        expect(phone.get_by_test_id("items-table")).to_contain_text(item.reference)
        _keep(shot(phone, "07-phone-mine"))
        phone.goto(f"/governance/items/{item.pk}/")
        expect(phone.get_by_test_id("escalated")).to_be_visible()
        _keep(shot(phone, "08-phone-item"))

        # the owner asks on the phone for a later due date; the branch head approves it at the desk
        phone.get_by_test_id("action-extend").click()
        phone.fill("#id_to_date", "2026-04-10")
        phone.fill("#id_reason", "叫号设备到货延迟")
        _keep(shot(phone, "09-phone-extend"))
        phone.get_by_test_id("action-form").get_by_test_id("action-submit").click()
        expect(phone.get_by_test_id("extensions")).to_contain_text("2026-04-10")
        head = new_context().new_page()
        login(head, verifier.username)
        head.goto(f"/governance/items/{item.pk}/")
        head.get_by_test_id("action-approve_extension").click()
        head.get_by_test_id("action-form").get_by_test_id("action-submit").click()
        expect(head.get_by_test_id("extensions")).to_contain_text("2026-04-10")
        expect(head.get_by_test_id("escalated")).to_have_count(0)
        _keep(shot(head, "10-item-extended"))
    item.refresh_from_db()
    assert item.due_on == dt.date(2026, 4, 10) and item.clocks.get().state == "running"

    # every register page in zh-Hans at 1280 px
    from xiaobao.governance import services as svc

    with time_machine.travel(dt.datetime(2026, 3, 19, 10, 0, tzinfo=SH), tick=False):
        svc.liaison_add(
            actor=officer,
            data={"org_unit": org.b1s.code, "name": "张联络", "phone": "13800001111", "since": "2026-01-01"},
        )
        sup = svc.supervisor_add(
            actor=officer,
            data={
                "org_unit": org.b1.code,
                "name": "赵监督员",
                "phone": "13912345678",
                "occupation": "中学教师",
                "term_start": "2026-01-01",
            },
        )
        svc.feedback_add(
            actor=officer,
            supervisor=sup,
            data={
                "received_on": "2026-03-18",
                "channel": "visit",
                "content": "网点老年人等候区座椅不足",
                "owner": owner.username,
            },
        )
    with time_machine.travel(dt.datetime(2026, 3, 19, 10, 30, tzinfo=SH), tick=True):
        desk.set_viewport_size({"width": 1280, "height": 800})
        for n, path in enumerate(
            [
                "/governance/bodies/",
                "/governance/meetings/",
                f"/governance/meetings/{item.meeting_id}/",
                "/governance/items/",
                "/governance/liaisons/",
                "/governance/supervisors/",
                f"/governance/supervisors/{sup.pk}/",
                "/governance/feedback/",
                f"/statistics/?unit={org.b1.code}&period=2026-Q1#governance-figures",
            ],
            start=11,
        ):
            desk.goto(path)
            expect(desk.locator("main, body").first).to_be_visible()
            _keep(shot(desk, f"{n}-{path.strip('/').split('?')[0].replace('/', '-') or 'home'}"))
        section = desk.get_by_test_id("governance-figures")
        expect(section).to_contain_text("海淀支行")
        OUT.mkdir(parents=True, exist_ok=True)
        section.screenshot(path=str(OUT / "20-statistics-section.png"))
        # the owner's item page on the phone fits 360 px
        phone.goto(f"/governance/items/{item.pk}/")
        wide = phone.evaluate(
            "[...document.querySelectorAll('body *')]"
            ".filter(e => !e.closest('.subnav, .table-scroll') && e.getBoundingClientRect().right > 361)"
            ".slice(0, 8).map(e => e.tagName + '.' + e.className)"
        )
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, wide
        _keep(shot(phone, "21-phone-item-extended"))
