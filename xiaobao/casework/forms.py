"""Forms of the casework pages (the notifications page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_IDS = 500  # ids one request may mark read (a page shows 50)
MAX_ID = 2**63 - 1  # larger ids are no row's and would overflow the database's integer


class IdListField(forms.Field):
    """Row ids (checkboxes named alike): positive integers the database can hold, at most MAX_IDS."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value not in (None, "") else [])
        if len(values) > MAX_IDS:
            raise forms.ValidationError(_("Invalid selection."))
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Invalid selection.")) from exc
        if any(not 0 < i <= MAX_ID for i in ids):
            raise forms.ValidationError(_("Invalid selection."))
        return ids


class MarkReadForm(forms.Form):
    """Which of the user's notifications to mark read: the ticked ones, or all unread ones."""

    ids = IdListField(required=False)
    all = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("ids") and not data.get("all"):
            raise forms.ValidationError(_("Choose the notifications to mark as read."))
        return data
