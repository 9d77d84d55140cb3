"""Vault key material: AES-256-GCM data keys by key id, and one HMAC key for blind indexes."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_KEY_ID = "dev"


@dataclass(frozen=True)
class KeyRing:
    active: str
    keys: dict[str, bytes]
    blind_index: bytes
    is_development: bool


def _b64(value: str, what: str) -> bytes:
    raw = base64.b64decode(value.strip())
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes, base64-encoded")
    return raw


def _derive(label: str) -> bytes:
    return hashlib.sha256(f"xiaobao-dev-vault:{label}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=1)
def keyring() -> KeyRing:
    """Read keys from XIAOBAO_VAULT_KEY_FILE, else from the environment, else derive development keys."""
    if settings.VAULT_KEY_FILE:
        data = json.loads(Path(settings.VAULT_KEY_FILE).read_text())
        keys = {kid: _b64(v, f"vault key {kid}") for kid, v in data["keys"].items()}
        return KeyRing(data["active"], keys, _b64(data["blind_index"], "blind-index key"), False)
    if settings.VAULT_KEYS:
        keys = {}
        for item in settings.VAULT_KEYS.split(","):
            kid, _, value = item.partition(":")
            keys[kid.strip()] = _b64(value, f"vault key {kid}")
        active = settings.VAULT_ACTIVE_KEY or next(iter(keys))
        if not settings.VAULT_BLIND_INDEX_KEY:
            raise ImproperlyConfigured("XIAOBAO_VAULT_BLIND_INDEX_KEY is required with XIAOBAO_VAULT_KEYS")
        return KeyRing(active, keys, _b64(settings.VAULT_BLIND_INDEX_KEY, "blind-index key"), False)
    return KeyRing(DEV_KEY_ID, {DEV_KEY_ID: _derive("data")}, _derive("blind"), True)


def generate_key() -> str:
    import os

    return base64.b64encode(os.urandom(32)).decode()
