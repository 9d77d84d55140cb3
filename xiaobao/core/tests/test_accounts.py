"""People and access: API tokens, /me, login throttling, two-factor login, user administration."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from xiaobao.core.models import ApiToken, AuditEvent, User
from xiaobao.core.services import accounts as svc

pytestmark = pytest.mark.django_db


def test_token_command_prints_once_and_stores_only_a_digest(branch_officer, capsys):
    # when
    call_command("api_token", "create", "branch1_cp", "--name", "hotline")
    raw = capsys.readouterr().out.strip()
    # then the raw token is not in the database, its digest is
    assert raw.startswith("xb_") and len(raw) > 40
    token = ApiToken.objects.get()
    assert token.digest == ApiToken.digest_of(raw) and raw not in token.digest
    with connection.cursor() as cur:
        cur.execute("SELECT prefix, digest FROM core_apitoken")
        assert all(raw not in str(v) for v in cur.fetchone())
    # and it authenticates
    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").json()
    assert me["username"] == "branch1_cp"
    assert me["unit"]["code"] == "B1" and me["roles"] == ["branch_cp_officer"]
    assert me["sees_all_units"] is False


def test_revoked_token_and_deactivated_user_are_refused(branch_officer, capsys):
    call_command("api_token", "create", "branch1_cp")
    raw = capsys.readouterr().out.strip()
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    call_command("api_token", "revoke", raw[:10])
    assert client.get("/api/v1/me").status_code == 401
    _, raw2 = svc.api_token_create(actor=None, user=branch_officer)
    svc.user_update(actor=None, user=branch_officer, is_active=False)
    assert Client(headers={"Authorization": f"Bearer {raw2}"}).get("/api/v1/me").status_code == 401


def test_garbage_tokens_are_401(org):
    for header in ("Bearer nonsense", "Bearer xb_" + "a" * 43, "Basic Zm9vOmJhcg==", "Bearer "):
        assert Client(headers={"Authorization": header}).get("/api/v1/me").status_code == 401


def test_health_needs_no_authentication(db):
    assert Client().get("/api/v1/health").json() == {"status": "ok", "database": "ok"}
    assert Client().get("/health").status_code == 200


def test_session_api_requires_csrf_for_writes(branch_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(branch_officer)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post(
        "/api/v1/consumers/lookup",
        {"field": "phone", "value": "13800000000"},
        content_type="application/json",
    )
    assert response.status_code in (401, 403)


def test_login_is_throttled_after_repeated_failures(branch_officer):
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert client.post("/login/", {"username": "branch1_cp", "password": "nope-nope"}).status_code == 400
    # the right password is refused while locked
    response = client.post("/login/", {"username": "branch1_cp", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # after the window the user can log in again
    later = timezone.now() + dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 5)
    with time_machine.travel(later):
        response = Client().post("/login/", {"username": "branch1_cp", "password": PASSWORD})
    assert response.status_code == 302


def test_login_page_and_next_redirect(branch_officer):
    client = Client()
    assert client.get("/org/").status_code == 302
    response = client.post(
        "/login/?next=/org/", {"username": "branch1_cp", "password": PASSWORD, "next": "/org/"}
    )
    assert response["Location"] == "/org/"
    evil = Client().post(
        "/login/", {"username": "branch1_cp", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/"


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY


def test_two_factor_login(sysadmin):
    # given an administrator who enrolled an authenticator
    secret = svc.totp_new_secret()
    enrolled_at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(enrolled_at, tick=False):
        svc.totp_enable(user=sysadmin, secret=secret, code=pyotp.TOTP(secret).now())
    client = Client()
    # when the password is right, a code is still needed
    response = client.post("/login/", {"username": "admin", "password": PASSWORD})
    assert response["Location"].startswith("/login/2fa/")
    assert "_auth_user_id" not in client.session
    assert client.post("/login/2fa/", {"code": "000000"}).status_code == 400
    # then the right code (a later one than the enrolment's: each code is accepted once) logs in
    with time_machine.travel(enrolled_at + dt.timedelta(minutes=1), tick=False):
        response = client.post("/login/2fa/", {"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(sysadmin.pk)
    # the secret is stored encrypted
    assert secret not in User.objects.get(pk=sysadmin.pk).totp_secret


def test_two_factor_enrolment_page(client_for, sysadmin):
    c = client_for(sysadmin)
    page = c.get("/account/2fa/")
    secret = page.context["secret"]
    assert c.post("/account/2fa/", {"code": "123"}).status_code == 400
    assert c.post("/account/2fa/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert User.objects.get(pk=sysadmin.pk).has_2fa


def test_password_validators_apply(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        svc.user_create(
            actor=None, username="weak", full_name="弱", org_unit=org.b1, roles=[], password="123456"
        )
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(username="weak").exists()


def test_passwords_are_hashed(branch_officer):
    assert PASSWORD not in branch_officer.password and branch_officer.check_password(PASSWORD)


def test_user_admin_page_creates_user_with_roles(client_for, sysadmin, org):
    c = client_for(sysadmin)
    response = c.post(
        "/users/new/",
        {
            "username": "b1_new",
            "full_name": "新员工",
            "org_unit": org.b1s.pk,
            "roles": ["approver"],
            "password": "Strong-pass-2026!",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="b1_new")
    assert user.role_codes == ["approver"] and user.org_unit == org.b1s
    assert AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk)).count() == 2
    bad = c.post(
        "/users/new/", {"username": "b1_bad", "full_name": "x", "org_unit": org.b1s.pk, "password": "short"}
    )
    assert bad.status_code == 400 and not User.objects.filter(username="b1_bad").exists()


def test_user_edit_changes_roles_and_is_audited(client_for, sysadmin, branch_officer, org):
    c = client_for(sysadmin)
    response = c.post(
        f"/users/{branch_officer.pk}/",
        {
            "full_name": "改名",
            "org_unit": org.b1.pk,
            "roles": ["branch_cp_officer", "approver"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=branch_officer.pk).role_codes == ["approver", "branch_cp_officer"]
    event = AuditEvent.objects.filter(object_type="core.user", changes__has_key="roles").order_by("id").last()
    assert event.changes["roles"] == [["branch_cp_officer"], ["approver", "branch_cp_officer"]]


def test_admin_cannot_deactivate_self(client_for, sysadmin, org):
    response = client_for(sysadmin).post(
        f"/users/{sysadmin.pk}/", {"full_name": "x", "org_unit": org.ho.pk, "roles": ["sysadmin"]}
    )
    assert response.status_code == 400 and User.objects.get(pk=sysadmin.pk).is_active


def test_user_api_create_and_validation(api_for, sysadmin, org):
    c = api_for(sysadmin)
    r = c.post(
        "/api/v1/users",
        {
            "username": "api_user",
            "full_name": "接口用户",
            "unit": "B2",
            "roles": ["auditor"],
            "password": "Api-pass-2026-ok",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["roles"] == ["auditor"]
    r = c.post(
        "/api/v1/users",
        {"username": "bad user!", "full_name": "", "unit": "B2", "password": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "username" in r.json()["fields"]
    r = c.post(
        "/api/v1/users",
        {"username": "x2", "full_name": "x", "unit": "B2", "roles": ["king"], "password": "Api-pass-2026-ok"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "roles" in r.json()["fields"]
    assert not User.objects.filter(username="x2").exists()


def test_changing_own_password_keeps_session_and_is_validated(client_for, branch_officer):
    c = client_for(branch_officer)
    bad = c.post(
        "/account/",
        {"action": "password", "old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert bad.status_code == 400
    ok = c.post(
        "/account/",
        {
            "action": "password",
            "old_password": PASSWORD,
            "new_password1": "New-pass-2026-long",
            "new_password2": "New-pass-2026-long",
        },
    )
    assert ok.status_code == 302
    assert c.get("/").status_code == 200


def test_account_page_creates_and_revokes_tokens(client_for, branch_officer):
    c = client_for(branch_officer)
    page = c.post("/account/", {"action": "token_create", "name": "热线系统"})
    raw = page.context["new_token"]
    assert raw in page.content.decode()
    token = ApiToken.objects.get(user=branch_officer)
    c.post("/account/", {"action": "token_revoke", "token": token.pk})
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401


def test_revoking_a_malformed_token_id_is_404_not_500(client_for, branch_officer):
    response = client_for(branch_officer).post("/account/", {"action": "token_revoke", "token": "abc"})
    assert response.status_code == 404


def test_a_password_change_logs_out_every_other_session(client_for, branch_officer, sysadmin):
    """The session on another device (or a stolen cookie) ends when the password changes, by the user or by
    an administrator; the session that changed it stays."""
    here, elsewhere = client_for(branch_officer), client_for(branch_officer)
    assert elsewhere.get("/").status_code == 200
    new = "New-pass-2026-long"
    ok = here.post(
        "/account/",
        {"action": "password", "old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert ok.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302  # back to the login page
    # an administrator setting it ends the user's remaining session too
    reset = client_for(sysadmin).post(
        f"/users/{branch_officer.pk}/password/", {"password": "Another-pass-2026"}
    )
    assert reset.status_code == 302
    assert here.get("/").status_code == 302


def test_token_revoke_accepts_the_prefix_as_list_prints_it(branch_officer, capsys):
    # given a token and its line in `api_token list` ("xb_abcdefg…  name  date  active")
    call_command("api_token", "create", "branch1_cp", "--name", "hotline")
    raw = capsys.readouterr().out.strip()
    call_command("api_token", "list", "branch1_cp")
    printed = capsys.readouterr().out.split()[0]
    assert printed.endswith("…")
    # when the printed prefix is pasted into revoke
    call_command("api_token", "revoke", printed)
    # then the token is revoked
    assert ApiToken.objects.get().revoked_at is not None
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401
