"""Requests the server makes to addresses an administrator typed in (webhooks, an SMS gateway): the policy.

`check_url(url)` refuses anything but http(s) to a named host without credentials in the URL, resolves the
host and refuses it when ANY of its addresses is

* link-local (169.254.0.0/16 with the cloud metadata address 169.254.169.254, fe80::/10), unspecified
  (0.0.0.0, ::), multicast or reserved: ALWAYS, even when listed in settings.OUTBOUND_ALLOWED_HOSTS;
* loopback or private (127/8, 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, and any other address that
  is not globally routable): unless the host name or the address is covered by an entry of
  settings.OUTBOUND_ALLOWED_HOSTS (host names, addresses or CIDR networks).

`post(url, body, headers)` checks the URL, sends one POST with `requests` (redirects are reported, never
followed) and checks again the address the socket actually connected to (a name that resolves to a public
address at check time and to an internal one a moment later is refused too). Connection failures and
timeouts raise `OutboundError`; a refusal raises `OutboundRefused` (a ValueError). Both carry a translated
message for the person who configured the URL.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

EXCERPT_BYTES = 1024
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


class OutboundRefused(ValueError):
    """The URL is not one the server may send to; `message` is translated and meant for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OutboundUnresolvable(OutboundRefused):
    """The host name does not resolve (now): refused, but a caller that retries may try again later."""


class OutboundError(Exception):
    """The request could not be completed (connection refused, timeout, TLS failure...)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body_excerpt: str
    elapsed_ms: int


# --- the policy ---------------------------------------------------------------------------------


def _address(text: str) -> IPAddress:
    ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def _kind(ip: IPAddress) -> str:
    """'blocked' (never), 'internal' (only when allowed) or 'public'."""
    if ip.is_link_local or ip.is_unspecified or ip.is_multicast:
        return "blocked"
    if ip.is_loopback:
        return "internal"
    if ip.is_reserved:  # 240.0.0.0/4 and the unassigned IPv6 blocks (Python counts 240/4 as private too)
        return "blocked"
    if ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT):
        return "internal"
    return "public" if ip.is_global else "internal"


def _allowed() -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    return _parse_allowed(tuple(getattr(settings, "OUTBOUND_ALLOWED_HOSTS", ()) or ()))


@lru_cache(maxsize=16)
def _parse_allowed(entries: tuple[str, ...]) -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in entries:
        entry = str(raw).strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return frozenset(names), tuple(networks)


def _check_address(host: str, ip: IPAddress) -> None:
    kind = _kind(ip)
    if kind == "public":
        return
    named = {"address": ip, "host": host}
    literal = host.strip("[]").lower() == str(ip).lower()
    if kind == "blocked":
        if literal:
            raise OutboundRefused(
                _("The address %(address)s is link-local, multicast or reserved: never allowed.") % named
            )
        raise OutboundRefused(
            _("The address %(address)s of %(host)s is link-local, multicast or reserved: never allowed.")
            % named
        )
    names, networks = _allowed()
    if host.lower().rstrip(".") in names or any(ip.version == n.version and ip in n for n in networks):
        return
    if literal:
        raise OutboundRefused(
            _(
                "The address %(address)s is internal (loopback or private network); it is allowed only when "
                "the system administrator lists it in the allowed outbound hosts."
            )
            % named
        )
    raise OutboundRefused(
        _(
            "The address %(address)s of %(host)s is internal (loopback or private network); it is allowed "
            "only when the system administrator lists it in the allowed outbound hosts."
        )
        % named
    )


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(str(url).strip())
        port = parts.port
    except ValueError:
        raise OutboundRefused(_("This is not a valid URL.")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise OutboundRefused(_("Only http:// and https:// addresses are allowed."))
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused(_("The URL must not contain a user name or password."))
    host = parts.hostname
    if not host:
        raise OutboundRefused(_("The URL has no host."))
    return host, parts.scheme.lower(), port or (443 if parts.scheme.lower() == "https" else 80)


def check_url(url: str) -> None:
    """Refuse (OutboundRefused) a URL the server must not send to; see the module docstring."""
    host, _scheme, port = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise OutboundUnresolvable(_("The host %(host)s could not be resolved.") % {"host": host}) from None
    if not infos:
        raise OutboundUnresolvable(_("The host %(host)s could not be resolved.") % {"host": host})
    for info in infos:
        _check_address(host, _address(str(info[4][0])))


# --- sending ------------------------------------------------------------------------------------


def _checked(conn: Any, sock: socket.socket) -> socket.socket:
    """Check the address the socket really connected to (DNS may answer differently the second time)."""
    try:
        _check_address(str(conn.host), _address(str(sock.getpeername()[0])))
    except OutboundRefused:
        sock.close()
        raise
    return sock


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(self, super()._new_conn())


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _checked(self, super()._new_conn())


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    """Direct connections are checked once connected; a proxy from the environment is used as configured
    (then the pre-flight check_url of the target is what applies)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"Xiaobao/{version('xiaobao')}"
    except PackageNotFoundError:
        return "Xiaobao"


def _refusal_in(exc: BaseException) -> OutboundRefused | None:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, OutboundRefused):
            return e
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            todo.append(reason)
    return None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10) -> OutboundResponse:
    """POST `body` to `url` after check_url; a redirect is reported as its status, never followed."""
    check_url(url)
    sent = {"User-Agent": user_agent(), **headers}
    started = time.monotonic()
    with requests.Session() as session:
        adapter = _CheckedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            response = session.post(
                url, data=body, headers=sent, timeout=timeout, allow_redirects=False, stream=True
            )
        except requests.Timeout:
            raise OutboundError(
                _("No answer within %(seconds)s seconds.") % {"seconds": f"{timeout:g}"}
            ) from None
        except requests.RequestException as exc:
            refused = _refusal_in(exc)
            if refused is not None:
                raise refused from None
            if isinstance(exc, requests.exceptions.SSLError):
                raise OutboundError(
                    _("The secure connection failed (TLS certificate or protocol).")
                ) from None
            raise OutboundError(_("Could not connect: %(reason)s") % {"reason": _reason(exc)}) from None
        try:
            raw = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
        except Exception:
            raw = b""
        finally:
            response.close()
    elapsed = int((time.monotonic() - started) * 1000)
    return OutboundResponse(
        status=response.status_code, body_excerpt=_decode(raw, response.encoding), elapsed_ms=elapsed
    )


def _decode(raw: bytes, encoding: str | None) -> str:
    try:
        return raw.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


def _reason(exc: BaseException) -> str:
    """A short reason without the URL (which may carry a token in its query string)."""
    inner: BaseException = exc
    while True:
        nxt = getattr(inner, "reason", None) or (inner.args[0] if inner.args else None)
        if isinstance(nxt, BaseException) and nxt is not inner:
            inner = nxt
            continue
        break
    text = str(inner)
    if "Connection refused" in text or isinstance(inner, ConnectionRefusedError):
        return _("connection refused")
    if "Name or service not known" in text or "getaddrinfo" in text or "resolve" in text.lower():
        return _("the host could not be resolved")
    if isinstance(inner, ConnectionResetError) or "reset" in text.lower():
        return _("connection reset")
    return type(inner).__name__
