"""Forms of the notices' pages: settings, a template's texts, a test sending, a notice sent by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.outreach import placeholders
from xiaobao.outreach.choices import BodyFormat, Channel, Kind, SendingStatus
from xiaobao.outreach.models import MessageTemplate, OutreachSettings
from xiaobao.outreach.services import SETTINGS_FIELDS


class SettingsForm(forms.ModelForm):
    sms_token = forms.CharField(
        label=_("Authentication token"),
        required=False,
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the token saved (it is stored encrypted and never shown)."),
    )
    remove_token = forms.BooleanField(label=_("Remove the saved token"), required=False)
    sms_format = forms.ChoiceField(label=_("Body format"), choices=BodyFormat.choices)

    class Meta:
        model = OutreachSettings
        fields = list(SETTINGS_FIELDS)
        widgets = {"sms_body": forms.Textarea(attrs={"rows": 3, "class": "mono"})}

    def clean_sms_timeout(self) -> int:
        value = self.cleaned_data.get("sms_timeout") or 0
        if not 1 <= value <= 60:
            raise forms.ValidationError(_("Between 1 and 60 seconds."))
        return int(value)

    def to_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in SETTINGS_FIELDS}

    def token(self) -> str | None:
        if self.cleaned_data.get("remove_token"):
            return ""
        return self.cleaned_data.get("sms_token") or None


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].required = False
        if self.instance.channel == Channel.SMS:
            del self.fields["subject"]
            self.fields["body"].widget.attrs["rows"] = 4

    @staticmethod
    def placeholder_help() -> list[tuple[str, str]]:
        return [("{" + name + "}", str(label)) for name, label in placeholders.PLACEHOLDERS.items()]


class TestSendForm(forms.Form):
    channel = forms.ChoiceField(label=pgettext_lazy("notice", "Channel"), choices=Channel.choices)
    address = forms.CharField(
        label=_("E-mail address or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class SendForm(forms.Form):
    kind = forms.ChoiceField(label=_("Notice"), choices=Kind.choices)
    channel = forms.ChoiceField(label=pgettext_lazy("notice", "Channel"), choices=Channel.choices)


class LogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("all")), *SendingStatus.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Notice"), choices=[("", _("all")), *Kind.choices], required=False)
