"""End-to-end checks through a real Chromium: login form, scoping, the personal-data vault, i18n, calendar.

Run with `make test-browser` (or `pytest -m browser xiaobao/core/tests/browser`). Every page visited is
screenshotted to var/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str, context: str = "") -> str:
    """The Simplified-Chinese UI text for an English msgid (the compiled catalogue)."""
    with translation.override("zh-hans"):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def nav(page):
    return page.locator("nav.modules")


def menu(page, label):
    """Open a menu of the bar (Administration, …) and return it."""
    group = nav(page).locator("details.navgroup").filter(has=page.locator("summary", has_text=label))
    group.locator("summary").click()
    return group


# --- 1 -------------------------------------------------------------------------------------------------


def test_hq_officer_sees_whole_institution(page, login, shot, hq_officer):
    login(page, "hq_cp")

    # Home: the to-do list is empty, the header names the unit and the role.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("todo-empty")).to_be_visible()
    header = page.locator("header.topbar")
    expect(header.locator(".unit")).to_have_text("消费者权益保护部")
    from xiaobao.core.roles import role_name

    with translation.override("zh-hans"):
        hq_role = role_name("hq_cp_officer")
    expect(header.locator(".roles")).to_have_text(hq_role)
    expect(page.get_by_test_id("my-unit")).to_contain_text("HO-CPD")
    shot(page, "home")

    # Organisation: the whole tree.
    admin = menu(page, zh("Administration", context="menu"))
    shot(page, "menu-open")
    admin.get_by_role("link", name=zh("Organisation")).click()
    expect(page).to_have_url(re.compile(r"/org/$"))
    tree = page.get_by_test_id("org-tree")
    for name in ["总行", "消费者权益保护部", "北京分行", "海淀支行", "中关村网点", "上海分行", "浦东支行"]:
        expect(tree.get_by_role("link", name=name, exact=True)).to_be_visible()
    shot(page, "org")

    # Consumers.
    menu(page, zh("Administration", context="menu")).get_by_role("link", name=zh("Consumers")).click()
    expect(page).to_have_url(re.compile(r"/consumers/$"))
    expect(page.get_by_test_id("consumer-list")).to_be_visible()
    shot(page, "consumers")

    # Audit trail: the officer's own login is the newest row.
    menu(page, zh("Administration", context="menu")).get_by_role("link", name=zh("Audit trail")).click()
    expect(page).to_have_url(re.compile(r"/audit/$"))
    from xiaobao.core.models.audit import AuditAction

    with translation.override("zh-hans"):
        login_label = str(AuditAction.LOGIN.label)
    own_login = (
        page.get_by_test_id("audit-list")
        .locator("tbody tr")
        .filter(has_text="hq_cp")
        .filter(has=page.locator("td", has_text=re.compile(rf"^{re.escape(login_label)}$")))
    )
    expect(own_login).to_have_count(1)
    expect(own_login).to_contain_text("HO-CPD")
    shot(page, "audit")


# --- 2 -------------------------------------------------------------------------------------------------


def test_branch_officer_sees_only_own_subtree(page, login, shot, org, branch_officer):
    login(page, "branch1_cp")

    # No user administration for a branch officer.
    modules = nav(page)
    expect(modules.get_by_role("link", name=zh("Home"))).to_be_visible()
    expect(modules.get_by_role("link", name=zh("Users"), exact=True)).to_have_count(0)
    expect(modules.locator('a[href="/users/"]')).to_have_count(0)
    expect(page.locator("header.topbar .unit")).to_have_text("北京分行")

    page.goto("/org/")
    tree = page.get_by_test_id("org-tree")
    for name in ["北京分行", "海淀支行", "中关村网点"]:
        expect(tree.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in ["上海分行", "浦东支行", "总行"]:
        expect(tree.get_by_text(name, exact=True)).to_have_count(0)
    shot(page, "org")

    # Another branch's sub-branch: the URL exists, but not for this user.
    response = page.goto(f"/org/{org.b2s.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name=zh("Not found"))).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("浦东支行")
    shot(page, "404")

    # Its own sub-branch opens.
    response = page.goto(f"/org/{org.b1s.pk}/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name=re.compile("海淀支行"))).to_be_visible()


# --- 3 -------------------------------------------------------------------------------------------------


def test_reveal_personal_data_is_audited(
    page, new_context, login, shot, branch_officer, hq_officer, b1_consumer
):
    from xiaobao.core.models import AuditEvent

    login(page, "branch1_cp")
    page.goto("/consumers/")
    rows = page.get_by_test_id("consumer-list").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("138****5678")
    expect(rows.first).not_to_contain_text("13812345678")
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/consumers/{b1_consumer.pk}/$"))
    detail_url = page.url

    cell = page.locator("#cell-phone")
    expect(cell).to_contain_text("138****5678")
    expect(page.get_by_test_id("personal-data")).not_to_contain_text("13812345678")
    reason = page.get_by_test_id("reason-phone")
    shot(page, "masked")
    # The reason form appears only after a click on Reveal.
    expect(reason).to_be_hidden()

    toggle = cell.locator("button[data-toggle=reveal-phone]")
    expect(toggle).to_have_text(zh("Reveal"))
    toggle.click()
    expect(reason).to_be_visible()
    reason.fill("核实投诉人身份")
    with page.expect_response(re.compile(r"/reveal/$")) as resp:
        page.locator("#reveal-phone").get_by_role("button", name=zh("Reveal")).click()
    assert resp.value.status == 200
    assert resp.value.request.headers.get("hx-request") == "true", "the reveal should go through HTMX"

    revealed = page.get_by_test_id("revealed-phone")
    expect(revealed).to_have_text("13812345678")
    expect(page.locator("#cell-phone")).to_contain_text(zh("revealed; this was logged"))
    # Swapped in place: still the detail page, the other fields still masked.
    assert page.url == detail_url
    expect(page.locator("#cell-id_number")).to_contain_text("110108")
    expect(page.locator("#cell-id_number")).not_to_contain_text("110108199003070016")
    shot(page, "revealed")

    event = AuditEvent.objects.get(action="reveal")
    assert event.actor_username == "branch1_cp"
    assert event.object_id == str(b1_consumer.pk)
    assert "核实投诉人身份" in str(event.changes)
    assert "13812345678" not in str(event.changes) and "13812345678" not in event.object_repr

    # The head office sees the event in the audit trail.
    hq = new_context().new_page()
    login(hq, "hq_cp")
    hq.goto("/audit/?action=reveal")
    audit_rows = hq.get_by_test_id("audit-list").locator("tbody tr")
    expect(audit_rows).to_have_count(1)
    expect(audit_rows.first).to_contain_text("branch1_cp")
    expect(audit_rows.first).to_contain_text("核实投诉人身份")
    shot(hq, "audit")


# --- 4 -------------------------------------------------------------------------------------------------


def test_language_switch(page, login, shot, hq_officer):
    assert zh("Log in") != "Log in", "the zh-Hans catalogue (locale/zh_Hans/LC_MESSAGES/django.mo) is missing"

    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    submit = page.locator("form:has(input[name=password]) button[type=submit]")
    expect(submit).to_have_text(zh("Log in"))
    shot(page, "login-zh")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(submit).to_have_text("Log in")
    expect(page.get_by_role("button", name="简体中文")).to_be_visible()
    shot(page, "login-en")

    login(page, "hq_cp")
    expect(nav(page).get_by_role("link", name="Home")).to_be_visible()
    expect(menu(page, "Administration").get_by_role("link", name="Organisation")).to_be_visible()
    expect(page.get_by_test_id("todo-empty")).to_have_text("Nothing to do right now.")
    shot(page, "home-en")

    # Back to Chinese with the selector in the header (it submits on change).
    page.locator("header select[name=language]").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav(page).get_by_role("link", name=zh("Home"))).to_be_visible()
    expect(page.get_by_test_id("todo-empty")).to_have_text(zh("Nothing to do right now."))


# --- 5 -------------------------------------------------------------------------------------------------


def _login_post(response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/login/")


def test_login_throttle_in_browser(page, login, shot, settings, other_branch_officer):
    limit = settings.LOGIN_FAILURE_LIMIT
    assert limit == 5
    wrong = zh("Wrong username or password.")
    alert = page.locator("ul.errorlist[role=alert]")
    for attempt in range(limit):
        with page.expect_response(_login_post) as resp:
            login(page, "branch2_cp", f"not-the-password-{attempt}", expect_success=False)
        assert resp.value.status == 400
        expect(alert).to_have_text(wrong)
    shot(page, "wrong-password")

    with page.expect_response(_login_post) as resp:
        login(page, "branch2_cp", PASSWORD, expect_success=False)
    assert resp.value.status == 429
    with translation.override("zh-hans"):
        too_many = translation.gettext("Too many failed attempts. Try again in %(m)d minutes.") % {
            "m": max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
        }
    expect(alert).to_have_text(too_many)
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    shot(page, "locked")


# --- 6 -------------------------------------------------------------------------------------------------


def test_calendar_page(page, login, shot, hq_officer):
    login(page, "hq_cp")
    page.goto("/calendar/?year=2026")
    grid = page.get_by_test_id("year-grid")
    expect(grid.locator("td.holiday").first).to_be_visible()
    expect(grid.locator('td[data-date="2026-10-01"]')).to_have_class(re.compile(r"\bholiday\b"))
    expect(grid.locator('td[data-date="2026-10-01"]')).to_have_attribute("title", re.compile(r"\S"))
    expect(grid.locator('td[data-date="2026-01-01"]')).to_have_class(re.compile(r"\bholiday\b"))
    # Make-up working days of the 2026 State Council notice (weekend days that are working days).
    for day in ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]:
        expect(grid.locator(f'td[data-date="{day}"]')).to_have_class(re.compile(r"\bmakeup\b"))
    expect(grid.locator('td[data-date="2026-10-12"]')).not_to_have_class(re.compile(r"holiday|makeup|rest"))
    expect(grid.locator("td[data-date]")).to_have_count(365)
    expect(page.get_by_test_id("provisional-warning")).to_have_count(0)
    shot(page, "2026")

    page.get_by_role("link", name=re.compile(r"2027")).click()
    expect(page).to_have_url(re.compile(r"year=2027"))
    expect(page.get_by_test_id("provisional-warning")).to_be_visible()
    expect(page.get_by_test_id("provisional-warning")).to_contain_text("2027")
    shot(page, "2027")


# --- 7 -------------------------------------------------------------------------------------------------


def test_admin_creates_user(page, login, shot, org, sysadmin):
    from xiaobao.core.models import User

    login(page, "admin")
    page.goto("/users/new/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill("lisi")
    form.locator("input[name=full_name]").fill("李四")
    form.locator("select[name=org_unit]").select_option(str(org.b1s.pk))
    # (a role that reveals personal data would only be requested: a second administrator approves it)
    form.locator('input[name=roles][value="approver"]').check()
    form.locator("input[name=password]").fill("Lisi-strong-pass-2026")
    shot(page, "form")
    form.get_by_role("button", name=zh("Save")).click()

    expect(page).to_have_url(re.compile(r"/users/$"))
    row = (
        page.get_by_test_id("user-list")
        .locator("tbody tr")
        .filter(has=page.get_by_role("link", name="lisi", exact=True))
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text("李四")
    expect(row).to_contain_text("海淀支行")
    from xiaobao.core.roles import role_name

    with translation.override("zh-hans"):
        expect(row).to_contain_text(role_name("approver"))
    expect(page.locator("ul.messages")).to_contain_text("lisi")
    shot(page, "list")
    created = User.objects.get(username="lisi")
    assert created.org_unit_id == org.b1s.pk and created.check_password("Lisi-strong-pass-2026")

    # Too short a password: a field error, nothing created.
    page.goto("/users/new/")
    form.locator("input[name=username]").fill("zhaowu")
    form.locator("input[name=full_name]").fill("赵五")
    form.locator("select[name=org_unit]").select_option(str(org.b1.pk))
    form.locator('input[name=roles][value="branch_cp_officer"]').check()
    form.locator("input[name=password]").fill("Ab1-x")
    with page.expect_response(re.compile(r"/users/new/$")) as resp:
        form.get_by_role("button", name=zh("Save")).click()
    assert resp.value.status == 400
    field = form.locator(".field-error", has=page.locator("input[name=password]"))
    expect(field.locator(".errorlist")).to_be_visible()
    expect(field.locator(".errorlist")).to_contain_text("10")
    expect(form.locator("input[name=username]")).to_have_value("zhaowu")
    shot(page, "short-password")
    assert not User.objects.filter(username="zhaowu").exists()
    page.goto("/users/")
    expect(page.get_by_test_id("user-list").get_by_role("link", name="zhaowu")).to_have_count(0)


# --- the page's own stylesheet and script -------------------------------------------------------------


def test_static_assets_are_served(page, login, hq_officer):
    """base.html links /static/xiaobao/app.css and app.js; without app.js the Reveal buttons do nothing."""
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, "hq_cp")
    expect(page.get_by_test_id("todo-empty")).to_be_visible()
    for asset in ["/static/xiaobao/app.css", "/static/xiaobao/app.js", "/static/django_htmx/htmx-2.min.js"]:
        response = page.request.get(asset)
        assert response.status == 200, f"{asset} answers {response.status}"
    # The stylesheet is applied: the module navigation is laid out as a bar, not a bare list of links.
    assert page.locator("header.topbar").evaluate("e => getComputedStyle(e).display") != "block"
    assert not [f for f in failed if "/static/" in f], failed


def test_the_bar_and_its_menus_fit_a_phone(new_context, login, shot, org, hq_officer):
    # given head office (every module's entry) on a 360 px phone
    page = new_context().new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, "hq_cp")
    width = "document.documentElement.scrollWidth"
    # then the bar wraps instead of widening the page
    assert page.evaluate(width) <= 360
    shot(page, "bar-phone")
    # and every menu, opened, stays on the screen
    for group in page.locator("nav.modules details.navgroup").all():
        group.locator("summary").click()
        box = group.locator(".navmenu").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate(width) <= 360
    shot(page, "bar-phone-menu")
