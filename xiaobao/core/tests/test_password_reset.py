"""Self-service password reset: the same answer whether or not the account exists, a one-time link that
expires, the password validators, every session ended, throttled and audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from xiaobao.core.models import AuditEvent, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.accounts import user_create, user_update

pytestmark = pytest.mark.django_db

NEW = "Kx9-new-long-pass-2026"
LINK = re.compile(r"https?://[^/\s]+(/password-reset/\S+)")


@pytest.fixture
def people(org):
    """An account with an e-mail address, and the ones that must get nothing: inactive, without an
    e-mail address, locked by failed logins."""

    def make(username, email):
        return user_create(
            actor=None,
            username=username,
            full_name=username,
            org_unit=org.b1,
            roles=["complaint_handler"],
            password=PASSWORD,
            email=email,
        )

    alice = make("alice", "alice@bank.example")
    inactive = user_update(actor=None, user=make("inactive", "inactive@bank.example"), is_active=False)
    mailless = make("mailless", "")
    locked = make("locked", "locked@bank.example")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        Client().post(reverse("core:login"), {"username": "locked", "password": "wrong-guess"})
    return type("People", (), {"alice": alice, "inactive": inactive, "mailless": mailless, "locked": locked})


@pytest.fixture
def queued(settings):
    """Tasks queued, not run in place: what the request itself does can be measured; then run the queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import task_backends

    backend = task_backends["default"]

    def run():
        for result in backend.results:
            result.task.call(*result.args, **result.kwargs)
        backend.clear()

    return run


def ask(login: str, ip: str = "10.0.0.1", client: Client | None = None):
    client = client or Client()
    return client.post(reverse("core:password_reset"), {"email": login}, REMOTE_ADDR=ip)


def without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_the_login_page_offers_the_reset(db):
    page = Client().get(reverse("core:login")).content.decode()
    assert f'href="{reverse("core:password_reset")}"' in page
    form = Client().get(reverse("core:password_reset"))
    assert form.status_code == 200 and 'name="email"' in form.content.decode()


def test_the_same_answer_whether_or_not_the_account_exists(people, queued):
    # given logins for an account, its e-mail in other letter case, and five that must get nothing
    logins = {
        "username": "alice",
        "e-mail": "ALICE@bank.example",
        "unknown user": "nobody",
        "unknown e-mail": "nobody@bank.example",
        "inactive": "inactive",
        "no e-mail address": "mailless",
        "locked": "locked",
    }
    answers, pages, queries = {}, {}, {}
    for i, (case, login) in enumerate(logins.items()):
        client = Client()
        client.get(reverse("core:password_reset"))
        # when each is asked for (from its own address, under the throttle)
        with CaptureQueriesContext(connection) as ctx:
            response = ask(login, ip=f"10.0.0.{i + 1}", client=client)
        answers[case] = (response.status_code, response["Location"], tuple(sorted(response.headers)))
        page = client.get(response["Location"])
        pages[case] = (page.status_code, without_tokens(page.content.decode()))
        queries[case] = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in ctx.captured_queries]
    # then the answer and the page it leads to are the same for all, and so is the request's database work
    # (the lookup and the e-mail happen in the queued task)
    assert len(set(answers.values())) == 1, answers
    assert answers["unknown user"][:2] == (302, reverse("core:password_reset_done"))
    assert len(set(pages.values())) == 1
    assert all(q == queries["username"] for q in queries.values())
    assert mail.outbox == []
    # and when the queue runs, only the existing, active, unlocked account with an address gets a mail
    queued()
    assert [m.to for m in mail.outbox] == [["alice@bank.example"], ["alice@bank.example"]]
    # audited: every request (no account named), and each link sent to its account
    rows = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET)
    assert rows.filter(changes__step="requested", object_id="").count() == len(logins)
    sent = rows.filter(changes__step="link sent")
    assert sent.count() == 2 and set(sent.values_list("object_id", flat=True)) == {str(people.alice.pk)}


def test_the_link_works_once_and_sets_a_password_that_logs_in(people):
    # given the link e-mailed to alice
    assert ask("alice").status_code == 302
    (message,) = mail.outbox
    assert message.to == ["alice@bank.example"] and "alice" in message.body
    link = link_in(message)
    browser = Client()
    # when she opens it: the token leaves the URL for the session (no Referer leak), then the form
    opened = browser.get(link)
    assert opened.status_code == 302 and "set-password" in opened["Location"]
    form = browser.get(opened["Location"])
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = browser.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    # then the password is set, audited, and logs in
    assert done.status_code == 302 and done["Location"] == reverse("core:password_reset_complete")
    assert browser.get(done["Location"]).status_code == 200
    assert Client().login(username="alice", password=NEW)
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_RESET, object_id=str(people.alice.pk), changes__step="password set"
    ).exists()
    # and the same link does not work a second time
    again = Client().get(link)
    assert again.status_code == 400 and 'data-testid="invalid-link"' in again.content.decode()
    reuse = Client().post(link, {"new_password1": "Other-pass-2026-x", "new_password2": "Other-pass-2026-x"})
    assert reuse.status_code == 400
    assert Client().login(username="alice", password=NEW)


def test_an_expired_link_is_refused(people):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask("alice")
    link = link_in(mail.outbox[0])
    # within PASSWORD_RESET_TIMEOUT it opens; a second past it, it does not
    with time_machine.travel(start + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60), tick=False):
        assert Client().get(link).status_code == 302
    with time_machine.travel(start + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1), tick=False):
        browser = Client()
        assert browser.get(link).status_code == 400
        set_url = reverse("core:password_reset_set")
        assert browser.post(set_url, {"new_password1": NEW, "new_password2": NEW}).status_code == 400
    assert Client().login(username="alice", password=PASSWORD)


def test_the_new_password_must_pass_the_validators(people):
    ask("alice")
    browser = Client()
    set_url = browser.get(link_in(mail.outbox[0]))["Location"]
    for new1, new2 in (
        ("12345678901", "12345678901"),
        ("password", "password"),
        ("alice", "alice"),
        (NEW, NEW + "x"),
    ):
        response = browser.post(set_url, {"new_password1": new1, "new_password2": new2})
        assert response.status_code == 400 and 'class="errorlist"' in response.content.decode()
    assert User.objects.get(username="alice").check_password(PASSWORD)  # (a login would end the link)
    last = browser.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert last.status_code == 302, re.findall(r'class="errorlist"[^>]*>(.*?)</ul>', last.content.decode())


def test_a_reset_ends_every_session_of_the_user(people):
    # given alice logged in on two devices
    laptop, phone = Client(), Client()
    assert laptop.login(username="alice", password=PASSWORD)
    assert phone.login(username="alice", password=PASSWORD)
    assert laptop.get("/").status_code == 200
    # when the password is reset through the e-mailed link
    ask("alice")
    browser = Client()
    set_url = browser.get(link_in(mail.outbox[0]))["Location"]
    assert browser.post(set_url, {"new_password1": NEW, "new_password2": NEW}).status_code == 302
    # then both sessions are over
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 302


def test_requests_are_throttled_per_address_and_per_login(people):
    limit = settings.PASSWORD_RESET_LIMIT
    # from one address: the limit, then 429 — for unknown logins exactly as for alice
    for i in range(limit):
        assert ask(f"nobody{i}", ip="10.1.1.1").status_code == 302
    refused = ask("alice", ip="10.1.1.1")
    assert refused.status_code == 429 and 'class="errorlist"' in refused.content.decode()
    assert ask("nobody", ip="10.1.1.1").status_code == 429
    assert mail.outbox == []
    # for one login, from many addresses: the limit, then 429
    for i in range(limit):
        assert ask("alice", ip=f"10.2.0.{i}").status_code == 302
    assert ask("alice", ip="10.2.0.99").status_code == 429
    assert len(mail.outbox) == limit
    # a refused request is not counted, queued or audited
    requested = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, changes__step="requested")
    assert requested.count() == 2 * limit
    # the window passes: allowed again
    later = timezone.now() + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert ask("alice", ip="10.1.1.1").status_code == 302


def test_a_link_stops_working_when_the_account_is_deactivated(people):
    ask("alice")
    link = link_in(mail.outbox[0])
    user_update(actor=None, user=people.alice, is_active=False)
    assert Client().get(link).status_code == 400


def test_what_is_typed_is_audited_with_personal_numbers_masked(people):
    ask("13812345678")
    row = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert row.object_repr == "138****5678" and row.actor is None and row.ip == "10.0.0.1"


def test_the_reset_pages_keep_the_content_security_policy(people):
    """No inline script or event handler on any page of the flow (CSP script-src 'self' would block it)."""
    ask("alice")
    browser = Client()
    link = link_in(mail.outbox[0])
    set_url = browser.get(link)["Location"]
    pages = {
        "form": Client().get(reverse("core:password_reset")),
        "sent": Client().get(reverse("core:password_reset_done")),
        "set password": browser.get(set_url),
        "invalid link": Client().get(link.replace(link.split("/")[-2], "bad-token")),
        "complete": Client().get(reverse("core:password_reset_complete")),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert "script-src 'self';" in response.headers["Content-Security-Policy"], name
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), name
        assert not re.search(r"\son[a-z]+\s*=", html), name


def test_the_reset_pages_and_the_mail_are_in_chinese(people):
    """zh-Hans is the default language (the msgids are translated in xiaobao/locale)."""
    form = Client().get(reverse("core:password_reset")).content.decode()
    assert "忘记密码" in form
    ask("alice")
    (message,) = mail.outbox
    assert "密码" in message.subject and "链接" in message.body
    assert "忘记密码" in Client().get(reverse("core:login")).content.decode()


def test_the_token_never_travels_in_a_url_path(people):
    """Access logs write paths (not query strings): the e-mailed link carries the account and the one-time
    token in its query string only, and the page the password is typed into has neither in its URL."""
    from urllib.parse import parse_qs, urlsplit

    ask("alice")
    link = urlsplit(link_in(mail.outbox[0]))
    query = parse_qs(link.query)
    token, uid = query["token"][0], query["uid"][0]
    assert token not in link.path and uid not in link.path
    browser = Client()
    opened = browser.get(f"{link.path}?{link.query}")
    assert opened.status_code == 302
    assert token not in opened["Location"] and uid not in opened["Location"]
    form = browser.get(opened["Location"])
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = browser.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and Client().login(username="alice", password=NEW)
