"""The demo loader: settings, templates and sendings as rows (one failed), loaded once, nothing sent."""

from __future__ import annotations

import io

import pytest

from xiaobao.outreach.models import MessageTemplate, Sending

pytestmark = pytest.mark.django_db


class _Command:
    def __init__(self) -> None:
        from django.core.management.base import OutputWrapper

        self.stdout = OutputWrapper(io.StringIO())


def test_the_demo_loads_sendings_once(register, settings):
    from django.core import mail

    from xiaobao.outreach.demo import load

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    register()  # its own acknowledgement went out (locmem)
    Sending.objects.all().delete()
    mail.outbox.clear()
    register(email="")
    load(_Command())
    load(_Command())
    assert MessageTemplate.objects.count() == 6
    rows = Sending.objects.all()
    assert rows.count() == 2 and rows.filter(status="failed").count() == 1
    assert all("@" in s.recipient_masked and "*" in s.recipient_masked for s in rows)
    assert mail.outbox == []
