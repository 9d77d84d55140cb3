"""Shared test personas (conventions rule 12): a small institution and one user per kind of access."""

from __future__ import annotations

import os

os.environ.setdefault("XIAOBAO_TESTING", "1")

import pytest

# Browser fixtures (page, login, shot…) for every package's browser tests: one definition, one Playwright.
pytest_plugins = ["xiaobao.core.tests.browser.fixtures"]

PASSWORD = "Xb-test-pass-2026"


def pytest_collection_modifyitems(config, items):
    """Mark the tests that commit (transactional database, a live server) `serial`: they flush the database
    after themselves, taking the data migrations' rows with them. `make test` runs the others in parallel
    workers (pytest-xdist) and these afterwards in one process, where they run last and reload the
    presets they need (below)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        if (
            (marker is not None and marker.kwargs.get("transaction"))
            or "transactional_db" in fixtures
            or "live_server" in fixtures
        ):
            item.add_marker(pytest.mark.serial)


@pytest.fixture(autouse=True)
def _presets(request):
    """Transactional tests flush the database after themselves, taking the data migrations' rows (code
    tables, deadline rules, notice template) with them: put them back before such a test."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from xiaobao.complaints.presets import load_presets_now

    load_presets_now()
    import importlib

    from django.apps import apps

    # the position layers every staff member needs (training's code table)
    importlib.import_module("xiaobao.training.migrations.0002_position_layers").load(apps, None)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The working-day calendar is cached per process; a test's overrides must not leak into the next."""
    from xiaobao.core.workdays import calendar_invalidate

    calendar_invalidate()
    yield
    calendar_invalidate()


@pytest.fixture
def org(db):
    """Head office (with a consumer-protection department), two branches with a sub-branch and an outlet."""
    from xiaobao.core.services.org import org_unit_create

    mk = org_unit_create
    ho = mk(actor=None, code="HO", name="总行", kind="head_office", parent=None, region_code="110000")
    cpd = mk(actor=None, code="HO-CPD", name="消费者权益保护部", kind="department", parent=ho)
    b1 = mk(actor=None, code="B1", name="北京分行", kind="branch", parent=ho, region_code="110000")
    b1s = mk(actor=None, code="B1-S1", name="海淀支行", kind="sub_branch", parent=b1)
    b1o = mk(actor=None, code="B1-S1-O1", name="中关村网点", kind="outlet", parent=b1s)
    b2 = mk(actor=None, code="B2", name="上海分行", kind="branch", parent=ho, region_code="310000")
    b2s = mk(actor=None, code="B2-S1", name="浦东支行", kind="sub_branch", parent=b2)
    return type("Org", (), {"ho": ho, "cpd": cpd, "b1": b1, "b1s": b1s, "b1o": b1o, "b2": b2, "b2s": b2s})


def make_user(username: str, unit, roles: list[str]):
    from xiaobao.core.services.accounts import user_create

    return user_create(
        actor=None, username=username, full_name=username, org_unit=unit, roles=roles, password=PASSWORD
    )


@pytest.fixture
def hq_officer(org):
    return make_user("hq_cp", org.cpd, ["hq_cp_officer"])


@pytest.fixture
def branch_officer(org):
    return make_user("branch1_cp", org.b1, ["branch_cp_officer"])


@pytest.fixture
def other_branch_officer(org):
    return make_user("branch2_cp", org.b2, ["branch_cp_officer"])


@pytest.fixture
def auditor(org):
    return make_user("auditor", org.cpd, ["auditor"])


@pytest.fixture
def sysadmin(org):
    return make_user("admin", org.ho, ["sysadmin"])


@pytest.fixture
def no_role_user(org):
    """A logged-in member of staff with no role: has a unit, no permissions."""
    return make_user("norole", org.b1, [])


@pytest.fixture
def client_for(client):
    """Log a persona in with a fresh test client: `client_for(user)`."""
    from django.test import Client

    def _login(user):
        c = Client()
        c.force_login(user)
        return c

    return _login


@pytest.fixture
def api_for():
    """A test client that sends `Authorization: Bearer <token>` for the user."""
    from django.test import Client

    from xiaobao.core.services.accounts import api_token_create

    def _make(user):
        _, raw = api_token_create(actor=user, user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return _make


POWER_PERMS = [
    "core.manage_org",
    "core.manage_users",
    "core.view_consumer",
    "core.manage_consumer",
    "core.reveal_personal_data",
    "core.view_auditevent",
    "core.export_auditevent",
    "complaints.view_complaint",
    "complaints.register_complaint",
    "complaints.handle_complaint",
    "complaints.assign_complaint",
    "complaints.approve_complaint",
    "complaints.export_complaint",
    "complaints.hold_complaint",
    "imports.import_complaints",
    "imports.manage_importpreset",
    "reports.view_reportjob",
    "reports.run_report",
    "reports.manage_reporttemplate",
    "early_warning.view_earlywarning",
    "early_warning.acknowledge_earlywarning",
]


def make_power_user(username: str, unit):
    """Every unit-scoped permission but not view_all_units: the strongest user a branch can have."""
    from django.contrib.auth.models import Permission

    from xiaobao.core.tests.route_table import app_power_perms

    user = make_user(username, unit, [])
    for perm in [*POWER_PERMS, *app_power_perms()]:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    from xiaobao.core.models import User

    return User.objects.get(pk=user.pk)


@pytest.fixture
def power_b1(org):
    return make_power_user("power_b1", org.b1)


@pytest.fixture
def power_b2(org):
    return make_power_user("power_b2", org.b2)


@pytest.fixture
def b1_consumer(org):
    from xiaobao.core.services.consumers import consumer_create

    return consumer_create(
        actor=None,
        org_unit=org.b1o,
        name="王小明",
        id_number="110108199003070016",
        phone="13812345678",
        account_number="6222020200112233445",
        address="北京市海淀区中关村大街1号",
    )
