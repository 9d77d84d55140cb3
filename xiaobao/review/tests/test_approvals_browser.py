"""In the browser: the public check a QR code leads to (desktop and a 360 px phone, in force and withdrawn),
checking the file itself, the printable approval slip (and its print-to-PDF: one A4 page, Chinese text), the
register, and the review panel on a complaint page. Time pinned (ticking) to 2026-04-01 10:00 in Shanghai.
Screenshots: var/screenshots/<test>--NN-<step>.png."""

from __future__ import annotations

import datetime as dt
import importlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.review import approvals as svc
from xiaobao.review.tests.test_approvals_fixtures import complaint, on, passed_review, people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def _review_presets(_presets):
    """A transactional test flushes the data migration's product kinds and deadline rules: put them back."""
    from django.apps import apps

    importlib.import_module("xiaobao.review.migrations.0002_product_kinds_deadline_rules").add_presets(
        apps, None
    )


@pytest.fixture
def world(org, settings):
    settings.INSTITUTION_NAME = "晓宝农村商业银行"
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        live = passed_review(submitter, reviewer, valid_until=dt.date(2027, 2, 28)).approvals.get()
        gone = passed_review(
            submitter, reviewer, title="旧版宣传单", product_name="稳盈0号理财产品"
        ).approvals.get()
        svc.approval_withdraw(gone, by=reviewer, reason="产品停售")
        item = complaint(org)
    return submitter, reviewer, live, gone, item


def _pinned():
    return time_machine.travel(dt.datetime(2026, 4, 1, 10, 0, tzinfo=SH), tick=True)


def test_public_check_on_desktop_and_phone(new_context, shot, world):
    _s, _r, live, gone, _item = world
    with _pinned():
        desk = new_context().new_page()
        desk.goto(f"/public/verify/{live.code}/")
        expect(desk.get_by_test_id("verdict-ok")).to_be_visible()
        expect(desk.get_by_test_id("institution")).to_have_text("晓宝农村商业银行")
        expect(desk.get_by_test_id("product")).to_have_text("稳盈1号理财产品")
        shot(desk, "01-desktop-in-force")

        phone_ctx = new_context()
        phone = phone_ctx.new_page()
        phone.set_viewport_size(PHONE)
        phone.goto(f"/public/verify/{gone.code}/")
        expect(phone.get_by_test_id("verdict-bad")).to_contain_text("已撤回")
        # nothing wider than the phone
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        shot(phone, "02-phone-withdrawn")

        phone.goto(f"/public/verify/{live.code}/")
        expect(phone.get_by_test_id("verdict-ok")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(phone, "03-phone-in-force")


def test_checking_the_file_in_the_form(page, shot, world, tmp_path):
    _s, _r, live, _gone, _item = world
    approved = tmp_path / "宣传单.docx"
    with live.version.file.open("rb") as f:
        approved.write_bytes(f.read())
    with _pinned():
        page.goto("/public/verify/")
        shot(page, "01-form")
        page.locator("input[type=file]").set_input_files(str(approved))
        page.get_by_test_id("verify-form").locator("button[type=submit]").click()
        expect(page.get_by_test_id("file-match")).to_be_visible()
        expect(page.get_by_test_id("verdict-ok")).to_be_visible()
        shot(page, "02-file-matches")


def test_print_slip_and_its_pdf(page, login, shot, world):
    import io
    import unicodedata

    from pypdf import PdfReader

    _s, reviewer, live, _gone, _item = world
    with _pinned():
        login(page, reviewer.username)
        page.goto(f"/reviews/approvals/{live.pk}/print/")
        expect(page.get_by_test_id("slip-number")).to_have_text(live.number)
        expect(page.get_by_test_id("slip-code")).to_have_text(svc.format_code(live.code))
        shot(page, "01-slip-screen")
        page.emulate_media(media="print")
        shot(page, "02-slip-print-media")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / "print_slip_and_its_pdf--03-slip.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    # the fonts' glyphs map some characters to CJK radicals (⾏ for 行): compare in compatibility form
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
    assert live.number in text and "晓宝农村商业银行" in text


def test_register_and_complaint_panel(page, login, shot, world, org):
    _s, reviewer, live, _gone, item = world
    officer = make_user("b1_cp_browser", org.b1, ["branch_cp_officer", "complaint_handler"])
    with _pinned():
        login(page, reviewer.username)
        page.goto("/reviews/approvals/")
        expect(page.get_by_test_id("approval-row")).to_have_count(2)
        shot(page, "01-register")
        page.context.clear_cookies()

        login(page, officer.username)
        page.goto(f"/complaints/{item.pk}/")
        block = page.get_by_test_id("complaint-reviews")
        expect(block).to_be_visible()
        block.locator("input[name=reference]").fill(live.review.reference)
        block.locator("button[type=submit]").click()
        expect(page.get_by_test_id("linked-review")).to_contain_text(live.number)
        page.get_by_test_id("complaint-reviews").scroll_into_view_if_needed()
        shot(page, "02-complaint-panel")
        page.get_by_test_id("complaint-reviews").screenshot(
            path=str(SCREENSHOT_DIR / "register_and_complaint_panel--03-panel-only.png")
        )
