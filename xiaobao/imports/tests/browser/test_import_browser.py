"""An import in a real Chromium: upload a CFPB slice, check the mapping screen, validate, import, and find
the complaints. Screenshots go to var/screenshots/import-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import make_user
from xiaobao.complaints.models import Complaint
from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.imports.tests.conftest import OFFICIAL, first_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"import-{name}.png"
    page.add_style_tag(content=".topbar, .submit-bar { position: static !important; }")
    page.screenshot(path=str(path), full_page=True)
    return path


def test_upload_map_validate_import(page, login, org, tmp_path):
    from xiaobao.imports.presets import load_builtin_presets_now

    load_builtin_presets_now()  # a transactional test starts from an emptied database
    make_user("b1_officer", org.b1, ["branch_cp_officer"])
    path = tmp_path / "cfpb-sample.csv"
    path.write_bytes(first_rows(OFFICIAL, 60))
    login(page, "b1_officer")
    # the import list, then the upload form
    page.goto("/imports/")
    page.get_by_test_id("new-import").click()
    page.locator("input[name=file]").set_input_files(str(path))
    page.locator("select[name=org_unit]").select_option(str(org.b1s.pk))
    _shot(page, "01-upload")
    page.get_by_test_id("upload-form").locator("button[type=submit]").click()
    # the mapping screen: the file's first rows, the matched columns, the values found in the file
    expect(page.get_by_test_id("preview")).to_be_visible()
    expect(page.locator("select[name=col_received_on]")).to_have_value("Date received")
    products = page.get_by_test_id("values-business_type")
    expect(products).to_contain_text("Debt collection")
    row = products.locator("tr", has_text="Debt collection")
    expect(row.locator("select")).to_have_value("B13")
    _shot(page, "02-mapping")
    # map debt collection to another code, then save and validate
    row.locator("select").select_option("B99")
    page.get_by_test_id("save-validate").click()
    expect(page.get_by_test_id("summary")).to_be_visible()
    expect(page.get_by_test_id("run")).to_be_visible()
    _shot(page, "03-validated")
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("created")).to_have_text("60")
    _shot(page, "04-imported")
    assert Complaint.objects.filter(business_type__code="B99").exists()
    page.get_by_test_id("complaints-link").click()
    expect(page.get_by_test_id("complaint-row")).to_have_count(50)  # the first page of the list
    _shot(page, "05-complaints")


def test_edit_a_preset_value_table(page, login, org):
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.presets import load_builtin_presets_now

    load_builtin_presets_now()
    make_user("hq_officer", org.cpd, ["hq_cp_officer"])
    login(page, "hq_officer")
    page.goto("/imports/presets/")
    page.get_by_test_id("preset-row").filter(has_text="cfpb").get_by_role("link").first.click()
    products = page.get_by_test_id("values-business_type")
    expect(products.locator("input[value='Mortgage']")).to_be_visible()
    # fill the first blank row of the product table: a new product and its business type
    blank = products.locator("tr", has=page.locator("input[value='']")).first
    blank.locator("input").fill("Crypto wallet")
    blank.locator("select").select_option("B05")
    _shot(page, "06-preset")
    page.get_by_test_id("save").click()
    expect(page.locator(".messages")).to_be_visible()
    assert ImportPreset.objects.get(name="cfpb").value_maps["business_type"]["Crypto wallet"] == "B05"
