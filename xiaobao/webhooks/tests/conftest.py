"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) that records what it gets and answers as
told; subscriptions to it are allowed by OUTBOUND_ALLOWED_HOSTS=["127.0.0.1"]."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from conftest import make_user


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """Verified as a receiver would, independently of the code under test."""
        ts = self.headers["X-Xiaobao-Timestamp"]
        expected = hmac.new(secret.encode(), ts.encode() + b"." + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest("sha256=" + expected, self.headers["X-Xiaobao-Signature"])


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer, in turn; then 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def of_type(self, event_type: str) -> list[Received]:
        return [r for r in self.received if r.headers.get("X-Xiaobao-Event") == event_type]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        receiver.received.append(Received(self.path, dict(self.headers), body))
        status = receiver.answers.pop(0) if receiver.answers else 200
        answer = json.dumps({"ok": status < 300, "seen": len(receiver.received)}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def _server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(_server: ThreadingHTTPServer) -> Iterator[Receiver]:
    rec = Receiver(_server)
    _server.receiver = rec  # type: ignore[attr-defined]
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["127.0.0.1"]):
        yield rec


@pytest.fixture
def admin(org):
    """The system administrator (sees the whole institution, holds webhooks.manage_subscription)."""
    return make_user("wh_admin", org.ho, ["sysadmin"])


@pytest.fixture
def payload(org):
    def make(**over: Any) -> dict[str, Any]:
        data = {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A0302",
            "business_type": "B0303",
            "cause": "C07",
            "source": "direct",
            "org_unit": org.b1s.code,
            "complainant": {
                "name": "张伟",
                "id_number": "110108199003070016",
                "phone": "13812345678",
                "email": "zhangwei@example.com",
            },
            "request": "退还多收的年费 200 元",
            "description": "客户称信用卡年费未经同意扣收，要求退还。",
        }
        data.update(over)
        return data

    return make
