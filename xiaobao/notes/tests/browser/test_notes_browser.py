"""In a real Chromium: a handler adds an internal note mentioning a colleague (picked from the suggestion
list), fills the draft decision from a template and edits it, then downloads the notice as Word and PDF.
Screenshots: var/screenshots/notes_*.png (zh-Hans), one of them at 360 px."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.casework.models import Notification
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register, complaint_transition
from xiaobao.notes.services import template_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _people(org):
    handler = make_user("b1_handler", org.b1s, ["complaint_handler"])
    colleague = make_user("b1_colleague", org.b1s, ["complaint_handler"])
    outsider = make_user("b2_lina", org.b2s, ["complaint_handler"])
    for user, name in ((handler, "王处理"), (colleague, "李娜"), (outsider, "李娜娜")):
        user.full_name = name
        user.save()
    return handler, colleague, outsider


def _complaint(handler, org) -> Complaint:
    c, _ = complaint_register(
        actor=handler,
        data={
            "received_at": timezone.now() - dt.timedelta(days=2),
            "channel": "A0302",
            "business_type": "B0303",
            "cause": "C07",
            "org_unit": org.b1s.code,
            "complainant": {"name": "张伟", "phone": "13812345678"},
            "request": "退还多收的年费 200 元",
            "description": "客户称信用卡年费未经同意扣收，要求退还。",
        },
    )
    complaint_transition(actor=handler, complaint=c, action="accept", data={})
    return c


def test_note_with_a_mention_template_while_drafting_and_the_notice_files(
    page, login, shot, org, hq_officer, settings, tmp_path
):
    settings.INSTITUTION_NAME = "晓宝银行股份有限公司"
    handler, colleague, outsider = _people(org)
    c = _complaint(handler, org)
    template_save(
        actor=hq_officer,
        data={
            "name": "信用卡收费争议",
            "business_type": "B0303",
            "verification": "我行于{{received_on}}收到您关于{{business_type}}的投诉"
            "（编号{{reference}}），调取了账单。",
            "basis": "依据信用卡领用合约及收费公示标准。",
            "result": "经核实，……",
        },
    )

    # 1. A note mentioning a colleague, chosen from the suggestions (only people who can see the complaint)
    login(page, "b1_handler")
    page.goto(f"/complaints/{c.pk}/")
    panel = page.get_by_test_id("notes")
    expect(panel).to_be_visible()
    box = panel.get_by_test_id("note-text")
    box.click()
    box.press_sequentially("请 @李")
    suggestions = panel.get_by_test_id("mention-list")
    expect(suggestions).to_be_visible()
    expect(suggestions.locator("li")).to_have_count(1)  # 李娜娜 of branch 2 cannot see it: not offered
    expect(suggestions.locator("li").first).to_contain_text("李娜")
    shot(page, "mention-suggestions")
    box.press("Enter")
    expect(box).to_have_value("请 @b1_colleague ")
    box.press_sequentially("核实客户是否已签收年费通知。")
    panel.get_by_test_id("note-submit").click()
    note = page.get_by_test_id("note").first
    expect(note).to_contain_text("核实客户是否已签收年费通知")
    expect(note.get_by_test_id("mention")).to_have_text("@b1_colleague")
    shot(page, "note-added")
    assert Notification.objects.filter(user=colleague, kind="mention", object_id=c.pk).count() == 1
    assert not Notification.objects.filter(user=outsider).exists()

    # the panel on a phone
    page.set_viewport_size({"width": 360, "height": 780})
    page.get_by_test_id("notes").scroll_into_view_if_needed()
    page.get_by_test_id("notes").screenshot(
        path=str(shot(page, "phone-page").with_name("notes_phone-360.png"))
    )
    page.set_viewport_size({"width": 1366, "height": 768})

    # 2. Drafting: the template fills the fields, the handler edits the decision and saves
    page.get_by_test_id("action-draft").click()
    form = page.locator("#action-panel").get_by_test_id("action-form")
    expect(form.get_by_test_id("template-picker")).to_be_visible()
    expect(form.get_by_test_id("template-select")).to_contain_text("信用卡收费争议")
    expect(form.get_by_test_id("template-apply")).to_have_text("套用模板")
    form.get_by_test_id("template-apply").click()
    expect(form.locator("textarea[name=verification]")).to_have_value(
        f"我行于{timezone.localtime(c.received_at):%Y年%-m月%-d日}收到您关于信用卡的投诉（编号{c.reference}），调取了账单。"
    )
    form.locator("textarea[name=result]").fill("经核实，年费系系统错误扣收，我行已于当日退还 200 元。")
    shot(page, "draft-from-template")
    form.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("decision")).to_contain_text("已于当日退还 200 元")

    # 3. The notice: printable page, Word and PDF downloads
    page.goto(f"/complaints/{c.pk}/notice/")
    expect(page.get_by_test_id("notice")).to_contain_text("已于当日退还 200 元")
    expect(page.get_by_test_id("notice")).not_to_contain_text("核实客户是否已签收")  # never the notes
    shot(page, "notice-page")
    with page.expect_download() as info:
        page.get_by_test_id("notice-docx").click()
    docx_path = tmp_path / "notice.docx"
    info.value.save_as(docx_path)
    assert info.value.suggested_filename == f"{c.reference}-notice.docx"
    import docx

    text = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "晓宝银行股份有限公司" in text and "已于当日退还 200 元" in text and "核实客户" not in text
    if shutil.which("libreoffice") or shutil.which("soffice"):
        with page.expect_download(timeout=120_000) as info:
            page.get_by_test_id("notice-pdf").click()
        pdf = tmp_path / "notice.pdf"
        info.value.save_as(pdf)
        assert pdf.read_bytes()[:5] == b"%PDF-"
    page.goto(f"/complaints/{c.pk}/")
    expect(page.get_by_test_id("timeline")).to_contain_text("已生成处理决定告知书")
    shot(page, "timeline")


def test_an_officer_writes_a_template_and_previews_it(page, login, shot, org, hq_officer, branch_officer):
    handler, _colleague, _outsider = _people(org)
    c = _complaint(handler, org)
    login(page, "branch1_cp")
    page.goto("/notes/templates/")
    page.get_by_test_id("template-new").click()
    form = page.get_by_test_id("template-form")
    form.locator("#id_name").fill("北京分行信用卡年费")
    form.locator("#id_business_type").select_option("B0303")
    form.locator("#id_result").fill("经核实，{{ reference }} 的年费由{{unit}}退还；{{complainant_name}}")
    form.get_by_test_id("template-save").click()
    expect(page.locator(".errorlist").first).to_contain_text("complainant_name")  # unknown placeholder
    shot(page, "placeholder-error")
    form = page.get_by_test_id("template-form")
    form.locator("#id_result").fill("经核实，{{ reference }} 的年费由{{unit}}退还。")
    form.get_by_test_id("template-save").click()
    page.get_by_test_id("template-preview").click()
    expect(page.get_by_test_id("preview")).to_contain_text(f"经核实，{c.reference} 的年费由海淀支行退还。")
    shot(page, "preview")
    page.goto("/notes/templates/")
    expect(page.get_by_test_id("template-row")).to_have_count(1)
    shot(page, "list")
