"""Logging that masks ID, phone and card numbers in every record before it is written: the filter on every
handler, and the formatters (plain text, or one JSON object per line in production)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from xiaobao.core.vault.detect import redact


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """The plain text format, with tracebacks redacted too (an exception's message can quote a value)."""

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


class JsonFormatter(RedactingFormatter):
    """One JSON object per line for the log collector: time (UTC, ISO 8601), level, logger, message, and
    the HTTP status / redacted exception when there is one. Only the message is written, never the request
    object (its query string may hold what a user searched for)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "process": record.process,
        }
        if isinstance(getattr(record, "status_code", None), int):
            out["status"] = record.status_code  # type: ignore[attr-defined]
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)
