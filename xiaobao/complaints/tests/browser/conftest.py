"""Reuse the Playwright fixtures of the foundation's browser tests (one Chromium, contexts, login, shot).

Named explicitly: `import *` would skip `_playwright`, which `browser` depends on.
"""

from xiaobao.core.tests.browser.conftest import (  # noqa: F401
    _playwright,
    browser,
    login,
    new_context,
    page,
    shot,
)
