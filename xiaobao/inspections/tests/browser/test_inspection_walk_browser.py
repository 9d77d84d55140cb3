"""Issue 13's walk in a real Chromium, as the people who do it, with their real roles:

1. a head-office consumer-protection officer plans a quarter of mystery shopping over 10 outlets drawn from
   a branch's outlets, draws the sample (a fixed seed: the same draw every run) and publishes it;
2. the branch's inspector opens his task on a 360 px phone, answers item by item (each answer saved as it
   is given: a reload keeps them, a dropped request is sent again), adds a photo, watches the running
   score and submits; the failed critical item becomes a finding;
3. the inspector opens a rectification item from the finding for an outlet member, who uploads before and
   after photos and submits; the inspector rejects once with a reason, the owner submits again, the
   inspector verifies;
4. an item opened weeks earlier is overdue: the shared sweeper escalates it and the branch's
   consumer-protection officer finds the notice on the home page and in the notifications list.

Time is pinned (time-machine, ticking) to Tuesday 2026-03-10 10:00 in Shanghai, so nothing depends on
today's date. Screenshots: var/screenshots/<test>--NN-<step>.png.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from playwright.sync_api import expect

from conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)  # a Tuesday, a working day
SEED = 20260310
PHONE = {"width": 360, "height": 740}


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def pinned():
    """The whole test (server thread included) runs on 2026-03-10, the clock ticking from 10:00."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _module_presets(_presets):
    """A transactional test flushes the data migrations' rows: put back the checklists, rating bands,
    planning cadence and the rectification deadline rules (all idempotent)."""
    from django.apps import apps

    from xiaobao.inspections.models import PlanCadence
    from xiaobao.inspections.presets import load_presets_now

    load_presets_now()
    for unit_kind, period in {"head_office": "quarter", "branch": "month"}.items():
        PlanCadence.objects.get_or_create(unit_kind=unit_kind, defaults={"period": period})
    importlib.import_module("xiaobao.rectification.migrations.0002_deadline_rules").add_rules(apps, None)


@pytest.fixture
def outlets(org):
    """Twelve more outlets under the Haidian sub-branch (thirteen with the fixture's own)."""
    from xiaobao.core.services.org import org_unit_create

    return [
        org_unit_create(actor=None, code=f"B1-S1-O{n}", name=f"海淀第{n}网点", kind="outlet", parent=org.b1s)
        for n in range(2, 14)
    ]


def _named(user, name: str):
    user.full_name = name
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def people(org, outlets):
    hq = _named(make_user("hq_planner", org.cpd, ["hq_cp_officer"]), "赵总行")
    inspector = _named(make_user("b1_inspector", org.b1, ["branch_cp_officer"]), "钱检查")
    return type("People", (), {"hq": hq, "inspector": inspector})


@pytest.fixture
def snap(shot):
    """`shot` with the sticky bars (top bar, table heads, submit bar) laid flat first: in a full-page
    screenshot they would otherwise land in the middle of the page."""

    def _snap(page, name: str):
        page.add_style_tag(
            content=".topbar, .submit-bar, .fill-head, table.data th { position: static !important; }"
        )
        return shot(page, name)

    return _snap


@pytest.fixture
def phone(browser, live_server):
    """`phone()`: a new 360 × 740 touch context (a phone at the outlet), closed after the test."""
    contexts = []

    def _make():
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
        contexts.append(ctx)
        page = ctx.new_page()
        page.clock.set_system_time(NOW)  # the phone's clock agrees with the pinned server
        return page

    yield _make
    for ctx in contexts:
        ctx.close()


def image(fmt: str = "JPEG", colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small real image (the uploads check the content, not only the name)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, fmt)
    return buf.getvalue()


def _logout(page) -> None:
    page.locator("header form[action='/logout/'] button").click()
    expect(page.locator("input[name=username]")).to_be_visible()


def test_mystery_shopping_quarter_to_verified_rectification(page, phone, login, snap, org, people):
    from xiaobao.inspections.models import ChecklistTemplate, Inspection, InspectionPlan

    # 1. Head office plans a quarter of mystery shopping over ten outlets of the Haidian sub-branch.
    login(page, "hq_planner")
    page.goto("/inspections/plans/")
    expect(page.get_by_test_id("plan-calendar")).to_be_visible()
    page.get_by_test_id("plan-new").click()
    form = page.get_by_test_id("plan-form")
    expect(form).to_be_visible()
    # the head office's cadence is a quarter: the next one is proposed
    expect(form.locator("#id_period_start")).to_have_value("2026-04-01")
    expect(form.locator("#id_period_end")).to_have_value("2026-06-30")
    form.locator("#id_name").fill("2026年二季度神秘人暗访（海淀）")
    form.locator("#id_kind").select_option("mystery_shopping")
    mystery = ChecklistTemplate.objects.get(code="mystery_shopping", is_current=True)
    form.locator("#id_template").select_option(str(mystery.pk))
    form.locator("#id_inspecting_unit").select_option(str(org.cpd.pk))
    form.locator("#id_scope_unit").select_option(str(org.b1s.pk))
    form.locator("#id_outlet_count").fill("10")
    snap(page, "01-plan-form")
    form.get_by_test_id("plan-save").click()

    expect(page).to_have_url(re.compile(r"/inspections/plans/\d+/$"))
    expect(page.get_by_test_id("plan-status")).to_have_text(zh("Draft"))
    draw = page.get_by_test_id("draw-form")
    draw.locator("input[name=seed]").fill(str(SEED))
    draw.get_by_test_id("draw").click()
    expect(page.get_by_test_id("sample-row")).to_have_count(10)
    expect(page.get_by_test_id("sample-replays")).to_be_visible()
    snap(page, "02-sample-drawn")

    publish = page.get_by_test_id("publish-form")
    publish.locator("select[name=inspectors]").select_option("b1_inspector")
    publish.get_by_test_id("publish").click()
    expect(page.get_by_test_id("plan-status")).to_have_text(zh("Published"))
    expect(page.get_by_test_id("task-row")).to_have_count(10)
    expect(page.get_by_test_id("plan-tasks")).to_contain_text("钱检查")
    snap(page, "03-plan-published")

    plan = InspectionPlan.objects.get()
    assert plan.seed == SEED and plan.status == "published" and plan.kind == "mystery_shopping"
    assert (plan.period_start, plan.period_end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    tasks = list(Inspection.objects.filter(plan=plan).order_by("pk"))
    assert len(tasks) == 10 and {t.handler_id for t in tasks} == {people.inspector.pk}
    assert {t.status for t in tasks} == {"planned"} and all(t.is_mystery for t in tasks)
    assert len({t.org_unit_id for t in tasks}) == 10
    _logout(page)

    # 2. The inspector fills the first task in on his phone at the outlet.
    task = tasks[0]
    mobile = phone()
    finding = _fill_on_phone(mobile, login, snap, task)

    # 3. Back at the desk he opens a rectification item from the finding for a member of the outlet.
    owner = _named(make_user("outlet_owner", task.org_unit, ["complaint_handler"]), "孙网点")
    login(page, "b1_inspector")
    page.goto(f"/inspections/{task.pk}/")
    page.get_by_test_id("rectify-P03").click()
    _rectify(page, phone(), login, snap, finding, owner)


# every item of the mystery-shopping checklist answered well, except the complaint notice (P03, critical)
YES_NO_FAIL = "P03"
SCORES = {"L02": "4", "M05": "3"}
NUMBERS = {"T06": "8"}
TEXTS = {"S04": "安保人员两名均在岗。"}
DROPPED = "T02"  # in the second half: its first request is dropped on the way


def _answer(card, kind: str, code: str) -> None:
    if kind == "yes_no":
        card.locator("label.choice.no" if code == YES_NO_FAIL else "label.choice.yes").click()
    elif kind == "score":
        card.locator(f"label.choice.num:has(input[value='{SCORES[code]}'])").click()
    elif kind == "number":
        card.locator(".value-input").fill(NUMBERS[code])
        card.locator(".value-input").blur()
    elif kind == "text":
        card.locator(".value-input").fill(TEXTS[code])
        card.locator(".value-input").blur()


def _fill_on_phone(mobile, login, snap, task):
    """Step 2 on a 360 px phone: every answer saved as it is given (a reload keeps them; a dropped request
    is sent again), a photo from the camera, the running score, submit; the failed item is a finding."""
    from xiaobao.inspections.models import Answer, Finding, Inspection, InspectionPhoto

    login(mobile, "b1_inspector")
    # the quarter's tasks are on the home page the day they are published, however far their due date
    expect(mobile.get_by_test_id("inspection-task-count")).to_have_text("10")
    expect(mobile.get_by_test_id("inspection-tasks-more")).to_be_visible()
    snap(mobile, "04-home-phone")
    # the home page lists only tasks due within two weeks (these are due at the quarter's end): the
    # inspector goes to the inspections through the module row
    field = mobile.locator("nav.modules details.navgroup[data-navgroup=field]")
    field.locator("summary").click()
    field.get_by_role("link", name=zh("Service inspections")).click()
    expect(mobile.get_by_test_id("inspection-list")).to_be_visible()
    snap(mobile, "04-my-tasks-phone")
    mobile.get_by_role("link", name=task.reference).click()
    expect(mobile.get_by_test_id("status")).to_have_text(zh("Planned"))
    snap(mobile, "05-task-phone")
    mobile.get_by_test_id("fill-top").click()  # on a phone, above the answers
    expect(mobile).to_have_url(re.compile(rf"/inspections/{task.pk}/fill/$"))
    cards = mobile.locator("article.item-card")
    expect(cards).to_have_count(31)  # the page is there (the URL changes before the page is parsed)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scroll
    codes = cards.evaluate_all("els => els.map(e => [e.dataset.item, e.dataset.kind])")
    assert len(codes) == 31
    half = len(codes) // 2

    def answer(code: str, kind: str) -> None:
        card = mobile.get_by_test_id(f"item-{code}")
        if kind == "photo":
            card.locator("input[type=file]").set_input_files(
                {"name": "lobby.jpg", "mimeType": "image/jpeg", "buffer": image("JPEG")}
            )
            expect(card.locator("img.thumb")).to_have_count(1)
        else:
            _answer(card, kind, code)
        expect(card).to_have_class(re.compile(r"\bis-saved\b"))

    for code, kind in codes[:half]:
        answer(code, kind)
    # a photo of the failed item too, as proof
    p03 = mobile.get_by_test_id("item-P03")
    p03.locator("input[type=file]").set_input_files(
        {"name": "notice-board.png", "mimeType": "image/png", "buffer": image("PNG", (90, 90, 200))}
    )
    expect(p03.locator("img.thumb")).to_have_count(1)
    expect(p03).to_have_class(re.compile(r"\bfailed\b"))
    snap(mobile, "05-half-answered")
    assert Answer.objects.filter(inspection=task).count() == half

    # the page is opened again (the phone locked, the browser reloaded): every answer is still there
    mobile.reload()
    for code, _kind in codes[:half]:
        card = mobile.get_by_test_id(f"item-{code}")
        expect(card.locator("[data-state]")).to_have_text(zh("Saved"))
    expect(mobile.get_by_test_id("item-P01").locator("label.choice.yes input")).to_be_checked()
    expect(mobile.get_by_test_id("item-P03").locator("label.choice.no input")).to_be_checked()
    expect(mobile.get_by_test_id("item-P08").locator("img.thumb")).to_have_count(1)

    # the connection drops while one answer is sent: it waits on the phone and goes when it is back
    dropped = re.compile(rf"/inspections/{task.pk}/answers/{DROPPED}/$")
    mobile.route(dropped, lambda route: route.abort("internetdisconnected"))
    card = mobile.get_by_test_id(f"item-{DROPPED}")
    card.locator("label.choice.yes").click()
    expect(card).to_have_class(re.compile(r"\bis-pending\b"))
    expect(mobile.locator("[data-conn]")).not_to_be_empty()
    snap(mobile, "06-answer-waiting")
    assert not Answer.objects.filter(inspection=task, item__code=DROPPED).exists()
    mobile.unroute(dropped)
    # the page retries after 2 s, then 4 s, 8 s…: a slow machine may miss the first retry
    expect(card).to_have_class(re.compile(r"\bis-saved\b"), timeout=30_000)
    assert Answer.objects.get(inspection=task, item__code=DROPPED).value == "yes"

    for code, kind in codes[half:]:
        if code != DROPPED:
            answer(code, kind)
    percent = mobile.locator("#running [data-percent]")
    expect(percent).to_have_text(re.compile(r"^\d+(\.\d+)?%$"))
    snap(mobile, "07-all-answered")
    shown = percent.inner_text()

    mobile.get_by_test_id("submit").click()
    expect(mobile.get_by_test_id("status")).to_have_text(zh("Submitted"))
    findings = mobile.get_by_test_id("findings")
    expect(findings.locator("li")).to_have_count(1)
    expect(findings).to_contain_text("投诉电话")
    # every item's text keeps a readable width on the phone, whatever the written answers beside it
    widths = mobile.evaluate(
        "Array.from(document.querySelectorAll('table.answers td:nth-child(2)'))"
        ".map(td => td.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 150, widths
    snap(mobile, "08-submitted-phone")

    task = Inspection.objects.get(pk=task.pk)
    assert task.status == "submitted" and task.submitted_at is not None
    assert f"{task.percent}%" == shown and task.stars is not None
    assert Answer.objects.filter(inspection=task).count() == 31  # the photo item answered by its photo
    assert InspectionPhoto.objects.filter(inspection=task).count() == 2
    finding = Finding.objects.get(inspection=task)
    assert finding.item_code == "P03" and finding.severity == "critical" and not finding.is_repeat
    assert finding.org_unit_id == task.org_unit_id
    return finding


def _rectify(page, owner_page, login, snap, finding, owner) -> None:
    """Step 3: from the finding the inspector opens a rectification item for the outlet's member, who sends
    before/after photos and submits; the inspector rejects once, the owner submits again, the inspector
    verifies."""
    from xiaobao.rectification.models import Rectification

    expect(page).to_have_url(re.compile(rf"/rectifications/new/?\?finding={finding.pk}$"))
    expect(page.get_by_test_id("from-finding")).to_contain_text(finding.org_unit.name)
    form = page.get_by_test_id("rectification-form")
    form.locator("select[name=owner]").select_option(owner.username)
    form.locator("textarea[name=plan]").fill("三日内在宣传区张贴投诉电话和投诉处理流程，由网点负责人检查。")
    snap(page, "10-rectification-form")
    form.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/rectifications/\d+/$"))
    item = Rectification.objects.get(finding=finding)
    detail = page.get_by_test_id("rectification-detail")
    expect(detail.get_by_test_id("status")).to_have_text(zh("Open"))
    expect(detail.get_by_test_id("owner")).to_have_text(owner.full_name)
    assert item.source == "inspection" and item.handler_id == owner.pk and item.status == "open"
    assert item.due_date == dt.date(2026, 3, 24)  # 10 working days from the day after 2026-03-10
    snap(page, "11-rectification-opened")

    # the outlet's member, on a phone: before and after photos, then submit
    login(owner_page, owner.username)  # told on the home page that the item is hers
    snap(owner_page, "11b-owner-home-phone")
    owner_page.locator("main").get_by_role("link", name=re.compile(item.reference)).first.click()
    expect(owner_page).to_have_url(re.compile(rf"{item.get_absolute_url()}$"))
    odetail = owner_page.get_by_test_id("rectification-detail")
    upload = owner_page.get_by_test_id("upload-form")
    upload.locator("select[name=kind]").select_option("before")
    upload.locator("input[name=file]").set_input_files(
        {"name": "before.jpg", "mimeType": "image/jpeg", "buffer": image("JPEG", (180, 60, 60))}
    )
    upload.locator("input[name=caption]").fill("整改前：宣传区无投诉电话")
    upload.locator("button[type=submit]").click()
    expect(odetail.get_by_test_id("before").locator("img")).to_have_count(1)
    upload = owner_page.get_by_test_id("upload-form")
    upload.locator("select[name=kind]").select_option("after")
    upload.locator("input[name=file]").set_input_files(
        {"name": "after.png", "mimeType": "image/png", "buffer": image("PNG", (60, 160, 60))}
    )
    upload.locator("input[name=caption]").fill("整改后：投诉电话和流程已张贴")
    upload.locator("button[type=submit]").click()
    expect(odetail.get_by_test_id("after").locator("img")).to_have_count(1)
    _step(
        owner_page,
        "submit",
        {"textarea[name=result]": "已张贴投诉电话和投诉处理流程。"},
        zh("Submitted for verification"),
    )
    snap(owner_page, "12-owner-submitted-phone")

    # the inspector rejects once, with a reason
    page.reload()
    _step(
        page, "reject", {"textarea[name=reason]": "照片未显示投诉处理流程全文，请补拍。"}, zh("In progress")
    )
    expect(page.get_by_test_id("timeline")).to_contain_text("照片未显示投诉处理流程全文")
    snap(page, "13-rejected")
    item.refresh_from_db()
    assert item.status == "in_progress" and item.verified_by is None

    # the owner sends another after photo and submits again
    owner_page.reload()
    upload = owner_page.get_by_test_id("upload-form")
    upload.locator("select[name=kind]").select_option("after")
    upload.locator("input[name=file]").set_input_files(
        {"name": "after-2.jpg", "mimeType": "image/jpeg", "buffer": image("JPEG", (40, 120, 200))}
    )
    upload.locator("button[type=submit]").click()
    expect(owner_page.get_by_test_id("after").locator("img")).to_have_count(2)
    _step(
        owner_page,
        "submit",
        {"textarea[name=result]": "已补拍投诉处理流程全文。"},
        zh("Submitted for verification"),
    )

    # the inspector verifies
    page.reload()
    _step(page, "verify", {"textarea[name=note]": "现场复核，整改到位。"}, zh("Verified"))
    expect(page.get_by_test_id("clocks")).to_contain_text(zh("Met"))
    snap(page, "14-verified")

    item.refresh_from_db()
    assert item.status == "verified" and item.verified_by is not None
    assert item.evidence.filter(kind="before").count() == 1
    assert item.evidence.filter(kind="after").count() == 2
    actions = list(item.events.exclude(action="evidence").values_list("action", flat=True))
    assert actions == ["open", "submit", "reject", "submit", "verify"]


def _step(page, code: str, fields: dict[str, str], status: str) -> None:
    """Open a step's form on the item page, fill it, send it and wait for the item's new status."""
    detail = page.get_by_test_id("rectification-detail")
    version = detail.get_attribute("data-version")
    page.get_by_test_id(f"action-{code}").click()
    form = page.locator("#action-panel").get_by_test_id("action-form")
    expect(form).to_be_visible()
    for selector, value in fields.items():
        form.locator(selector).fill(value)
    form.get_by_test_id("action-submit").click()
    detail = page.get_by_test_id("rectification-detail")
    expect(detail).not_to_have_attribute("data-version", version or "")
    expect(detail.get_by_test_id("status")).to_have_text(status)


def test_overdue_rectification_escalated_by_sweeper(page, login, snap, org):
    """Step 4: an item opened on 2026-02-02 (10 working days, over the Spring Festival) is weeks late on
    2026-03-10; one run of the shared sweeper breaches and escalates it to the top of the ladder, and the
    branch's consumer-protection officer (the second rung) finds the notice on the home page and in the
    notifications list, with a link to the item."""
    from django.core.management import call_command

    from xiaobao.casework.models import Notification
    from xiaobao.rectification.models import Rectification
    from xiaobao.rectification.services import rectification_open

    officer = _named(make_user("b1_cp", org.b1, ["branch_cp_officer"]), "李分行")
    head = _named(make_user("s1_head", org.b1s, ["approver"]), "周支行")
    hq = _named(make_user("hq_cp", org.cpd, ["hq_cp_officer"]), "吴总行")
    owner = _named(make_user("o1_owner", org.b1o, ["complaint_handler"]), "孙网点")
    item = rectification_open(
        actor=officer,
        data={
            "org_unit": org.b1o.code,
            "title": "填单台未配备老花镜",
            "description": "自查发现填单台未配备老花镜和填单示范。",
            "source": "self_check",
            "opened_on": "2026-02-02",
            "owner": owner.username,
        },
    )
    assert item.due_date < dt.date(2026, 3, 10)

    call_command("sweep", stdout=io.StringIO())

    item = Rectification.objects.get(pk=item.pk)
    clock = item.clocks.get()
    assert clock.state == "breached" and clock.escalation_level == 3 and item.clock_state == "breached"
    told = {
        n.user.username: n.kind
        for n in Notification.objects.filter(object_id=item.pk, kind__startswith="sla_")
    }
    assert told == {
        owner.username: "sla_breach",
        head.username: "sla_escalation",
        officer.username: "sla_escalation",
        hq.username: "sla_escalation",
    }
    call_command("sweep", stdout=io.StringIO())  # a second run tells nobody again
    assert Notification.objects.filter(object_id=item.pk, kind__startswith="sla_").count() == 4

    login(page, officer.username)
    expect(page.locator("main")).to_contain_text(item.reference)
    snap(page, "20-home-escalated")
    page.goto("/complaints/notifications/")
    row = page.get_by_test_id("notification-list").locator("tr", has_text=item.reference)
    expect(row).to_have_count(1)
    snap(page, "21-notifications")
    row.get_by_role("link", name=item.reference).click()
    expect(page.get_by_test_id("rectification-detail")).to_be_visible()
    expect(page.get_by_test_id("clocks")).to_contain_text("×3")
    snap(page, "22-escalated-item")
    page.goto("/rectifications/?overdue=true")
    expect(page.locator("main")).to_contain_text(item.reference)
    snap(page, "23-overdue-list")
