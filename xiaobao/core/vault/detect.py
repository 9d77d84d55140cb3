"""Recognise personal data in free text: for log redaction and for refusing C3 information."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 18-digit resident ID (last may be X), mainland mobile numbers, 13–19 digit card/account numbers.
ID_NUMBER = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
CARD = re.compile(r"(?<!\d)\d{13,19}(?!\d)")

# C3 (authentication information, JR/T 0171-2020): must never be stored.
C3_PATTERNS = [
    re.compile(r"(密码|口令|passcode|password|PIN)\s*(是|为|[:：=])?\s*\S*\d{4,}", re.IGNORECASE),
    re.compile(r"(CVV2?|CVN2?|安全码)\s*(是|为|[:：=])?\s*\d{3,4}(?!\d)", re.IGNORECASE),
    re.compile(r"(验证码|动态码|短信码)\s*(是|为|[:：=])?\s*\d{4,8}(?!\d)"),
]


def redact(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: m.group(0)[:6] + "*" * 8 + m.group(0)[-4:], text)
    text = CARD.sub(lambda m: m.group(0)[:6] + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], text)
    return PHONE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-4:], text)


def contains_c3(text: str) -> bool:
    return any(p.search(text or "") for p in C3_PATTERNS)


def validate_no_c3(text: str) -> None:
    """Validator for free-text fields: passwords, PINs, CVV and one-time codes must not be recorded."""
    if contains_c3(text):
        raise ValidationError(
            _(
                "This text appears to contain a password, PIN, CVV or verification code. Such "
                "authentication information (C3) must never be recorded: remove it."
            ),
            code="c3_information",
        )
