"""Every HTML form, submitted with hostile input — generated from the scoping route tables.

The sweep GETs every page route of `test_scoping.PAGE_ROUTES` (which gathers every app's `tests/routes.py`,
with its `setup(ctx)` objects) as the users who may act there, the public pages as a visitor, and the
form pages those pages link to (a complaint's action forms). It parses each `<form method="post">` with
the standard library's HTML parser and submits it as a browser would, once per input class: empty values;
Chinese text with emoji; 10,000+ characters; impossible dates and time zones; negative and huge numbers;
an HTML/script payload; a NUL byte; a select option that does not exist; tampered hidden fields — and once
without the CSRF token. Each class goes to the fields of its kind while the other fields hold plausible
values, so the hostile value gets as deep as validation lets it. A form added to any page is swept without
anyone listing it.

For every submission: never a server error; without the CSRF token 403; a refusal (4xx, a page re-rendered
with field errors, or a redirect carrying an error message) leaves every table as it was — nothing
half-written; nothing stored that PostgreSQL would refuse with a server error (a NUL byte, a string over its
column's length — SQLite keeps both, so the SQLite run finds PostgreSQL's 500s too); error texts are in the
user's language; the script payload never comes back unescaped.
A completeness test fails when a route that accepts POST is neither reached by a swept form nor listed in
EXCLUDED with a reason.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from xiaobao.core.tests import test_scoping
from xiaobao.core.tests.route_table import Ctx
from xiaobao.core.tests.test_scoping import PAGE_ROUTES, _page_url

pytestmark = pytest.mark.django_db
ctx = test_scoping.ctx  # the branch-1 objects every app's routes act on

# --- what is not swept, and why -----------------------------------------------------------------------------

# Form targets the sweep never submits.
NOT_SUBMITTED = {
    "core:logout": "ends the session the sweep runs in (test_accounts logs out)",
    "set_language": "Django's own view; only sets the language cookie",
}
# POST-accepting routes that no swept page shows a <form> for, and the tests that cover them instead.
EXCLUDED = {
    **NOT_SUBMITTED,
    "core:login_2fa": "needs a pending first factor in the session (test_accounts.test_two_factor_login)",
    "complaints:lookup": "an htmx hint posted from the intake form without a <form> of its own "
    "(complaints/tests/test_views.py test_lookup_*)",
    "core:password_reset_confirm": "the e-mailed link, opened with GET; its form posts to "
    "core:password_reset_set",
    "core:role_request_decide": "buttons shown only while a role request waits for a second administrator "
    "(core/tests/test_role_grants.py)",
    "inspections:answer": "posted by the fill page's script per answer, no <form> of its own "
    "(inspections/tests/test_views.py test_answer_*)",
    "inspections:photo_upload": "posted by the fill page's script when a photo is taken "
    "(inspections/tests/test_views.py test_photo_from_the_page)",
    "exams:wrong_practice": "a button shown only while the learner's wrong-answer book has questions "
    "(exams/tests/test_candidate_pages.py test_the_wrong_answer_book_and_practising_it_again)",
    "governance:evidence_upload": "the upload form is shown only to the item's owner while it is worked on "
    "(governance/tests/test_workflow.py test_evidence_upload_page_refuses_a_bad_file_and_keeps_a_good_one)",
    "desk:view_edit": "the owner's rename form on the views page; the sweep's users own no view "
    "(desk/tests/test_views_api.py test_a_shared_view_is_seen_by_the_unit_and_changed_only_by_its_owner, "
    "test_a_bad_rename_changes_nothing)",
    "desk:view_delete": "the owner's delete button on the views page; the sweep's users own no view "
    "(desk/tests/test_views_api.py test_a_shared_view_is_seen_by_the_unit_and_changed_only_by_its_owner)",
    "portal_public:review": "shown only after a successful status lookup kept in the session "
    "(portal/tests/test_lookup.py: within the window, refused after 30 days, nothing before the decision; "
    "test_redteam.py: markup in every field)",
    "portal_public:rate": "shown only after a successful status lookup kept in the session, once the "
    "decision is notified (portal/tests/test_lookup.py: rating once; test_redteam.py: markup in every field)",
    "directory:sync": "the 'sync now' button shows only while a directory is configured, which the sweep's "
    "settings have not (directory/tests/test_sync.py test_sync_now_on_the_page, "
    "test_sync_now_without_a_directory_says_so_and_queues_nothing)",
    "directory:oidc_authenticate": "the OpenID Connect sign-in's start, a link on the login page shown only "
    "while a provider is configured (directory/tests/test_oidc.py: the whole flow against a real provider)",
    "directory:oidc_callback": "the provider's return with code and state, never a form of ours "
    "(directory/tests/test_oidc.py test_a_wrong_or_replayed_state_is_refused and the flow tests)",
    "outreach:send": "the complaint page's 'send the decision notice now', shown only to who works on the "
    "complaint once its decision is ready (outreach/tests/test_pages_api.py "
    "test_send_from_the_page_refuses_bad_input_and_writes_nothing; the journey browser test)",
    "outreach:resend": "a button beside a sending, shown only to who works on the complaint "
    "(outreach/tests/test_pages_api.py test_resend_through_the_page_and_other_branch_404)",
    "surveys_public:answer": "the public survey form carries a signed one-time nonce and a browser cookie; "
    "a replayed post is refused by design (surveys/tests/test_surveys.py "
    "test_bad_answers_give_field_errors_and_store_nothing, test_public_answer_anonymous_then_repeat_refused)",
}
# Pages that answer a *successful* POST with a page instead of a redirect and write while doing so: such an
# answer (no field errors) may change these tables and no others.
WRITES_WITHOUT_REDIRECT: dict[str, set[str]] = {
    "core:consumer_reveal": {"core.auditevent"},  # shows the value; the reveal is audited
    "special_services:home_service_reveal": {"core.auditevent"},  # the same reveal, of the person served
    "core:account": {"core.apitoken", "core.auditevent"},  # a new API token is shown once, on the page
    "core:search": {"core.auditevent"},  # a search by ID/phone/account number is audited (masked value)
}
# Refusals that are recorded on purpose: a failed login is a row of the audit trail (throttling counts them).
WRITES_ON_REFUSAL: dict[str, set[str]] = {
    "core:login": {"core.auditevent"},
    "portal_public:status": {"core.auditevent"},  # every status lookup is audited, a failed one too
}
# Tables written on every request whatever the form does.
VOLATILE = {"sessions.session"}
# Users whose pages are fetched: the route's allowed user for every page, these too for the global pages
# (forms that only an HQ officer or an administrator is shown: calendar, watch words, presets…).
EXTRA_USERS = ("hq_officer", "sysadmin")

# --- input classes ------------------------------------------------------------------------------------------

MARKUP = "<script>alert('xb-fuzz')</script><img src=x onerror=alert(1)>\"'&"
FREE_TEXT = {"text", "textarea", "search", "email", "tel", "url", "password"}
DATES = {"date", "datetime-local", "time", "month", "week"}
NUMBERS = {"number", "range"}
TYPED = FREE_TEXT | DATES | NUMBERS
# class → (value, the input kinds it goes to; when a form has none of them, every typed input gets it)
TEXT_CLASSES: dict[str, tuple[str, set[str]]] = {
    "chinese_emoji": ("投诉人称理财产品亏损😀🏦💳，要求赔偿", FREE_TEXT),
    "very_long": ("长" * 5_000 + "x" * 5_001, FREE_TEXT),
    "markup": (MARKUP, FREE_TEXT),
    "nul_byte": ("a\x00b", FREE_TEXT),
    "impossible_date": ("2026-02-30", DATES),
    "not_a_date": ("abc", DATES),
    "bad_time_zone": ("2026-01-01T25:00+99:00", DATES),
    "negative": ("-1", NUMBERS),
    "huge": (str(10**30), NUMBERS),
}
UNKNOWN_OPTION = "999999999"
TAMPERED_HIDDEN = str(10**30)
CLASSES = ["empty", *TEXT_CLASSES, "unknown_option", "tampered_hidden"]
# What a careful user would type, so that only the class's fields are wrong.
PLAUSIBLE = {
    "date": "2026-03-02",
    "datetime-local": "2026-03-02T10:30",
    "time": "10:30",
    "month": "2026-03",
    "week": "2026-W10",
    "number": "1",
    "range": "1",
    "email": "fuzz@example.com",
    "tel": "13900001111",
    "url": "https://example.com/",
    "password": "Kx9-long-enough-pass",
}
PLAUSIBLE_TEXT = "测试"
NOT_SENT = {"file", "reset", "button", "image"}
CJK = re.compile(r"[\u4e00-\u9fff]")
ERRORS = re.compile(r'class="[^"]*errorlist[^"]*"[^>]*>(.*?)</(?:ul|span|div|p)>', re.S)


# --- parsing forms ------------------------------------------------------------------------------------------


@dataclass
class Field:
    kind: str  # an <input> type, "select", "textarea" or "submit"
    name: str
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)

    def signature(self) -> tuple[str, ...]:
        return tuple(sorted({f.name for f in self.fields}))


class PageParser(HTMLParser):
    """A page's POST forms with the fields a browser submits (disabled ones left out), and its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(a.get("action", "")) if a.get("method", "").lower() == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is not None and "disabled" not in a:
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        name = a.get("name", "")
        if tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        elif not name:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self._form.fields.append(Field(kind, name, a.get("value", default), "checked" in a))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._form.fields.append(Field("submit", name, a.get("value", "")))
        elif tag == "select":
            self._select = Field("select", name, multiple="multiple" in a)
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field("textarea", name)
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("option", "select"):
            self._end_option()
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def _end_option(self) -> None:
        if self._option is not None and self._select is not None:
            value = self._option["value"]
            value = value if value is not None else self._option["text"].strip()
            self._select.options.append(value)
            if self._option["selected"]:
                self._select.selected.append(value)
        self._option = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


# --- what gets sent -----------------------------------------------------------------------------------------


def browser_data(form: Form) -> dict[str, list[str]]:
    """What a browser sends when the form's first submit button is pressed, as the page left the form."""
    data: dict[str, list[str]] = {}
    pressed = False
    for f in form.fields:
        if f.kind in NOT_SENT or f.name == "csrfmiddlewaretoken":
            continue
        if f.kind == "submit":
            if not pressed:
                data.setdefault(f.name, []).append(f.value)
            pressed = True
        elif f.kind in ("checkbox", "radio"):
            if f.checked:
                data.setdefault(f.name, []).append(f.value)
        elif f.kind == "select":
            chosen = f.selected or ([] if f.multiple or not f.options else [f.options[0]])
            if chosen:
                data[f.name] = chosen
        else:
            data.setdefault(f.name, []).append(f.value)
    return data


def plausible_data(form: Form) -> dict[str, list[str]]:
    """The browser's data with every empty input filled as a careful user would, and an empty select set to
    its first real option."""
    data = browser_data(form)
    for f in form.fields:
        current = data.get(f.name, [""])
        if f.kind in TYPED and current == [""]:
            data[f.name] = [PLAUSIBLE.get(f.kind, PLAUSIBLE_TEXT)]
        elif f.kind == "select" and not f.multiple and current in ([""], []):
            real = [o for o in f.options if o]
            if real:
                data[f.name] = [real[0]]
    return data


def fuzzed(form: Form, klass: str) -> dict[str, list[str]]:
    """The plausible data with the input class applied to the fields of its kind."""
    data = plausible_data(form)
    fields = [
        f for f in form.fields if f.kind not in NOT_SENT | {"submit"} and f.name != "csrfmiddlewaretoken"
    ]
    if klass == "empty":
        for f in fields:
            if f.kind in ("checkbox", "radio"):
                data.pop(f.name, None)
            elif f.kind != "hidden":
                data[f.name] = [""]
    elif klass == "unknown_option":
        for f in fields:
            if f.kind in ("select", "radio"):
                data[f.name] = [UNKNOWN_OPTION]
    elif klass == "tampered_hidden":
        for f in fields:
            if f.kind == "hidden":
                data[f.name] = [TAMPERED_HIDDEN]
    else:
        value, kinds = TEXT_CLASSES[klass]
        chosen = [f for f in fields if f.kind in kinds] or [f for f in fields if f.kind in TYPED]
        for f in chosen:
            data[f.name] = [value]
    return data


# --- the database before and after --------------------------------------------------------------------------


@dataclass
class Snapshot:
    digests: dict[str, str]  # table → digest of all its rows (sessions aside)
    unstorable: set[str]  # "table.column" holding what PostgreSQL refuses: a NUL byte, or too many characters


def _columns(model: Any) -> tuple[str, dict[int, int]]:
    """SELECT listing the model's columns, and the positions of the length-limited ones → their limits."""
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    limits = {i: f.max_length for i, f in enumerate(fields) if getattr(f, "max_length", None)}
    return columns, limits


def snapshot() -> Snapshot:
    """Every row of every table. Equal digests = nothing written. Also notes the values SQLite stores but
    PostgreSQL refuses with a server error (NUL bytes, in text or JSON, and strings over a column's length),
    so the sweep on SQLite finds what would crash on PostgreSQL."""
    digests, unstorable = {}, set()
    with connection.cursor() as cur:
        for model in apps.get_models(include_auto_created=True):
            label = model._meta.label_lower
            if label in VOLATILE or not model._meta.managed:
                continue
            columns, limits = _columns(model)
            cur.execute(f"SELECT {columns} FROM {connection.ops.quote_name(model._meta.db_table)} ORDER BY 1")
            rows = cur.fetchall()
            digests[label] = hashlib.sha256(repr(rows).encode()).hexdigest()
            fields = model._meta.concrete_fields
            for row in rows:
                for i, value in enumerate(row):
                    if isinstance(value, str) and ("\x00" in value or "\\u0000" in value):
                        unstorable.add(f"{label}.{fields[i].column}: NUL byte")
                    elif i in limits and isinstance(value, str) and len(value) > limits[i]:
                        unstorable.add(f"{label}.{fields[i].column}: {len(value)} > {limits[i]} characters")
    return Snapshot(digests, unstorable)


# --- routes and pages ---------------------------------------------------------------------------------------


def _patterns(resolver: Any = None, namespace: str = "") -> Iterator[tuple[str, Any]]:
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace != "api":
                yield from _patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p.callback


def _accepts_post(callback: Any) -> bool:
    """A class-based view with post(), or a function view whose source (decorators included) handles POST."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and "post" in view_class.http_method_names
    try:
        source = inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return True
    return "POST" in source or "request.method" in source


def post_routes() -> set[str]:
    declared = {r.name for r in PAGE_ROUTES if r.method == "post"}
    return declared | {name for name, callback in _patterns() if _accepts_post(callback)}


def public_form_pages(c: Ctx) -> list[str]:
    """Public pages with forms, swept as a visitor (no login): the login, "forgot password", the
    set-password page a valid reset link leads to, and modules' public pages."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlencode, urlsafe_base64_encode

    link = {"uid": urlsafe_base64_encode(force_bytes(c.b1_user.pk)), "token": "-"}
    link["token"] = default_token_generator.make_token(c.b1_user)
    return [
        reverse("core:login"),
        reverse("core:password_reset"),
        f"{reverse('core:password_reset_confirm')}?{urlencode(link)}",
        *_module_public_form_pages(),
    ]


def _module_public_form_pages() -> list[str]:
    """Modules' public pages (their `PUBLIC_PAGES`) that take no argument, e.g. the approval check form."""
    from django.urls import NoReverseMatch

    from xiaobao.core.tests.route_table import app_public

    pages = []
    for name in sorted(app_public()[0]):
        try:
            pages.append(reverse(name))
        except NoReverseMatch:
            continue
    return pages


def _review_opinion_edit(c: Ctx) -> str:
    from xiaobao.review.tests.routes import as_reviewer

    return reverse("review:detail", kwargs=as_reviewer(c.review_reviewing)) + "?edit=1"


def _closed_unit(c: Ctx) -> str:
    from xiaobao.core.services.org import org_unit_close, org_unit_create

    unit = org_unit_create(actor=None, code="B1-S1-O9", name="已撤并网点", kind="outlet", parent=c.org.b1s)
    org_unit_close(actor=None, unit=unit)
    return reverse("core:org_unit_detail", args=[unit.pk])


# Pages in a state the route tables' objects are not in, for the forms shown only there: (user, URL).
STATE_PAGES = [
    ("hq_officer", lambda c: reverse("core:calendar") + "?year=2099"),  # a year without the official schedule
    ("power_b1", _closed_unit),  # a closed unit can be reopened
    ("power_b1", lambda c: _review_opinion_edit(c)),  # an opinion not yet sent can be edited (?edit=1)
]


def _resolved(url: str) -> tuple[str, tuple[tuple[str, Any], ...]] | None:
    """(URL name, its non-id arguments) for a local URL; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.view_name, tuple(sorted((k, v) for k, v in match.kwargs.items() if not isinstance(v, int)))


@dataclass
class Target:
    page: str  # the page that shows the form
    url: str  # where the form posts
    route: str  # URL name of `url`
    form: Form
    client: Client
    who: str


class Finder:
    """Fetches the pages as their users and keeps one target per distinct form (a form is the same code path
    for every object it is shown for: route, non-id arguments and field names)."""

    def __init__(self, ctx: Ctx, request: pytest.FixtureRequest) -> None:
        self.ctx, self.request = ctx, request
        self.clients: dict[str, Client] = {}
        self.targets: list[Target] = []
        self._seen_forms: set[tuple[Any, ...]] = set()
        self._seen_links: set[tuple[Any, ...]] = set()
        self._post_routes = post_routes()
        self.pages = 0

    def client(self, who: str) -> Client:
        if who not in self.clients:
            client = Client(enforce_csrf_checks=True, raise_request_exception=True)
            if who != "anonymous":
                client.force_login(self.request.getfixturevalue(who))
            self.clients[who] = client
        return self.clients[who]

    def run(self) -> list[Target]:
        for url in public_form_pages(self.ctx):  # first, while the sweep has created no account to log in to
            self.visit("anonymous", url, follow_links=False)
        for route in PAGE_ROUTES:
            if route.method != "get":
                continue
            users = [route.actor or "power_b1", *(EXTRA_USERS if route.kind == "global" else ())]
            for who in dict.fromkeys(users):
                self.visit(who, _page_url(route, self.ctx), follow_links=True)
        for who, url in STATE_PAGES:
            self.visit(who, url(self.ctx), follow_links=True)
        return self.targets

    def visit(self, who: str, url: str, *, follow_links: bool) -> None:
        response = self.client(who).get(url, follow=True)
        self.pages += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        page = response.request["PATH_INFO"]
        parsed = parse(response.content.decode())
        for form in parsed.forms:
            target_url = urljoin(page, form.action or page)
            resolved = _resolved(target_url)
            if resolved is None or (resolved, form.signature()) in self._seen_forms:
                continue
            self._seen_forms.add((resolved, form.signature()))
            self.targets.append(Target(page, target_url, resolved[0], form, self.client(who), who))
        if follow_links:  # form pages reached by a link: a complaint's action forms
            for href in parsed.links:
                resolved = _resolved(urljoin(page, href))
                if resolved and resolved[0] in self._post_routes and resolved not in self._seen_links:
                    self._seen_links.add(resolved)
                    self.visit(who, urljoin(page, href), follow_links=False)


# --- the sweep ----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    body: str = ""
    error: str = ""
    messages: list[tuple[int, str]] = field(default_factory=list)
    location: str = ""  # where a success redirected to


def submit(target: Target, data: dict[str, list[str]], *, csrf: bool = True) -> Outcome:
    """POST like the browser would (multipart, as the test client does); a raised exception is a 500."""
    client = target.client
    if csrf:
        data = {**data, "csrfmiddlewaretoken": [client.cookies["csrftoken"].value]}
    try:
        response = client.post(target.url, data)
    except Exception:  # a server error is what the sweep is looking for
        return Outcome(500, error=_crash())
    body = response.content.decode(errors="replace") if "html" in response.get("Content-Type", "") else ""
    flashed = []
    morsel = response.cookies.get("messages")
    if morsel is not None and morsel.value:
        # The flash messages of a redirect, read from the cookie the next page would show them from.
        decoded = CookieStorage(HttpRequest())._decode(morsel.value) or []
        flashed = [(m.level, str(m.message)) for m in decoded]
        client.cookies.pop("messages", None)
    location = response["Location"] if response.status_code in (301, 302, 303) else ""
    if any(level >= message_levels.ERROR for level, _text in flashed):
        location = ""  # a refusal sent back to its page: nothing new to see there
    return Outcome(response.status_code, body, messages=flashed, location=location)


def _crash() -> str:
    """The application's frames of the exception being handled, and the exception."""
    lines = traceback.format_exc().splitlines()
    ours = [line.strip() for line in lines if "/xiaobao/" in line and "/tests/" not in line]
    return "\n    ".join([*ours[-3:], lines[-1]])


@dataclass
class Sweep:
    forms: int = 0
    submissions: int = 0
    defects: list[str] = field(default_factory=list)
    routes: set[str] = field(default_factory=set)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    pages: int = 0
    seconds: float = 0.0

    _last: Snapshot | None = None  # the database after the last submission, while nothing else ran

    def target(self, target: Target) -> dict[str, str]:
        """Send the form every input class (each distinct payload once) and once without the CSRF token;
        answer the pages its successes redirected to."""
        self.forms += 1
        self.routes.add(target.route)
        landed: dict[str, str] = {}
        sent: set[tuple[Any, ...]] = set()
        self._refresh(target)
        for klass in CLASSES:
            data = fuzzed(target.form, klass)
            key = tuple(sorted((k, tuple(v)) for k, v in data.items()))
            if key in sent:  # the form has no field this class changes
                continue
            sent.add(key)
            outcome = self.send(target, klass, data)
            if outcome.location:
                landed.setdefault(urljoin(target.url, outcome.location), target.who)
                if any(f.kind == "hidden" and f.name != "csrfmiddlewaretoken" for f in target.form.fields):
                    self._refresh(target)  # e.g. the complaint's version moved on
        self.send(target, "no_csrf_token", browser_data(target.form), csrf=False)
        return landed

    def _refresh(self, target: Target) -> None:
        """Take the form as its page shows it now (a version number or a state moves on after a success)."""
        self._last = None
        response = target.client.get(target.page)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for form in parse(response.content.decode()).forms:
                if urljoin(target.page, form.action or target.page) == target.url and (
                    form.signature() == target.form.signature()
                ):
                    target.form = form
                    return

    def send(self, target: Target, klass: str, data: dict[str, list[str]], *, csrf: bool = True) -> Outcome:
        before = self._last or snapshot()
        outcome = submit(target, data, csrf=csrf)
        self.submissions += 1
        tally = self.statuses.setdefault(target.route, {})
        tally[outcome.status] = tally.get(outcome.status, 0) + 1
        self._last = snapshot()
        self.judge(target, klass, outcome, before, self._last, csrf)
        return outcome

    def judge(
        self, target: Target, klass: str, outcome: Outcome, before: Snapshot, after: Snapshot, csrf: bool
    ) -> None:
        where = f"{target.route} ({target.url} as {target.who}) [{klass}]"
        if outcome.status >= 500:
            self.defects.append(f"{where}: server error\n{outcome.error}")
            return
        if not csrf and outcome.status != 403:
            self.defects.append(f"{where}: without the CSRF token answered {outcome.status}")
        errors = [e for e in ERRORS.findall(outcome.body) if e.strip()]
        errors += [text for level, text in outcome.messages if level >= message_levels.ERROR]
        unstorable = after.unstorable - before.unstorable
        if unstorable:
            self.defects.append(f"{where}: stored what PostgreSQL refuses (500 there): {sorted(unstorable)}")
        changed = {table for table in before.digests if before.digests[table] != after.digests.get(table)}
        if outcome.status >= 400 or errors:
            changed -= WRITES_ON_REFUSAL.get(target.route, set())
        elif outcome.status in (301, 302, 303):
            changed = set()  # done: writing was the point
        else:
            changed -= WRITES_WITHOUT_REDIRECT.get(target.route, set())
        if changed:
            wrote = sorted(changed)
            self.defects.append(f"{where}: answered {outcome.status} {errors[:1]} but wrote {wrote}")
        if MARKUP.split("<img")[0] in outcome.body:
            self.defects.append(f"{where}: the script payload came back unescaped")
        foreign = [e for e in errors if not CJK.search(e)]
        if foreign:
            self.defects.append(f"{where}: error text not in the user's language (zh-Hans): {foreign[:2]}")


def run_sweep(ctx: Ctx, request: pytest.FixtureRequest) -> Sweep:
    """Sweep every form found; then visit the pages the successes led to and sweep the forms that appeared
    there (a closed unit's "reopen", a new override's "delete"), until no new form shows up."""
    started = time.perf_counter()
    finder = Finder(ctx, request)
    sweep = Sweep()
    queue = finder.run()
    for _round in range(3):
        landed: dict[str, str] = {}
        for target in queue:
            if target.route not in NOT_SUBMITTED:
                landed.update(sweep.target(target))
        known = len(finder.targets)
        for url, who in landed.items():
            finder.visit(who, url, follow_links=True)
        queue = finder.targets[known:]
    sweep.pages = finder.pages
    sweep.seconds = time.perf_counter() - started
    return sweep


_LAST: dict[str, Any] = {}


def test_every_form_survives_hostile_input(ctx, request):
    # given every form of every page / when each is sent each input class
    sweep = run_sweep(ctx, request)
    _LAST["routes"] = sweep.routes
    # then nothing crashed, nothing half-written, errors in Chinese, nothing unescaped
    print(  # the figures docs/security.md quotes (pytest -s)
        f"\nform sweep: {sweep.pages} pages, {sweep.forms} forms on {len(sweep.routes)} routes, "
        f"{sweep.submissions} submissions, {len(sweep.defects)} defects, {sweep.seconds:.1f} s"
    )
    for route, tally in sorted(sweep.statuses.items()):
        print(f"  {route}: {dict(sorted(tally.items()))}")
    assert not sweep.defects, "\n".join(sweep.defects)
    assert sweep.forms >= 30 and sweep.submissions >= 10 * sweep.forms // 2


def test_every_post_route_is_swept_or_excluded(ctx, request):
    # given the routes the sweep reached (discovering them again when this test runs alone)
    swept = _LAST.get("routes") or {t.route for t in Finder(ctx, request).run()} - set(NOT_SUBMITTED)
    # then every route that accepts POST was swept or is excluded with its reason
    missing = post_routes() - swept - set(EXCLUDED)
    assert missing == set(), f"POST routes neither swept nor in EXCLUDED: {sorted(missing)}"
    stale = {name for name in EXCLUDED if name in swept} - set(NOT_SUBMITTED)
    assert stale == set(), f"swept now, remove from EXCLUDED: {sorted(stale)}"


def test_error_texts_follow_the_users_language(client_for, power_b1):
    # given a form sent empty, by a user reading Chinese and by one reading English
    url = reverse("core:org_unit_create")
    zh = client_for(power_b1).post(url, {"code": ""}, headers={"accept-language": "zh-hans"})
    en = client_for(power_b1).post(url, {"code": ""}, headers={"accept-language": "en"})
    # then each is refused with field errors in that language
    assert zh.status_code == en.status_code == 400
    zh_errors, en_errors = ERRORS.findall(zh.content.decode()), ERRORS.findall(en.content.decode())
    assert zh_errors and all(CJK.search(e) for e in zh_errors)
    assert "这个字段是必填项。" in zh.content.decode() or "此项必填" in zh.content.decode()
    assert en_errors and "This field is required." in en.content.decode()


# --- defects the sweep found, kept fixed --------------------------------------------------------------------


def test_a_token_name_postgresql_cannot_store_is_a_field_error(client_for, branch_officer):
    """The account page took the token name from request.POST as it came: a NUL byte reached the database
    (PostgreSQL: 500)."""
    from xiaobao.core.models import ApiToken

    client = client_for(branch_officer)
    for name in ("a\x00b", "x" * 101):
        response = client.post(reverse("core:account"), {"action": "token_create", "name": name})
        assert response.status_code == 400
        assert ERRORS.findall(response.content.decode())
    assert not ApiToken.objects.exists()
    ok = client.post(reverse("core:account"), {"action": "token_create", "name": "热线系统"})
    assert ok.status_code == 200 and ApiToken.objects.get().name == "热线系统"


def test_a_legal_hold_reason_postgresql_cannot_store_is_refused(client_for, ctx, power_b1):
    """The legal-hold view passed the reason on as it came: a NUL byte reached the database (PostgreSQL: 500)
    and a reason over 200 characters was cut without a word."""
    from xiaobao.complaints.models import Complaint

    client = client_for(power_b1)
    url = reverse("complaints:legal_hold", args=[ctx.complaint.pk])
    for reason in ("（2026）京0108民初\x00123号", "长" * 201):
        response = client.post(url, {"hold": "1", "reason": reason})
        assert response.status_code == 302
        shown = client.get(response["Location"]).content.decode()
        assert "暂停清理原因" in shown and 'class="msg-error"' in shown
        assert not Complaint.objects.get(pk=ctx.complaint.pk).legal_hold
    client.post(url, {"hold": "1", "reason": "（2026）京0108民初123号"})
    assert Complaint.objects.get(pk=ctx.complaint.pk).legal_hold_reason == "（2026）京0108民初123号"


def test_the_api_refuses_a_nul_character_anywhere(api_for, ctx, power_b1):
    """Following the two above: the API handed NUL characters from JSON bodies and query strings to the
    database (PostgreSQL: 500 on every endpoint that stores or filters by text). Now one 422 for all."""
    import json

    from xiaobao.complaints.models import Complaint
    from xiaobao.core.models import Consumer

    client = api_for(power_b1)
    consumers, complaints = Consumer.objects.count(), Complaint.objects.count()

    def post(url, body):
        return client.post(url, json.dumps(body), content_type="application/json")

    # a top-level field, a nested one, a reason, a query parameter
    r1 = post("/api/v1/consumers", {"unit": ctx.org.b1o.code, "name": "李\u0000四", "phone": "13900001111"})
    body = {
        "received_at": "2026-03-02T10:30:00+08:00",
        "channel": "A01",
        "business_type": "B01",
        "cause": "C01",
        "org_unit": ctx.org.b1s.code,
        "complainant": {"name": "李\u0000四"},
        "request": "r",
        "description": "d",
    }
    r2 = post("/api/v1/complaints", body)
    r3 = post(f"/api/v1/complaints/{ctx.complaint.pk}/legal-hold", {"hold": True, "reason": "a\u0000b"})
    r4 = client.get("/api/v1/complaints?q=a%00b")
    for response in (r1, r2, r3, r4):
        assert response.status_code == 422, response.content[:300]
        assert response.json()["code"] == "invalid"
        assert all(CJK.search(m) for msgs in response.json()["fields"].values() for m in msgs)
    assert list(r1.json()["fields"]) == ["name"] and list(r2.json()["fields"]) == ["complainant.name"]
    assert Consumer.objects.count() == consumers and Complaint.objects.count() == complaints
    assert not Complaint.objects.get(pk=ctx.complaint.pk).legal_hold
