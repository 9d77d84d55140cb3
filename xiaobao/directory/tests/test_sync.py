"""The directory sync (`xiaobao directory_sync`, `xiaobao sweep`, POST /api/v1/directory/sync) against the
real slapd: a user deleted from the directory is deactivated, roles follow the groups, an unreachable
directory touches nobody; the test-a-user look-up."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiaobao.core.models import AuditEvent, User
from xiaobao.directory.models import DirectoryAccount, DirectorySyncRun
from xiaobao.directory.services import periodic_sync
from xiaobao.directory.tests.conftest import password_of

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _sign_in(username: str) -> User:
    Client().post(reverse("core:login"), {"username": username, "password": password_of(username)})
    return User.objects.get(username=username)


def test_directory_sync_deactivates_a_user_deleted_from_the_directory(directory, mappings, ldap_admin):
    # given wujiu and qianyi signed in once, then wujiu's entry is deleted from the directory
    wujiu, qianyi = _sign_in("wujiu"), _sign_in("qianyi")
    assert qianyi.role_codes == ["sysadmin"]  # the group DN's case (cn=Xiaobao-Admins) does not matter
    ldap_admin.delete_s("uid=wujiu,ou=people,dc=bank,dc=example")
    # when the sync runs from the command line
    out = StringIO()
    call_command("directory_sync", stdout=out)
    # then wujiu is deactivated (audited), qianyi untouched, and the counts are reported
    assert "checked=2" in out.getvalue() and "deactivated=1" in out.getvalue()
    wujiu.refresh_from_db()
    qianyi.refresh_from_db()
    assert not wujiu.is_active and qianyi.is_active
    assert DirectoryAccount.objects.get(user=wujiu).state == "missing"
    assert AuditEvent.objects.filter(object_id=str(wujiu.pk), changes__has_key="is_active").exists()
    run = DirectorySyncRun.objects.get()
    assert run.state == "done" and run.summary["deactivated"] == 1 and run.trigger == "command"
    # and a second pass changes nothing
    assert "deactivated=0" in (call_command("directory_sync", stdout=StringIO()) or "deactivated=0")


def test_sweep_runs_the_sync_only_when_a_directory_is_configured(directory, mappings, settings):
    # given a directory user
    _sign_in("zhangsan")
    # when the sweep's periodic pass runs: it syncs, then not again within the interval
    now = timezone.now()
    periodic_sync(now=now)
    assert DirectorySyncRun.objects.get(trigger="periodic").summary["checked"] == 1
    assert periodic_sync(now=now + dt.timedelta(minutes=30)) == "synced recently"
    assert periodic_sync(now=now + dt.timedelta(minutes=61)) != "synced recently"
    assert DirectorySyncRun.objects.filter(trigger="periodic").count() == 2
    # and with the directory off it does nothing
    settings.DIRECTORY = {**settings.DIRECTORY, "enabled": False}
    assert periodic_sync(now=NOW) == "directory off"


def test_an_unreachable_directory_deactivates_nobody(directory, mappings, settings):
    # given a directory user, then the server's address is wrong (the directory "is down")
    user = _sign_in("zhangsan")
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    # when the sync runs
    with pytest.raises(CommandError):
        call_command("directory_sync", stdout=StringIO())
    # then the run failed with a reason and nobody was touched
    user.refresh_from_db()
    assert user.is_active and DirectorySyncRun.objects.get().state == "failed"


def test_api_sync_is_a_background_job(
    directory, mappings, sysadmin, api_for, django_capture_on_commit_callbacks
):
    _sign_in("zhangsan")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(sysadmin).post("/api/v1/directory/sync", content_type="application/json")
    assert response.status_code == 202
    run = DirectorySyncRun.objects.get(pk=response.json()["id"])
    assert run.requested_by == sysadmin and run.state == "done"  # tests run tasks at once
    assert run.summary["checked"] == 1


def test_lookup_shows_attributes_groups_and_roles_masked_and_audited(directory, mappings, sysadmin, api_for):
    # when an administrator looks zhangsan up
    response = api_for(sysadmin).post(
        "/api/v1/directory/lookup", {"username": "zhangsan"}, content_type="application/json"
    )
    # then the entry, groups and the roles he would get are shown, the e-mail masked, and it is audited
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["found"] and body["unit"] == "B1" and body["name"] == "张三"
    assert body["email_masked"] != "zhangsan@bank.example" and "@bank.example" in body["email_masked"]
    assert body["roles"] == ["branch_cp_officer", "learner"]
    assert "cn=cp-branch,ou=groups,dc=bank,dc=example" in body["groups"]
    assert AuditEvent.objects.filter(
        actor=sysadmin, object_type="directory.entry", object_repr="zhangsan"
    ).exists()
    # and an unknown unit is reported, not a failure; an unknown user is "not found"
    r2 = api_for(sysadmin).post(
        "/api/v1/directory/lookup", {"username": "zhaoliu"}, content_type="application/json"
    )
    assert r2.json()["unit"] is None and "ZZ-NOWHERE" in r2.json()["unit_problem"]
    r3 = api_for(sysadmin).post(
        "/api/v1/directory/lookup", {"username": "ghost"}, content_type="application/json"
    )
    assert r3.status_code == 200 and r3.json()["found"] is False


def test_lookup_page_shows_the_result(directory, mappings, sysadmin, client_for):
    response = client_for(sysadmin).post(reverse("directory:lookup"), {"username": "lisi"})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="lookup-result"' in page
    assert "lisi@bank.example" not in page


def test_sync_now_on_the_page(directory, mappings, sysadmin, client_for, django_capture_on_commit_callbacks):
    _sign_in("zhangsan")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(sysadmin).post(reverse("directory:sync"), follow=True)
    assert response.status_code == 200
    run = DirectorySyncRun.objects.get()
    assert run.requested_by == sysadmin and run.state == "done" and run.summary["checked"] == 1


def test_sync_now_without_a_directory_says_so_and_queues_nothing(sysadmin, client_for):
    response = client_for(sysadmin).post(reverse("directory:sync"), follow=True)
    assert response.status_code == 200 and len(response.redirect_chain) == 1
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not DirectorySyncRun.objects.exists()


def test_an_openid_users_account_is_not_the_ldap_directorys_to_deactivate(directory, mappings, org):
    # given a user who signs in through an OpenID provider, unknown to the LDAP directory
    from conftest import make_user
    from xiaobao.directory.services import directory_sync

    user = make_user("oidc_only", org.b1, ["complaint_handler"])
    DirectoryAccount.objects.create(user=user, dn="oidc:https://idp.bank.example#4711", granted_roles=[])
    # when the LDAP sync runs and somebody tries the name on the password form
    summary = directory_sync()
    Client().post(reverse("core:login"), {"username": "oidc_only", "password": "guess-1234"})
    # then the account is untouched
    user.refresh_from_db()
    assert user.is_active and summary["checked"] == 0
    assert DirectoryAccount.objects.get(user=user).state == "active"
