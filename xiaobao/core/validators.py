"""Input checks shared by forms, the API and services: visible text (no invisible characters counted), and
password validators whose messages are in Xiaobao's own catalogue (Django 5.2 changed the length message and
its zh_Hans catalogue has no translation for the new text)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLengthValidator
from django.utils.translation import ngettext


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(n)d character.",
            "This password is too short. It must contain at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must contain at least %(n)d character.",
            "Your password must contain at least %(n)d characters.",
            self.min_length,
        ) % {"n": self.min_length}


# Format (zero-width spaces and joiners, BOM, bidi controls), control and surrogate characters: nothing a
# reader can see.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs"})


def visible_text(value: Any) -> Any:
    """The text a reader sees: invisible characters removed, every run of Unicode whitespace (ideographic,
    no-break and em spaces too) made one space, and the ends stripped — so a length check counts what is
    visible. Non-strings pass through unchanged (the type check that follows refuses them)."""
    if not isinstance(value, str):
        return value
    kept = "".join(
        ch if ch.isspace() else ("" if unicodedata.category(ch) in INVISIBLE_CATEGORIES else ch)
        for ch in value
    )
    return " ".join(kept.split())
