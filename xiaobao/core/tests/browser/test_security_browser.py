"""In a real Chromium: text with HTML or script in it is shown as text and never runs, and no page breaks
the Content-Security-Policy (which forbids inline and eval'd script). Screenshots: var/screenshots/xss_*."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from xiaobao.complaints.services import complaint_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def _watch(page) -> list[str]:
    """Console errors and page errors, CSP violations among them."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def test_script_in_a_complaint_is_shown_as_text_and_never_runs(page, login, shot, org, hq_officer):
    # given: a complaint whose description, request and product carry script
    complaint, _ = complaint_register(
        actor=hq_officer,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b1s.code,
            "complainant": {"name": "王<b>小明</b>"},
            "product": PAYLOAD[:90],
            "request": PAYLOAD,
            "description": "客户说：" + PAYLOAD,
        },
    )
    problems = _watch(page)
    login(page, hq_officer.username)
    # when: the list (searched for it), the complaint page with its timeline, and the printable notice
    for url, name in [
        ("/complaints/?q=__xss", "list"),
        (f"/complaints/{complaint.pk}/", "detail"),
        (f"/complaints/{complaint.pk}/notice/", "notice"),
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # then
        assert page.evaluate("window.__xss") is None, name
        shot(page, name)
    page.goto(f"/complaints/{complaint.pk}/")
    expect(page.get_by_text("<script>window.__xss=1</script>", exact=False).first).to_be_visible()
    assert page.evaluate("window.__xss") is None
    assert not [p for p in problems if "Content Security Policy" in p], problems


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/complaints/",
        "/complaints/new/",
        "/statistics/?period=2026-10",
        "/early-warnings/",
        "/reports/",
        "/imports/",
        "/calendar/",
        "/api/v1/docs",
    ],
)
def test_no_page_breaks_the_content_security_policy(page, login, hq_officer, path):
    # given
    problems = _watch(page)
    login(page, hq_officer.username)
    # when
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    # then
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
