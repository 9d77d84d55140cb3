"""Domain errors raised by services and mapped to one error shape by the API and the views."""

from __future__ import annotations


class DomainError(Exception):
    """Input the service refuses (HTTP 422, like schema errors); `Conflict` is the state-clash case (409)."""

    status = 422

    def __init__(self, message: str, code: str = "invalid", fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


class Conflict(DomainError):
    status = 409


def field_error(field: str, message: str, code: str = "invalid") -> DomainError:
    """A DomainError about one field: the message is both the summary and the field's message."""
    return DomainError(message, code=code, fields={field: [message]})
