"""The outbound request policy (xiaobao.core.outbound) against a real HTTP receiver the test starts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.utils import translation

from xiaobao.core import outbound
from xiaobao.core.outbound import OutboundError, OutboundRefused, check_url, post


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (the UI's default is zh-Hans)."""
    with translation.override("en"):
        yield


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.received.append((self.path, dict(self.headers), body))  # type: ignore[attr-defined]
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        answer = b"x" * 5000 if self.path == "/big" else "好的 ok".encode()
        self.send_response(500 if self.path == "/fail" else 200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: ThreadingHTTPServer, path: str = "/hook") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "http://user:pw@example.com/",
        "http://example.com:99999/",
        "not a url",
    ],
)
def test_only_http_urls_with_a_host_and_no_credentials(url):
    with pytest.raises(OutboundRefused) as info:
        check_url(url)
    assert info.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_link_local_metadata_unspecified_multicast_reserved_are_refused_even_when_listed(url):
    listed = ["0.0.0.0/0", "::/0", "169.254.169.254"]
    with (
        override_settings(OUTBOUND_ALLOWED_HOSTS=listed),
        pytest.raises(OutboundRefused, match="never allowed"),
    ):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fc00::1]/",
        "http://[::1]/",
    ],
)
def test_internal_addresses_are_refused_unless_listed(url):
    with override_settings(OUTBOUND_ALLOWED_HOSTS=[]), pytest.raises(OutboundRefused, match="internal"):
        check_url(url)
    with override_settings(
        OUTBOUND_ALLOWED_HOSTS=[
            "127.0.0.0/8",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.1.1",
            "100.64.0.0/10",
            "fc00::/7",
            "::1",
            "localhost",
        ]
    ):
        check_url(url)  # no exception


def test_a_listed_host_name_covers_its_addresses():
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["LOCALHOST"]):
        check_url("http://localhost/")
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["example.org"]), pytest.raises(OutboundRefused):
        check_url("http://localhost/")


def test_an_unresolvable_host_is_refused_with_a_clear_message():
    with pytest.raises(OutboundRefused, match="could not be resolved") as info:
        check_url("http://no-such-host.invalid/")
    assert isinstance(info.value, outbound.OutboundUnresolvable)  # a retrying caller may try again later


def test_a_public_address_passes():
    check_url("https://93.184.215.14/hook")  # literal address: no resolver needed


def test_post_reaches_the_receiver_with_the_user_agent(receiver):
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["127.0.0.1"]):
        answer = post(_url(receiver), b'{"a": 1}', {"Content-Type": "application/json", "X-Test": "1"})
    assert answer.status == 200
    assert answer.body_excerpt == "好的 ok"
    assert answer.elapsed_ms >= 0
    path, headers, body = receiver.received[-1]
    assert (path, body) == ("/hook", b'{"a": 1}')
    assert headers["User-Agent"].startswith("Xiaobao")
    assert headers["X-Test"] == "1"


def test_post_refuses_loopback_when_not_listed(receiver):
    before = len(receiver.received)
    with override_settings(OUTBOUND_ALLOWED_HOSTS=[]), pytest.raises(OutboundRefused):
        post(_url(receiver), b"{}", {})
    assert len(receiver.received) == before


def test_post_refuses_the_metadata_address():
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["169.254.169.254"]), pytest.raises(OutboundRefused):
        post("http://169.254.169.254/latest/meta-data/", b"{}", {})


def test_a_redirect_is_reported_never_followed(receiver):
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["127.0.0.1"]):
        answer = post(_url(receiver, "/redirect"), b"{}", {})
    assert answer.status == 302
    assert receiver.received[-1][0] == "/redirect"  # /elsewhere was never asked for


def test_the_excerpt_is_at_most_one_kilobyte_and_errors_are_statuses(receiver):
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["127.0.0.1"]):
        assert len(post(_url(receiver, "/big"), b"{}", {}).body_excerpt) == 1024
        assert post(_url(receiver, "/fail"), b"{}", {}).status == 500


def test_a_closed_port_and_a_silent_server_raise_outbound_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with override_settings(OUTBOUND_ALLOWED_HOSTS=["127.0.0.1"]):
        with pytest.raises(OutboundError, match="refused"):
            post(f"http://127.0.0.1:{port}/", b"{}", {})
        with socket.socket() as silent:  # accepts connections (backlog), never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(1)
            with pytest.raises(OutboundError, match=r"0\.3"):
                post(f"http://127.0.0.1:{silent.getsockname()[1]}/", b"{}", {}, timeout=0.3)


def test_the_connected_address_is_checked_again(receiver, monkeypatch):
    # the name passes the pre-flight check (as if DNS answered a public address), but the socket connects
    # to loopback (DNS rebinding): the second check, on the connected peer, refuses it
    monkeypatch.setattr(outbound, "check_url", lambda url: None)
    with override_settings(OUTBOUND_ALLOWED_HOSTS=[]), pytest.raises(OutboundRefused):
        post(_url(receiver), b"{}", {})
