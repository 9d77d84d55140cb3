"""The client address behind proxies: only XIAOBAO_TRUSTED_PROXIES hops of X-Forwarded-For are believed
(issue 12, item 13), so a client cannot pick the address the login throttle and the audit trail see."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from conftest import PASSWORD
from xiaobao.core.models import AuditEvent
from xiaobao.core.models.audit import AuditAction

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
REAL = "203.0.113.7"


def _post_login(username: str, password: str, forwarded: str) -> int:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    return client.post("/login/", {"username": username, "password": password}).status_code


@override_settings(TRUSTED_PROXIES=1)
def test_rotating_forwarded_for_does_not_defeat_the_address_throttle(branch_officer):
    # given one real client that invents a new first X-Forwarded-For entry on every failed attempt
    for i in range(settings.LOGIN_FAILURE_LIMIT * 4):
        assert _post_login(f"guess{i}", "nope-nope", f"198.51.100.{i}, {REAL}") == 400
    # when it tries again under yet another invented address, with a right password
    status = _post_login("branch1_cp", PASSWORD, f"192.0.2.99, {REAL}")
    # then its real address (what the one trusted proxy appended) is locked
    assert status == 429
    # and the audit trail holds the real address, never the invented ones
    ips = set(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("ip", flat=True))
    assert ips == {REAL}


@override_settings(TRUSTED_PROXIES=2)
def test_two_trusted_proxies_take_the_second_entry_from_the_right(branch_officer):
    assert _post_login("nobody", "nope-nope", f"198.51.100.1, {REAL}, 10.0.0.2") == 400
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip == REAL


@override_settings(TRUSTED_PROXIES=0)
def test_without_trusted_proxies_forwarded_for_is_ignored(branch_officer):
    assert _post_login("nobody", "nope-nope", "198.51.100.1") == 400
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip == PROXY


@override_settings(TRUSTED_PROXIES=1)
def test_garbage_or_short_forwarded_for_falls_back_to_the_peer(branch_officer):
    assert _post_login("nobody", "nope-nope", "not-an-address") == 400
    assert _post_login("nobody", "nope-nope", "") == 400
    ips = list(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("ip", flat=True))
    assert ips == [PROXY, PROXY]
