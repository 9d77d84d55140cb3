"""Sales recording in a real Chromium at 360 px: import the register through the import pages, draw the
quarter's sample, start the check of a must-check sale and land on the inspection's fill page.
Screenshots go to var/screenshots/sales-recording-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.sales_recording.tests.conftest import grant, make_csv, sale_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"sales-recording-{name}.png"
    page.add_style_tag(content=".topbar, .submit-bar { position: static !important; }")
    page.screenshot(path=str(path), full_page=True)
    return path


def test_import_draw_and_check_on_a_phone(page, login, org, tmp_path):
    from xiaobao.inspections.presets import load_presets_now
    from xiaobao.sales_recording.presets import load_now

    load_now()  # a transactional test starts from an emptied database
    load_presets_now()
    grant(make_user("b1_sr", org.b1, []))
    rows = [sale_row(i, **({"客户年龄": "67"} if i == 3 else {})) for i in range(1, 9)]
    path = tmp_path / "双录台账.csv"
    path.write_bytes(make_csv(rows))
    page.set_viewport_size({"width": 360, "height": 780})
    with time_machine.travel("2026-04-15 10:00 +0800", tick=True):
        login(page, "b1_sr")
        # the import entry, then the framework's upload form for this kind
        page.goto("/sales-recording/import/")
        _shot(page, "01-import-entry")
        page.get_by_test_id("upload").click()
        page.locator("input[name=file]").set_input_files(str(path))
        page.locator("select[name=org_unit]").select_option(str(org.b1.pk))
        page.get_by_test_id("upload-form").locator("button[type=submit]").click()
        # the mapping screen matched the columns by the shipped preset
        expect(page.locator("select[name=col_seller]")).to_have_value("销售人员")
        expect(page.get_by_test_id("values-product_kind")).to_contain_text("理财")
        _shot(page, "02-mapping")
        page.get_by_test_id("save-validate").click()
        page.get_by_test_id("run").click()
        expect(page.get_by_test_id("created")).to_have_text("8")
        page.get_by_test_id("results-link").click()
        expect(page.get_by_test_id("sale-row")).to_have_count(8)
        _shot(page, "03-register")
        # draw the first quarter's sample
        page.goto("/sales-recording/samples/")
        form = page.get_by_test_id("draw-form")
        form.locator("select[name=unit]").select_option(str(org.b1.pk))
        form.locator("select[name=quarter]").select_option("1")
        form.locator("select[name=rule]").select_option("bank-sales-zone")
        form.locator("button[type=submit]").click()
        items = page.get_by_test_id("sample-item")
        expect(items.first).to_be_visible()
        must = items.filter(has_text="67")
        expect(must).to_have_count(1)
        _shot(page, "04-sample")
        # start the check of the sale to the 67-year-old: the inspection's fill page
        must.get_by_test_id("check").click()
        expect(page).to_have_url(re.compile(r"/inspections/\d+/fill/$"))
        _shot(page, "05-fill")
