"""Sign-in through the real login page against a real slapd: accounts created from the directory, roles
from the group mapping (and changed by a group change), disabled and unknown-unit entries refused, the
throttle, two-factor and break-glass local accounts."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from xiaobao.core.models import AuditEvent, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.directory.models import DirectoryAccount
from xiaobao.directory.tests.conftest import GROUPS, password_of

pytestmark = pytest.mark.django_db


def _login(username: str, password: str | None = None) -> tuple[Client, object]:
    client = Client()
    response = client.post(
        reverse("core:login"), {"username": username, "password": password or password_of(username)}
    )
    return client, response


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _move(conn, uid: str, *, leave: str, join: str) -> None:
    import ldap  # here, not at the top: without python-ldap the module still collects (the fixture skips)

    member = f"uid={uid},ou=people,dc=bank,dc=example".encode()
    conn.modify_s(f"cn={leave},{GROUPS}", [(ldap.MOD_DELETE, "member", [member])])
    conn.modify_s(f"cn={join},{GROUPS}", [(ldap.MOD_ADD, "member", [member])])


def test_first_sign_in_creates_the_account_with_name_email_unit_and_roles(directory, mappings, org):
    # given zhangsan in the directory (unit B1, groups cp-branch and all-staff), no local account
    assert not User.objects.filter(username="zhangsan").exists()
    # when he signs in through the login page with his directory password
    client, response = _login("zhangsan")
    # then he is signed in, the account was made from his entry, without a usable local password
    assert response.status_code == 302 and _signed_in(client)
    user = User.objects.get(username="zhangsan")
    assert (user.full_name, user.email, user.org_unit) == ("张三", "zhangsan@bank.example", org.b1)
    assert user.role_codes == ["branch_cp_officer", "learner"]
    assert not user.has_usable_password()
    account = DirectoryAccount.objects.get(user=user)
    assert account.dn == "uid=zhangsan,ou=people,dc=bank,dc=example"
    assert account.granted_roles == ["branch_cp_officer", "learner"]
    # and the creation, the login and the role grant are in the audit trail
    actions = set(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.LOGIN} <= actions
    # and the session holds: the next page knows him, and has the branch officer's permissions
    assert client.get(reverse("core:home")).status_code == 200
    assert user.has_perm("core.reveal_personal_data")
    # and his account page says the directory manages his password (no local password form)
    page = client.get(reverse("core:account")).content.decode()
    assert 'data-testid="password-from-directory"' in page and 'value="password"' not in page


def test_wrong_password_is_refused_and_counted_by_the_throttle(directory, mappings, settings):
    # given the throttle's limit of failures
    settings.LOGIN_FAILURE_LIMIT = 3
    # when zhengshi types a wrong password three times
    for _ in range(3):
        client, response = _login("zhengshi", "not-my-password")
        assert response.status_code == 400 and not _signed_in(client)
        assert (
            "用户名或密码错误" in response.content.decode() or "Wrong username" in response.content.decode()
        )
    # then each failure is an audit row, and the right password is now refused too
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, object_repr="zhengshi").count() == 3
    client, response = _login("zhengshi")
    assert response.status_code == 429 and not _signed_in(client)
    assert not User.objects.filter(username="zhengshi").exists()


def test_group_change_changes_the_roles_at_the_next_sign_in(directory, mappings, ldap_admin):
    # given lisi signed in once as a branch officer (cp-branch), and an administrator gave him auditor by hand
    _login("lisi")
    lisi = User.objects.get(username="lisi")
    assert lisi.role_codes == ["branch_cp_officer", "learner"]
    from xiaobao.core.services.accounts import user_update

    user_update(actor=None, user=lisi, roles=[*lisi.role_codes, "auditor"])
    # when the directory moves him from cp-branch to handlers
    _move(ldap_admin, "lisi", leave="cp-branch", join="handlers")
    # then at his next sign-in he is a complaint handler, no longer a branch officer; the hand-made role stays
    client, _response = _login("lisi")
    assert _signed_in(client)
    lisi = User.objects.get(username="lisi")
    assert lisi.role_codes == ["auditor", "complaint_handler", "learner"]
    assert DirectoryAccount.objects.get(user=lisi).granted_roles == ["complaint_handler", "learner"]
    row = AuditEvent.objects.filter(object_id=str(lisi.pk), changes__has_key="roles").order_by("-id").first()
    assert row is not None and row.changes["roles"][1] == ["auditor", "complaint_handler", "learner"]


def test_a_disabled_account_is_refused_and_deactivated(directory, mappings, ldap_admin):
    # given zhouba signed in once
    _login("zhouba")
    assert User.objects.get(username="zhouba").is_active
    # when the directory disables him
    import ldap

    ldap_admin.modify_s(
        "uid=zhouba,ou=people,dc=bank,dc=example", [(ldap.MOD_ADD, "employeeType", [b"disabled"])]
    )
    client, response = _login("zhouba")
    # then he is refused with a reason and the local account is deactivated (audited)
    assert response.status_code == 400 and not _signed_in(client)
    assert "目录" in response.content.decode() or "disabled" in response.content.decode()
    user = User.objects.get(username="zhouba")
    assert not user.is_active and DirectoryAccount.objects.get(user=user).state == "disabled"
    assert AuditEvent.objects.filter(object_id=str(user.pk), changes__has_key="is_active").exists()


def test_a_disabled_entry_never_gets_an_account(directory, mappings):
    # given wangwu, disabled in the seeded directory
    client, response = _login("wangwu")
    # then the sign-in is refused and nothing is created
    assert response.status_code == 400 and not _signed_in(client)
    assert not User.objects.filter(username="wangwu").exists()


def test_an_unknown_unit_refuses_the_sign_in_with_a_reason_and_an_audit_row(directory, mappings):
    # given zhaoliu, whose unit attribute names a unit Xiaobao does not have
    client, response = _login("zhaoliu")
    # then he is refused with a clear message (not a 500), no account is left, and the audit says why
    assert response.status_code == 400 and not _signed_in(client)
    assert "ZZ-NOWHERE" in response.content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()
    row = AuditEvent.objects.get(object_type="directory.directoryaccount", object_repr="zhaoliu")
    assert row.changes["sign_in_refused"][1] == "unit_unknown"


def test_unknown_username_is_refused_like_a_wrong_password(directory, mappings):
    client, response = _login("nobody-here", "whatever")
    assert response.status_code == 400 and not _signed_in(client)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, object_repr="nobody-here").exists()


def test_two_factor_is_still_demanded_for_an_enrolled_directory_user(directory, mappings):
    # given sunqi signed in once and enrolled an authenticator
    from xiaobao.core.services.accounts import totp_enable, totp_new_secret

    _login("sunqi")
    user = User.objects.get(username="sunqi")
    secret = totp_new_secret()
    totp_enable(user=user, secret=secret, code=pyotp.TOTP(secret).now())
    # when he signs in with his directory password
    client, response = _login("sunqi")
    # then the code is asked for before he is signed in
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login_2fa"))
    assert not _signed_in(client)
    # and with the code he is signed in through the directory backend, and stays signed in
    next_step = pyotp.TOTP(secret).at(time.time() + 30)  # the enrolment used this step's code
    response = client.post(reverse("core:login_2fa"), {"code": next_step})
    assert response.status_code == 302 and _signed_in(client)
    assert client.session["_auth_user_backend"] == "xiaobao.directory.backends.DirectoryBackend"
    assert client.get(reverse("core:home")).status_code == 200


def test_break_glass_local_password_works_only_when_listed(directory, mappings, org, settings):
    # given a local administrator "breakglass" with a local password (also a name in the directory)
    from conftest import make_user

    make_user("breakglass", org.ho, ["sysadmin"])
    # when listed as break-glass, the local password signs in and the directory password does not
    client, _ = _login("breakglass", PASSWORD)
    assert _signed_in(client)
    assert client.session["_auth_user_backend"] == "xiaobao.directory.backends.BreakGlassBackend"
    client2, _ = _login("breakglass")
    assert not _signed_in(client2)
    # and a local account not listed cannot sign in with its local password while the directory is on
    make_user("localonly", org.b1, [])
    client3, response = _login("localonly", PASSWORD)
    assert response.status_code == 400 and not _signed_in(client3)
    # when the list no longer names it, its local password is refused, and its open session ends
    settings.DIRECTORY = {**settings.DIRECTORY, "break_glass": []}
    client4, _ = _login("breakglass", PASSWORD)
    assert not _signed_in(client4)
    assert client.get(reverse("core:home")).status_code == 302


def test_an_administrator_deactivated_directory_user_stays_out(directory, mappings):
    # given wujiu signed in once, then deactivated by an administrator in Xiaobao
    from xiaobao.core.services.accounts import user_update

    _login("wujiu")
    user_update(actor=None, user=User.objects.get(username="wujiu"), is_active=False)
    # when he signs in with the right directory password
    client, response = _login("wujiu")
    # then he is refused: the directory does not undo an administrator's deactivation
    assert response.status_code == 400 and not _signed_in(client)
    assert not User.objects.get(username="wujiu").is_active
