"""A complaint from the hotline intake form to the archive, entirely in a real Chromium.

A branch officer registers and assigns it; the handler accepts, records the contact, drafts the decision,
notifies, follows up, closes and archives. Every step is screenshotted to var/screenshots/complaint-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.complaints.choices import Status
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.complaints.workflow import ACTIONS
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid) -> str:
    """The Simplified-Chinese UI text for an English msgid or a lazy label (falls back to the msgid)."""
    with translation.override("zh-hans"):
        return translation.gettext(str(msgid)) if isinstance(msgid, str) else str(msgid)


class Shots:
    def __init__(self) -> None:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, name: str) -> Path:
        self.n += 1
        path = SCREENSHOT_DIR / f"complaint-{self.n:02d}-{name}.png"
        # sticky bars would land mid-page in a full-page screenshot
        page.add_style_tag(content=".topbar, .submit-bar { position: static !important; }")
        page.screenshot(path=str(path), full_page=True)
        return path


def _seed(officer, handler, org) -> None:
    """A few older complaints, so the list and the queue show due dates of every urgency."""
    now = timezone.now()
    rows = [
        (20, "A01", "B0201", "C03", "李某", True, False),  # overdue
        (13, "A0303", "B0403", "C10", "赵某某", True, True),  # due in 2 days, major
        (4, "A06", "B0601", "C04", "钱某", True, False),
        (1, "A0302", "B01", "C01", "孙某某", False, False),  # waits for acceptance
    ]
    for days, channel, business, cause, name, assign, major in rows:
        c, _ = complaint_register(
            actor=officer,
            data={
                "received_at": now - dt.timedelta(days=days),
                "channel": channel,
                "business_type": business,
                "cause": cause,
                "org_unit": org.b1s.code,
                "complainant": {"name": name},
                "request": "请求核实并处理",
                "description": "客户来电反映问题。",
                "is_major": major,
                "major_reason": "媒体关注" if major else "",
            },
        )
        if assign:
            complaint_transition(
                actor=officer, complaint=c, action="assign", data={"handler": handler.username}
            )
            complaint_transition(actor=handler, complaint=c, action="accept", data={})


def _open_action(page, code: str):
    page.get_by_test_id(f"action-{code}").click()
    form = page.locator("#action-panel").get_by_test_id("action-form")
    expect(form).to_be_visible()
    return form


def _submit(page, form, status) -> None:
    """Submit an action form and wait for the detail to come back with a new version."""
    _click(page, form.get_by_test_id("action-submit"), status)


def _click(page, button, status) -> None:
    detail = page.get_by_test_id("complaint-detail")
    version = detail.get_attribute("data-version")
    button.click()
    expect(detail).not_to_have_attribute("data-version", version or "")
    expect(detail.get_by_test_id("status").first).to_have_text(zh(status.label))


def test_complaint_from_hotline_to_archive(page, new_context, login, org, branch_officer):
    handler = make_user("b1_handler", org.b1s, ["complaint_handler"])
    handler.full_name = "王处理"
    handler.save()
    _seed(branch_officer, handler, org)
    shot = Shots()

    # 1. The branch officer registers a hotline complaint.
    login(page, "branch1_cp")
    page.locator("nav.modules").get_by_role("link", name=zh("Complaints")).click()
    expect(page.get_by_test_id("complaint-list")).to_be_visible()
    page.get_by_test_id("new-complaint").click()
    form = page.get_by_test_id("intake-form")
    expect(form).to_be_visible()
    channel_filter = form.locator("#id_channel-picker")  # the searchable picker (picker.js)
    expect(channel_filter).to_be_focused()
    channel_filter.fill("电话")
    channel_filter.press("Enter")
    expect(form.locator("#id_channel")).to_have_value("A0302")
    form.locator("#id_org_unit").select_option(org.b1s.code)  # the sub-branch the complaint is about
    form.locator("#id_complainant_name").fill("张伟")
    form.locator("#id_complainant_id_number").fill("110108199003070016")
    form.locator("#id_complainant_phone").fill("13812345678")
    form.locator("#id_business_type-picker").fill("信用卡")
    form.locator("#id_business_type-picker").press("Enter")
    expect(form.locator("#id_business_type")).to_have_value("B0303")
    form.locator("#id_cause").select_option("C07")
    form.locator("#id_product").fill("白金信用卡")
    form.locator("#id_amount_in_dispute").fill("200")
    form.locator("#id_request").fill("退还多收的年费 200 元")
    form.locator("#id_description").fill("客户称信用卡年费未经同意扣收，<b>要求退还</b>。")
    form.locator("input[name=special_groups][value=elderly]").check()
    form.locator("#id_complainant_address").focus()  # leaving the phone field asks for earlier complaints
    expect(form.get_by_test_id("lookup-hint").last).to_be_visible()
    shot(page, "intake")
    form.get_by_test_id("register").click()

    expect(page).to_have_url(re.compile(r"/complaints/\d+/$"))
    complaint = Complaint.objects.order_by("-pk").first()
    assert complaint is not None and complaint.complainant.name == "张伟"
    detail = page.get_by_test_id("complaint-detail")
    expect(detail.get_by_test_id("status").first).to_have_text(zh(Status.REGISTERED.label))
    expect(detail.get_by_test_id("description")).to_contain_text("<b>要求退还</b>")  # shown as text
    expect(detail.get_by_test_id("complainant")).to_have_text("张*")
    expect(page.locator("main")).not_to_contain_text("13812345678")
    shot(page, "registered")

    # 2. … and assigns it to the handler (the form opens inline through HTMX).
    form = _open_action(page, "assign")
    form.locator("select[name=handler]").select_option("b1_handler")
    shot(page, "assign")
    _submit(page, form, Status.ASSIGNED)
    expect(detail.get_by_test_id("handler")).to_have_text("王处理")
    page.locator("header form[action='/logout/'] button").click()

    # 3. The handler finds it on the desk and in the queue, and accepts it.
    login(page, "b1_handler")
    expect(page.get_by_test_id("todo-queue")).to_contain_text(complaint.reference)
    shot(page, "home")
    page.goto("/complaints/queue/")
    queue = page.get_by_test_id("my-queue")
    expect(queue).to_contain_text(complaint.reference)
    expect(queue.locator(".due.bad").first).to_be_visible()
    shot(page, "queue")
    queue.get_by_role("link", name=complaint.reference).click()
    _click(page, page.get_by_test_id("action-accept"), Status.IN_PROGRESS)

    # 4. Contact, decision, notice.
    form = _open_action(page, "contact")
    form.locator("textarea[name=summary]").fill("已电话联系客户，核实扣费情况。")
    _submit(page, form, Status.IN_PROGRESS)
    form = _open_action(page, "draft")
    form.locator("textarea[name=verification]").fill("调取扣费记录，年费于 3 月 1 日扣收，客户未申请减免。")
    form.locator("textarea[name=basis]").fill("按领用合约第 5 条，首年免年费；系统未同步减免规则。")
    form.locator("textarea[name=result]").fill("退还年费 200 元，并为客户办理年费减免。")
    shot(page, "draft")
    _submit(page, form, Status.DRAFTED)
    expect(page.get_by_test_id("decision")).to_contain_text("退还年费 200 元")
    form = _open_action(page, "notify")
    form.locator("select[name=method]").select_option("sms")
    form.locator("input[name=proof]").fill("短信平台回执 20260302-001")
    _submit(page, form, Status.DECIDED)

    # the printable notice
    notice = new_context().new_page()
    login(notice, "b1_handler")
    notice.goto(f"/complaints/{complaint.pk}/notice/")
    expect(notice.get_by_test_id("notice")).to_contain_text("退还年费 200 元")
    expect(notice.get_by_test_id("notice")).to_contain_text("张伟")
    shot(notice, "notice")

    # 5. Follow-up, close, archive.
    form = _open_action(page, "follow_up")
    form.locator("input[name=satisfaction][value='5']").check()
    form.locator("textarea[name=comment]").fill("客户表示满意。")
    _submit(page, form, Status.FOLLOWED_UP)
    form = _open_action(page, "close")
    form.locator("select[name=liability]").select_option("at_fault")
    form.locator("textarea[name=root_cause]").fill("年费减免规则未同步到核心系统。")
    form.locator("input[name=redress_amount]").fill("200")
    _submit(page, form, Status.CLOSED)
    _click(page, page.get_by_test_id("action-archive"), Status.ARCHIVED)
    timeline = page.get_by_test_id("timeline")
    for code in ["assign", "accept", "contact", "draft", "notify", "follow_up", "close", "archive"]:
        expect(timeline).to_contain_text(zh(ACTIONS[code].label))
    expect(page.get_by_test_id("clocks")).to_contain_text(zh("Met"))
    shot(page, "archived")

    complaint.refresh_from_db()
    assert complaint.status == "archived" and complaint.satisfaction == 5
    assert list(complaint.events.values_list("action", flat=True)) == [
        "register", "assign", "accept", "contact", "draft", "notify", "follow_up", "close", "archive",
    ]  # fmt: skip

    # 6. The officer's list (with the export), then filtered to open complaints.
    officer = new_context().new_page()
    login(officer, "branch1_cp")
    officer.goto("/complaints/")
    expect(officer.get_by_test_id("complaint-list")).to_contain_text(complaint.reference)
    expect(officer.get_by_test_id("export")).to_be_visible()
    shot(officer, "list")
    page.goto("/complaints/")
    page.locator("#f-open").select_option("true")
    page.get_by_test_id("complaint-filters").get_by_role("button", name=zh("Filter"), exact=True).click()
    expect(page.get_by_test_id("complaint-list")).not_to_contain_text(complaint.reference)
    expect(page).to_have_url(re.compile(r"open=true"))


def test_stale_form_shows_the_conflict(page, new_context, login, org, branch_officer):
    """Two people on the same complaint: the second submit gets the conflict message, nothing changes."""
    make_user("b1_handler", org.b1s, ["complaint_handler"])
    c, _ = complaint_register(
        actor=branch_officer,
        data={
            "received_at": timezone.now() - dt.timedelta(hours=1),
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b1s.code,
            "complainant": {"name": "周某"},
            "request": "请求",
            "description": "描述",
        },
    )
    login(page, "branch1_cp")
    page.goto(f"/complaints/{c.pk}/")
    form = _open_action(page, "assign")
    form.locator("select[name=handler]").select_option("b1_handler")
    # meanwhile someone else records a contact
    complaint_transition(actor=branch_officer, complaint=c, action="contact", data={"method": "phone"})
    with page.expect_response(re.compile(r"/actions/assign/$")) as resp:
        form.get_by_test_id("action-submit").click()
    assert resp.value.status == 409
    expect(page.locator("#action-panel ul.errorlist")).to_contain_text(
        zh("Someone else changed this complaint in the meantime. Reload and try again.")
    )
    page.screenshot(path=str(SCREENSHOT_DIR / "complaint-conflict.png"), full_page=True)
    c.refresh_from_db()
    assert c.status == "registered" and c.handler is None


def test_approver_approves_a_decision_and_an_extension(page, login, org, branch_officer):
    """A major complaint's decision and a 60-day extension wait on the approvals page; the approver
    approves both from there and stays on the page."""
    handler = make_user("b1_handler", org.b1s, ["complaint_handler"])
    make_user("b1_approver", org.b1, ["approver"])
    base = {
        "received_at": timezone.now() - dt.timedelta(days=3),
        "channel": "A01",
        "business_type": "B05",
        "cause": "C08",
        "org_unit": org.b1s.code,
        "complainant": {"name": "吴某"},
        "request": "赔偿理财损失",
        "description": "客户认为理财产品风险揭示不充分。",
    }
    decided, _ = complaint_register(
        actor=branch_officer, data={**base, "is_major": True, "major_reason": "群体"}
    )
    extended, _ = complaint_register(actor=branch_officer, data=base)
    for c in (decided, extended):
        complaint_transition(
            actor=branch_officer, complaint=c, action="assign", data={"handler": "b1_handler"}
        )
        complaint_transition(actor=handler, complaint=c, action="accept", data={})
    draft = {"verification": "核查销售录音", "basis": "风险揭示书已签署", "result": "不予赔偿"}
    complaint_transition(actor=handler, complaint=decided, action="draft", data=draft)
    complaint_transition(actor=handler, complaint=decided, action="submit", data={})
    complaint_transition(
        actor=handler, complaint=extended, action="extend", data={"to_days": 30, "reason": "需调取录音"}
    )
    complaint_transition(
        actor=handler, complaint=extended, action="extend", data={"to_days": 60, "reason": "需第三方鉴定"}
    )

    login(page, "b1_approver")
    expect(page.get_by_test_id("todo-approvals")).to_contain_text("2")
    page.get_by_test_id("todo-approvals").click()
    decisions, extensions = (
        page.get_by_test_id("pending-decisions"),
        page.get_by_test_id("pending-extensions"),
    )
    expect(decisions).to_contain_text(decided.reference)
    expect(extensions).to_contain_text(extended.reference)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "complaint-approvals.png"), full_page=True)

    decisions.get_by_role("button", name=zh("Approve")).click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/complaints/approvals/$"))
    extensions.get_by_role("button", name=zh("Approve")).click()
    expect(extensions).to_contain_text(zh("No extension awaits approval."))
    expect(decisions).to_contain_text(zh("No decision awaits approval."))
    decided.refresh_from_db()
    extended.refresh_from_db()
    assert decided.status == "drafted" and decided.decision_approved_by.username == "b1_approver"
    assert extended.clocks.get(name="decision").days == 60
