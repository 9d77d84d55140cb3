"""Logging filter that masks ID, phone and card numbers in every record before it is written."""

from __future__ import annotations

import logging

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
