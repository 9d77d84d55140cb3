"""Directory sign-in settings, read from XIAOBAO_LDAP_* (called from xiaobao/settings.py; imports no
model)."""

from __future__ import annotations

from typing import Any


def configure(ns: dict[str, Any]) -> None:
    """Set the LDAP settings and AUTHENTICATION_BACKENDS in the settings namespace `ns`."""
