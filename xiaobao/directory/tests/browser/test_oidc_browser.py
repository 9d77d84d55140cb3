"""In the browser: the login page's "Sign in with 行内统一认证" button, the real provider's login form
(django-oauth-toolkit in a subprocess), back to Xiaobao signed in with the roles of the groups claim; then
the directory page's OpenID Connect section. Screenshots var/screenshots/oidc_round_trip--*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from xiaobao.directory.tests.conftest import GROUPS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_oidc_round_trip(new_context, oidc, mappings, live_server, shot):
    oidc.redirect_uris(f"{live_server.url}/directory/oidc/callback/")
    groups = [f"cn={g},{GROUPS}" for g in ("handlers", "all-staff", "Xiaobao-Admins")]
    oidc.user("qian.yi", name="钱一", unit="HO", groups=groups)
    page = new_context().new_page()
    page.goto("/login/")
    button = page.get_by_test_id("oidc-login-button")
    expect(button).to_have_text("使用行内统一认证登录")
    shot(page, "login-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    shot(page, "login-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    button.click()
    # at the provider (another origin): its own login form
    expect(page).to_have_url(re.compile(rf"^{re.escape(oidc.base)}/accounts/login/"))
    page.locator("input[name=username]").fill("qian.yi")
    page.locator("input[name=password]").fill("sso-qian.yi")
    page.get_by_test_id("sso-submit").click()
    # back at Xiaobao, signed in with the roles his groups give
    expect(page.get_by_test_id("current-user")).to_be_visible()
    assert page.url.startswith(live_server.url)
    shot(page, "back-1280")
    from xiaobao.core.models import User

    assert User.objects.get(username="qian.yi").role_codes == ["complaint_handler", "learner", "sysadmin"]
    # the directory page shows the provider's configuration, read-only
    page.goto("/directory/")
    expect(page.get_by_test_id("oidc-on")).to_be_visible()
    expect(page.get_by_test_id("oidc-config")).to_contain_text(oidc.issuer)
    page.get_by_test_id("oidc-config").scroll_into_view_if_needed()
    shot(page, "directory-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    shot(page, "directory-360")
