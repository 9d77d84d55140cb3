"""Authenticated encryption of personal data and blind indexes for exact lookup.

Stored form: "<key id>$<base64(nonce ‖ ciphertext+tag)>". The field kind is bound as associated data,
so a phone-number ciphertext cannot be pasted into an ID-number column.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xiaobao.core.vault.keys import keyring

SEPARATOR = "$"


class VaultError(Exception):
    pass


def encrypt(plaintext: str, kind: str, key_id: str | None = None) -> str:
    ring = keyring()
    kid = key_id or ring.active
    nonce = os.urandom(12)
    ct = AESGCM(ring.keys[kid]).encrypt(nonce, plaintext.encode(), kind.encode())
    return f"{kid}{SEPARATOR}{base64.b64encode(nonce + ct).decode()}"


def key_id_of(token: str) -> str:
    return token.split(SEPARATOR, 1)[0]


def decrypt(token: str, kind: str) -> str:
    kid, _, body = token.partition(SEPARATOR)
    ring = keyring()
    if kid not in ring.keys:
        raise VaultError(f"unknown vault key id {kid!r}")
    raw = base64.b64decode(body)
    try:
        return AESGCM(ring.keys[kid]).decrypt(raw[:12], raw[12:], kind.encode()).decode()
    except Exception as exc:  # InvalidTag
        raise VaultError("personal data could not be decrypted (wrong key or tampered value)") from exc


_SPACES = re.compile(r"[\s\-]+")


def normalise(value: str, kind: str) -> str:
    """Canonical form used for blind indexes: no spaces or dashes, upper-case X in ID numbers."""
    value = _SPACES.sub("", value.strip())
    if kind == "phone" and value.startswith("+86"):
        value = value[3:]
    return value.upper()


def blind_index(value: str, kind: str) -> str:
    if not value:
        return ""
    key = keyring().blind_index
    return hmac.new(key, f"{kind}:{normalise(value, kind)}".encode(), hashlib.sha256).hexdigest()
