"""Real counterparts for the notices' tests: an SMTP server (aiosmtpd) and an HTTP receiver standing in for
the bank's SMS gateway, both on 127.0.0.1 at a free port; a complaint registered at a pinned time."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller

from conftest import make_user

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 3, 2, 11, 0, tzinfo=SH)
EMAIL, PHONE = "zhang.san@example.com", "13912345678"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """aiosmtpd handler: keeps each message; `refuse` answers RCPT with that reply (e.g. "550 …")."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.refuse = ""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


@pytest.fixture
def smtp(settings) -> Iterator[Mailbox]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.DEFAULT_FROM_EMAIL = "xiaobao@bank.example"
    try:
        yield box
    finally:
        controller.stop()


class Gateway:
    """The SMS gateway's stand-in: records each request; answers from `statuses` (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.url = ""

    def answer(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200


@pytest.fixture
def gateway(settings) -> Iterator[Gateway]:
    gw = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            gw.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = gw.answer()
            answer = json.dumps(
                {"code": 0, "msgid": f"GW-{len(gw.requests)}"} if status < 300 else {"error": "busy"}
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gw.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    try:
        yield gw
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sms_on(gateway):
    """The gateway switched on in the settings, with a token and a signature."""
    from xiaobao.outreach.services import settings_save

    settings_save(
        actor=None,
        data={
            "sms_enabled": True,
            "sms_url": gateway.url,
            "sms_auth_header": "X-Api-Key",
            "sms_signature": "【晓宝银行】",
        },
        token="tok-secret-123",
    )
    return gateway


@pytest.fixture
def clerk(org):
    return make_user("o_clerk", org.b1s, ["complaint_handler"])


@pytest.fixture
def approver(org):
    return make_user("o_approver", org.b1, ["approver"])


@pytest.fixture
def register(clerk, django_capture_on_commit_callbacks):
    """Register a complaint of B1-S1 at T0 (on-commit work run: the notices go out)."""
    from xiaobao.complaints.services import complaint_register

    def _register(email: str = EMAIL, phone: str = PHONE, **over: Any):
        person = {"name": "张三", "email": email, "phone": phone}
        data = {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": "B1-S1",
            "complainant": person,
            "request": "退还年费",
            "description": "信用卡年费被多扣。",
            **over,
        }
        with time_machine.travel(T0, tick=False), django_capture_on_commit_callbacks(execute=True):
            complaint, _ = complaint_register(actor=clerk, data=data)
        return complaint

    return _register


@pytest.fixture
def act(clerk, django_capture_on_commit_callbacks):
    """Run a complaint action at a time (on-commit work run)."""
    from xiaobao.complaints.services import complaint_transition

    def _act(c: Any, action: str, data: dict | None = None, actor: Any = None, at: dt.datetime | None = None):
        with (
            time_machine.travel(at or T0 + dt.timedelta(hours=1), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            c.refresh_from_db()
            return complaint_transition(actor=actor or clerk, complaint=c, action=action, data=data or {})

    return _act
