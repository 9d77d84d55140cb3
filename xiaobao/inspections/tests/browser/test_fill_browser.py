"""The fill page on a 360 px phone in a real Chromium: answers saved as they are given, a dropped
connection loses nothing (answers kept on the phone and sent when it is back), a photo from the "camera",
the running score, submit → stars and findings. Screenshots: var/screenshots/fill_on_a_phone--*.png."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)
PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def pinned():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _checklists(_presets):
    from xiaobao.inspections.presets import load_presets_now

    load_presets_now()


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def test_fill_on_a_phone(org, browser, live_server, login, shot):
    from xiaobao.inspections.models import Answer, ChecklistTemplate, Finding, Inspection, InspectionPhoto
    from xiaobao.inspections.tests.conftest import grant

    # given an elder-friendly facilities check of the Zhongguancun outlet, assigned to a branch inspector
    inspector = grant(make_user("b1_phone", org.b1, []), "view_inspection", "conduct_inspection")
    inspector.full_name = "钱检查"
    inspector.save(update_fields=["full_name"])
    template = ChecklistTemplate.objects.get(code="elder_friendly", is_current=True)
    ins = Inspection.objects.create(
        reference="JC202603100000001",
        status="planned",
        org_unit=org.b1o,
        handler=inspector,
        template=template,
        kind="routine",
        due_date=dt.date(2026, 3, 20),
    )
    ctx = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
    )
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    try:
        login(page, "b1_phone")
        # the task is on the home page's to-do list; its page leads to the fill page
        page.get_by_test_id("inspection-task").locator("a").tap()
        expect(page.get_by_test_id("fill")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "00-the-task")
        page.get_by_test_id("fill").tap()
        expect(page.get_by_test_id("item-EF01")).to_be_visible()
        # then the page fits the phone: nothing wider than 360 px
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # when the inspector answers the first items
        card = page.get_by_test_id("item-EF01")
        card.locator("label.choice.yes").tap()
        expect(card.locator("[data-state]")).to_have_text("已保存")
        page.get_by_test_id("item-EF02").locator("label.choice.no").tap()
        expect(page.get_by_test_id("item-EF02").locator("[data-state]")).to_have_text("已保存")
        expect(page.locator("[data-percent]")).to_have_text("50.00%")
        shot(page, "01-answers-saved")
        # and the connection drops while two more answers are given
        ctx.set_offline(True)
        page.get_by_test_id("item-EF03").locator("label.choice.yes").tap()
        page.get_by_test_id("item-EF04").locator("label.choice.yes").tap()
        expect(page.locator("[data-conn]")).to_contain_text("(2)")
        shot(page, "02-offline-kept-on-the-phone")
        assert Answer.objects.filter(inspection=ins).count() == 2
        # then nothing is lost: back online, they are sent
        ctx.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.get_by_test_id("item-EF04").locator("[data-state]")).to_have_text("已保存")
        expect(page.locator("[data-conn]")).to_have_text("")
        assert Answer.objects.filter(inspection=ins).count() == 4
        # and a reload shows every answer as stored
        page.reload()
        expect(page.get_by_test_id("item-EF03").locator("input[value=yes]")).to_be_checked()
        # when the photo of the priority window is taken
        page.get_by_test_id("item-EF09").locator("input[type=file]").set_input_files(
            {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
        )
        expect(page.get_by_test_id("item-EF09").locator("img.thumb")).to_have_count(1)
        assert InspectionPhoto.objects.filter(inspection=ins, item__code="EF09").count() == 1
        # and the remaining items are answered
        for code in ("EF05", "EF06", "EF07", "EF08", "ES01", "ES02", "ES03", "ES04"):
            page.get_by_test_id(f"item-{code}").locator("label.choice.yes").tap()
            expect(page.get_by_test_id(f"item-{code}").locator("[data-state]")).to_have_text("已保存")
        page.get_by_test_id("item-EF08").locator("summary").tap()
        page.get_by_test_id("item-EF08").locator("textarea[data-note]").fill("就近指引至商场无障碍卫生间")
        page.get_by_test_id("item-EF08").locator("textarea[data-note]").blur()
        expect(page.get_by_test_id("item-EF08").locator("[data-state]")).to_have_text("已保存")
        shot(page, "03-running-score")
        expect(page.locator("[data-percent]")).to_have_text("90.91%")
        expect(page.locator("[data-stars]")).to_have_text("★★★★")
        # when submitted
        page.get_by_test_id("submit").tap()
        expect(page.get_by_test_id("status")).to_have_text("已提交")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "04-submitted")
        page.goto("/inspections/?mine=on")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        expect(page.get_by_test_id("inspection-row").get_by_text(ins.reference)).to_be_visible()
        page.add_style_tag(content=".topbar, table.data th { position: static !important; }")
        shot(page, "05-my-list")
        ins.refresh_from_db()
        assert ins.status == "submitted" and ins.stars == 4
        assert list(Finding.objects.filter(inspection=ins).values_list("item_code", flat=True)) == ["EF02"]
        assert Answer.objects.get(inspection=ins, item__code="EF08").note == "就近指引至商场无障碍卫生间"
    finally:
        ctx.close()


def test_checklist_pages_on_a_desktop(org, page, login, shot):
    from xiaobao.inspections.models import ChecklistTemplate
    from xiaobao.inspections.tests.conftest import ALL, grant

    grant(make_user("hq_lists", org.cpd, ["hq_cp_officer"]), *ALL)
    template = ChecklistTemplate.objects.get(code="mystery_shopping", is_current=True)
    login(page, "hq_lists")
    page.goto("/inspections/checklists/")
    expect(page.get_by_test_id("checklist-row")).to_have_count(5)
    shot(page, "01-list")
    page.goto(f"/inspections/checklists/{template.pk}/")
    expect(page.get_by_test_id("checklist-items").first).to_be_visible()
    shot(page, "02-detail")
    page.get_by_test_id("edit").click()
    form = page.get_by_test_id("checklist-form")
    form.locator("input[name='s-2-i-5-code']").fill("L06")
    form.locator("input[name='s-2-i-5-text']").fill("主动介绍适老化服务措施")
    form.locator("input[name='s-2-i-5-max_score']").fill("2")
    shot(page, "03-editor")
    page.get_by_test_id("save").click()
    expect(page.get_by_text("主动介绍适老化服务措施")).to_be_visible()
    assert (
        ChecklistTemplate.objects.get(code="mystery_shopping", is_current=True)
        .items.filter(code="L06")
        .exists()
    )
