"""Two-factor login (issue 12, item 14): a code is accepted once, and turning two-factor off (or enrolling
another device) takes the current password and a valid code, not just a session."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD
from xiaobao.core.models import AuditEvent, User
from xiaobao.core.services import accounts as svc

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC)  # 5 s into a 30-second step


@pytest.fixture
def enrolled(sysadmin):
    secret = svc.totp_new_secret()
    with time_machine.travel(NOW - dt.timedelta(minutes=5), tick=False):
        svc.totp_enable(user=sysadmin, secret=secret, code=pyotp.TOTP(secret).now())
    return User.objects.get(pk=sysadmin.pk), secret


def _login(code: str) -> tuple[Client, int]:
    client = Client()
    client.post("/login/", {"username": "admin", "password": PASSWORD})
    return client, client.post("/login/2fa/", {"code": code}).status_code


def test_a_code_logs_in_once(enrolled):
    user, secret = enrolled
    with time_machine.travel(NOW, tick=False):
        code = pyotp.TOTP(secret).now()
        first, status = _login(code)
        assert status == 302 and first.session["_auth_user_id"] == str(user.pk)
        # when the same code is typed again within its validity (someone looked over the shoulder)
        second, status = _login(code)
        # then it is refused
        assert status == 400 and "_auth_user_id" not in second.session
    # the next step's code works
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        _client, status = _login(pyotp.TOTP(secret).now())
        assert status == 302


def test_an_older_code_is_refused_after_a_newer_one(enrolled):
    user, secret = enrolled
    totp = pyotp.TOTP(secret)
    with time_machine.travel(NOW, tick=False):
        previous = totp.at(NOW - dt.timedelta(seconds=30))
        assert svc.totp_verify(user=user, code=totp.now())
        assert not svc.totp_verify(user=user, code=previous)
        assert not svc.totp_verify(user=user, code=totp.now())


def test_turning_two_factor_off_needs_the_password_and_a_code(client_for, enrolled):
    user, secret = enrolled
    client = client_for(user)
    with time_machine.travel(NOW, tick=False):
        code = pyotp.TOTP(secret).now()
        # a session alone is not enough
        assert client.post("/account/2fa/", {"action": "disable"}).status_code == 400
        wrong_pw = client.post("/account/2fa/", {"action": "disable", "password": "wrong-one", "code": code})
        assert wrong_pw.status_code == 400 and "password" in wrong_pw.context["disable_form"].errors
        wrong_code = client.post(
            "/account/2fa/", {"action": "disable", "password": PASSWORD, "code": "000000"}
        )
        assert wrong_code.status_code == 400 and "code" in wrong_code.context["disable_form"].errors
        assert User.objects.get(pk=user.pk).has_2fa
        # the password and a valid code turn it off, audited
        ok = client.post("/account/2fa/", {"action": "disable", "password": PASSWORD, "code": code})
    assert ok.status_code == 302
    assert not User.objects.get(pk=user.pk).has_2fa
    rows = AuditEvent.objects.filter(object_id=str(user.pk), changes__has_key="two_factor")
    event = rows.order_by("id").last()
    assert event.changes["two_factor"] == [True, False]


def test_an_enrolled_user_cannot_enrol_another_device_from_the_session(client_for, enrolled):
    user, secret = enrolled
    client = client_for(user)
    page = client.get("/account/2fa/")
    assert page.status_code == 200 and "secret" not in page.context
    # posting a code for a key of the attacker's choosing does not replace the enrolled one
    other = svc.totp_new_secret()
    session = client.session
    session["_xb_totp_secret"] = other
    session.save()
    with time_machine.travel(NOW, tick=False):
        response = client.post("/account/2fa/", {"code": pyotp.TOTP(other).now()})
    assert response.status_code == 400
    assert svc.totp_verify(user=User.objects.get(pk=user.pk), code=pyotp.TOTP(secret).now())
