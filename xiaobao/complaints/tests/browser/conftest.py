"""Browser fixtures for the complaint tests: the foundation's contexts, pages, login and shot helpers,
over a Playwright and a Chromium of this package's own.

Why not simply re-export the foundation's `_playwright`/`browser`: a fixture imported into a second
conftest is a second fixture definition, so a run of every browser test would start Playwright's sync API
twice in one thread (it refuses). Here they live for this package only, and this package's tests run
first, so they have stopped before the foundation's session-wide ones start.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xiaobao.core.tests.browser.conftest import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    login,
    new_context,
    page,
    shot,
)


@pytest.fixture(scope="package")
def _playwright():
    """Like the foundation's: Django's async-safety check is relaxed only while Playwright runs."""
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


@pytest.fixture(scope="package")
def browser(_playwright):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    b = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run this package's tests before any other (whatever order the paths were given in)."""
    here = Path(__file__).parent

    def ours(item: pytest.Item) -> bool:
        return here in Path(item.path).parents

    items[:] = [i for i in items if ours(i)] + [i for i in items if not ours(i)]
