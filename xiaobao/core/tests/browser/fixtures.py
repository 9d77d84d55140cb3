"""Playwright fixtures for every browser test (`make test-browser`, i.e. `pytest -m browser`), loaded
once as a pytest plugin from the root conftest: all packages share one Playwright and one Chromium.

One Chromium per session (Debian's /usr/bin/chromium, never a downloaded one), a fresh context per test
(1366×768, zh-CN), and a `shot` helper that always writes full-page screenshots to var/screenshots/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[4] / "var" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def _playwright():
    """Playwright's sync API keeps an asyncio event loop running in this thread, so Django would refuse the
    ORM calls made by fixtures and assertions ("You cannot call this from an async context"). The flag is
    set here, before the first browser test touches the app, rather than at import time: this conftest is
    imported by every `pytest` run, and the ordinary suite must keep Django's async-safety check."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    yield pw
    pw.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_playwright):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    b = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open further contexts (another user at the same time); all are closed after the test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    contexts = []

    def _make():
        ctx = browser.new_context(
            viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx

    yield _make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def shot(request):
    """`shot(page, "name")` → var/screenshots/<test name>--<name>.png (full page)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"^test_", "", request.node.name)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOT_DIR / f"{test_name}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def login(live_server):
    """Log in through the real form at /login/ and wait for the page after it."""
    from playwright.sync_api import expect

    def _login(page, username: str, password: str | None = None, *, expect_success: bool = True):
        from conftest import PASSWORD

        page.goto("/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password if password is not None else PASSWORD)
        page.locator("form:has(input[name=password]) button[type=submit]").click()
        if expect_success:
            expect(page.get_by_test_id("current-user")).to_be_visible()
        return page

    return _login
