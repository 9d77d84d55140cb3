"""In the browser: a directory user (qianyi, in the directory's Xiaobao-Admins group) signs in through the
login page with the directory password against the real slapd and opens the directory page (the mapping,
the configuration, a test look-up). Screenshots var/screenshots/directory-*.png at 1280 and 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR
from xiaobao.directory.tests.conftest import password_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=".topbar { position: static !important; }")
    page.screenshot(path=str(SCREENSHOT_DIR / f"directory-{name}.png"), full_page=True)


def test_directory_user_signs_in_and_opens_the_mapping_page(new_context, login, directory, mappings):
    page = new_context().new_page()
    login(page, "qianyi", password_of("qianyi"))
    page.goto("/directory/")
    expect(page.get_by_test_id("directory-on")).to_be_visible()
    expect(page.get_by_test_id("mapping-row")).to_have_count(4)
    page.get_by_test_id("lookup-username").fill("zhangsan")
    page.get_by_test_id("lookup-submit").click()
    expect(page.get_by_test_id("lookup-roles")).to_contain_text("分行消保专员")
    _shot(page, "page-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    _shot(page, "page-360")
