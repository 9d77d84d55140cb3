"""Domain errors raised by services and mapped to one error shape by the API and the views."""

from __future__ import annotations


class DomainError(Exception):
    """A request that is understood but not allowed in the current state (HTTP 409 / 400)."""

    status = 400

    def __init__(self, message: str, code: str = "invalid", fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


class Conflict(DomainError):
    status = 409
