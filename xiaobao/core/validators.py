"""Password validators whose messages are in Xiaobao's own catalogue (Django 5.2 changed the length
message and its zh_Hans catalogue has no translation for the new text)."""

from __future__ import annotations

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
