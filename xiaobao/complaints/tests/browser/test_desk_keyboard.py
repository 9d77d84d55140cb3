"""The complaint desk without a mouse, in zh-Hans at 1280 and 360 px: the intake form filled through the
searchable pickers (pinyin initials, arrows, Enter), the classification chips, Ctrl+Enter to register; on the
complaint page the help overlay (?), `a` opening the assign form with its workload list, one click picking
the least loaded handler. Screenshots: var/screenshots/desk_keyboard--*.png."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUGGESTION = {
    "business_type": [
        {"code": "B0303", "name": "信用卡", "confidence": 0.87},
        {"code": "B0302", "name": "借记卡盗刷", "confidence": 0.06},
    ],
    "cause": [{"code": "C07", "name": "收费", "confidence": 0.74}],
}


def _people(officer, org):
    busy = make_user("h_busy", org.b1s, ["complaint_handler"])
    idle = make_user("h_idle", org.b1s, ["complaint_handler"])
    named = make_user("h_named", org.b1s, ["complaint_handler"])
    for user, name in ((busy, "王繁忙"), (idle, "李空闲"), (named, "赵被诉")):
        user.full_name = name
        user.save()
    for days in (13, 2):  # two open complaints for h_busy, one of them due within the warning days
        c, _ = complaint_register(
            actor=officer,
            data={
                "received_at": timezone.now() - dt.timedelta(days=days),
                "channel": "A01",
                "business_type": "B01",
                "cause": "C01",
                "org_unit": org.b1s.code,
                "complainant": {"name": "孙某"},
                "request": "请求核实",
                "description": "客户来电反映问题。",
            },
        )
        complaint_transition(actor=officer, complaint=c, action="assign", data={"handler": busy.username})


def _static_bars(page):
    """Sticky bars would land mid-page in a full-page screenshot."""
    page.add_style_tag(content=".topbar, .submit-bar { position: static !important; }")


def _suggest(route):
    route.fulfill(status=200, content_type="application/json", body=json.dumps(SUGGESTION))


@pytest.mark.parametrize("width", [1280, 360])
def test_desk_keyboard(page, login, shot, org, branch_officer, width):
    _people(branch_officer, org)
    page.set_viewport_size({"width": width, "height": 900})
    page.route("**/api/v1/complaints/suggest", _suggest)  # the classifier's answer, pinned
    login(page, "branch1_cp")
    page.goto("/complaints/new/")
    form = page.get_by_test_id("intake-form")

    # the channel picker has the focus; a code and Enter pick it
    channel = form.locator("#id_channel-picker")
    expect(channel).to_be_focused()
    expect(channel).to_have_attribute("role", "combobox")
    page.keyboard.type("A0302")
    page.keyboard.press("Enter")
    expect(form.locator("#id_channel")).to_have_value("A0302")
    expect(channel).to_have_value(re.compile("电话"))

    # the responsible unit by pinyin initials: hdzh = 海淀支行; the other branch is never offered
    unit = form.locator("#id_org_unit-picker")
    unit.focus()
    page.keyboard.type("hdzh")
    listbox = form.locator(f"#{unit.get_attribute('aria-controls')}")
    expect(listbox).to_be_visible()
    expect(listbox.locator("[role=option]").first).to_contain_text("海淀支行")
    expect(listbox).not_to_contain_text("上海")
    _static_bars(page)
    shot(page, f"{width}-unit-by-initials")
    page.keyboard.press("Enter")
    expect(form.locator("#id_org_unit")).to_have_value(org.b1s.code)

    form.locator("#id_complainant_name").focus()
    page.keyboard.type("张伟")

    # the business type by initials, arrows and Escape: xyk = 信用卡
    business = form.locator("#id_business_type-picker")
    business.focus()
    page.keyboard.type("xyk")
    options = form.locator(f"#{business.get_attribute('aria-controls')} [role=option]")
    expect(options.first).to_contain_text("信用卡")
    page.keyboard.press("Escape")
    expect(form.locator("#id_business_type")).to_have_value("")

    # request and description bring the suggestion chips (confidence in percent)
    form.locator("#id_request").focus()
    page.keyboard.type("退还多收的信用卡年费 200 元")
    form.locator("#id_description").focus()
    page.keyboard.type("客户称信用卡年费未经同意扣收，要求退还。")
    chip = form.get_by_test_id("suggest-business_type-B0303")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("87%")
    expect(form.get_by_test_id("suggest-cause-C07")).to_contain_text("74%")
    chip.focus()
    page.keyboard.press("Enter")  # a chip is a button: Enter picks it
    expect(form.locator("#id_business_type")).to_have_value("B0303")
    expect(chip).to_have_attribute("aria-pressed", "true")
    form.get_by_test_id("suggest-cause-C07").click()
    expect(form.locator("#id_cause")).to_have_value("C07")

    # staff complained about: a username picker (several, by initials)
    staff = form.locator("#id_staff_named")
    staff.focus()
    page.keyboard.type("zbs")  # 赵被诉
    expect(form.locator(f"#{staff.get_attribute('aria-controls')} [role=option]").first).to_contain_text(
        "赵被诉"
    )
    page.keyboard.press("Enter")
    expect(staff).to_have_value(re.compile(r"^h_named, ?$"))
    _static_bars(page)
    shot(page, f"{width}-intake")

    # Ctrl+Enter registers from the description
    form.locator("#id_description").focus()
    page.keyboard.press("Control+Enter")
    expect(page).to_have_url(re.compile(r"/complaints/\d+/$"))
    complaint = Complaint.objects.order_by("-pk").first()
    assert complaint.business_type.code == "B0303" and complaint.cause.code == "C07"
    assert [u.username for u in complaint.staff_named.all()] == ["h_named"]
    expect(page.get_by_test_id("clock-rule").first).to_contain_text("银保监会令")

    # ? shows the shortcuts, Escape closes them (once the deferred shortcuts script has run: on a slow machine
    # the page shows before it has)
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("data-shortcuts", "ready")
    page.locator("body").focus()
    page.keyboard.press("?")
    help_ = page.get_by_test_id("shortcut-help")
    expect(help_).to_be_visible()
    expect(help_).to_contain_text("分派")
    _static_bars(page)
    shot(page, f"{width}-help")
    page.keyboard.press("Escape")
    expect(help_).to_be_hidden()

    # shortcuts never fire while typing in a field
    search = page.locator("#global-search-input")
    if search.count() and search.is_visible():
        search.focus()
        page.keyboard.type("a")
        expect(page.locator("#action-panel [data-testid=action-form]")).to_have_count(0)
        search.fill("")
        search.blur()
        page.locator("body").focus()

    # a opens the assign form with the workload list: the named person left out, the idle one first
    page.keyboard.press("a")
    panel = page.locator("#action-panel")
    workload = panel.get_by_test_id("assign-workload")
    expect(workload).to_be_visible()
    expect(workload).not_to_contain_text("赵被诉")
    picks = workload.locator(".workload-pick")
    expect(picks.first).to_contain_text("李空闲")
    expect(workload.get_by_test_id("workload-h_busy")).to_contain_text("2")
    workload.get_by_test_id("workload-h_idle").click()
    expect(panel.locator("select[name=handler]")).to_have_value("h_idle")
    expect(panel.locator("input[role=combobox]").first).to_have_value(re.compile("李空闲"))
    _static_bars(page)
    shot(page, f"{width}-assign-workload")
    panel.locator("input[role=combobox]").first.focus()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_test_id("complaint-detail").get_by_test_id("handler")).to_have_text("李空闲")
    complaint.refresh_from_db()
    assert complaint.handler.username == "h_idle"
