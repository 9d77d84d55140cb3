"""How a delivery is signed (pure: no database). A receiver verifies it the same way:

    expected = "sha256=" + hmac_sha256(secret, f"{X-Xiaobao-Timestamp}.{raw body}").hexdigest()

compared in constant time with X-Xiaobao-Signature, the timestamp no older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8, keys sorted."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers(*, secret: str, event_type: str, delivery_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Xiaobao-Event": event_type,
        "X-Xiaobao-Delivery": delivery_id,
        "X-Xiaobao-Timestamp": str(timestamp),
        "X-Xiaobao-Signature": signature(secret, timestamp, body),
    }


def verify(
    secret: str, timestamp: str, body: bytes, received: str, *, now: int, tolerance: int = 300
) -> bool:
    """What a receiver does (used by the tests as an independent check, and documented)."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(now - ts) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, ts, body), received)
