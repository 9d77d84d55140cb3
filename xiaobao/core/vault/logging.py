"""Logging that masks ID, phone and card numbers and drops URL query strings (what a user searched for) in
every record before it is written: the filter on every handler and on the development server's logger, the
formatters (plain text, or one JSON object per line in production), and gunicorn's access and error logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from gunicorn import glogging

from xiaobao.core.vault.detect import redact

# "?…" after a URL path (a request line, a logged URL): search boxes and filters put personal data there.
QUERY_STRING = re.compile(r"(/[^\s?#\"']*)\?[^\s#\"']+")


def redact_log_text(text: str) -> str:
    """`text` without URL query strings, and with ID, phone and card numbers masked."""
    return redact(QUERY_STRING.sub(r"\1?…", text))


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        redacted = redact_log_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """The plain text format, with tracebacks redacted too (an exception's message can quote a value)."""

    def formatException(self, ei: Any) -> str:
        return redact_log_text(super().formatException(ei))


class JsonFormatter(RedactingFormatter):
    """One JSON object per line for the log collector: time (UTC, ISO 8601), level, logger, message, and
    the HTTP status / redacted exception when there is one. Only the message is written, never the request
    object (its query string may hold what a user searched for)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_log_text(record.getMessage()),
            "process": record.process,
        }
        if isinstance(getattr(record, "status_code", None), int):
            out["status"] = record.status_code  # type: ignore[attr-defined]
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class RedactingGunicornLogger(glogging.Logger):
    """gunicorn's logger (`logger_class` in gunicorn_conf.py): the access-log atoms carry no query string
    (request line, query, referer) and no personal number, whatever `access_log_format` asks for; the
    error log passes the same filter as Django's handlers."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactPersonalDataFilter) for f in log.filters):
                log.addFilter(RedactPersonalDataFilter())

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["q"] = "…" if atoms.get("q") else ""
        return {k: redact_log_text(v) if isinstance(v, str) else v for k, v in atoms.items()}
