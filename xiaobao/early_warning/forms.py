from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaobao.early_warning.services import NOTE_MAX


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done or why no action is needed. No names or ID numbers."),
    )


class WatchWordForm(forms.Form):
    word = forms.CharField(label=_("Watch word"), max_length=40)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
