"""OpenID Connect sign-in against a real provider (django-oauth-toolkit in a subprocess, oidc_server.py):
the code flow with PKCE, state and nonce; the account made from the claims with roles from the groups claim
through the directory's group mapping (and changed by a group change); refusals (wrong state, a token signed
by another key or for another audience, an unknown unit, a deactivated or service account, the provider
down); two-factor; the login page's button; the settings alone and next to LDAP."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from xiaobao.core.models import AuditEvent, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.directory.models import DirectoryAccount
from xiaobao.directory.tests.conftest import GROUPS
from xiaobao.directory.tests.oidc_server import apply_oidc, provider_login, sso_sign_in

pytestmark = pytest.mark.django_db

CP_BRANCH, HANDLERS, ALL_STAFF = (f"cn={g},{GROUPS}" for g in ("cp-branch", "handlers", "all-staff"))


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _messages(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_first_sign_in_creates_the_account_from_the_claims_with_roles_from_the_groups(oidc, mappings, org):
    # given a provider user in unit B1 and the groups cp-branch and all-staff, unknown to Xiaobao
    claims = {"name": "欧阳", "email": "ouyang@bank.example", "unit": "B1", "groups": [CP_BRANCH, ALL_STAFF]}
    sub = oidc.user("ou.yang", **claims)
    client = Client()
    # when the sign-in starts, Xiaobao sends the browser to the provider with state, nonce and PKCE (S256)
    start = client.get(reverse("directory:oidc_authenticate"), {"next": "/cases/"})
    query = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(f"{oidc.issuer}/authorize/")
    assert query["code_challenge_method"] == ["S256"] and query["state"] and query["nonce"]
    assert query["client_id"] == ["xiaobao"] and "openid" in query["scope"][0]
    # and after the provider's login form, the callback signs him in and goes where he was going
    back = provider_login(start["Location"], "ou.yang", "sso-ou.yang")
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 302 and response["Location"] == "/cases/" and _signed_in(client)
    user = User.objects.get(username="ou.yang")
    assert (user.full_name, user.email, user.org_unit) == ("欧阳", "ouyang@bank.example", org.b1)
    assert user.role_codes == ["branch_cp_officer", "learner"] and not user.has_usable_password()
    account = DirectoryAccount.objects.get(user=user)
    assert account.dn == f"oidc:{oidc.issuer}#{sub}" and account.granted_roles == user.role_codes
    assert client.session["_auth_user_backend"] == "xiaobao.directory.oidc.OIDCBackend"
    # and the creation and the login are in the audit trail, and the session holds
    actions = set(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {AuditAction.CREATE, AuditAction.LOGIN} <= actions
    assert client.get(reverse("core:home")).status_code == 200


def test_group_change_at_the_provider_changes_the_roles_at_the_next_sign_in(oidc, mappings):
    from xiaobao.core.services.accounts import user_update

    # given li.na signed in once as a branch officer, and an administrator gave her auditor by hand
    oidc.user("li.na", name="李娜", unit="B1-S1", groups=[CP_BRANCH, ALL_STAFF])
    sso_sign_in(Client(), "li.na")
    user = User.objects.get(username="li.na")
    user_update(actor=None, user=user, roles=[*user.role_codes, "auditor"])
    # when the provider moves her from cp-branch to handlers
    oidc.user("li.na", name="李娜", unit="B1-S1", groups=[HANDLERS, ALL_STAFF])
    client = Client()
    assert sso_sign_in(client, "li.na").status_code == 302 and _signed_in(client)
    # then she is a handler, no longer a branch officer; the hand-made role stays
    user = User.objects.get(pk=user.pk)
    assert user.role_codes == ["auditor", "complaint_handler", "learner"]
    assert DirectoryAccount.objects.get(user=user).granted_roles == ["complaint_handler", "learner"]


def test_a_wrong_or_replayed_state_is_refused(oidc, mappings):
    oidc.user("wang.qiang", unit="B1", groups=[ALL_STAFF])
    client = Client()
    start = client.get(reverse("directory:oidc_authenticate"))
    path = provider_login(start["Location"], "wang.qiang", "sso-wang.qiang").removeprefix("http://testserver")
    # a callback with a state this browser never started: refused, back to the login page with a message
    response = client.get(path.replace("state=", "state=x"))
    assert response.status_code == 302 and response["Location"] == reverse("core:login")
    assert not _signed_in(client)
    assert "did not succeed" in _messages(response) or "没有成功" in _messages(response)
    # another browser (no state in its session) with the stolen code and state: refused
    other = Client()
    assert other.get(path)["Location"] == reverse("core:login") and not _signed_in(other)
    # the right browser: signed in; then, in a new sign-in, the old callback again (replay): refused
    assert client.get(path).status_code == 302 and _signed_in(client)
    client.logout()
    client.get(reverse("directory:oidc_authenticate"))
    assert client.get(path)["Location"] == reverse("core:login") and not _signed_in(client)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, changes__has_key="oidc").count() >= 2


def test_an_id_token_signed_by_another_key_is_refused(oidc_provider, mappings, settings):
    # given Xiaobao told to trust a JWKS with the provider's key id but another key (a forger's)
    forged = f"{oidc_provider.base}/test/wrong-jwks/"
    apply_oidc(settings, oidc_provider.env(XIAOBAO_OIDC_JWKS_ENDPOINT=forged))
    oidc_provider.user("mallory", unit="B1", groups=[ALL_STAFF])
    client = Client()
    response = sso_sign_in(client, "mallory")
    # then the provider's genuine token does not verify against it: refused, no account
    assert response["Location"] == reverse("core:login") and not _signed_in(client)
    assert not User.objects.filter(username="mallory").exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, changes__has_key="oidc").exists()


def test_an_id_token_for_another_audience_is_refused(oidc, mappings):
    # given the provider issues the id token for another client (aud)
    oidc.user("eve", unit="B1", groups=[ALL_STAFF], extra={"aud": "another-app"})
    client = Client()
    response = sso_sign_in(client, "eve")
    assert response["Location"] == reverse("core:login") and not _signed_in(client)
    assert not User.objects.filter(username="eve").exists()


def test_an_unknown_unit_is_refused_with_a_reason_and_an_audit_row(oidc, mappings):
    oidc.user("zhao.liu", unit="ZZ-NOWHERE", groups=[ALL_STAFF])
    client = Client()
    response = sso_sign_in(client, "zhao.liu")
    assert response["Location"] == reverse("core:login") and not _signed_in(client)
    assert "ZZ-NOWHERE" in client.get(reverse("core:login")).content.decode()  # the login page says why
    assert not User.objects.filter(username="zhao.liu").exists()
    row = AuditEvent.objects.get(object_type="directory.directoryaccount", object_repr="zhao.liu")
    assert row.changes["sign_in_refused"][1] == "unit_unknown"


def test_deactivated_and_service_accounts_are_refused(oidc, mappings, org):
    from conftest import make_user
    from xiaobao.core.services.accounts import user_update

    # a directory user an administrator deactivated in Xiaobao stays out
    oidc.user("sun.qi", unit="B2", groups=[ALL_STAFF])
    sso_sign_in(Client(), "sun.qi")
    user_update(actor=None, user=User.objects.get(username="sun.qi"), is_active=False)
    client = Client()
    response = sso_sign_in(client, "sun.qi")
    assert not _signed_in(client) and not User.objects.get(username="sun.qi").is_active
    assert "deactivated" in _messages(response) or "停用" in _messages(response)
    # a service account (the portal's) is never taken over by a provider user of the same name
    svc = make_user("portal-svc", org.ho, [])
    User.objects.filter(pk=svc.pk).update(is_service=True)
    oidc.user("portal-svc", unit="HO", groups=[ALL_STAFF])
    client = Client()
    sso_sign_in(client, "portal-svc")
    assert not _signed_in(client)
    assert not DirectoryAccount.objects.filter(user=svc).exists()


def test_two_factor_is_asked_unless_the_provider_vouches_for_its_own_mfa(oidc, mappings, settings):
    from xiaobao.core.services.accounts import totp_enable, totp_new_secret

    # given zhou.ba signed in once and enrolled an authenticator in Xiaobao
    oidc.user("zhou.ba", unit="B1", groups=[ALL_STAFF], extra={"amr": ["pwd"]})
    sso_sign_in(Client(), "zhou.ba")
    user = User.objects.get(username="zhou.ba")
    secret = totp_new_secret()
    totp_enable(user=user, secret=secret, code=pyotp.TOTP(secret).now())
    # when he signs in through the provider (password only), Xiaobao asks for its code first
    client = Client()
    response = sso_sign_in(client, "zhou.ba", next_url="/cases/")
    assert response["Location"].startswith(reverse("core:login_2fa")) and not _signed_in(client)
    response = client.post(reverse("core:login_2fa"), {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert response.status_code == 302 and _signed_in(client)
    assert client.session["_auth_user_backend"] == "xiaobao.directory.oidc.OIDCBackend"
    assert client.get(reverse("core:home")).status_code == 200
    # when Xiaobao trusts the provider's MFA and the token says it was used, no second code is asked
    apply_oidc(settings, oidc.env(XIAOBAO_OIDC_TRUSTED_AMR="mfa,otp"))
    oidc.user("zhou.ba", unit="B1", groups=[ALL_STAFF], extra={"amr": ["pwd", "otp"]})
    client = Client()
    assert sso_sign_in(client, "zhou.ba").status_code == 302 and _signed_in(client)


def test_the_login_button_and_the_routes_exist_only_when_configured(oidc_provider, settings, db):
    from xiaobao.directory.conf import oidc_build

    settings.OIDC = oidc_build({}, [])["OIDC"]
    page = Client().get(reverse("core:login")).content.decode()
    assert 'data-testid="oidc-login"' not in page
    assert Client().get(reverse("directory:oidc_authenticate")).status_code == 404
    assert Client().get(reverse("directory:oidc_callback")).status_code == 404
    apply_oidc(settings, oidc_provider.env())
    page = Client().get(reverse("core:login")).content.decode()
    assert 'data-testid="oidc-login-button"' in page and "行内统一认证" in page


def test_the_directory_page_shows_the_oidc_configuration_without_the_secret(oidc, org, client):
    from conftest import make_user

    client.force_login(make_user("sysadm", org.ho, ["sysadmin"]))
    page = client.get(reverse("directory:index")).content.decode()
    assert 'data-testid="oidc-on"' in page and oidc.issuer in page and "xiaobao" in page
    assert oidc.secret not in page


def test_the_provider_down_is_a_message_not_an_error(oidc_provider, settings, db):
    from xiaobao.directory import oidc as oidc_mod

    with socket_closed() as port:
        apply_oidc(settings, oidc_provider.env(XIAOBAO_OIDC_ISSUER=f"http://127.0.0.1:{port}/o"))
        oidc_mod._discovered.clear()
        response = Client().get(reverse("directory:oidc_authenticate"))
    assert response.status_code == 302 and response["Location"] == reverse("core:login")
    assert "cannot be reached" in _messages(response) or "无法连接" in _messages(response)


def socket_closed():
    import contextlib
    import socket

    @contextlib.contextmanager
    def closed():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            yield s.getsockname()[1]  # bound, not listening: connections are refused

    return closed()


def test_settings_for_oidc_alone_and_next_to_ldap():
    from xiaobao.directory.conf import DIRECTORY_BACKEND, MODEL_BACKEND, OIDC_BACKEND, oidc_build

    assert oidc_build({"XIAOBAO_OIDC_CLIENT_ID": "x"}, [MODEL_BACKEND]) == {
        "OIDC": oidc_build({"XIAOBAO_OIDC_CLIENT_ID": "x"}, [])["OIDC"]
    }  # no issuer nor endpoints: off
    env = {"XIAOBAO_OIDC_ISSUER": "https://sso.bank.example/", "XIAOBAO_OIDC_CLIENT_ID": "xb"}
    alone = oidc_build({**env, "XIAOBAO_OIDC_CLIENT_SECRET": "s"}, [MODEL_BACKEND])
    assert alone["AUTHENTICATION_BACKENDS"] == [MODEL_BACKEND, OIDC_BACKEND]
    assert alone["OIDC"]["issuer"] == "https://sso.bank.example" and "s" not in alone["OIDC"].values()
    assert alone["OIDC_USE_PKCE"] and alone["OIDC_RP_SIGN_ALGO"] == "RS256"
    both = oidc_build(env, [DIRECTORY_BACKEND, "b"])
    assert both["AUTHENTICATION_BACKENDS"] == [DIRECTORY_BACKEND, "b", OIDC_BACKEND]
    explicit = {
        "XIAOBAO_OIDC_CLIENT_ID": "xb",
        **{f"XIAOBAO_OIDC_{k}_ENDPOINT": f"https://sso/{k}" for k in ("AUTHORIZATION", "TOKEN", "USERINFO")},
        "XIAOBAO_OIDC_JWKS_ENDPOINT": "https://sso/JWKS",
    }
    built = oidc_build(explicit, [MODEL_BACKEND])
    assert built["OIDC"]["enabled"] and built["OIDC_OP_JWKS_ENDPOINT"] == "https://sso/JWKS"
